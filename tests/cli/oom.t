#!/bin/sh
# oom.t: out of memory is "PROG: out of memory" on stderr and exit 2, never
# a signal (SIGABRT, SIGSEGV) or a wrong answer.  Each C tool runs in a
# subshell with a lowered address-space limit (ulimit -v) on inputs big
# enough to need more: files whose bytes do not fit, and files that fit
# but whose models (settings, rules, tokens) do not.  Skipped for sanitizer
# builds, which reserve terabytes of address space up front.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
B=$BUILD/bin
W=$TAP_TMP

if ldd "$B/pgconf-diff" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	skip_all "sanitizer build: ulimit -v cannot apply"
fi

# oom NAME LIMIT_KB PROG ARGS...: PROG under the limit says so and exits 2.
oom() {
	name=$1 limit=$2 prog=$3
	shift 3
	(ulimit -v "$limit" && exec "$B/$prog" "$@") >/dev/null 2>"$W/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -qx "$prog: out of memory" "$W/err"; then
		tap_result 0 "$name: \"$prog: out of memory\", exit 2"
	else
		tap_result 1 "$name: \"$prog: out of memory\", exit 2 (got exit $rc)"
		tail -n 3 "$W/err" | sed 's/^/#   /'
	fi
}

# Settings: some 24 MB of lines, and 6 MB of short ones (many small allocations).
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "my.p%d = '\''%s'\''\n", i, "value with some length to it, enough for sixty" }' >"$W/big.conf"
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "a.b%d=%d\n", i, i }' >"$W/many.conf"
cp "$W/many.conf" "$W/many2.conf"
echo "a.b0 = 'changed'" >>"$W/many2.conf"
oom "pgconf-diff, a file larger than memory" 20000 pgconf-diff --old-version 15 --new-version 15 "$W/big.conf" "$W/big.conf"
oom "pgconf-diff, settings that do not fit" 20000 pgconf-diff --old-version 15 --new-version 15 "$W/many.conf" "$W/many2.conf"
oom "pgconf-diff --json --all" 20000 pgconf-diff --json --all --old-version 15 --new-version 15 "$W/many.conf" "$W/many2.conf"
oom "pgconf-diff --carry" 20000 pgconf-diff --carry --old-version 15 --new-version 15 "$W/many.conf" "$W/many2.conf"

# Rules: a big pg_hba.conf and a pg_ident.conf beside it.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "host db%d,x%d u%d,\"v %d\" 10.%d.%d.0/24 md5\n", i, i, i, i, i % 256, int(i / 256) % 256 }' >"$W/pg_hba.conf"
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "map%d /^(.*)@host%d$ \\1\n", i, i }' >"$W/pg_ident.conf"
oom "pghba-copy --check" 20000 pghba-copy --check --pg-version 15 "$W/pg_hba.conf"
oom "pghba-copy --list --json" 20000 pghba-copy --list --json --pg-version 16 "$W/pg_hba.conf"
mkdir -p "$W/new"
printf 'local all all peer\n' >"$W/new/pg_hba.conf"
oom "pghba-copy merge" 20000 pghba-copy --dry-run --pg-version 15 "$W/pg_hba.conf" "$W/new/pg_hba.conf"

# A cluster whose configuration does not fit.
R=$W/etc
mkdir -p "$R/15/main" "$W/data"
echo 15 >"$W/data/PG_VERSION"
{
	echo "data_directory = '$W/data'"
	cat "$W/many.conf"
	echo "port = 5499"
} >"$R/15/main/postgresql.conf"
PG_CLUSTER_CONF_ROOT=$R
export PG_CLUSTER_CONF_ROOT
oom "cluster-port VER/NAME" 20000 cluster-port 15/main
oom "cluster-port --list --json" 20000 cluster-port --list --json

# ckan-pgurl: an ini that does not fit.
{
	echo "[app:main]"
	awk 'BEGIN { for (i = 0; i < 400000; i++) printf "key%d = value %d\n", i, i }'
	echo "sqlalchemy.url = postgresql://u:p@localhost/db"
} >"$W/ckan.ini"
oom "ckan-pgurl --all --json" 20000 ckan-pgurl -c "$W/ckan.ini" --all --json

# The same inputs with room enough: the limit is what failed, not the input.
(ulimit -v 2000000 && exec "$B/pghba-copy" --check --pg-version 15 "$W/pg_hba.conf") >/dev/null 2>&1
is "$?" 0 "with room enough the big pg_hba.conf checks clean"
(ulimit -v 2000000 && exec "$B/cluster-port" 15/main) >"$W/port" 2>/dev/null
is "$(cat "$W/port")" 5499 "with room enough cluster-port reads the big configuration"
done_testing
