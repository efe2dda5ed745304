#!/bin/sh
# ckan-pg-upgrade across majors with pg_upgrade: Debian's own PostgreSQL 13
# (from bullseye, made available by tests/lib/pg13.sh: the npm servers lack
# the pg_controldata pg_upgrade needs) -> Debian's 15, on demo.sh's sandbox
# (a CKAN-like site with roles, passwords, two databases, a sequence, grants
# and a generated production.ini).  Ran on PostgreSQL 13.16 (Debian
# 13.16-0+deb11u1) -> 15.18 (Debian's 15), PostGIS 3.1.1 -> 3.3.2;
# the versions of each run are printed.
#  1. --method upgrade (copy): verify finds 0 differences, the settings are
#     in NEW's conf.d before pg_upgrade (NEW is not restarted in the
#     window), OLD stays stopped after the switch, rollback starts it
#     writable; pg_upgrade's update_extensions.sql is named when written;
#  2. --method upgrade --link, on a site with PostGIS when it is installed:
#     the extension stays at 13's version on NEW, verify names the version
#     once update_extensions.sql has updated it;
#  3. a pg_upgrade that fails, injected: the driver rolls back by itself (OLD
#     running and writable, ini byte-identical, status "rolled back"); for
#     real (NEW made with another encoding): pg_upgrade --check refuses it
#     before the window; after NEW is made again the run resumes there and
#     succeeds;
#  4. --method dump, with PostGIS when installed: spatial_ref_sys and
#     geometry_columns owned by the CKAN user (as ckanext-spatial asks) keep
#     that owner (share/extension-member-owners.sql), geometries are equal
#     (every table's rows by COPY streams, a geometry in text);
#  5. --method logical, the same checks as 4, and no slot is left on OLD.
# Needs root and apt (pg13_install): in CI (CI=true) their absence is a
# failure, elsewhere a skip.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
SB_LIB=$root/tests/lib
# shellcheck disable=SC2034 # read by demo.sh: define the sandbox, run no demo
DEMO_LIB=1
# shellcheck disable=SC1091 # the sandbox, sourced as a library
. "$SB_LIB/demo.sh"
# shellcheck disable=SC1091
. "$SB_LIB/pg13.sh"
PATH=$BUILD/bin:$root/tools:$PATH
export PATH
PG13=/usr/lib/postgresql/13/bin
PG15=/usr/lib/postgresql/15/bin

fail_all() {	# fail_all WHY: a failure in CI, a skip elsewhere
	if [ "${CI:-}" = true ]; then
		tap_result 1 "PostgreSQL 13 and a sandbox can be had in CI ($1)"
		done_testing
		exit 1
	fi
	skip_all "$1"
}
why=$(sb_unavailable)
[ -z "$why" ] || fail_all "$why"
t0=$(date +%s)
POSTGIS=1
pg13_install postgis >"$TAP_TMP/pg13.log" 2>&1 || POSTGIS=0
if [ "$POSTGIS" = 0 ]; then
	[ "${CI:-}" != true ] || { sed 's/^/# /' "$TAP_TMP/pg13.log"; fail_all "pg13_install postgis failed"; }
	pg13_install >>"$TAP_TMP/pg13.log" 2>&1 || { sed 's/^/# /' "$TAP_TMP/pg13.log"; fail_all "pg13_install failed"; }
fi
sed 's/^/# /' "$TAP_TMP/pg13.log"
echo "# pg13_install took $(($(date +%s) - t0)) s"
[ -x "$PG13/pg_controldata" ] || fail_all "no pg_controldata in $PG13"
trap 'sb_cleanup; rm -rf "$TAP_TMP"' EXIT
trap 'sb_cleanup; exit 2' INT TERM HUP

