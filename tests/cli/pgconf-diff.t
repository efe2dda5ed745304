#!/bin/sh
# CLI tests for pgconf-diff: comparison by meaning, includes and
# postgresql.auto.conf, cluster specs, --json, filters, --carry in both
# formats and --write, --unified against the guide's own pipeline, and bad input.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/pgconf-diff"
D=$(cd "$(dirname "$0")/../data/pgconf-diff" && pwd)
W="$TAP_TMP"

run "$P" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "^Usage:" "--help prints usage"
run "$P" --version
like "$OUT" "^pgconf-diff \(ckan-pgtools\) [0-9]" "--version"
run "$P" --bogus a b
is "$RC" 2 "a bad option exits 2"
# --bindir was "accepted for compatibility" and did nothing: it is gone.
run "$P" --bindir=/usr/lib/postgresql/15/bin "$D/a/postgresql.conf" "$D/b/postgresql.conf"
is "$RC" 2 "--bindir is not an option (versions come from the built-in snapshots)"
run "$P" only-one
is "$RC" 2 "one operand is a usage error"

# Same meaning, different text: units, quoting, booleans, case, '=' omitted, conf.d.
run "$P" --new-version 15 --old-version 15 "$D/a/postgresql.conf" "$D/b/postgresql.conf"
is "$RC" 0 "files equal in meaning exit 0"
is "$OUT" "" "and print nothing"
run "$P" --all --old-version 15 --new-version 15 "$D/a/postgresql.conf" "$D/b/postgresql.conf"
like "$OUT" "^same:" "--all lists the same settings"
like "$OUT" "shared_buffers: 128MB \($D/a/postgresql.conf:2\) -> 16384 \($D/b/postgresql.conf:1\)" "with both values as written and where"
like "$OUT" "max_connections: 200 \($D/a/conf.d/10-ckan.conf:1\)" "a setting from include_dir is found, a non-.conf file ignored"

# Differences.
printf 'shared_buffers = 256MB\nwork_mem = 4MB\nnew_only = 1\n' >"$W/c.conf"
printf 'shared_buffers = 128MB\nwork_mem = 4MB\nmax_wal_size = 2GB\n' >"$W/d.conf"
run "$P" --old-version 15 --new-version 15 "$W/c.conf" "$W/d.conf"
is "$RC" 1 "differences exit 1"
like "$OUT" "^changed:" "a changed group"
like "$OUT" "  shared_buffers: 256MB \($W/c.conf:1\) -> 128MB \($W/d.conf:1\)" "the changed setting with both values"
like "$OUT" "^only in OLD:" "an only-in-OLD group"
like "$OUT" "^only in NEW:" "an only-in-NEW group"
like "$OUT" "  max_wal_size = 2GB \($W/d.conf:3\)" "the NEW-only setting"
unlike "$OUT" "work_mem" "equal settings are not printed"
run "$P" --json --old-version 15 --new-version 15 "$W/c.conf" "$W/d.conf"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([c["name"] for c in d["changed"]], [c["name"] for c in d["only_new"]], d["changed"][0]["old"]["normalised"], d["changed"][0]["new"]["line"])')" \
	"['shared_buffers'] ['max_wal_size'] 32768 1" "--json carries groups, normalised values and lines"
run "$P" --ignore '^shared_' --old-version 15 --new-version 15 "$W/c.conf" "$W/d.conf"
unlike "$OUT" "shared_buffers" "--ignore leaves a name out"
run "$P" --only 'WAL' --old-version 15 --new-version 15 "$W/c.conf" "$W/d.conf"
is "$(printf '%s\n' "$OUT" | grep -c '^  ')" 1 "--only keeps matching names (case-insensitive PCRE2)"
run "$P" --only '(' "$W/c.conf" "$W/d.conf"
is "$RC" 2 "a bad regular expression is a usage error"

# A data directory: postgresql.auto.conf counts, after postgresql.conf; PG_VERSION gives the version.
printf 'shared_buffers = 128MB\nmax_connections = 300\n' >"$W/e.conf"
run "$P" "$D/data15" "$W/e.conf"
is "$RC" 0 "ALTER SYSTEM's postgresql.auto.conf wins over postgresql.conf"

