#!/bin/sh
# shellcheck disable=SC2030,SC2031 # fresh_run's W is its own sandbox's, in its subshell only
# bench/ckan-pg-upgrade.sh: the downtime of an upgrade -- from the moment
# CKAN's web server is stopped to the moment it is started again -- every
# way a CKAN operator has, side by side on one fixture, in one run:
#   guide     the guide's commands (pg_dumpall --roles-only | psql, pg_dump
#             -Fc, createdb, pg_restore, the port edited in the ini); it
#             verifies nothing
#   puc-dump  Debian's "pg_upgradecluster -m dump" (the whole command: it
#   puc-link  makes NEW, moves the data, swaps the ports), and "-m link"
#   j1        "ckan-pg-upgrade run -j 1": all databases at once, each in
#             parts (pre-data, rows, post-data), one table's COPY at a time;
#             the schema and large tables' rows go before the window, and
#             the fixture writes to none of them after, so that inside the
#             window they are only read (xmin, rows), not copied again
#   j2        "-j 2" (the default on 2 processors): two tables' COPY streams
#             and two index builds at a time
#   j2w       "-j 2" where CKAN wrote to every large table after it was
#             copied (an UPDATE of one row each, as the web server stops):
#             all of them are copied again inside the window, the worst case
#   upgrade   "--method upgrade" (pg_upgrade, copying) and "--method
#   link      upgrade --link"
#   logical   "--method logical": the copy runs before the window, while
#   logicalc  CKAN works; logicalc with --verify-rows counts (logical's
#             default, none, compares the catalogs only)
# Each of our runs verifies before the switch (catalogs; row counts by
# default after a dump).
# For logical a writer plays CKAN: one INSERT every 100 ms through the ini's
# URL; its downtime is the longest stretch of writes refused (web stopped or
# database not writable), and every acknowledged write must be on NEW
# afterwards (writes lost is printed).  The sandbox is tests/lib/demo.sh's:
# OLD is Debian's PostgreSQL 13 (tests/lib/pg13.sh; without it npm's 12, and
# puc-*, upgrade and link are skipped), NEW Debian's 15; its DataStore is
# grown to BENCH_MB megabytes (default 100; the issue's figures are
# BENCH_MB=1000, and 5000 with BENCH_METHODS="logical logicalc guide") in
# four tables.  puc-*, upgrade and link consume OLD: each of their runs has
# a sandbox of its own.  Medians of BENCH_RUNS (3) interleaved runs;
# BENCH_METHODS picks some (all but logicalc by default); BENCH_LOGS=DIR keeps
# the driver's logs.  It reports; it never fails on a slow result.
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
METHODS=${BENCH_METHODS:-guide puc-dump puc-link j1 j2 j2w upgrade link logical}
has() { case " $METHODS " in *" $1 "*) ;; *) return 1 ;; esac; }
# OLD: Debian's 13 when it installs (pg_upgrade needs its pg_controldata), else npm's 12.
OLDV=12
if has puc-dump || has puc-link || has upgrade || has link; then
	# shellcheck disable=SC1091
	. "$SB_LIB/pg13.sh"
	if command -v pg_upgradecluster >/dev/null 2>&1 && pg13_install >/dev/null 2>&1; then
		OLDV=13
	else
		echo "bench: no Debian PostgreSQL 13 (tests/lib/pg13.sh) or pg_upgradecluster: puc-dump, puc-link, upgrade and link skipped"
		METHODS=$(echo " $METHODS " | sed 's/ puc-dump / /; s/ puc-link / /; s/ upgrade / /; s/ link / /')
	fi
fi
trap 'sb_cleanup' EXIT
trap 'sb_cleanup; exit 2' INT TERM HUP
sb_setup "$OLDV" >/dev/null || { echo "bench: the sandbox failed" >&2; exit 2; }
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

# writes.sh: CKAN's last writes, one row of each large DataStore table, before the web stops (j2w).
{
	[ "$(id -u)" != 0 ] || printf 'runuser -u postgres -- '
	printf 'psql -X -q -v ON_ERROR_STOP=1 -h %s -p %s -U postgres -d datastore_default' "$SB_RUN" "$SB_OLD_PORT"
	for t in 1 2 3 4; do printf " -c 'UPDATE \"bench-res-%s\" SET value = value WHERE _id = 1'" "$t"; done
	echo
} >"$W/writes.sh"
now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

reset_new() {	# drop what a run made in NEW, OLD writable again, put the ini back
	sb_psql new -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ckan_default" -c "DROP DATABASE IF EXISTS datastore_default" >/dev/null
	for db in ckan_default datastore_default; do
		sb_psql old -c "ALTER DATABASE $db RESET default_transaction_read_only" >/dev/null
	done
	cp -p "$W/ini.orig" "$SB_INI.tmp" && mv -f "$SB_INI.tmp" "$SB_INI"	# a reader never sees half of it
}

