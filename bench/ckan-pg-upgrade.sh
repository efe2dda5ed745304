#!/bin/sh
# bench/ckan-pg-upgrade.sh: the downtime of an upgrade -- from the moment
# CKAN's web server is stopped to the moment it is started again -- with
# "ckan-pg-upgrade run -j 1" (each database streamed from pg_dump into
# pg_restore, all databases at once), with "-j 2" (directory-format dumps
# restored two tables at a time), with "--method logical" (the copy runs
# before the window, while CKAN works), and with the guide's own command
# sequence (pg_dumpall --roles-only | psql, pg_dump -Fc, createdb,
# pg_restore, then the port edited in the ini), which verifies nothing.
# For --method logical a writer plays CKAN: one INSERT every 100 ms through
# the ini's URL; its downtime is the longest stretch of writes refused (web
# stopped or database not writable), and every acknowledged write must be on
# NEW afterwards (writes lost is printed).  The sandbox is
# tests/lib/demo.sh's (PostgreSQL 12 from npm to Debian's 15); its DataStore
# is grown to BENCH_MB megabytes (default 100; the issue's figures are
# BENCH_MB=1000 and 5000) in four tables.  Medians of BENCH_RUNS (3)
# interleaved runs; BENCH_METHODS picks some of "j1 j2 logical logical0 guide"
# (logical0: --verify-rows none; all but it by default; BENCH_MB=5000
# BENCH_METHODS="logical guide" takes minutes, not an hour).  It reports; it
# never fails on a slow result.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091 # bench_sandbox
. "$ROOT/bench/lib.sh"
bench_sandbox

why=$(sb_unavailable)
if [ -n "$why" ]; then
	echo "bench: ckan-pg-upgrade: skipped ($why)"
	exit 0
fi
trap 'sb_cleanup' EXIT
trap 'sb_cleanup; exit 2' INT TERM HUP
sb_setup 12 >/dev/null || { echo "bench: the sandbox failed" >&2; exit 2; }
echo "ckan-pg-upgrade: downtime of $SB_OLD -> $SB_NEW with a ${MB} MB DataStore" \
	"(PostgreSQL $("$SB_OLD_BIN/postgres" --version | sed 's/^[^0-9]*//') to $("/usr/lib/postgresql/15/bin/postgres" --version | sed 's/^[^0-9]*//'))"

sb_grow "$MB" || { echo "bench: growing the DataStore failed" >&2; exit 2; }
size=$(sb_as_postgres psql -X -At -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d postgres \
	-c "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database WHERE datname IN ('ckan_default', 'datastore_default')")
echo "databases to move: $size"

W=$SB_DIR/bench
mkdir -p "$W"
chmod 755 "$W"
cp -p "$SB_INI" "$W/ini.orig"

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

reset_new() {	# drop what a run made in NEW, OLD writable again, put the ini back
	sb_psql new -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ckan_default" -c "DROP DATABASE IF EXISTS datastore_default" >/dev/null
	for db in ckan_default datastore_default; do
		sb_psql old -c "ALTER DATABASE $db RESET default_transaction_read_only" >/dev/null
	done
	cp -p "$W/ini.orig" "$SB_INI"
}

tool_run() {	# tool_run ARGS: the downtime of ckan-pg-upgrade run ARGS
	reset_new
	rm -rf "$W/state" "$W/down"
	ckan-pg-upgrade run --yes "$@" --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$W/state" \
		--stop-cmd "touch $W/down; date +%s.%N >$W/stop" --start-cmd "date +%s.%N >$W/start; rm -f $W/down" \
		>"$W/run.log" 2>&1 || {
		echo "bench: ckan-pg-upgrade run $* failed:" >&2
		tail -n 20 "$W/run.log" >&2
		exit 2
	}
	elapsed "$(cat "$W/stop")" "$(cat "$W/start")"
}