ver() { "$1/postgres" --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/'; }
echo "# OLD $(ver "$PG13"), NEW $(ver "$PG15")$([ "$POSTGIS" = 0 ] || echo ", PostGIS $(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/13/extension/postgis.control) -> $(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)")"

umask 077
printf '*:*:*:ckan_default:demo-pass\n*:*:*:datastore_default:demo-read\n' >"$TAP_TMP/pgpass"
umask 022
ckan() {	# ckan PORT USER DB SQL: CKAN's login over TCP with its password
	PGPASSFILE=$TAP_TMP/pgpass psql -X -q -At -h 127.0.0.1 -p "$1" -U "$2" -d "$3" -c "$4" 2>&1
}
su_sql() {	# su_sql PORT DB SQL: the superuser over the sandbox's socket
	sb_as_postgres psql -X -q -At -h "$SB_RUN" -p "$1" -U postgres -d "$2" -c "$3" 2>&1
}

setup() {	# setup NAME [postgis]: the 13 -> 15 sandbox, or a failed test
	t1=$(date +%s)
	{ sb_setup 13 >"$TAP_TMP/setup.log" 2>&1 && [ "$(cat "$SB_DIR/data/old/PG_VERSION")" = 13 ]; } || {
		cat "$TAP_TMP/setup.log" >&2
		tap_result 1 "$1: sandbox with PostgreSQL 13 and 15"
		sb_cleanup
		return 1
	}
	[ "${2:-}" != postgis ] || postgis_site || { tap_result 1 "$1: PostGIS site on OLD"; sb_cleanup; return 1; }
	cp -p "$SB_INI" "$SB_DIR/ini.orig"
	state=$SB_DIR/state
	mkdir -p "$SB_DIR/tmp"
	chmod 1777 "$SB_DIR/tmp"
	TMPDIR=$SB_DIR/tmp
	export TMPDIR
	echo "# PostgreSQL $(ver "$SB_OLD_BIN") -> $(ver "$PG15") ($1: OLD $SB_OLD on port $SB_OLD_PORT, NEW $SB_NEW on port $SB_NEW_PORT)"
}
done_case() {	# done_case NAME
	unset TMPDIR
	sb_cleanup
	echo "# $1 took $(($(date +%s) - t1)) s"
}

# ckanext-spatial's tables on OLD: PostGIS in ckan_default, spatial_ref_sys
# and geometry_columns owned by the CKAN user (its docs ask for it), a
# user-defined SRID, package_extent with a GiST index and a few geometries.
postgis_site() {
	sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d ckan_default <<'SQL'
CREATE EXTENSION postgis;
ALTER TABLE spatial_ref_sys OWNER TO ckan_default;
ALTER VIEW geometry_columns OWNER TO ckan_default;
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
	VALUES (990001, 'ckan', 990001, '', '+proj=longlat +datum=WGS84 +no_defs');
SET ROLE ckan_default;
CREATE TABLE package_extent (package_id text PRIMARY KEY, the_geom geometry(Geometry, 4326));
CREATE INDEX idx_package_extent_the_geom ON package_extent USING gist (the_geom);
INSERT INTO package_extent VALUES
	('dataset-1', ST_GeomFromText('POLYGON((-10 35, 30 35, 30 70, -10 70, -10 35))', 4326)),
	('dataset-2', ST_GeomFromText('POINT(4.35 50.85)', 4326)),
	('dataset-3', ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 1, 0 0)), ((2 2, 3 2, 3 3, 2 2)))', 4326)),
	('dataset-4', ST_GeomFromText('LINESTRING(-0.1276 51.5072, 2.3522 48.8566, 13.405 52.52)', 4326)),
	('dataset-5', ST_Buffer(ST_GeomFromText('POINT(-3.7 40.4)', 4326), 0.5, 8));
SQL
}
EXTENT_SQL="SELECT count(*) || ' ' || md5(string_agg(package_id || ':' || encode(ST_AsEWKB(the_geom), 'hex'), ',' ORDER BY package_id)) FROM package_extent"

