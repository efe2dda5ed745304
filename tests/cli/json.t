#!/bin/sh
# json.t: every --json output of every C tool parses as JSON
# (python3 -m json.tool), on inputs whose names and values hold what JSON
# must escape: double quotes, backslashes, control characters (tab, 0x01,
# 0x7f), non-ASCII UTF-8 and bytes that are not UTF-8.  The modes:
# pgconf-diff OLD NEW (with and without --all), pghba-copy --list and
# --check (PostgreSQL 15 and 16 rules), cluster-port VER/NAME, -D, --list,
# --check, --probe (not running) and --free, ckan-pgurl show for one key
# and --all (databases --json needs a server: tests/server/ckan-pgurl.t).
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
B=$BUILD/bin
W=$TAP_TMP

if ! command -v python3 >/dev/null 2>&1; then
	skip_all "no python3"
fi

# json_ok NAME CMD...: CMD's stdout parses, and is not empty.
json_ok() {
	name=$1
	shift
	"$@" >"$W/out.json" 2>"$W/err"
	rc=$?
	if [ ! -s "$W/out.json" ]; then
		tap_result 1 "$name: prints JSON (exit $rc)"
		sed 's/^/#   /' "$W/err"
		return
	fi
	if python3 -m json.tool "$W/out.json" >/dev/null 2>"$W/jerr"; then
		tap_result 0 "$name: valid JSON (exit $rc)"
	else
		tap_result 1 "$name: valid JSON (exit $rc)"
		sed 's/^/#   /' "$W/jerr"
		head -c 2000 "$W/out.json" | sed 's/^/#   out: /'
	fi
}

# A directory whose name needs every kind of escape.
ODD=$(printf 'we"ird\\dir\001\t\177 \303\274\377')
D=$W/$ODD
mkdir -p "$D/old" "$D/new" "$D/conf.d"

# ---- pgconf-diff
{
	printf "application_name = 'a\"b\\\\\\\\c'\n"	# a"b\\c: backslashes, a quote
	printf "cluster_name = 'x\\\\001y\\\\tz \303\274'\n"	# \001 and \t: control characters
	printf "search_path = '\"\$user\", public'\n"
	printf "my.custom = '\377\376 not utf-8'\n"
	printf "shared_buffers = 128MB\n"
	# In a quoted value a backslash escapes: the path's own are doubled.
	printf "include_dir = '%s'\n" "$(printf '%s' "$D/conf.d" | sed 's/\\/\\\\/g')"
} >"$D/old/postgresql.conf"
printf "work_mem = '8MB'\n" >"$D/conf.d/10-\"q\\u.conf"
{
	printf "application_name = 'other'\n"
	printf "shared_buffers = 256MB\n"
	printf "bogus_param = '\\001'\n"
	printf "max_wal_size = 2GB\n"
} >"$D/new/postgresql.conf"
json_ok "pgconf-diff --json" "$B/pgconf-diff" --json --old-version 15 --new-version 16 \
	"$D/old/postgresql.conf" "$D/new/postgresql.conf"
json_ok "pgconf-diff --json --all" "$B/pgconf-diff" --json --all --old-version 12 --new-version 18 \
	"$D/old/postgresql.conf" "$D/new/postgresql.conf"
json_ok "pgconf-diff --json, same files" "$B/pgconf-diff" --json "$D/old/postgresql.conf" "$D/old/postgresql.conf"

# ---- pghba-copy
{
	printf 'local all "a""b",back\\slash,b\303\251n\303\251dicte peer map="m\\"x"\n'
	printf 'host "d\001b" "u\tv" 127.0.0.1/32 md5\n'
	printf 'host all all 0.0.0.0/0 password\n'
	printf 'host all /^(x"\\\\ 127.0.0.1/32 md5\n'
	printf 'local all \377bad peer\n'
	printf 'host all all 10.0.0.0/8 ldap ldapserver="ld\\"ap" ldapprefix="cn=\303\274"\n'
	printf 'hots all all 127.0.0.1/32 md5\n'
	printf 'include "%s/inc\\"x.conf"\n' "$D"
	printf 'local all @"%s/users\\".txt" peer\n' "$D"
} >"$D/pg_hba.conf"
printf 'local all "inc\\\\luded" trust\n' >"$D/inc\"x.conf"
printf 'u"1\n"u""2"\n' >"$D/users\".txt"
printf '"m\\"x" /^(.*)\\\\.example$ \\1\n' >"$D/pg_ident.conf"
for v in 15 16; do
	json_ok "pghba-copy --list --json (PostgreSQL $v)" "$B/pghba-copy" --list --json --pg-version "$v" "$D/pg_hba.conf"
	json_ok "pghba-copy --check --json (PostgreSQL $v)" "$B/pghba-copy" --check --json --pg-version "$v" "$D/pg_hba.conf"