# CKAN writing once every 100 ms wherever the ini points; "down" while the web is stopped.
printf '*:*:*:ckan_default:demo-pass\n' >"$W/pgpass" && chmod 600 "$W/pgpass"
sb_psql old -d ckan_default -c "CREATE TABLE IF NOT EXISTS writes (n int PRIMARY KEY); ALTER TABLE writes OWNER TO ckan_default" >/dev/null
writer() {
	n=0
	while [ ! -f "$W/writer.stop" ]; do
		n=$((n + 1))
		if [ -f "$W/down" ]; then r=down
		elif PGPASSFILE=$W/pgpass PGCONNECT_TIMEOUT=2 psql -X -q -At -d "$(ckan-pgurl -c "$SB_INI" -k main url)" \
			-c "INSERT INTO writes (n) VALUES ($n)" >/dev/null 2>&1; then r=ok
		else r=refused; fi
		echo "$n $r $(now)"
		sleep 0.1
	done
}
# logical_run [ARGS]: --method logical under the writer; prints "WINDOW REFUSED LOST" (s, s, writes)
logical_run() {
	reset_new
	sb_psql old -d ckan_default -c "TRUNCATE writes" >/dev/null
	rm -f "$W/writer.stop"
	writer >"$W/writes" &
	wpid=$!
	sleep 1
	w=$(tool_run --method logical "$@")
	sleep 1
	: >"$W/writer.stop"
	wait "$wpid"
	acked=$(awk '$2 == "ok"' "$W/writes" | wc -l)
	on_new=$(sb_psql new -d ckan_default -At -c "SELECT count(*) FROM writes")
	awk -v w="$w" -v lost=$((acked - on_new)) '$2 != "ok" { if (!s) s = $3; e = $3 }
		$2 == "ok" && s { if (e - s + 0.1 > m) m = e - s + 0.1; s = 0 }
		END { printf "%s %.2f %d\n", w, m, lost }' "$W/writes"
}

# The guide's sequence, as an operator types it (roles errors ignored, as
# the guide says; no verification; only the main URL's port edited).
guide_run() {
	reset_new
	d=$W/guide
	rm -rf "$d"
	mkdir -p "$d"
	chown postgres "$d"
	t0=$(now)
	sb_as_postgres pg_dumpall --roles-only -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -f "$d/roles.sql"
	for db in ckan_default datastore_default; do
		sb_as_postgres pg_dump -Fc -b -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -f "$d/$db.dump" "$db"
	done
	sb_as_postgres psql -X -q -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d postgres -f "$d/roles.sql" >/dev/null 2>&1 || true
	for db in ckan_default datastore_default; do
		sb_as_postgres createdb -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -O ckan_default -E UTF8 -T template0 "$db"
		sb_as_postgres pg_restore -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d "$db" "$d/$db.dump"
	done
	ckan-pgurl -c "$SB_INI" set "port=$SB_NEW_PORT"
	t1=$(now)
	elapsed "$t0" "$t1"
}

# Each method RUNS times (default 3), interleaved; the medians are compared.
RUNS=${BENCH_RUNS:-3}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
METHODS=${BENCH_METHODS:-j1 j2 logical guide}
has() { case " $METHODS " in *" $1 "*) ;; *) return 1 ;; esac; }
a1="" a2="" ag="" al="" ar="" a0="" r0="" lost=0
i=0
while [ "$i" -lt "$RUNS" ]; do
	! has j1 || a1="$a1 $(tool_run -j 1)"
	! has j2 || a2="$a2 $(tool_run -j 2)"
	if has logical; then
		# shellcheck disable=SC2046 # three numbers
		set -- $(logical_run)
		al="$al $1" ar="$ar $2" lost=$((lost + $3))
	fi
	if has logical0; then
		# shellcheck disable=SC2046 # three numbers
		set -- $(logical_run --verify-rows none)
		a0="$a0 $1" r0="$r0 $2" lost=$((lost + $3))
	fi
	! has guide || ag="$ag $(guide_run)"
	i=$((i + 1))
done
j1=$(echo "$a1" | median) j2=$(echo "$a2" | median) l=$(echo "$al" | median) r=$(echo "$ar" | median)
g=$(echo "$ag" | median)
! has j1 || echo "  ckan-pg-upgrade run -j 1          ${j1} s (median of$a1; streamed pg_dump | pg_restore, databases at once; verify by the catalogs and row digests)"
! has j2 || echo "  ckan-pg-upgrade run -j 2          ${j2} s (median of$a2; directory dumps, 2 tables at a time)"
if has logical; then
	echo "  ckan-pg-upgrade --method logical  ${l} s (median of$al; the copy ran before the window; verify by the catalogs and row counts)"
	echo "    writes refused, longest stretch ${r} s (median of$ar; a write every 100 ms); writes lost: $lost"
fi
if has logical0; then
	echo "  --method logical --verify-rows none  $(echo "$a0" | median) s (median of$a0; verify by the catalogs only)"
	echo "    writes refused, longest stretch $(echo "$r0" | median) s (median of$r0); writes lost (all logical runs): $lost"
fi
! has guide || echo "  the guide's commands              ${g} s (median of$ag; pg_dump -Fc, createdb, pg_restore; no verification)"
has guide || exit 0
echo "${j1:-0} ${j2:-0} ${l:-0} $g" | awk '{
	printf "  ratio to the guide:"
	if ($1 > 0) printf "  -j 1 %.2f", $1 / $4
	if ($2 > 0) printf "  -j 2 %.2f", $2 / $4
	if ($3 > 0) printf "  --method logical %.2f", $3 / $4
	printf "\n" }'
