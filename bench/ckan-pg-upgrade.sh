#!/bin/sh
# bench/ckan-pg-upgrade.sh: the downtime of an upgrade -- from the moment
# CKAN's web server is stopped to the moment it is started again -- with
# "ckan-pg-upgrade run -j 1" (each database streamed from pg_dump into
# pg_restore, all databases at once), with "-j 2" (directory-format dumps
# restored two tables at a time), and with the guide's
# own command sequence (pg_dumpall --roles-only | psql, pg_dump -Fc,
# createdb, pg_restore, then the port edited in the ini), which verifies
# nothing.  The sandbox is tests/lib/demo.sh's (PostgreSQL 12 from npm to
# Debian's 15); its DataStore is grown to BENCH_MB megabytes (default 100;
# the issue's figure is BENCH_MB=500) in four tables, so that parallel jobs
# have something to share.  Medians of BENCH_RUNS (3) interleaved runs.  It
# reports; it never fails on a slow result.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
MB=${BENCH_MB:-100}
case $MB in '' | *[!0-9]*) echo "bench: BENCH_MB must be a number of megabytes" >&2; exit 2 ;; esac
SB_LIB=$ROOT/tests/lib
# shellcheck disable=SC2034 # read by demo.sh: define the sandbox, run no demo
DEMO_LIB=1
# shellcheck disable=SC1091 # the sandbox, sourced as a library
. "$SB_LIB/demo.sh"
PATH=$BUILD/bin:$ROOT/tools:$PATH
export PATH

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

# About 150 bytes a row on disk: MB * 7000 rows in four tables.
rows=$((MB * 7000 / 4))
for t in 1 2 3 4; do
	sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d datastore_default <<SQL
SET ROLE ckan_default;
CREATE TABLE "bench-res-$t" (_id serial PRIMARY KEY, _full_text tsvector, name text, value numeric, seen timestamptz);
INSERT INTO "bench-res-$t" (name, value, seen)
SELECT 'row ' || g || ' ' || md5(g::text), g * 1.5, now() - g * interval '1 second' FROM generate_series(1, $rows) g;
SQL
done
size=$(sb_as_postgres psql -X -At -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d postgres \
	-c "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database WHERE datname IN ('ckan_default', 'datastore_default')")
echo "databases to move: $size"

W=$SB_DIR/bench
mkdir -p "$W"
chmod 755 "$W"
cp -p "$SB_INI" "$W/ini.orig"

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

reset_new() {	# drop what a run made in NEW, put the ini back
	sb_psql new -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ckan_default" -c "DROP DATABASE IF EXISTS datastore_default" >/dev/null
	cp -p "$W/ini.orig" "$SB_INI"
}

tool_run() {	# tool_run JOBS: the downtime of ckan-pg-upgrade run -j JOBS
	reset_new
	rm -rf "$W/state"
	ckan-pg-upgrade run --yes -j "$1" --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$W/state" \
		--stop-cmd "date +%s.%N >$W/stop" --start-cmd "date +%s.%N >$W/start" >"$W/run.log" 2>&1 || {
		echo "bench: ckan-pg-upgrade run -j $1 failed:" >&2
		tail -n 20 "$W/run.log" >&2
		exit 2
	}
	elapsed "$(cat "$W/stop")" "$(cat "$W/start")"
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
a1="" a2="" ag=""
i=0
while [ "$i" -lt "$RUNS" ]; do
	a1="$a1 $(tool_run 1)"
	a2="$a2 $(tool_run 2)"
	ag="$ag $(guide_run)"
	i=$((i + 1))
done
j1=$(echo "$a1" | median) j2=$(echo "$a2" | median) g=$(echo "$ag" | median)
echo "  ckan-pg-upgrade run -j 1   ${j1} s (median of$a1; streamed pg_dump | pg_restore, databases at once; verify by the catalogs and row digests)"
echo "  ckan-pg-upgrade run -j 2   ${j2} s (median of$a2; directory dumps, 2 tables at a time)"
echo "  the guide's commands       ${g} s (median of$ag; pg_dump -Fc, createdb, pg_restore; no verification)"
echo "$j1 $j2 $g" | awk '{
	printf "  ratio -j 1 / guide: %.2f   -j 2 / guide: %.2f   -j 2 / -j 1: %.2f\n", $1 / $3, $2 / $3, $2 / $1 }'