ini_only_urls() {	# ini_only_urls NAME
	sed "/url = postgresql/s/@127\.0\.0\.1:$SB_OLD_PORT\//@127.0.0.1:$SB_NEW_PORT\//" "$SB_DIR/ini.orig" >"$TAP_TMP/want.ini"
	ok "$1: the ini differs from the original only in the URLs' ports" cmp "$TAP_TMP/want.ini" "$SB_INI"
}
show_failure() {	# show_failure: the run's output and the log's end, as TAP comments
	echo "$OUT$ERR" | tail -n 20 | sed 's/^/# /'
	tail -n 30 "$state/log" | sed 's/^/# /'
}
old_writable() {	# old_writable NAME: OLD runs and CKAN can write to it
	ok "$1: OLD runs" cluster-port --check "$SB_OLD"
	is "$(ckan "$SB_OLD_PORT" ckan_default ckan_default "INSERT INTO activity (what) VALUES ('after rollback') RETURNING 1")" 1 \
		"$1: OLD is writable for CKAN"
}

# --- 1. --method upgrade (copy)
case_copy() {
	name="13 -> 15 --method upgrade"
	setup "$name" || return
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method upgrade
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || show_failure
	like "$OUT" "verify: 0 tables \(0 rows\) compared; 0 differences" \
		"$name: run verified the catalogs before switching (rows: none, the default after pg_upgrade)"
	ok "$name: pg_upgrade ran with 13's and 15's programs" grep -qF -- "pg_upgrade -b $PG13 -B $PG15 " "$state/log"
	ini_only_urls "$name"
	# The log's order: the settings are written before the window opens,
	# pg_upgrade runs in it, and NEW is never restarted (nor started before
	# pg_upgrade) in between.
	order=$(awk '/pgconf-diff --carry .*--write/ && !c { c = NR } /downtime starts/ && !w { w = NR }
		/pg_upgrade -b/ && !/--check/ && !u { u = NR } /pg_upgrade -b.*--check/ && !k { k = NR } /pg_ctlcluster 15 new (restart|start)/ && (!u || / restart/) { r = r " " NR }
		END { print (c && k && w && u && c < w && k < w && w < u && r == "") ? "ordered" : "c=" c " k=" k " w=" w " u=" u " restarts:" r }' "$state/log")
	is "$order" ordered "$name: settings and pg_upgrade --check before the window, pg_upgrade in it, NEW not restarted"
	like "$(cat "$PG_CLUSTER_CONF_ROOT/15/new/conf.d/50-ckan-pg-upgrade.conf" 2>&1)" "^work_mem = '?8MB" \
		"$name: the carried settings are in NEW's conf.d"
	is "$(su_sql "$SB_NEW_PORT" postgres 'SHOW work_mem')" 8MB "$name: NEW runs with them"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$name: verify exits 0"
	like "$OUT" "; 0 differences" "$name: verify finds 0 differences"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	# OLD, when stopped, is compared as recorded before pg_upgrade: without rows, as the run asked.
	run ckan-pg-upgrade verify "$@" --verify-rows counts
	is "$RC/$(echo "$OUT" | grep -c '^DIFF')" 0/0 "$name: verify --verify-rows counts after it: no difference"
	is "$(ckan "$SB_NEW_PORT" ckan_default ckan_default "SELECT current_setting('server_version_num')::int / 10000 || ' ' || count(*) FROM package")" \
		"15 500" "$name: CKAN's login reaches NEW (15) with the data"
	if [ -f "$state/pg_upgrade/update_extensions.sql" ]; then
		like "$OUT$(ckan-pg-upgrade status --state-dir "$state")$(cat "$state/log")" "pg_upgrade wrote .*update_extensions.sql" \
			"$name: update_extensions.sql is named at the end"
	else
		skip "$name: pg_upgrade wrote no update_extensions.sql (no extension to update)"
	fi
	ok "$name: OLD stays stopped after the switch (nothing can write to it)" sh -c "! cluster-port --check $SB_OLD"
	run ckan-pg-upgrade rollback --state-dir "$state"
	is "$RC" 0 "$name: rollback exits 0"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	ok "$name: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	old_writable "$name: after rollback"
	done_case "$name"
}

# setup_postgis: setup for the case $name, with the PostGIS site when PostGIS
# is installed (then $name says so and $extent holds OLD's geometry digests).
setup_postgis() {
	site=""
	[ "$POSTGIS" = 0 ] || { site=postgis; name="$name, PostGIS"; }
	# shellcheck disable=SC2086 # $site is empty or one word
	setup "$name" $site || return
	[ "$POSTGIS" = 0 ] || extent=$(su_sql "$SB_OLD_PORT" ckan_default "$EXTENT_SQL")
}

# --- 2. --method upgrade --link, with PostGIS when installed
case_link() {
	name="13 -> 15 --method upgrade --link"
	setup_postgis || return
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method upgrade --link \
		--verify-rows counts
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || show_failure
	like "$OUT" "verify: [0-9]+ tables \([0-9]+ rows\) compared; 0 differences" "$name: run verified before switching"
	ini_only_urls "$name"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$name: verify exits 0"
	like "$OUT" "; 0 differences" "$name: verify finds 0 differences"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	if [ "$POSTGIS" = 1 ]; then
		oldv=$(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/13/extension/postgis.control)
		newv=$(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)
		is "$(su_sql "$SB_NEW_PORT" ckan_default "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")" "$oldv" \
			"$name: PostGIS stays at 13's version ($oldv) on NEW"
		is "$(su_sql "$SB_NEW_PORT" ckan_default "$EXTENT_SQL")" "$extent" "$name: package_extent's geometries (ST_AsEWKB) are equal"
		u=$state/pg_upgrade/update_extensions.sql
		ok "$name: pg_upgrade wrote update_extensions.sql" test -f "$u"
		like "$OUT$(cat "$state/log")" "pg_upgrade wrote $u: run it on NEW" "$name: the end names update_extensions.sql"
		sb_as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d postgres -f "$u" >"$TAP_TMP/upd" 2>&1
		is "$?" 0 "$name: update_extensions.sql runs on NEW"
		run ckan-pg-upgrade verify "$@"
		is "$RC" 0 "$name: verify exits 0 after the extension update"
		like "$OUT" "named ckan_default +extension +postgis +$oldv -> $newv" "$name: verify names the extension's version"
		like "$(su_sql "$SB_NEW_PORT" ckan_default 'SELECT postgis_full_version()')" "POSTGIS=\"$newv" \
			"$name: postgis_full_version() is NEW's PostGIS"
	fi
	run ckan-pg-upgrade rollback --state-dir "$state"
	like "$OUT$ERR" "cannot be started again" "$name: rollback says OLD is gone after --link"
	ok "$name: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	done_case "$name"
}

# --- 3. pg_upgrade fails: injected, then for real; then NEW again, and a run that succeeds
new_again() {	# new_again ENCODING: NEW dropped and made again, empty
	(
		umask 022
		pg_dropcluster --stop "$SB_NEW_VER" "$SB_NEW_NAME" && rm -rf "$SB_DIR/data/new" &&
			pg_createcluster -d "$SB_DIR/data/new" -s "$SB_RUN" -p "$SB_NEW_PORT" -l "$SB_DIR/log/new.log" \
				--locale=C -e "$1" "$SB_NEW_VER" "$SB_NEW_NAME" &&
			sed -i "s/^#*listen_addresses = .*/listen_addresses = '127.0.0.1'/" \
				"$PG_CLUSTER_CONF_ROOT/$SB_NEW_VER/$SB_NEW_NAME/postgresql.conf" &&
			pg_ctlcluster "$SB_NEW_VER" "$SB_NEW_NAME" start
	) >"$TAP_TMP/new-again.log" 2>&1 || cat "$TAP_TMP/new-again.log" >&2
}
rolled_back_by_itself() {	# rolled_back_by_itself NAME
	is "$RC" 2 "$1: run exits 2"
	like "$OUT$ERR" "the site is back on OLD" "$1: the driver rolls back by itself"
	old_writable "$1"
	ok "$1: the ini is byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	like "$(ckan-pg-upgrade status --state-dir "$state")" "rolled back" "$1: status says rolled back"
}
case_failures() {
	name="13 -> 15 pg_upgrade fails"
	setup "$name" || return
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method upgrade --verify-rows counts
	CKAN_PG_UPGRADE_FAIL=pg-upgrade run ckan-pg-upgrade run --yes "$@"
	rolled_back_by_itself "$name (injected)"
	# For real: NEW made with another encoding, which pg_upgrade --check
	# refuses before the window (OLD running, the web never stopped).
	new_again SQL_ASCII
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 2 "$name (NEW's encoding differs): run exits 2"
	like "$OUT" "starts over" "$name: after the rollback the run starts over"
	like "$OUT" "\[2\] carry pg_hba.conf rules" "$name: the hba merge runs again"
	like "$ERR" "failed before the downtime window" "$name (NEW's encoding differs): pg_upgrade --check refuses it before the window"
	old_writable "$name (NEW's encoding differs)"
	ok "$name (NEW's encoding differs): the ini is byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	like "$(cat "$state/log")" "encodings for database \"template1\" do not match" "$name: pg_upgrade's own refusal is in the log"
	new_again UTF8
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: a run after NEW is made again completes"
	[ "$RC" = 0 ] || show_failure
	like "$OUT" "pg_upgrade --check, NEW stopped, OLD running\$" "$name: it resumes at pg_upgrade --check"
	like "$OUT" "verify: 5 tables \([0-9]+ rows\) compared; 0 differences" "$name: and verifies 0 differences"
	ini_only_urls "$name"
	done_case "$name"
}

# --- 4. --method dump, with PostGIS when installed
case_dump() {
	name="13 -> 15 --method dump"
	setup_postgis || return
	# Every table by a COPY stream of its own: package_extent's geometry (PostGIS's type) in text.
	CKAN_PG_UPGRADE_COPY_MIN_BYTES=0 moved_whole --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state"
}
# --- 5. --method logical, with PostGIS when installed: as dump, and nothing of the replication is left
case_logical() {
	name="13 -> 15 --method logical"
	setup_postgis || return
	moved_whole --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method logical
}
# moved_whole ARGS: run moves the site whole; the PostGIS site's tables, owners and SRIDs too
moved_whole() {
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || show_failure
	like "$OUT" "verify: [0-9]+ tables \([0-9]+ rows\) compared; 0 differences" "$name: run verified before switching"
	ini_only_urls "$name"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$name: verify exits 0"
	like "$OUT" "; 0 differences" "$name: verify finds 0 differences"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	if [ "$POSTGIS" = 1 ]; then
		newv=$(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/postgis.control)
		like "$OUT" "named ckan_default +extension +postgis .* -> $newv" "$name: verify names the extension's version"
		is "$(su_sql "$SB_NEW_PORT" ckan_default "SELECT string_agg(c.relname || '=' || pg_get_userbyid(c.relowner), ' ' ORDER BY 1)
			FROM pg_class c WHERE c.relname IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns')")" \
			"geography_columns=postgres geometry_columns=ckan_default spatial_ref_sys=ckan_default" \
			"$name: extension members keep OLD's owners on NEW"
		is "$(su_sql "$SB_NEW_PORT" ckan_default "$EXTENT_SQL")" "$extent" "$name: package_extent's geometries (ST_AsEWKB) are equal"
		is "$(ckan "$SB_NEW_PORT" ckan_default ckan_default "SELECT count(*) FROM package_extent WHERE the_geom && ST_MakeEnvelope(0, 45, 10, 55, 4326)")" \
			3 "$name: CKAN queries package_extent on NEW"
		is "$(su_sql "$SB_NEW_PORT" ckan_default "SELECT proj4text FROM spatial_ref_sys WHERE srid = 990001")" \
			"+proj=longlat +datum=WGS84 +no_defs" "$name: the site's own SRID came along"
		like "$(su_sql "$SB_NEW_PORT" ckan_default 'SELECT postgis_full_version()')" "POSTGIS=\"$newv" \
			"$name: postgis_full_version() is NEW's PostGIS"
	fi
	is "$(su_sql "$SB_OLD_PORT" postgres "SELECT count(*) FROM pg_replication_slots")" 0 "$name: no replication slot on OLD"
	run ckan-pg-upgrade rollback --state-dir "$state"
	is "$RC" 0 "$name: rollback exits 0"
	ok "$name: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	old_writable "$name: after rollback"
	done_case "$name"
}

# PG13_CASES: some of the cases, e.g. "dump" (all by default).
for c in ${PG13_CASES:-copy link failures dump logical}; do "case_$c"; done
done_testing
