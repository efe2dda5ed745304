#!/bin/sh
# demo.sh: the main job on a throwaway sandbox.  Starts a real PostgreSQL
# cluster with CKAN's roles and databases, writes a sample ckan.ini pointing
# at it, then runs ckan-pgurl: show, check, databases, a dry-run of the
# port switch, the switch itself, and lint.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$here/../../build}
P="$BUILD/bin/ckan-pgurl"
# shellcheck disable=SC1091,SC2119 # sourced helper; pgc_* take no script arguments
. "$here/pgcluster.sh"

step() { printf '\n$ %s\n' "$*"; }

pgc_start || { echo "demo: cannot start a PostgreSQL cluster" >&2; exit 2; }
pgc_psql <<'SQL'
CREATE ROLE ckan_default LOGIN PASSWORD 'demo-pass';
CREATE ROLE datastore_default LOGIN PASSWORD 'demo-read';
CREATE DATABASE ckan_default OWNER ckan_default;
CREATE DATABASE datastore_default OWNER ckan_default;
CREATE DATABASE ckan_test OWNER ckan_default;
SQL
ini="$PGC_DIR/ckan.ini"
cat >"$ini" <<INI
[app:main]
use = egg:ckan
## Database Settings
sqlalchemy.url = postgresql://ckan_default:demo-pass@127.0.0.1:$PGC_PORT/ckan_default
ckan.datastore.write_url = postgresql://ckan_default:demo-pass@127.0.0.1:$PGC_PORT/datastore_default
ckan.datastore.read_url = postgresql://datastore_default:demo-read@127.0.0.1:$PGC_PORT/datastore_default
INI
echo "sandbox: PostgreSQL $PGC_VERSION on port $PGC_PORT, ini at $ini"
export CKAN_INI="$ini"
step ckan-pgurl show
"$P" show
step ckan-pgurl check --min-version 9.2
"$P" check --min-version 9.2
step ckan-pgurl databases
"$P" databases
step ckan-pgurl set port=5433 --dry-run
"$P" set port=5433 --dry-run
step ckan-pgurl set port=5433 --backup
"$P" set port=5433 --backup && echo "(quiet on success)"
step diff -u ckan.ini.bak ckan.ini
diff -u "$ini.bak" "$ini" | sed 's/demo-[a-z]*/****/g'
step ckan-pgurl get port
"$P" get port
step ckan-pgurl lint
"$P" lint && echo "(no findings)"
pgc_stop
