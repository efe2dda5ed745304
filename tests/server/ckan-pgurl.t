#!/bin/sh
# ckan-pgurl against a real throwaway PostgreSQL cluster: check, databases
# and set port= with CKAN's roles and databases (ckan_default,
# datastore_default, a read-only datastore user).  Says which version it ran on.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pgcluster.sh"
. "$(dirname "$0")/../lib/pgversions.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/ckan-pgurl"
unset CKAN_INI CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL PGPASSFILE

if ! pgc_available; then
	if [ "${CI:-}" = true ]; then
		tap_result 1 "a PostgreSQL server is available in CI"
		done_testing
		exit 1
	fi
	skip_all "no PostgreSQL server binaries (apt-get install postgresql)"
fi
pgc_start || { tap_result 1 "throwaway cluster starts"; done_testing; exit 1; }
echo "# PostgreSQL $PGC_VERSION ($PGC_BIN) on port $PGC_PORT"
# The datastore's read-only user, as CKAN's "datastore set-permissions" makes it.
pgc_psql <<'SQL'
CREATE ROLE ckan_default LOGIN PASSWORD 'ck@n:pa/ss%1';
CREATE ROLE datastore_default LOGIN PASSWORD 'read-only';
CREATE DATABASE ckan_default OWNER ckan_default;
CREATE DATABASE datastore_default OWNER ckan_default;
CREATE DATABASE ckan_test OWNER ckan_default;
CREATE DATABASE datastore_test OWNER ckan_default;
CREATE DATABASE legacy_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE datastore_default TO datastore_default;
SQL
tap_result $? "CKAN roles and databases created"

W="$TAP_TMP"
ini="$W/ckan.ini"
# The password as CKAN's ini must hold it: percent-encoded for the URL, '%' doubled for configparser.
cat >"$ini" <<INI
[app:main]
sqlalchemy.url = postgresql://ckan_default:ck%%40n%%3Apa%%2Fss%%251@127.0.0.1:1/ckan_default
ckan.datastore.write_url = postgresql://ckan_default:ck%%40n%%3Apa%%2Fss%%251@127.0.0.1:1/datastore_default
ckan.datastore.read_url = postgresql://datastore_default:read-only@127.0.0.1:1/datastore_default
INI

run "$P" -c "$ini" check
is "$RC" 2 "check against a port nobody listens on exits 2"
like "$ERR" "^ckan-pgurl: $ini:2: sqlalchemy.url: .*(refused|could not connect|failed)" "with a one-line reason naming the key"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "the reason is one line"

run "$P" -c "$ini" set port="$PGC_PORT"
is "$RC" 0 "set port to the cluster's port"
is "$("$P" -c "$ini" -k read get port)" "$PGC_PORT" "the datastore URLs moved with it"

run "$P" -c "$ini" check
is "$RC" 0 "check connects (password from the URL, percent-encoded and %-doubled)"
like "$OUT" "^$PGC_VERSION\." "check prints the server version"
run "$P" -c "$ini" check --min-version 9.2
is "$RC" 0 "the server is >= 9.2"
run "$P" -c "$ini" check --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["server_version_num"] >= 90200, d["key"])')" "True True sqlalchemy.url" "check --json"
run "$P" -c "$ini" check --min-version 99
is "$RC" 1 "check exits 1 below --min-version"
like "$ERR" "below 99" "and says so"
run "$P" -c "$ini" -k read check
is "$RC" 0 "the read-only datastore user connects"
run "$P" -c "$ini" -k write check
is "$RC" 0 "the datastore write URL connects"

# A wrong password is a clear one-line failure.
"$P" -c "$ini" -k read set password=wrong
run "$P" -c "$ini" -k read check
is "$RC" 2 "a wrong password exits 2"
like "$ERR" "password authentication failed" "and says why"
unlike "$ERR" "wrong" "without printing the password"

# The password from ~/.pgpass (PGPASSFILE) when the URL has none.
"$P" -c "$ini" -k read set password=
is "$("$P" -c "$ini" -k read get password)" "" "the password was removed from the URL"
printf '127.0.0.1:%s:*:datastore_default:read-only\n' "$PGC_PORT" >"$W/pgpass"
chmod 600 "$W/pgpass"
PGPASSFILE="$W/pgpass" run "$P" -c "$ini" -k read check
is "$RC" 0 "check takes the password from the passfile"

