#!/bin/sh
# ckan-pg-upgrade's other modes, end to end on tests/lib/demo.sh's sandbox
# (a CKAN-like site with roles, passwords, two databases, a sequence, grants
# and a generated production.ini):
#  1. --method upgrade, with and without --link: pg_upgrade needs
#     pg_controldata in OLD's bin directory, which the npm servers lack, so
#     OLD and NEW are both Debian's PostgreSQL 15 (15 -> 15);
#  2. --switch ports: NEW takes OLD's port, OLD a free one, the ini stays
#     byte-identical, rollback swaps them back;
#  3. --host with --from-port/--to-port: two clusters addressed only by host
#     and port, the superuser's password in a 0600 passfile, as for a remote
#     server: plan says what cannot be done there, run stops before touching
#     anything when that is asked, verify compares, run moves the data.
# Needs root, postgresql-common and PostgreSQL 15: in CI (CI=true) their
# absence is a failure, elsewhere a skip.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"
PG15=/usr/lib/postgresql/15/bin

if [ -x "$PG15/pg_upgrade" ]; then sb_test_require; else sb_test_require "no pg_upgrade in $PG15"; fi

ver() { "$1/postgres" --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/'; }

# A passfile of CKAN's passwords, for logging in as CKAN does.
umask 077
printf '*:*:*:ckan_default:demo-pass\n*:*:*:datastore_default:demo-read\n' >"$TAP_TMP/pgpass"
umask 022
# ckan PORT USER DB SQL: CKAN's login over TCP with its password.
ckan() {
	PGPASSFILE=$TAP_TMP/pgpass psql -X -q -At -h 127.0.0.1 -p "$1" -U "$2" -d "$3" -c "$4" 2>&1
}
# su PORT DB SQL: the superuser over the sandbox's socket.
su_sql() {
	sb_as_postgres psql -X -q -At -h "$SB_RUN" -p "$1" -U postgres -d "$2" -c "$3" 2>&1
}

setup() {	# setup NAME: the 15 -> 15 sandbox, or a failed test
	sb_setup 15 >"$TAP_TMP/setup.log" 2>&1 || {
		cat "$TAP_TMP/setup.log" >&2
		tap_result 1 "$1: sandbox with two PostgreSQL 15 clusters"
		sb_cleanup
		return 1
	}
	cp -p "$SB_INI" "$SB_DIR/ini.orig"
	state=$SB_DIR/state
	mkdir -p "$SB_DIR/tmp"
	chmod 1777 "$SB_DIR/tmp"
	TMPDIR=$SB_DIR/tmp
	export TMPDIR
	echo "# PostgreSQL $(ver "$SB_OLD_BIN") -> $(ver "$PG15") ($1: OLD $SB_OLD on port $SB_OLD_PORT, NEW $SB_NEW on port $SB_NEW_PORT)"
}

ini_only_urls() {	# ini_only_urls NAME: the ini differs from the original in the URLs' ports only
	sed "/url = postgresql/s/@127\.0\.0\.1:$SB_OLD_PORT\//@127.0.0.1:$SB_NEW_PORT\//" "$SB_DIR/ini.orig" >"$TAP_TMP/want.ini"
	if cmp -s "$TAP_TMP/want.ini" "$SB_INI"; then
		tap_result 0 "$1: the ini differs from the original only in the URLs' ports"
	else
		tap_result 1 "$1: the ini differs from the original only in the URLs' ports"
		diff "$TAP_TMP/want.ini" "$SB_INI" | sed 's/^/# /'
	fi
	is "$(diff "$SB_DIR/ini.orig" "$SB_INI" | grep -c '^>')" 3 "$1: three lines changed"
}

logins() {	# logins NAME PORT: CKAN's roles log in there with their passwords
	is "$(ckan "$2" ckan_default ckan_default 'SELECT count(*) FROM package')" 500 "$1: ckan_default logs in to NEW with its password and reads"
	is "$(ckan "$2" ckan_default datastore_default 'CREATE TABLE t_new (i int); DROP TABLE t_new; SELECT 1')" 1 \
		"$1: ckan_default can create tables in the DataStore"
	is "$(ckan "$2" datastore_default datastore_default 'SELECT count(*) FROM "0f6a3d2c-res"')" 2000 \
		"$1: datastore_default logs in to NEW with its password and reads"
	is "$(ckan "$2" ckan_default ckan_default "SELECT last_value FROM activity_id_seq")" 4242 "$1: the sequence came along"
}

# --- 1. --method upgrade (pg_upgrade), copy and --link
mode_upgrade() {	# mode_upgrade copy|link
	mode=$1
	name="--method upgrade"
	[ "$mode" = link ] && name="--method upgrade --link"
	setup "$name" || return
	link=""
	[ "$mode" = link ] && link=--link
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method upgrade ${link:+"$link"} \
		--verify-rows counts
	run ckan-pg-upgrade plan "$@"
	is "$RC" 0 "$name: plan exits 0"
	like "$OUT" "pg_upgrade -b $PG15 -B $PG15 " "$name: plan prints the pg_upgrade command"
	ok "$name: plan leaves the ini alone" cmp "$SB_INI" "$SB_DIR/ini.orig"
	t0=$(date +%s)
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || { echo "$OUT$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
	echo "# run took $(($(date +%s) - t0)) s"
	like "$OUT" "verify: 5 tables \(4021 rows\) compared; 0 differences" "$name: run verified before switching"
	ini_only_urls "$name"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$name: verify exits 0"
	like "$OUT" "0 differences" "$name: verify finds no difference"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	logins "$name" "$SB_NEW_PORT"
	is "$(su_sql "$SB_NEW_PORT" postgres "SELECT count(*) FROM pg_database WHERE datname = 'ckan_test'")" 1 \
		"$name: pg_upgrade moved every database"
	like "$OUT" "OLD does not run.*recorded before pg_upgrade" "$name: verify compares with OLD as recorded before pg_upgrade"
	ok "$name: OLD stays stopped after the switch (nothing can write to it)" sh -c "! cluster-port --check $SB_OLD"
	run ckan-pg-upgrade rollback --state-dir "$state"
	is "$RC" 0 "$name: rollback exits 0"
	ok "$name: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	if [ "$mode" = link ]; then
		like "$OUT$ERR" "cannot be started again" "$name: rollback says OLD is gone after --link"
	else
		is "$(ckan "$SB_OLD_PORT" ckan_default ckan_default 'SELECT count(*) FROM package')" 500 \
			"$name: after rollback CKAN's URL reaches OLD with its data"
	fi
	unset TMPDIR
	sb_cleanup
}

# --- 2. --switch ports
mode_ports() {
	name="--switch ports"
	setup "$name" || return
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --switch ports
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || { echo "$OUT$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
	ok "$name: the ini is byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	is "$(cluster-port "$SB_NEW")" "$SB_OLD_PORT" "$name: cluster-port: NEW has OLD's port"
	oldnow=$(cluster-port "$SB_OLD")
	isnt_old=$([ -n "$oldnow" ] && [ "$oldnow" != "$SB_OLD_PORT" ] && [ "$oldnow" != "$SB_NEW_PORT" ] && echo yes)
	is "$isnt_old" yes "$name: cluster-port: OLD has a free port ($oldnow)"
	ok "$name: OLD answers on its new port" cluster-port --check "$SB_OLD"
	is "$(su_sql "$SB_OLD_PORT" postgres 'SHOW data_directory')" "$SB_DIR/data/new" "$name: OLD's port is NEW's server now"
	su_sql "$SB_OLD_PORT" ckan_default "CREATE TABLE upgrade_marker (); ALTER TABLE upgrade_marker OWNER TO ckan_default" >/dev/null
	is "$(ckan "$SB_OLD_PORT" ckan_default ckan_default "SELECT current_setting('cluster_name') || ' ' || to_regclass('upgrade_marker')::text")" \
		"15/new upgrade_marker" "$name: CKAN's URL reaches NEW (its cluster_name, the marker only NEW has)"
	logins "$name" "$SB_OLD_PORT"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 1 "$name: verify sees the marker table only NEW has"
	su_sql "$SB_OLD_PORT" ckan_default "DROP TABLE upgrade_marker" >/dev/null
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$name: verify exits 0 with the ports swapped"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	run ckan-pg-upgrade rollback --state-dir "$state"
	is "$RC" 0 "$name: rollback exits 0"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	ok "$name: the ini is still byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	is "$(cluster-port "$SB_OLD")" "$SB_OLD_PORT" "$name: cluster-port: OLD has its port back"
	is "$(cluster-port "$SB_NEW")" "$SB_NEW_PORT" "$name: cluster-port: NEW has its own again"
	is "$(ckan "$SB_OLD_PORT" ckan_default ckan_default "SELECT coalesce(current_setting('cluster_name'), '') || '|' || count(*) FROM package")" \
		"|500" "$name: CKAN's URL reaches OLD again"
	unset TMPDIR
	sb_cleanup
}

# --- 3. --host with --from-port/--to-port: servers known only by address
mode_remote() {
	name="--host"
	sb_setup 12 >"$TAP_TMP/setup.log" 2>&1 || {
		cat "$TAP_TMP/setup.log" >&2
		tap_result 1 "$name: sandbox"
		sb_cleanup
		return
	}
	cp -p "$SB_INI" "$SB_DIR/ini.orig"
	state=$SB_DIR/state
	echo "# PostgreSQL $(ver "$SB_OLD_BIN") -> $(ver "$PG15") ($name 127.0.0.1: OLD on port $SB_OLD_PORT, NEW on port $SB_NEW_PORT)"
	sb_psql old -c "ALTER ROLE postgres PASSWORD 'su-secret'"
	sb_psql new -c "ALTER ROLE postgres PASSWORD 'su-secret'"
	umask 077
	printf '127.0.0.1:*:*:postgres:su-secret\n' >"$SB_DIR/su.pgpass"
	umask 022
	# Nothing of the clusters' files is known: an empty cluster root.
	mkdir -p "$SB_DIR/nothing"
	set -- --host 127.0.0.1 --from-port "$SB_OLD_PORT" --to-port "$SB_NEW_PORT" -c "$SB_INI" \
		--state-dir "$state" --passfile "$SB_DIR/su.pgpass"
	r() { PG_CLUSTER_CONF_ROOT=$SB_DIR/nothing run ckan-pg-upgrade "$@"; }

	r plan "$@"
	is "$RC" 0 "$name: plan exits 0"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	like "$OUT" "127.0.0.1:$SB_OLD_PORT \(PostgreSQL 12, port $SB_OLD_PORT, online\)" "$name: plan asks OLD its version"
	like "$OUT" "NOT DONE: merging OLD's pg_hba.conf rules" "$name: plan says pg_hba.conf is not carried"
	like "$OUT" "NOT DONE: carrying OLD's customised settings into NEW's conf.d" "$name: plan says the settings are not carried"
	like "$OUT" "NOT DONE: restarting NEW" "$name: plan says NEW is not restarted"
	like "$OUT" "pg_dump -h 127.0.0.1 -p $SB_OLD_PORT -U postgres -Fc" "$name: plan dumps over TCP as the superuser"
	unlike "$OUT" "runuser|su-secret|demo-pass" "$name: plan runs nothing as a local user and shows no password"
	r plan "$@" --method upgrade --switch ports
	like "$OUT" "cannot: pg_upgrade needs both data directories" "$name: plan --method upgrade says it cannot"
	like "$OUT" "cannot: --switch ports restarts both servers" "$name: plan --switch ports says it cannot"
	like "$OUT" "run would stop before changing anything" "$name: and that run would stop"
	r run --yes "$@" --method upgrade
	is "$RC" 2 "$name: run --method upgrade exits 2"
	like "$ERR" "nothing was changed" "$name: and changes nothing"
	r run --yes "$@" --switch ports
	is "$RC" 2 "$name: run --switch ports exits 2"
	ok "$name: no state directory after the refusals" test ! -e "$state"
	is "$(sb_psql new -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE '%default'")" 0 "$name: NEW untouched"
	chmod 644 "$SB_DIR/su.pgpass"
	r plan "$@"
	is "$RC" 2 "$name: a passfile others may read is refused"
	like "$ERR" "chmod 600" "$name: with the fix"
	chmod 600 "$SB_DIR/su.pgpass"

	# verify before anything moved: every table missing in NEW
	r verify "$@"
	is "$RC" 1 "$name: verify exits 1 while NEW is empty"
	t0=$(date +%s)
	r run --yes "$@"
	is "$RC" 0 "$name: run --yes completes"
	[ "$RC" = 0 ] || { echo "$OUT$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
	echo "# run took $(($(date +%s) - t0)) s"
	like "$OUT" "verify: 5 tables \(4021 rows\) compared; 0 differences" "$name: run verified before switching"
	ini_only_urls "$name"
	r verify "$@"
	is "$RC" 0 "$name: verify exits 0"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	logins "$name" "$SB_NEW_PORT"
	is "$(grep -c 'su-secret\|demo-pass\|demo-read' "$state/log")" 0 "$name: no password in the log"
	r rollback --state-dir "$state"
	is "$RC" 0 "$name: rollback exits 0"
	[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/# /'
	ok "$name: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	is "$(sb_as_postgres psql -X -At -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d ckan_default -c 'SHOW default_transaction_read_only')" off \
		"$name: OLD's databases are writable after rollback"
	sb_cleanup
}

mode_upgrade copy
mode_upgrade link
mode_ports
mode_remote
done_testing
