#!/bin/sh
# bench/ckan-pg-upgrade-pg-upgrade.sh: the downtime of a pg_upgrade --link
# upgrade, PostgreSQL 13 (Debian's, from bullseye: tests/lib/pg13.sh) to
# Debian's 15, two ways on the same fixture (tests/lib/demo.sh's site, its
# DataStore grown to BENCH_MB megabytes, default 100): Debian's own
# "pg_upgradecluster -m link -v 15 13 old" (the downtime a CKAN operator has
# with it: the whole command, which stops OLD, makes NEW, runs pg_upgrade
# --link and starts NEW on OLD's port), and "ckan-pg-upgrade run --method
# upgrade --link" (from its web stop command to its start command: NEW made
# before, then pg_upgrade --link, logins, verify by the catalogs and row
# counts, the ini switched).  pg_upgrade --link consumes OLD, so each run
# has its own sandbox.  Medians of BENCH_RUNS (3) interleaved runs.  It
# reports; it never fails on a slow result.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091 # bench_sandbox
. "$ROOT/bench/lib.sh"
bench_sandbox
# shellcheck disable=SC1091
. "$SB_LIB/pg13.sh"

why=$(sb_unavailable)
command -v pg_upgradecluster >/dev/null 2>&1 || why="${why:+$why; }no pg_upgradecluster"
[ -n "$why" ] || pg13_install >/dev/null 2>&1 || why="PostgreSQL 13 cannot be installed (tests/lib/pg13.sh)"
if [ -n "$why" ]; then
	echo "bench: ckan-pg-upgrade --method upgrade: skipped ($why)"
	exit 0
fi
trap 'sb_cleanup' EXIT
trap 'sb_cleanup; exit 2' INT TERM HUP

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
sandbox() {	# a 13 -> 15 sandbox with the grown DataStore
	if ! sb_setup 13 >/dev/null 2>&1 || ! sb_grow "$MB" >/dev/null; then
		echo "bench: the sandbox failed" >&2
		exit 2
	fi
}
debian_run() {	# pg_upgradecluster -m link: the whole command
	sandbox
	pg_dropcluster --stop "$SB_NEW_VER" "$SB_NEW_NAME" >/dev/null
	t0=$(now)
	pg_upgradecluster -m link -v "$SB_NEW_VER" "${SB_OLD%/*}" "${SB_OLD#*/}" "$SB_DIR/data/upgraded" \
		>"$SB_DIR/run.log" 2>&1 || { echo "bench: pg_upgradecluster failed:" >&2; tail -n 20 "$SB_DIR/run.log" >&2; exit 2; }
	t1=$(now)
	pg_dropcluster --stop "$SB_NEW_VER" "${SB_OLD#*/}" >/dev/null 2>&1 || true
	sb_cleanup
	elapsed "$t0" "$t1"
}
tool_run() {	# ckan-pg-upgrade run --method upgrade --link: web stop to web start
	sandbox
	w=$SB_DIR/bench
	mkdir -p "$w"
	ckan-pg-upgrade run --yes --method upgrade --link --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" \
		--state-dir "$w/state" --stop-cmd "date +%s.%N >$w/stop" --start-cmd "date +%s.%N >$w/start" \
		>"$w/run.log" 2>&1 || { echo "bench: ckan-pg-upgrade failed:" >&2; tail -n 20 "$w/run.log" >&2; exit 2; }
	d=$(elapsed "$(cat "$w/stop")" "$(cat "$w/start")")
	sb_cleanup
	echo "$d"
}

echo "ckan-pg-upgrade --method upgrade --link vs pg_upgradecluster -m link: PostgreSQL" \
	"$(/usr/lib/postgresql/13/bin/postgres --version | sed 's/^[^0-9]*//') to" \
	"$(/usr/lib/postgresql/15/bin/postgres --version | sed 's/^[^0-9]*//'), DataStore grown by $MB MB"
RUNS=${BENCH_RUNS:-3}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ad="" at=""
i=0
while [ "$i" -lt "$RUNS" ]; do
	ad="$ad $(debian_run)"
	at="$at $(tool_run)"
	i=$((i + 1))
done
d=$(echo "$ad" | median) t=$(echo "$at" | median)
echo "  pg_upgradecluster -m link                      ${d} s (median of$ad; the whole command)"
echo "  ckan-pg-upgrade run --method upgrade --link    ${t} s (median of$at; web stop to web start, verified)"
echo "$t $d" | awk '{ printf "  ratio ckan-pg-upgrade / pg_upgradecluster: %.2f\n", $1 / $2 }'
