#!/bin/sh
# ckan-pg-upgrade end to end: a CKAN-like site (tests/lib/demo.sh's sandbox:
# md5 roles, a group role with a member, two databases with data, a
# sequence, three ALTER DATABASE ... SET, two ALTER ROLE ... IN DATABASE ...
# SET, one ALTER ROLE ... SET, CONNECTION LIMIT 80, three large objects, a
# column grant, DataStore permissions and CKAN's _table_metadata view, a
# generated production.ini) on OLD = PostgreSQL 12 from npm, moved to NEW =
# Debian's 15 made by pg_createcluster, with a DataStore that never ran
# "ckan datastore set-permissions" (default privileges only); then 10 -> 15 with it.
# For each pair: plan changes nothing; with --hold-on-failure a restore made
# to fail mid-run keeps the site down with OLD read-only, and run again
# resumes without redoing finished steps; the ini's URLs then point at NEW
# and nothing else in it changed; verify passes by the catalogs (and fails
# on a planted difference); NEW's grants equal OLD's; CKAN's roles log in
# with their passwords, also after a password change on NEW; pg_dump
# --create --schema-only of each database is the same on OLD and NEW but
# for the named exceptions below; no password in the log or left in a
# passfile; rollback restores the ini byte-identical and OLD writable; a
# write to OLD after the rollback is on NEW after the next run.
# Needs root, postgresql-common and PostgreSQL 15: in CI (CI=true) their
# absence is a failure, elsewhere a skip.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"

sb_test_require

# pg_dump --schema-only differs between OLD and NEW by design only in:
#  1. "\restrict KEY" / "\unrestrict KEY": pg_dump >= 15.14 writes a random
#     key per run (CVE-2025-8714), so two dumps never share it;
#  2. "-- Dumped from database version V": the server version;
#  3. "SET default_table_access_method = heap;" (and the blank line after
#     it): pg_dump writes it for servers >= 12, which have table access
#     methods, so it is missing from a dump of 10 or 11 only.
# Nothing else is filtered.
schema_norm() {
	sed -e 's/^\\\(un\)*restrict [A-Za-z0-9]*$/\\\1restrict KEY/' \
		-e 's/^-- Dumped from database version .*/-- Dumped from database version V/' \
		-e '/^SET default_table_access_method = heap;$/{N;d;}'
}

upgrade_pair() {	# upgrade_pair OLDMAJOR INJECT(0|1) SET_PERMISSIONS(0|1)
	inject=$2
	SB_SET_PERMISSIONS=$3 sb_setup "$1" >"$TAP_TMP/setup.log" 2>&1 || {
		cat "$TAP_TMP/setup.log" >&2
		tap_result 1 "sandbox with PostgreSQL $1 and 15"
		sb_cleanup
		return
	}
	oldv=$("$SB_OLD_BIN/postgres" --version | sed 's/.* //')
	echo "# OLD $SB_OLD: PostgreSQL $oldv ($SB_OLD_BIN), NEW $SB_NEW: PostgreSQL $(/usr/lib/postgresql/15/bin/postgres --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/')"
	pair="$SB_OLD -> $SB_NEW"
	if [ "$1" != 15 ] && [ "${SB_OLD%%/*}" = 15 ]; then
		echo "# npm unreachable: PostgreSQL $1 replaced by 15"
		if [ "${CI:-}" = true ]; then
			tap_result 1 "PostgreSQL $1 from npm in CI"
		fi
	fi
	cp -p "$SB_INI" "$SB_DIR/ini.orig"
	state=$SB_DIR/state
	mkdir -p "$SB_DIR/tmp"
	chmod 1777 "$SB_DIR/tmp"
	TMPDIR=$SB_DIR/tmp
	export TMPDIR
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" \
		--stop-cmd "date +%s >>$SB_DIR/web.stop" --start-cmd "date +%s >>$SB_DIR/web.start"

	# --- plan changes nothing
	run ckan-pg-upgrade plan "$@"
	is "$RC" 0 "$pair: plan exits 0"
	like "$OUT" "PGDATABASE=ckan_default .*pg_dump .*-Fc" "$pair: plan prints the dump command"
	like "$OUT" "pg_restore --exit-on-error --create" "$pair: plan restores with pg_restore --create (owner, settings, ACL)"
	like "$OUT" "ckan-pgurl -c .* --all set port=$SB_NEW_PORT" "$pair: plan prints the switch"
	ok "$pair: plan leaves the ini alone" cmp "$SB_INI" "$SB_DIR/ini.orig"
	ok "$pair: plan makes no state directory" test ! -e "$state"
	is "$(sb_psql new -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE '%default'")" 0 \
		"$pair: plan creates nothing in NEW"

	# --- a restore that fails half-way, then resume
	if [ "$inject" = 1 ]; then
		shim=$SB_DIR/shim
		mkdir -p "$shim"
		for t in psql pg_dump pg_dumpall vacuumdb; do ln -s "/usr/lib/postgresql/15/bin/$t" "$shim/$t"; done
		cat >"$shim/pg_restore" <<EOF
