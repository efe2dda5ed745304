#!/bin/sh
# ckan-pg-upgrade for a Docker-based site (ckan-docker, ../shared/ckan-docker):
# two real servers on 127.0.0.1 stand in for the old and the new "db"
# container, PostgreSQL 12 -> 16 from npm, each on its own port, reached
# over TCP only (the tool is given neither data directory nor config file;
# the superuser's password is in a passfile).  The roles and databases are
# the ones ckan-docker's init scripts make (10_create_ckandb.sh,
# 20_create_datastore.sh, with env.example's values); CKAN's URLs are in a
# Compose .env (env.example's, pointed at the old server).  run --env-file
# --host moves them, verify passes, the .env then points at NEW and only
# its URLs changed, CKAN's roles log in with the .env's passwords, and
# rollback restores the .env byte-identical.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$BUILD/bin:$root/tools:$PATH
export PATH
# pgversions.sh finds its cache from $0.
# shellcheck disable=SC1091
. "$root/tests/lib/pgversions.sh"
PSQL=/usr/lib/postgresql/15/bin/psql

unavailable() {
	if [ "${CI:-}" = true ]; then
		tap_result 1 "two servers for the Docker test in CI ($1)"
		done_testing
		exit 1
	fi
	skip_all "$1"
}
{ [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; } || unavailable "needs root and a postgres user"
[ -x "$PSQL" ] || unavailable "no Debian PostgreSQL 15 client"
OLD_BIN=$(pgv_bindir 12) || unavailable "PostgreSQL 12 from npm"
NEW_BIN=$(pgv_bindir 16) || unavailable "PostgreSQL 16 from npm"

W=$(mktemp -d /tmp/ckpdocker.XXXXXX)
mkdir "$W/data"
chmod 755 "$W"
chown postgres "$W/data"
cleanup() {
	for s in old new; do
		[ ! -f "$W/data/$s/postmaster.pid" ] || runuser -u postgres -- "$W/bin-$s/pg_ctl" -D "$W/data/$s" -m immediate -w stop >/dev/null 2>&1
	done
	rm -rf "$W" "$TAP_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 2' INT TERM HUP

# serve NAME BINDIR: a server on a free 127.0.0.1 port, its socket in a
# directory only its owner may use (the tool gets host and port only).
serve() {
	ln -s "$2" "$W/bin-$1"
	echo postgres >"$W/pw"
	chmod 644 "$W/pw"
	runuser -u postgres -- "$2/initdb" -D "$W/data/$1" -U postgres -E UTF8 --locale=C --auth-local=trust \
		--auth-host=scram-sha-256 --pwfile="$W/pw" >"$W/initdb-$1.log" 2>&1 || { cat "$W/initdb-$1.log" >&2; return 1; }
	for try in 1 2 3 4 5; do
		port=$(( 30000 + ($$ * 13 + try * 977 + $(date +%N | sed 's/^0*//;s/^$/0/') / 1000) % 20000 ))
		runuser -u postgres -- "$2/pg_ctl" -D "$W/data/$1" -l "$W/data/$1.log" -w -t 60 \
			-o "-p $port -k $W/data/$1 -c listen_addresses=127.0.0.1" start >/dev/null 2>&1 && { echo "$port"; return 0; }
	done
	cat "$W/data/$1.log" >&2
	return 1
}
OLD_PORT=$(serve old "$OLD_BIN") || unavailable "PostgreSQL 12 does not start"
NEW_PORT=$(serve new "$NEW_BIN") || unavailable "PostgreSQL 16 does not start"
echo "# OLD: $("$OLD_BIN/postgres" --version) on 127.0.0.1:$OLD_PORT; NEW: $("$NEW_BIN/postgres" --version) on 127.0.0.1:$NEW_PORT"
umask 077
printf '127.0.0.1:*:*:postgres:postgres\n' >"$W/su.pgpass"
umask 022
su() { PGPASSFILE=$W/su.pgpass "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@"; }

# ckan-docker's env.example (its database part) and its two init scripts'
# statements, with the same variables.
cat >"$W/.env" <<'ENV'
# Container names
POSTGRES_USER=postgres
POSTGRES_PASSWORD=postgres
POSTGRES_DB=postgres
POSTGRES_HOST=db
CKAN_DB_USER=ckandbuser
CKAN_DB_PASSWORD=ckandbpassword
CKAN_DB=ckandb
DATASTORE_READONLY_USER=datastore_ro
DATASTORE_READONLY_PASSWORD=datastore
DATASTORE_DB=datastore
CKAN_SQLALCHEMY_URL=postgresql://ckandbuser:ckandbpassword@db/ckandb
CKAN_DATASTORE_WRITE_URL=postgresql://ckandbuser:ckandbpassword@db/datastore
CKAN_DATASTORE_READ_URL=postgresql://datastore_ro:datastore@db/datastore
TEST_CKAN_SQLALCHEMY_URL=postgres://ckan:ckan@db/ckan_test
CKAN_SITE_ID=default
CKAN__PLUGINS="image_view text_view datatables_view datastore datapusher envvars"
ENV
# Pointed at the old server's published port, as a site being upgraded is.
sed -i "/^CKAN_\(SQLALCHEMY\|DATASTORE\)/s|@db/|@127.0.0.1:$OLD_PORT/|" "$W/.env"
chmod 640 "$W/.env"
cp -p "$W/.env" "$W/env.orig"
su -p "$OLD_PORT" -d postgres <<'SQL'
CREATE ROLE "ckandbuser" NOSUPERUSER CREATEDB CREATEROLE LOGIN PASSWORD 'ckandbpassword';
CREATE DATABASE "ckandb" OWNER "ckandbuser" ENCODING 'utf-8';
CREATE ROLE "datastore_ro" NOSUPERUSER NOCREATEDB NOCREATEROLE LOGIN PASSWORD 'datastore';
CREATE DATABASE "datastore" OWNER "ckandbuser" ENCODING 'utf-8';
SQL
PGPASSWORD=ckandbpassword "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$OLD_PORT" -U ckandbuser -d ckandb <<'SQL'
CREATE TABLE package (id serial PRIMARY KEY, name text UNIQUE);
INSERT INTO package (name) SELECT 'dataset-' || g FROM generate_series(1, 250) g;
SQL
PGPASSWORD=ckandbpassword "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$OLD_PORT" -U ckandbuser -d datastore <<'SQL'
CREATE TABLE "a1b2-resource" (_id serial PRIMARY KEY, city text);
INSERT INTO "a1b2-resource" (city) SELECT 'city ' || g FROM generate_series(1, 400) g;
GRANT SELECT ON "a1b2-resource" TO datastore_ro;
SQL

state=$W/state
set -- --host 127.0.0.1 --from-port "$OLD_PORT" --to-port "$NEW_PORT" --env-file "$W/.env" \
	--passfile "$W/su.pgpass" --state-dir "$state" --stop-cmd "echo stop >>$W/web" --start-cmd "echo start >>$W/web"
run ckan-pg-upgrade plan "$@"
is "$RC" 0 "plan --env-file --host exits 0"
like "$OUT" "PostgreSQL 12, port $OLD_PORT, online\) -> .*PostgreSQL 16, port $NEW_PORT, online" "plan asks both servers their versions"
t0=$(date +%s)
run ckan-pg-upgrade run --yes "$@"
is "$RC" 0 "run --yes --env-file --host completes"
[ "$RC" = 0 ] || { printf '%s\n' "$OUT$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
echo "# run took $(($(date +%s) - t0)) s"
like "$OUT" "verify: 2 tables \(650 rows\) compared; 0 differences" "run verified before switching"
run ckan-pg-upgrade verify "$@"
is "$RC" 0 "verify exits 0"
sed "s|@127\.0\.0\.1:$OLD_PORT/|@127.0.0.1:$NEW_PORT/|" "$W/env.orig" >"$W/env.want"
ok "the .env differs from the original only in the three URLs' ports" cmp "$W/.env" "$W/env.want"
is "$(diff "$W/env.orig" "$W/.env" | grep -c '^>')" 3 "three lines changed"
is "$(stat -c %a "$W/.env")" 640 "the .env keeps its mode"
ckan-pgurl --env-file "$W/.env" pgpass >"$W/ckan.pgpass"
chmod 600 "$W/ckan.pgpass"
for k in main write read; do
	u=$(ckan-pgurl --env-file "$W/.env" -k "$k" url)
	is "$(PGPASSFILE=$W/ckan.pgpass "$PSQL" -X -At -d "$u" -c "SELECT current_setting('server_version_num')::int / 10000" 2>&1)" 16 \
		"$k: CKAN's role logs in to NEW (16) with the .env's password"
done
is "$(PGPASSFILE=$W/ckan.pgpass "$PSQL" -X -At -d "$(ckan-pgurl --env-file "$W/.env" -k read url)" -c 'SELECT count(*) FROM "a1b2-resource"')" 400 \
	"the DataStore's read-only role reads its table on NEW"
is "$(grep -c 'ckandbpassword\|:datastore@' "$state/log")" 0 "no password in the log"
run ckan-pg-upgrade rollback --state-dir "$state"
is "$RC" 0 "rollback exits 0"
ok "rollback restores the .env byte-identical" cmp "$W/.env" "$W/env.orig"
done_testing