# url and pgpass, read by libpq itself: a role and a database whose names
# need percent-encoding, a password that needs the passfile's escapes.
WU="we'ird \"us@r\": /x%#ü"
WD="d b/'\"@:%#ä€"
WPW="p:a\\s's wö€rd"
pgc_psql -v u="$WU" -v d="$WD" -v pw="$WPW" <<'SQL'
CREATE ROLE :"u" LOGIN PASSWORD :'pw';
CREATE DATABASE :"d" OWNER :"u";
SQL
tap_result $? "a role and a database with special names"
printf '[app:main]\nsqlalchemy.url = postgresql://x@127.0.0.1:1/x\n' >"$W/weird.ini"
"$P" -c "$W/weird.ini" set "user=$WU" "password=$WPW" "dbname=$WD"
URL=$("$P" -c "$W/weird.ini" url port="$PGC_PORT")
is "$?" 0 "url port=PORT"
unlike "$URL" "wö" "the URL holds no password"
"$P" -c "$W/weird.ini" pgpass >"$W/weird.pgpass"
chmod 600 "$W/weird.pgpass"
got=$(PGPASSFILE="$W/weird.pgpass" psql -X -At -c "SELECT current_user || '|' || current_database()" "$URL" 2>&1)
is "$got" "$WU|$WD" "psql connects with url's URL and pgpass's password (names and password read back by libpq)"
got=$(PGPASSFILE=/dev/null psql -X -At -w -c "SELECT 1" "$URL" 2>&1)
like "$got" "password" "without the passfile the URL alone does not log in (no password in it)"

# databases: guide step 11, classified.
run "$P" -c "$ini" databases
is "$RC" 0 "databases exits 0"
like "$OUT" "^ckan_default +ckan +ckan_default" "the CKAN database"
like "$OUT" "^datastore_default +datastore " "the datastore database"
like "$OUT" "^template0 +template0 " "template0 (never dump)"
like "$OUT" "^template1 +template1 " "template1"
like "$OUT" "^ckan_test +test " "ckan_test is a test database"
like "$OUT" "^datastore_test +test " "datastore_test is a test database"
like "$OUT" "^legacy_app +other " "anything else is other"
like "$ERR" "legacy_app.*decide yourself" "and other databases are warned about"
run "$P" -c "$ini" databases --shell
(eval "$OUT" && [ "$CKAN_DBS_CKAN" = ckan_default ] && [ "$CKAN_DBS_TEST" = "ckan_test datastore_test" ] && [ "$CKAN_DBS_DATASTORE" = datastore_default ])
is $? 0 "databases --shell gives eval-safe lists per class"
run "$P" -c "$ini" databases --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(sorted((d["name"],d["class"]) for d in json.load(sys.stdin) if d["class"]!="other"))')" \
	"[('ckan_default', 'ckan'), ('ckan_test', 'test'), ('datastore_default', 'datastore'), ('datastore_test', 'test'), ('template0', 'template0'), ('template1', 'template1')]" \
	"databases --json classifies every database"

# The server down: check fails cleanly.
pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -m fast -w stop >/dev/null 2>&1
run "$P" -c "$ini" check
is "$RC" 2 "a stopped server: exit 2"
pgc_stop

# check across major versions: an upgrade tool meets old and new servers.
for major in 12 17; do
	bindir=$(pgv_bindir "$major")
	if [ -z "$bindir" ]; then
		if [ "${CI:-}" = true ]; then
			tap_result 1 "PostgreSQL $major installs from npm"
		else
			skip "PostgreSQL $major not installable here"
		fi
		continue
	fi
	pgc_start "$bindir" || { tap_result 1 "PostgreSQL $major starts"; continue; }
	echo "# PostgreSQL $PGC_VERSION ($bindir) on port $PGC_PORT"
	pgc_psql -c "CREATE ROLE ckan_default LOGIN PASSWORD 'pw'" -c "CREATE DATABASE ckan_default OWNER ckan_default"
	printf '[app:main]\nsqlalchemy.url = postgresql://ckan_default:pw@127.0.0.1:%s/ckan_default\n' "$PGC_PORT" >"$W/v.ini"
	run "$P" -c "$W/v.ini" check
	is "$RC" 0 "PostgreSQL $major: check connects"
	like "$OUT" "^$major\." "PostgreSQL $major: check prints its version"
	run "$P" -c "$W/v.ini" check --min-version 13
	if [ "$major" -lt 13 ]; then
		is "$RC" 1 "PostgreSQL $major: below --min-version 13 exits 1"
	else
		is "$RC" 0 "PostgreSQL $major: at or above --min-version 13 exits 0"
	fi
	run "$P" -c "$W/v.ini" databases
	like "$OUT" "^ckan_default +ckan " "PostgreSQL $major: databases classifies"
	pgc_stop
done
done_testing
