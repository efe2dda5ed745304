#!/bin/sh
# bench/cluster-port.sh: how cluster-port compares with what a user runs
# instead -- pg_lsclusters, and "pg_lsclusters -h | awk" to pick one port --
# and with /bin/true, the floor "cluster-port VER/NAME" is designed against
# (it reads files only and never loads libpq; design.md, "Start-up cost").
# Clusters are config-only (a postgresql.conf as pg_createcluster writes it,
# a data directory with PG_VERSION, no server) under a temporary
# PG_CLUSTER_CONF_ROOT, which pg_lsclusters honours; once with 1 cluster and
# once with 20.  It reports; it never fails on a missed target, but marks
# it MISSED.  Run make first (done here when the binary is absent).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
P=$BUILD/bin/cluster-port

# shellcheck disable=SC1091 # bench/lib.sh, checked on its own
. "$ROOT/bench/lib.sh"
need hyperfine hyperfine
need pg_lsclusters postgresql-common
need python3 python3
if [ ! -x "$P" ]; then
	make -C "$ROOT" --no-print-directory BUILD="$BUILD" all >&2
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-cluster-port.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# A postgresql.conf the size of the one pg_createcluster writes (~30 kB of
# comments around ~25 settings), with this cluster's port and directories.
conf() {	# conf VER NAME PORT
	if [ -f /usr/share/postgresql/15/postgresql.conf.sample ]; then
		sed 's/^#\{0,1\}port = 5432/#&/' /usr/share/postgresql/15/postgresql.conf.sample
	else
		awk 'BEGIN { for (i = 0; i < 800; i++) printf "#setting_%d = value\t\t# a comment as long as the sample'"'"'s\n", i }'
	fi
	cat <<CONF
data_directory = '$T/data/$1/$2'
hba_file = '$T/etc/$1/$2/pg_hba.conf'
ident_file = '$T/etc/$1/$2/pg_ident.conf'
port = $3
unix_socket_directories = '/var/run/postgresql'
cluster_name = '$1/$2'
include_dir = 'conf.d'
CONF
}

make_root() {	# make_root DIR N: N clusters 15/c01 ... 15/cNN
	mr_i=1
	while [ "$mr_i" -le "$2" ]; do
		mr_n=$(printf 'c%02d' "$mr_i")
		mkdir -p "$1/etc/15/$mr_n/conf.d" "$1/data/15/$mr_n"
		echo 15 >"$1/data/15/$mr_n/PG_VERSION"
		T=$1 conf 15 "$mr_n" $((5432 + mr_i)) >"$1/etc/15/$mr_n/postgresql.conf"
		mr_i=$((mr_i + 1))
	done
}

HF="hyperfine -N --style basic"
for n in 1 20; do
	R=$T/r$n
	make_root "$R" "$n"
	PG_CLUSTER_CONF_ROOT=$R/etc
	export PG_CLUSTER_CONF_ROOT
	last=$(printf 'c%02d' "$n")
	# shellcheck disable=SC2016 # $1..$3 are awk's, written into the script
	printf '#!/bin/sh\npg_lsclusters -h | awk '"'"'$1 == "15" && $2 == "%s" { print $3 }'"'"'\n' "$last" >"$R/lsawk.sh"
	# Each tool must answer what we think before we time it.
	want=$((5432 + n))
	[ "$("$P" "15/$last")" = "$want" ] || { echo "bench: cluster-port 15/$last failed" >&2; exit 2; }
	[ "$(sh "$R/lsawk.sh")" = "$want" ] || { echo "bench: pg_lsclusters | awk failed" >&2; exit 2; }
	[ "$("$P" --list | sed 1d | wc -l)" = "$n" ] || { echo "bench: cluster-port --list failed" >&2; exit 2; }
	[ "$(pg_lsclusters -h | wc -l)" = "$n" ] || { echo "bench: pg_lsclusters failed" >&2; exit 2; }
	echo "== $n cluster(s)"
	$HF --warmup 10 --runs 100 --export-json "$T/n$n.json" \
		-n "cluster-port-spec-$n" "'$P' 15/$last" \
		-n "cluster-port-list-$n" "'$P' --list" \
		-n "true-$n" /bin/true
	$HF --warmup 2 --runs 15 --export-json "$T/ls$n.json" \
		-n "pg_lsclusters-$n" "pg_lsclusters" \
		-n "pg_lsclusters-awk-$n" "sh '$R/lsawk.sh'"
done

echo
python3 - "$T"/n1.json "$T"/ls1.json "$T"/n20.json "$T"/ls20.json <<'PY'
import json
import sys

med = {}
for path in sys.argv[1:]:
    with open(path) as f:
        for r in json.load(f)["results"]:
            med[r["command"]] = r["median"] * 1000.0

print("%-26s %10s" % ("command", "median ms"))
for name, ms in med.items():
    print("%-26s %10.2f" % (name, ms))
print()


def report(label, value, target, ok):
    print("%-50s %8.2fx (target %s) %s" % (label, value, target, "ok" if ok else "MISSED"))


for n in (1, 20):
    spec = med["cluster-port-spec-%d" % n]
    lst = med["cluster-port-list-%d" % n]
    r = spec / med["true-%d" % n]
    report("%2d: cluster-port VER/NAME / /bin/true" % n, r, "<= 1.5x", r <= 1.5)
    r = med["pg_lsclusters-awk-%d" % n] / spec
    report("%2d: pg_lsclusters -h | awk / cluster-port VER/NAME" % n, r, ">= 20x", r >= 20)
    r = med["pg_lsclusters-%d" % n] / lst
    report("%2d: pg_lsclusters / cluster-port --list" % n, r, ">= 20x", r >= 20)
PY
exit 0