done
printf 'local all all peer\n' >"$D/ok.conf"
run "$B/pghba-copy" --json --dry-run "$D/pg_hba.conf" "$D/ok.conf"
is "$RC" 2 "pghba-copy: --json with a mode that prints no JSON is a usage error, not ignored"
like "$ERR" "--json goes with --check and --list" "and says so"
json_ok "pghba-copy --check --json, no problems" "$B/pghba-copy" --check --json --pg-version 15 "$D/ok.conf"

# ---- cluster-port
R=$D/etc
V=$D/var
PG_CLUSTER_CONF_ROOT=$R
export PG_CLUSTER_CONF_ROOT
NAME=$(printf 'n"a\\m\001e\303\274')
for c in "15/main" "15/$NAME" "16/x"; do
	mkdir -p "$R/$c" "$V/$c"
	echo "${c%%/*}" >"$V/$c/PG_VERSION"
	printf "data_directory = '%s'\nport = 5439\nunix_socket_directories = '%s'\n" "$V/$c" "$D/sock\"dir" >"$R/$c/postgresql.conf"
done
printf '%s\n%s\n5439\n' 4242 "$V/15/main" >"$V/15/main/postmaster.pid"
json_ok "cluster-port --json VER/NAME" "$B/cluster-port" --json 15/main
json_ok "cluster-port --json VER/NAME (odd name)" "$B/cluster-port" --json "15/$NAME"
json_ok "cluster-port --json -D" "$B/cluster-port" --json -D "$R/15/$NAME/postgresql.conf"
json_ok "cluster-port --json --newest" "$B/cluster-port" --json --newest
json_ok "cluster-port --list --json" "$B/cluster-port" --list --json
json_ok "cluster-port --check --json" "$B/cluster-port" --check --json "15/$NAME"
json_ok "cluster-port --probe --json" "$B/cluster-port" --probe --json "15/$NAME"
json_ok "cluster-port --free --json" "$B/cluster-port" --free --from 47000 --json

# ---- ckan-pgurl (read only): percent-encoded quotes, backslashes, control
# characters, non-ASCII and a byte that is not UTF-8 in every part of a URL.
{
	printf '[app:main]\n'
	printf 'sqlalchemy.url = postgresql://us%%%%22er:p%%%%5Cw%%%%01d@h%%%%C3%%%%BCst:5432/d%%%%22b%%%%5C'
	printf '?application_name=a%%%%09b%%%%FF\n'
	printf 'ckan.datastore.write_url = postgresql://w:x@[::1]:5433,h2:5434/ds?sslmode=require\n'
	printf 'ckan.datastore.read_url = postgresql://r@/ds?host=/var/run/post%%%%22gres\n'
} >"$D/ckan.ini"
json_ok "ckan-pgurl --json" "$B/ckan-pgurl" -c "$D/ckan.ini" --json
json_ok "ckan-pgurl --json show --show-password" "$B/ckan-pgurl" -c "$D/ckan.ini" --json --show-password show
json_ok "ckan-pgurl --all --json" "$B/ckan-pgurl" -c "$D/ckan.ini" --all --json
json_ok "ckan-pgurl -k read --json" "$B/ckan-pgurl" -c "$D/ckan.ini" -k read --json
json_ok "ckan-pgurl --ckan-version=2.9 -k write --json" "$B/ckan-pgurl" -c "$D/ckan.ini" --ckan-version=2.9 -k write --json
done_testing