tool_run() {	# tool_run ARGS: the downtime of ckan-pg-upgrade run ARGS
	reset_new
	tool_once "$@"
}
tool_once() {	# tool_once ARGS: ckan-pg-upgrade run ARGS in this sandbox, web stop to start
	rm -rf "$W/state" "$W/down"
	ckan-pg-upgrade run --yes "$@" --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$W/state" \
		--stop-cmd "${STOP_FIRST:+$STOP_FIRST; }touch $W/down; date +%s.%N >$W/stop" --start-cmd "date +%s.%N >$W/start; rm -f $W/down" \
		>"$W/run.log" 2>&1 || {
		echo "bench: ckan-pg-upgrade run $* failed:" >&2
		tail -n 20 "$W/run.log" >&2
		exit 2
	}
	[ -z "${BENCH_LOGS:-}" ] || cp "$W/state/log" "$BENCH_LOGS/$(date +%s.%N).log"	# for a breakdown by step
	elapsed "$(cat "$W/stop")" "$(cat "$W/start")"
}
# fresh_run CMD ARGS: CMD ARGS in a sandbox of its own (the methods that consume OLD).
fresh_run() {
	(
		trap 'sb_cleanup' EXIT
		if ! sb_setup "$OLDV" >/dev/null 2>&1 || ! sb_grow "$MB" >/dev/null; then
			echo "bench: a sandbox failed" >&2
			exit 2
		fi
		W=$SB_DIR/bench
		mkdir -p "$W"
		"$@"
	)
}
# puc_run -m dump|link: pg_upgradecluster, the whole command (NEW is its own 15/old).
puc_run() {
	pg_dropcluster --stop "$SB_NEW_VER" "$SB_NEW_NAME" >/dev/null
	t0=$(now)
	pg_upgradecluster "$@" -v "$SB_NEW_VER" "${SB_OLD%/*}" "${SB_OLD#*/}" "$SB_DIR/data/upgraded" \
		>"$W/run.log" 2>&1 || { echo "bench: pg_upgradecluster $* failed:" >&2; tail -n 20 "$W/run.log" >&2; exit 2; }
	t1=$(now)
	pg_dropcluster --stop "$SB_NEW_VER" "${SB_OLD#*/}" >/dev/null 2>&1 || true
	elapsed "$t0" "$t1"
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
	w=$(tool_once --method logical "$@")	# reset above, before the writer started
	sleep 1
	: >"$W/writer.stop"
	wait "$wpid"
	[ -n "$w" ] || return 2
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
# t_METHOD: the downtimes; r_METHOD: the longest refusals (logical*).
for m in $METHODS; do eval "t_$(echo "$m" | tr - _)=''"; done
# shellcheck disable=SC2034 # read by eval
r_logical="" r_logicalc="" lost=0
# add METHOD SECONDS: a run's figure; a failed run (it said why) has none and ends the bench.
add() {
	[ -n "$2" ] || exit 2
	eval "t_$(echo "$1" | tr - _)=\"\$t_$(echo "$1" | tr - _) $2\""
}
get() { eval "echo \"\$t_$(echo "$1" | tr - _)\""; }
i=0
while [ "$i" -lt "$RUNS" ]; do
	for m in $METHODS; do
		case $m in
		guide) add guide "$(guide_run)" ;;
		j1) add j1 "$(tool_run -j 1)" ;;
		j2) add j2 "$(tool_run -j 2)" ;;
		j2w) add j2w "$(STOP_FIRST="sh $W/writes.sh" tool_run -j 2)" ;;
		puc-dump) add puc-dump "$(fresh_run puc_run -m dump)" ;;
		puc-link) add puc-link "$(fresh_run puc_run -m link)" ;;
		upgrade) add upgrade "$(fresh_run tool_once --method upgrade)" ;;
		link) add link "$(fresh_run tool_once --method upgrade --link)" ;;
		logical | logicalc)
			a=""
			[ "$m" = logical ] || a="--verify-rows counts"
			# shellcheck disable=SC2046,SC2086 # three numbers; $a is one option or none
			set -- $(logical_run $a)
			[ $# = 3 ] || exit 2
			add "$m" "$1"
			eval "r_$m=\"\$r_$m $2\""
			lost=$((lost + $3)) ;;
		*) echo "bench: unknown method \"$m\" in BENCH_METHODS" >&2; exit 2 ;;
		esac
	done
	i=$((i + 1))
done
what() {
	case $1 in
	guide) echo "the guide's commands (pg_dump -Fc, createdb, pg_restore; no verification)" ;;
	puc-dump) echo "pg_upgradecluster -m dump (the whole command)" ;;
	puc-link) echo "pg_upgradecluster -m link (the whole command)" ;;
	j1) echo "ckan-pg-upgrade run -j 1 (databases at once, one COPY stream each)" ;;
	j2) echo "ckan-pg-upgrade run -j 2 (two COPY streams and index builds at a time)" ;;
	j2w) echo "ckan-pg-upgrade run -j 2, every large table written to after its copy before the window" ;;
	upgrade) echo "ckan-pg-upgrade run --method upgrade (pg_upgrade, copying)" ;;
	link) echo "ckan-pg-upgrade run --method upgrade --link" ;;
	logical) echo "ckan-pg-upgrade run --method logical (the copy before the window)" ;;
	logicalc) echo "ckan-pg-upgrade run --method logical --verify-rows counts" ;;
	esac
}
g=""
! has guide || g=$(get guide | median)
echo "  method                                                        downtime (median of)   ratio to the guide"
for m in $METHODS; do
	v=$(get "$m")
	med=$(echo "$v" | median)
	printf '  %-62s %7s s (%s)' "$(what "$m")" "$med" "$(echo "$v" | sed 's/^ //; s/ /, /g')"
	[ -z "$g" ] || echo "$med $g" | awk '{ printf "   %.2f", $1 / $2 }'
	printf '\n'
	case $m in logical | logicalc)
		rv=$(eval "echo \"\$r_$m\"")
		echo "    writes refused, longest stretch $(echo "$rv" | median) s (median of$rv; a write every 100 ms)" ;;
	esac
done
! has logical && ! has logicalc || echo "  writes lost (acknowledged, not on NEW), all logical runs: $lost"
