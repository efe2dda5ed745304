#!/bin/sh
# shellcheck disable=SC2089,SC2090 # the test names hold quotes and backslashes, meant literally
# ckan-pg-upgrade with hostile names: a site whose database, role, schema
# and table names and passwords hold spaces, ' " $(...) ` ; @ : / % # \, a
# leading -, and non-ASCII letters, on tests/lib/demo.sh's sandbox
# (PostgreSQL 12 from npm -> Debian's 15).  The ini's URLs carry them
# percent-encoded (and % doubled, as CKAN's configparser wants).  run
# completes, verify passes, every role of the ini logs in to NEW over TCP
# with the ini's password, nothing was executed from a name, every row
# arrived through COPY streams named after the tables, and rollback
# restores the ini byte-identical.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"

if command -v python3 >/dev/null 2>&1; then sb_test_require; else sb_test_require "python3 missing"; fi

sb_test_setup 12
pwned=/tmp/ckp-pwned-$$	# short: the names must stay under 63 bytes
# shellcheck disable=SC2034 # removed on exit by sandbox-test.sh
SB_TEST_EXTRA=$pwned
# The names, as the server stores them (no newline, no tab, under the
# 63 bytes of an identifier).
MAINDB="-ck \"m\" \$(touch $pwned)\`id\`;@:/%#ü'x"
DSDB="data store's ; %41 # ö\\"
OWNER="ckan'owner \"x\" \$(touch $pwned) @:/%#-é"
READER="-ds reader; ñ \`id\`"
OWNERPW="p@ss:w/o%rd#'\"\$(touch $pwned);\\ é"
READERPW="r;e:a/d@%41é\`x\`"
SCHEMA="my schema \"x\" \$(id)"
TABLE="tab'le \$(touch $pwned)"
export MAINDB DSDB OWNER READER OWNERPW READERPW SCHEMA TABLE
# Debian's psql itself, not pg_wrapper (which warns when no cluster is its default).
PSQL=/usr/lib/postgresql/15/bin/psql

# Everything goes to psql as variables (-v) and is quoted by psql.
old() { sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres "$@"; }
old -d postgres -v owner="$OWNER" -v reader="$READER" -v opw="$OWNERPW" -v rpw="$READERPW" \
	-v maindb="$MAINDB" -v dsdb="$DSDB" <<'SQL' || { tap_result 1 "the hostile site is made"; done_testing; exit 1; }
CREATE ROLE :"owner" LOGIN PASSWORD :'opw';
CREATE ROLE :"reader" LOGIN PASSWORD :'rpw';
CREATE DATABASE :"maindb" OWNER :"owner" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE :"dsdb" OWNER :"owner" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
ALTER DATABASE :"maindb" SET work_mem = '5MB';
ALTER ROLE :"reader" IN DATABASE :"dsdb" SET statement_timeout = '42s';
SQL
for db in "$MAINDB" "$DSDB"; do
	PGDATABASE=$db old -v owner="$OWNER" -v reader="$READER" -v schema="$SCHEMA" -v tab="$TABLE" <<'SQL'
SET ROLE :"owner";
CREATE SCHEMA :"schema";
CREATE TABLE :"schema".:"tab" (id serial PRIMARY KEY, "wörd $(x)" text);
INSERT INTO :"schema".:"tab" ("wörd $(x)") SELECT 'row ' || g || ' ''"$(id)' FROM generate_series(1, 77) g;
GRANT USAGE ON SCHEMA :"schema" TO :"reader";
GRANT SELECT ON :"schema".:"tab" TO :"reader";
SQL
done

# The ini: each URL's parts percent-encoded, then % doubled for CKAN.
url() {	# url USER PASSWORD DB
	python3 - "$@" "$SB_OLD_PORT" <<'PY'
import sys
from urllib.parse import quote
u, p, d, port = sys.argv[1:5]
e = lambda s: quote(s, safe='')
print(("postgresql://%s:%s@127.0.0.1:%s/%s" % (e(u), e(p), port, e(d))).replace('%', '%%'))
PY
}
INI=$SB_DIR/hostile.ini
cat >"$INI" <<INI
[app:main]
use = egg:ckan
sqlalchemy.url = $(url "$OWNER" "$OWNERPW" "$MAINDB")
ckan.datastore.write_url = $(url "$OWNER" "$OWNERPW" "$DSDB")
ckan.datastore.read_url = $(url "$READER" "$READERPW" "$DSDB")
INI
cp -p "$INI" "$SB_DIR/ini.orig"
is "$(ckan-pgurl -c "$INI" get dbname)" "$MAINDB" "ckan-pgurl reads the main database's name back from the ini"
is "$(ckan-pgurl -c "$INI" -k read --show-password get password)" "$READERPW" "and the reader's password"

state=$SB_DIR/state
set -- --from "$SB_OLD" --to "$SB_NEW" -c "$INI" --state-dir "$state" --stop-cmd true --start-cmd true
run ckan-pg-upgrade plan "$@"
is "$RC" 0 "plan exits 0"
# Every table's rows by a COPY stream of its own (not pg_dump's): the names go into COPY
# statements and pg_dump's --exclude-table-data patterns.
CKAN_PG_UPGRADE_COPY_MIN_BYTES=0 run ckan-pg-upgrade run --yes "$@"
is "$RC" 0 "run completes"
[ "$RC" = 0 ] || { printf '%s\n' "$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
like "$OUT" "verify: 2 tables \(154 rows\) compared; 0 differences" "run verified both databases"
run ckan-pg-upgrade verify --verify-rows digest "$@"
is "$RC" 0 "verify --verify-rows digest exits 0: every row arrived"
ok "no name was ever executed (no $pwned)" test ! -e "$pwned"
is "$(grep -c "p@ss:w/o%rd\|r;e:a/d@" "$state/log")" 0 "no password in the log"

# Every role of the ini logs in to NEW over TCP with the ini's password.
ckan-pgurl -c "$INI" pgpass >"$TAP_TMP/pgpass"
chmod 600 "$TAP_TMP/pgpass"
for k in main write read; do
	u=$(ckan-pgurl -c "$INI" -k "$k" url)
	case $u in *":$SB_NEW_PORT/"*) ok "$k: the ini's URL points at NEW's port" true ;; *) ok "$k: the ini's URL points at NEW's port: $u" false ;; esac
	who=$(PGPASSFILE=$TAP_TMP/pgpass "$PSQL" -X -At -d "$u" -c 'SELECT current_user || chr(9) || current_database()' 2>&1)
	want_user=$OWNER
	[ "$k" != read ] || want_user=$READER
	want_db=$MAINDB
	[ "$k" = main ] || want_db=$DSDB
	is "$who" "$want_user	$want_db" "$k: logs in to NEW over TCP with the ini's password, as the right role in the right database"
done
u=$(ckan-pgurl -c "$INI" -k read url)
n=$(PGPASSFILE=$TAP_TMP/pgpass "$PSQL" -X -At -d "$u" -v schema="$SCHEMA" -v tab="$TABLE" -f - <<'SQL' 2>&1
SELECT count(*) FROM :"schema".:"tab";
SHOW statement_timeout;
SQL
)
is "$(printf '%s' "$n" | tr '\n' ' ')" "77 42s" "the reader reads the hostile table on NEW, with its role-in-database setting"

run ckan-pg-upgrade rollback --state-dir "$state"
is "$RC" 0 "rollback exits 0"
ok "rollback restores the ini byte-identical" cmp "$INI" "$SB_DIR/ini.orig"
done_testing