# VER/NAME specs under PG_CLUSTER_CONF_ROOT, versions from the specs.
R="$W/root"
mkdir -p "$R/9.6/main" "$R/15/main/conf.d" "$W/var/9.6" "$W/var/15"
echo 9.6 >"$W/var/9.6/PG_VERSION"
echo 15 >"$W/var/15/PG_VERSION"
cat >"$R/9.6/main/postgresql.conf" <<CONF
data_directory = '$W/var/9.6'
port = 5432
shared_buffers = 1GB
checkpoint_segments = 32
wal_keep_segments = 64
max_connections = 200
custom_variable_classes = 'x'
CONF
cat >"$R/15/main/postgresql.conf" <<CONF
data_directory = '$W/var/15'
port = 5433
shared_buffers = 128MB
max_connections = 100
include_dir = 'conf.d'
CONF
PG_CLUSTER_CONF_ROOT="$R" run "$P" 9.6/main 15/main
is "$RC" 1 "VER/NAME specs resolve through PG_CLUSTER_CONF_ROOT"
like "$OUT" "checkpoint_segments = 32 .*" "an old parameter is listed"
like "$OUT" "PostgreSQL 15 does not know checkpoint_segments: renamed in 9.5, use max_wal_size" "with its replacement"
like "$OUT" "PostgreSQL 15 does not know wal_keep_segments: renamed in 13, use wal_keep_size" "wal_keep_segments -> wal_keep_size in 13"
PG_CLUSTER_CONF_ROOT="$R" run "$P" 9.6/nosuch 15/main
is "$RC" 2 "an unknown cluster exits 2"

# --carry: OLD's customisations for NEW's version.
PG_CLUSTER_CONF_ROOT="$R" run "$P" --carry 9.6/main 15/main
is "$RC" 1 "--carry exits 1 when there is something to carry"
like "$OUT" "^shared_buffers = '1GB'$" "a customised setting is carried"
like "$OUT" "^max_connections = '200'$" "another one"
like "$OUT" "^max_wal_size = '1536MB'.*was checkpoint_segments = 32" "a renamed parameter is renamed, its value converted"
like "$OUT" "^wal_keep_size = '1024MB'.*was wal_keep_segments = 64" "wal_keep_segments * 16MB"
like "$OUT" "^# custom_variable_classes = 'x'.*removed in 9.2" "a removed one is commented out with the reason"
unlike "$OUT" "^(port|data_directory) " "cluster-specific settings are left out"
PG_CLUSTER_CONF_ROOT="$R" run "$P" --carry --format=alter-system 9.6/main 15/main
like "$OUT" "^ALTER SYSTEM SET shared_buffers = '1GB';$" "--format=alter-system"
like "$OUT" "^-- custom_variable_classes" "removed ones as SQL comments"
PG_CLUSTER_CONF_ROOT="$R" run "$P" --carry --write "$R/15/main/conf.d/50-carried.conf" 9.6/main 15/main
is "$OUT" "" "--write prints nothing"
like "$(cat "$R/15/main/conf.d/50-carried.conf")" "^shared_buffers = '1GB'$" "--write wrote the snippet"
PG_CLUSTER_CONF_ROOT="$R" run "$P" 9.6/main 15/main
unlike "$OUT" "shared_buffers" "after carrying into conf.d the setting is the same"
cp "$R/15/main/conf.d/50-carried.conf" "$W/carried.first"
PG_CLUSTER_CONF_ROOT="$R" run "$P" --carry --write "$R/15/main/conf.d/50-carried.conf" 9.6/main 15/main
ok "--carry --write again gives the same file (its own earlier output is not NEW's setting)" cmp -s "$R/15/main/conf.d/50-carried.conf" "$W/carried.first"
PG_CLUSTER_CONF_ROOT="$R" run "$P" --carry 9.6/main 9.6/main
is "$RC" 0 "nothing to carry from a cluster to itself"