#!/bin/sh
# injected failure: restore only the schema's first part of what comes
# on stdin (the streamed dump), then fail
if [ -f "$SB_DIR/fail" ]; then
	/usr/lib/postgresql/15/bin/pg_restore --section=pre-data "\$@"
	echo "pg_restore: error: injected failure" >&2
	exit 1
fi
exec /usr/lib/postgresql/15/bin/pg_restore "\$@"
EOF
		chmod 755 "$shim" "$shim/pg_restore"
		# (made when the window opens: the schema and large tables are copied before it)
		PG_CLIENT_BINDIR=$shim run ckan-pg-upgrade run --yes --hold-on-failure "$@" \
			--stop-cmd "date +%s >>$SB_DIR/web.stop; touch $SB_DIR/fail"
		is "$RC" 2 "$pair: run stops with exit 2 when a restore fails"
		like "$ERR" "hold-on-failure: the site stays down" "$pair: --hold-on-failure keeps the site down for a resume"
		like "$ERR" 'step "copy" failed' "$pair: the failed step is named"
		like "$ERR" "injected failure" "$pair: the restore's error is shown"
		run ckan-pg-upgrade status --state-dir "$state"
		like "$OUT" "copy +FAILED" "$pair: status shows the failed step"
		like "$OUT" "roles +done" "$pair: status shows the finished ones"
		like "$OUT" "inside the downtime window" "$pair: status says the site is inside the downtime window"
		ok "$pair: the ini is untouched after the failure" cmp "$SB_INI" "$SB_DIR/ini.orig"
		w=$(PGPASSWORD=demo-pass psql -X -h 127.0.0.1 -p "$SB_OLD_PORT" -U ckan_default -d ckan_default \
			-c "INSERT INTO activity (what) VALUES ('lost write')" 2>&1)
		like "$w" "read-only transaction" "$pair: OLD refuses writes while the upgrade is under way"
		rm -f "$SB_DIR/fail"
		PG_CLIENT_BINDIR=$shim run ckan-pg-upgrade run --yes "$@"
		is "$RC" 0 "$pair: run again completes"
		[ "$RC" = 0 ] || { echo "$ERR" | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
		like "$OUT" "copy the roles \(pg_dumpall --roles-only\): done before, skipped" "$pair: run again skips the finished steps"
		like "$OUT" "dropping the ckan_default left by an earlier attempt" "$pair: a half-restored database is dropped first"
		like "$OUT" "dropping the datastore_default left by an earlier attempt" "$pair: every half-restored database is"
		is "$(grep -c 'begin roles$' "$state/log")" 1 "$pair: log: roles copied once"
		is "$(grep -c 'begin copy$' "$state/log")" 2 "$pair: log: the databases copied twice"
	else
		run ckan-pg-upgrade run --yes "$@"
		is "$RC" 0 "$pair: run --yes completes"
		[ "$RC" = 0 ] || { echo "$ERR" | sed 's/^/# /'; tail -n 30 "$state/log" | sed 's/^/# /'; }
	fi
	like "$OUT" "verify: 5 tables \(4021 rows\) compared; 0 differences" "$pair: run verified before switching"
	is "$(wc -l <"$SB_DIR/web.stop" | tr -d ' ')" 1 "$pair: the web server was stopped once"
	is "$(wc -l <"$SB_DIR/web.start" | tr -d ' ')" 1 "$pair: and started once"
	run ckan-pg-upgrade status --state-dir "$state"
	like "$OUT" "^finished" "$pair: status says finished"

	# --- the ini: every URL at NEW, nothing else changed
	ports=$(ckan-pgurl -c "$SB_INI" --all --shell | sed -n "s/^CKAN_DB_[A-Z]*_PORT='\(.*\)'/\1/p" | sort -u)
	is "$ports" "$SB_NEW_PORT" "$pair: every URL in the ini points at NEW's port"
	sed "/url = postgresql/s/@127\.0\.0\.1:$SB_OLD_PORT\//@127.0.0.1:$SB_NEW_PORT\//" "$SB_DIR/ini.orig" >"$TAP_TMP/want.ini"
	if cmp -s "$TAP_TMP/want.ini" "$SB_INI"; then
		tap_result 0 "$pair: the ini differs from the original only in the URLs' ports"
	else
		tap_result 1 "$pair: the ini differs from the original only in the URLs' ports"
		diff "$TAP_TMP/want.ini" "$SB_INI" | sed 's/^/# /'
	fi
	is "$(diff "$SB_DIR/ini.orig" "$SB_INI" | grep -c '^>')" 3 "$pair: three lines changed"

	# --- verify
	run ckan-pg-upgrade verify "$@"
	is "$RC" 0 "$pair: verify exits 0"
	like "$OUT" "0 differences" "$pair: verify finds no difference"
	sb_as_postgres psql -X -q -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d ckan_default \
		-c "INSERT INTO package (name) VALUES ('planted'); GRANT SELECT ON resource TO datastore_default"
	run ckan-pg-upgrade verify "$@"
	is "$RC" 1 "$pair: verify exits 1 on a difference"
	like "$OUT" "DIFF +ckan_default +rows +public.package +OLD 500 \| NEW 501" "$pair: verify shows the row count"
	like "$OUT" "DIFF +ckan_default +relation +public.resource .*datastore_default:select" "$pair: verify shows the grant"
	# A changed row, the count the same: only --verify-rows digest reads the rows.
	sb_as_postgres psql -X -q -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d ckan_default \
		-c "DELETE FROM package WHERE name = 'planted'; REVOKE SELECT ON resource FROM datastore_default" \
		-c "SELECT setval('package_id_seq', 500)" \
		-c "UPDATE package SET name = name || '-changed' WHERE name = (SELECT min(name) FROM package)"
	# (The planted grant's REVOKE leaves an explicit ACL: verify names it, not the rows.)
	run ckan-pg-upgrade verify "$@"
	unlike "$OUT" "DIFF +ckan_default +rows" "$pair: verify (row counts, the default) passes a changed row"
	run ckan-pg-upgrade verify --verify-rows digest "$@"
	is "$RC" 1 "$pair: verify --verify-rows digest finds the changed row"
	like "$OUT" "DIFF +ckan_default +rows +public.package +OLD 500 sum=.* \| NEW 500 sum=" "$pair: ... by the rows' digest"
	sb_as_postgres psql -X -q -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres -d ckan_default \
		-c "UPDATE package SET name = left(name, -8) WHERE name LIKE '%-changed'"
	run ckan-pg-upgrade verify --verify-rows digest "$@"
	unlike "$OUT" "DIFF +ckan_default +rows" "$pair: verify --verify-rows digest: no row difference once the row is back"

	# --- CKAN's roles log in to NEW with their passwords (a passfile of our own)
	umask 077
	printf '*:*:*:ckan_default:demo-pass\n*:*:*:datastore_default:demo-read\n' >"$TAP_TMP/pgpass"
	umask 022
	q() { PGPASSFILE=$TAP_TMP/pgpass psql -X -q -At -h 127.0.0.1 -p "$SB_NEW_PORT" "$@" 2>&1; }
	is "$(q -U ckan_default -d ckan_default -c 'SELECT count(*) FROM package')" 500 "$pair: ckan_default logs in to NEW and reads its data"
	is "$(q -U ckan_default -d ckan_default -c 'CREATE TABLE t_new (i int); DROP TABLE t_new; SELECT 1')" 1 \
		"$pair: ckan_default can still create tables in ckan_default"
	is "$(q -U ckan_default -d datastore_default -c 'CREATE TABLE t_new (i int); DROP TABLE t_new; SELECT 1')" 1 \
		"$pair: ckan_default can still create tables in the DataStore"
	if [ "$3" = 1 ]; then
		is "$(q -U datastore_default -d datastore_default -c 'SELECT count(*) FROM "0f6a3d2c-res"')" 2000 \
			"$pair: the DataStore's read-only user logs in and reads"
		like "$(q -U datastore_default -d datastore_default -c 'CREATE TABLE x (i int)')" "permission denied" \
			"$pair: and cannot create tables"
	fi
	grants="SELECT string_agg(c.relname || ':' || has_table_privilege('datastore_default', c.oid, 'SELECT'), ' ' ORDER BY c.relname)
		FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')"
	is "$(su_at "$SB_NEW_PORT" datastore_default "$grants")" "$(su_at "$SB_OLD_PORT" datastore_default "$grants")" \
		"$pair: the read-only user's grants on NEW equal OLD's (_table_metadata included, nothing granted behind the site's back)"
	is "$(q -U ckan_default -d ckan_default -c 'SHOW lock_timeout')" 5s "$pair: ALTER ROLE ... IN DATABASE ... SET came along"
	is "$(q -U datastore_default -d datastore_default -c 'SHOW statement_timeout; SHOW work_mem' | tr '\n' ' ')" "1min 4MB " \
		"$pair: ALTER ROLE ... SET and ALTER ROLE ... IN DATABASE ... SET of the reader came along"
	is "$(su_at "$SB_NEW_PORT" postgres "SELECT datconnlimit FROM pg_database WHERE datname = 'ckan_default'")" 80 \
		"$pair: the connection limit came along"
	is "$(su_at "$SB_NEW_PORT" ckan_default "SELECT count(*) FROM pg_largeobject_metadata")" 3 "$pair: the large objects came along"
	colgrant="SELECT has_column_privilege('datastore_default', 'package', 'name', 'SELECT') || ' ' ||
		has_column_privilege('datastore_default', 'package', 'created', 'SELECT')"
	is "$(su_at "$SB_NEW_PORT" ckan_default "$colgrant")" "true false" "$pair: the column grant came along (name, not created)"
	is "$(q -U ckan_default -d ckan_default -c "SELECT nextval('activity_id_seq')")" 4243 "$pair: the sequence goes on where it was"
	is "$(q -U ckan_default -d ckan_default -c 'SHOW work_mem')" 16MB "$pair: the database's settings came along"
	like "$(q -U datastore_default -d ckan_default -c 'SELECT 1')" "permission denied for database" \
		"$pair: the database's grants came along (the DataStore reader may not connect to CKAN's)"

	# --- a password change on NEW keeps CKAN logging in (scram-sha-256
	# stored, accepted by OLD's md5 rules and NEW's own)
	is "$(q -U ckan_default -d ckan_default -c "SHOW password_encryption")" scram-sha-256 "$pair: NEW stores new passwords as scram-sha-256"
	su_at "$SB_NEW_PORT" postgres "ALTER ROLE ckan_default PASSWORD 'demo-pass'" >/dev/null
	is "$(q -U ckan_default -d ckan_default -c 'SELECT 1')" 1 "$pair: ckan_default logs in after ALTER ROLE ... PASSWORD on NEW"

	# --- no password in the log, no passfile left behind
	is "$(grep -c 'demo-pass\|demo-read' "$state/log")" 0 "$pair: no password in the log"
	find "$SB_DIR/tmp" "$state" -name 'pass*' | sed 's/^/# left: /'
	is "$(find "$SB_DIR/tmp" -mindepth 1 | wc -l | tr -d ' ')" 0 "$pair: no temporary file left behind"
	is "$(find "$state" -name 'pass.*' | wc -l | tr -d ' ')" 0 "$pair: no passfile left in the state directory"
	like "$(grep 'check-login' "$state/log" | head -n 1)" "PGPASSFILE=" "$pair: logins are checked with a passfile"
	unlike "$(grep 'check-login' "$state/log" | head -n 1)" ":demo-" "$pair: not with passwords on the command line"

	# --- OLD stays read-only until rollback; then a write to OLD, run again
	is "$(su_at "$SB_OLD_PORT" ckan_default 'SHOW default_transaction_read_only')" on \
		"$pair: OLD's databases stay read-only after the switch"
	run ckan-pg-upgrade rollback --state-dir "$state" --start-cmd "date +%s >>$SB_DIR/web.start"
	is "$RC" 0 "$pair: rollback exits 0"
	ok "$pair: rollback restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	is "$(wc -l <"$SB_DIR/web.start" | tr -d ' ')" 2 "$pair: rollback starts the web server"
	run ckan-pg-upgrade status --state-dir "$state"
	like "$OUT" "rolled back" "$pair: status says rolled back"
	# --- pg_dump --schema-only, OLD (writable again) vs NEW
	for db in ckan_default datastore_default; do
		sb_as_postgres pg_dump --create --schema-only -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres "$db" | schema_norm >"$TAP_TMP/old.sql"
		sb_as_postgres pg_dump --create --schema-only -h "$SB_RUN" -p "$SB_NEW_PORT" -U postgres "$db" | schema_norm >"$TAP_TMP/new.sql"
		if diff -u "$TAP_TMP/old.sql" "$TAP_TMP/new.sql" >"$TAP_TMP/schema.diff"; then
			tap_result 0 "$pair: pg_dump --create --schema-only $db is the same on OLD and NEW"
		else
			tap_result 1 "$pair: pg_dump --create --schema-only $db is the same on OLD and NEW"
			sed 's/^/# /' "$TAP_TMP/schema.diff" | head -n 40
		fi
	done

	w=$(PGPASSWORD=demo-pass psql -X -q -At -h 127.0.0.1 -p "$SB_OLD_PORT" -U ckan_default -d ckan_default \
		-c "INSERT INTO package (name) VALUES ('written after the rollback') RETURNING 1" 2>&1)
	is "$w" 1 "$pair: OLD takes writes again after the rollback"
	run ckan-pg-upgrade run --yes "$@"
	is "$RC" 0 "$pair: run after the rollback completes"
	like "$OUT" "starts over" "$pair: and says it starts over"
	unlike "$OUT" "done before, skipped" "$pair: no step of the rolled-back attempt is reused"
	is "$(q -U ckan_default -d ckan_default -c "SELECT count(*) FROM package WHERE name = 'written after the rollback'")" 1 \
		"$pair: the write made on OLD after the rollback is on NEW"
	run ckan-pg-upgrade rollback --state-dir "$state"
	ok "$pair: rollback again restores the ini byte-identical" cmp "$SB_INI" "$SB_DIR/ini.orig"
	unset TMPDIR
	sb_cleanup
}

su_at() {	# su_at PORT DB SQL: the superuser over the sandbox's socket
	sb_as_postgres psql -X -q -At -h "$SB_RUN" -p "$1" -U postgres -d "$2" -c "$3" 2>&1
}
upgrade_pair 12 1 0
# 10 -> 15 with every table's rows by COPY streams of their own (binary from OLD 10).
CKAN_PG_UPGRADE_COPY_MIN_BYTES=0
export CKAN_PG_UPGRADE_COPY_MIN_BYTES
upgrade_pair 10 0 1
done_testing