# Units that changed: a bare max_wal_size in 9.6 counted 16MB segments.
printf 'max_wal_size = 64\n' >"$W/mw96.conf"
printf 'max_wal_size = 1GB\n' >"$W/mw15.conf"
run "$P" --old-version 9.6 --new-version 15 "$W/mw96.conf" "$W/mw15.conf"
is "$RC" 0 "max_wal_size = 64 in 9.6 equals 1GB in 15"
printf 'max_wal_size = 128\n' >"$W/mw96.conf"
run "$P" --carry --old-version 9.6 --new-version 15 "$W/mw96.conf" "$W/mw15.conf"
like "$OUT" "^max_wal_size = '2048MB'" "and is carried in today's unit"
# Every carried value must be one NEW's version takes (issue 14):
# password_encryption = on meant md5 until 14 removed it; off has no
# meaning since 10 (no plain-text passwords) and is refused at its line.
printf 'work_mem = 8MB\npassword_encryption = on\n' >"$W/pe96.conf"
run "$P" --carry --old-version 9.6 --new-version 14 "$W/pe96.conf" "$W/mw15.conf"
like "$OUT" "^password_encryption = 'md5'.*was password_encryption = on" "password_encryption = on from 9.6 is carried to 14 as md5"
run "$P" --carry --format=alter-system --old-version 12 --new-version 18 "$W/pe96.conf" "$W/mw15.conf"
like "$OUT" "^ALTER SYSTEM SET password_encryption = 'md5';" "from 12 to 18 too, as ALTER SYSTEM"
run "$P" --carry --old-version 12 --new-version 13 "$W/pe96.conf" "$W/mw15.conf"
unlike "$OUT" "password_encryption" "to 13, on is md5, its default: nothing to carry"
printf 'work_mem = 8MB\npassword_encryption = off\n' >"$W/pe96.conf"
run "$P" --carry --write "$W/pe-carried.conf" --old-version 9.6 --new-version 15 "$W/pe96.conf" "$W/mw15.conf"
is "$RC" 2 "a value 15 does not take and that has no translation is refused"
like "$ERR" "pe96.conf:2: cannot carry password_encryption = off to PostgreSQL 15" "with file:line"
ok "and nothing is written" test ! -e "$W/pe-carried.conf"
# ALTER SYSTEM takes list parameters item by item, identifiers unquoted.
printf "search_path = '\"\$user\", ckan, \"My Schema\"'\n" >"$W/sp.conf"
run "$P" --carry --format=alter-system --old-version 15 --new-version 15 "$W/sp.conf" "$W/mw15.conf"
like "$OUT" "^ALTER SYSTEM SET search_path = '\\\$user', 'ckan', 'My Schema';$" "search_path items as separate literals"
# The server's own split (SplitGUCList, conf_split_list): a comma and a
# doubled quote inside a quoted item, and a value it cannot split as one literal.
printf "shared_preload_libraries = '\"a,b\", \"say \"\"hi\"\"\"'\nlisten_addresses = '\"open'\n" >"$W/sl.conf"
run "$P" --carry --format=alter-system --old-version 15 --new-version 15 "$W/sl.conf" "$W/mw15.conf"
like "$OUT" "^ALTER SYSTEM SET shared_preload_libraries = 'a,b', 'say \"hi\"';$" "quoted items keep their commas and quotes"
like "$OUT" "^ALTER SYSTEM SET listen_addresses = '\"open';$" "an unsplittable list goes whole"
run "$P" --carry --unified "$W/sp.conf" "$W/mw15.conf"
is "$RC" 2 "--carry with --unified is a usage error"
run "$P" --carry --json "$W/sp.conf" "$W/mw15.conf"
is "$RC" 2 "--json with --carry is a usage error"
run "$P" --unified "$D/unterminated.conf" "$D/b/postgresql.conf"
is "$RC" 1 "--unified shows even a file the server cannot parse, like the guide's pipeline"

# --unified: the guide's pipeline, exactly (bash for the process substitutions).
if command -v bash >/dev/null 2>&1; then
	want=$(bash -c 'diff -u -B <(grep -vE "^\s*(#|$)" "$1") <(grep -vE "^\s*(#|$)" "$2")' _ "$D/a/postgresql.conf" "$D/b/postgresql.conf" | tail -n +3)
	run "$P" --unified "$D/a/postgresql.conf" "$D/b/postgresql.conf"
	is "$RC" 1 "--unified exits like diff"
	is "$(printf '%s\n' "$OUT" | tail -n +3)" "$want" "--unified prints the guide's diff hunks exactly"
fi

# Bad input: FILE:LINE: reason, exit 2.
bad() {	# bad NAME REGEX FILE
	run "$P" "$3" "$D/b/postgresql.conf"
	is "$RC" 2 "$1: exit 2"
	like "$ERR" "$2" "$1: says where and why"
}
bad "unterminated quote" "^pgconf-diff: $D/unterminated.conf:1: .*unterminated" "$D/unterminated.conf"
bad "missing include" "^pgconf-diff: $D/missing-include.conf:1: .*missing.conf" "$D/missing-include.conf"
bad "include loop" "^pgconf-diff: .*loop.conf:1: " "$D/loop.conf"
bad "missing value" "^pgconf-diff: $D/noval.conf:2: " "$D/noval.conf"
bad "missing file" "^pgconf-diff: $W/nope.conf: " "$W/nope.conf"
head -c 300 /bin/sh >"$W/garbage.conf"
bad "binary garbage" "^pgconf-diff: $W/garbage.conf:[0-9]+: " "$W/garbage.conf"
# Names are sorted by their first 8 bytes as a number, strcmp only past
# them: the order must still be strcmp's, as LC_ALL=C sort has it (shared
# 8-byte prefixes, names shorter than 8, '.', '_', digits, high-bit bytes).
NAMES="abcdefgh abcdefgha abcdefg abcdefgh_b abcdefgh_a abcdefghij.x abcdefgh.y zz a_b cafe $(printf 'caf\303\251') p10 p9 p1 p1a"
# shellcheck disable=SC2086 # one name per word
printf '%s = 1\n' $NAMES >"$W/sort-old.conf"
: >"$W/sort-new.conf"
run "$P" --old-version 15 --new-version 15 "$W/sort-old.conf" "$W/sort-new.conf"
# shellcheck disable=SC2086
is "$(printf '%s\n' "$OUT" | sed -n 's/^  \([^ ]*\) = .*/\1/p')" "$(printf '%s\n' $NAMES | LC_ALL=C sort)" \
	"items come in strcmp order of their names"
done_testing
