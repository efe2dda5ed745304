#!/bin/sh
# ckan-pg-upgrade --method logical on tests/lib/demo.sh's sandbox (PostgreSQL
# 12 from npm -> Debian's 15).  A writer plays CKAN: one INSERT every 100 ms
# through the ini's URL (it follows the switch), none while the web server is
# "stopped".  Then:
#  - a run killed (-9) after the sync, a table made on OLD, and a run that
#    resumes; another table is made while the web stops (DDL during the sync
#    and inside the window): both arrive with their rows, every write the
#    writer saw acknowledged is on NEW, verify finds no difference, and no
#    slot, publication or subscription is left; REPLICA IDENTITY is as before;
#    an unlogged table, large objects and sequences are copied in the window;
#    datastore_default has statement_timeout = 20ms, which none of it meets;
#  - rollback, and a run meeting DDL it does not carry (ALTER TABLE ADD
#    COLUMN): refused with the reason, the site back on OLD, no slot left;
#  - Ctrl-C (SIGINT to the driver's process group) inside the window;
#  - a subscription that does not run: sync or catch-up stops and says why;
#  - kill -9 after every step, each followed by run (it resumes and finishes)
#    or rollback (OLD as before, no slot).  Not under SAN=1: the driver is sh,
#    the matrix exercises PostgreSQL and the driver, no C built with SAN.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"

sb_test_require

sb_test_setup 12
state=$SB_DIR/state
down=$SB_DIR/web-down
web=$SB_DIR/web
cp -p "$SB_INI" "$SB_DIR/ini.orig"

psql_at() {	# psql_at PORT DB SQL: one value (the test's own statements know no statement_timeout)
	sb_as_postgres env PGOPTIONS='-c statement_timeout=0' psql -X -At -v ON_ERROR_STOP=1 -h "$SB_RUN" -p "$1" \
		-U postgres -d "$2" -c "$3"
}
old() { psql_at "$SB_OLD_PORT" "$@"; }
new() { psql_at "$SB_NEW_PORT" "$@"; }
ours_left() {	# what --method logical made and left: slots and publications on OLD, subscriptions on NEW
	echo "$(old postgres "SELECT count(*) FROM pg_replication_slots")" \
		"$(old ckan_default "SELECT count(*) FROM pg_publication")$(old datastore_default "SELECT count(*) FROM pg_publication")" \
		"$(new postgres "SELECT count(*) FROM pg_subscription" 2>/dev/null || echo 0)"
}
ro() { echo "$(old ckan_default 'SHOW default_transaction_read_only')/$(old datastore_default 'SHOW default_transaction_read_only')"; }

old ckan_default "CREATE TABLE writes (n int PRIMARY KEY, at timestamptz DEFAULT now()); ALTER TABLE writes OWNER TO ckan_default"
# A site's statement_timeout must not cancel the upgrade's own waits, reads and copies.
old postgres "ALTER DATABASE datastore_default SET statement_timeout = '20ms'" >/dev/null
old datastore_default "SET ROLE ckan_default; CREATE UNLOGGED TABLE cache (k int PRIMARY KEY); INSERT INTO cache SELECT generate_series(1, 33)" >/dev/null

# The writer: CKAN writing once every 100 ms, wherever the ini points.
printf '*:*:*:ckan_default:demo-pass\n' >"$SB_DIR/pgpass" && chmod 600 "$SB_DIR/pgpass"	# OLD's port and NEW's
writer() {
	n=0
	while [ ! -f "$SB_DIR/writer.stop" ]; do
		n=$((n + 1))
		t=$(date +%s.%N)
		if [ -f "$down" ]; then
			echo "$n down $t"
		elif PGPASSFILE=$SB_DIR/pgpass PGCONNECT_TIMEOUT=2 psql -X -q -At -d "$(ckan-pgurl -c "$SB_INI" -k main url)" \
			-c "INSERT INTO writes (n) VALUES ($n)" >/dev/null 2>&1; then
			echo "$n ok $t"
		else
			echo "$n refused $t"
		fi
		sleep 0.1
	done
}
writer >"$SB_DIR/writes" &
writer_pid=$!

set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method logical \
	--stop-cmd "touch $down; echo stop >>$web; sh $SB_DIR/ddl.sh" --start-cmd "rm -f $down; echo start >>$web"
make_table() {	# make_table NAME ROWS: CKAN's DataStore makes a table for a new resource, on OLD
	old datastore_default "SET ROLE ckan_default; CREATE TABLE \"$1\" (_id serial PRIMARY KEY, v text);
		INSERT INTO \"$1\" (v) SELECT 'row ' || g FROM generate_series(1, $2) g" >/dev/null
}
ddl() {	# ddl SQL: what the stop command does on OLD's datastore_default
	printf 'runuser -u postgres -- env PGOPTIONS="-c statement_timeout=0" psql -X -q -h %s -p %s -U postgres -d datastore_default -c %s\n' "$SB_RUN" "$SB_OLD_PORT" "'$1'" >"$SB_DIR/ddl.sh"
}
ddl "ALTER ROLE ckan_default CONNECTION LIMIT 77; SET ROLE ckan_default; CREATE TABLE \"made in the window\" (_id serial PRIMARY KEY, v text); INSERT INTO \"made in the window\" (v) SELECT g::text FROM generate_series(1, 77) g"

# 1. Killed after the sync; DDL; the run resumes and finishes.
CKAN_PG_UPGRADE_FAIL=sync:kill run ckan-pg-upgrade run --yes "$@"
is "$RC" 137 "killed (-9) after the sync"
run ckan-pg-upgrade status --state-dir "$state"
like "$OUT" "replication slot on OLD: ckan_pgtools_[0-9]+ ckan_default active" "status shows the slot the run made"
make_table "made during the sync" 250
sleep 1
run ckan-pg-upgrade run --yes "$@"
is "$RC" 0 "the next run resumes and finishes"
like "$OUT" "1 table\\(s\\) made on OLD since the schema copy" "the tables made since the schema copy are found"
like "$OUT" "0 differences" "verify: no difference"
is "$(new datastore_default 'SELECT count(*) FROM "made during the sync"')" 250 "a table made during the sync is on NEW with its rows"
is "$(new datastore_default 'SELECT count(*) FROM "made in the window"')" 77 "a table made as the web stopped is on NEW with its rows"
is "$(ours_left)" "0 00 0" "no slot, publication or subscription is left"
is "$(new postgres "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'ckan_default'")" 77 \
	"a role changed as the web stopped is copied again in the window"
is "$(old datastore_default "SELECT relreplident FROM pg_class WHERE relname = '_table_metadata_note'")" d \
	"OLD's REPLICA IDENTITY is as before (a table without a key had FULL during the sync)"
is "$(new ckan_default "SELECT last_value FROM activity_id_seq")" 4242 "sequences: NEW's are OLD's"
is "$(new ckan_default "SELECT count(*) FROM pg_largeobject_metadata")" 3 "large objects are copied"
is "$(new datastore_default "SELECT count(*) FROM cache")" 33 "an unlogged table is copied in the window"
sleep 1
: >"$SB_DIR/writer.stop"
wait "$writer_pid"
acked=$(awk '$2 == "ok" { print $1 }' "$SB_DIR/writes" | sort -n)
on_new=$(new ckan_default "SELECT n FROM writes ORDER BY n")
is "$on_new" "$acked" "0 writes lost: every acknowledged write is on NEW ($(echo "$acked" | wc -l) writes)"
# shellcheck disable=SC2016 # awk programs
ok "the writer wrote before the window" awk '$2 == "ok" { a = 1 } $2 == "down" { exit !a } END { exit !a }' "$SB_DIR/writes"
# shellcheck disable=SC2016 # awk programs
ok "the writer wrote after the window" awk '$2 == "down" { d = 1 } $2 == "ok" && d { a = 1 } END { exit !a }' "$SB_DIR/writes"
echo "# writes refused (OLD's restart for wal_level = logical, before the window): $(grep -c refused "$SB_DIR/writes")"
awk '$2 == "down" { if (!s) s = $3; e = $3 } END { printf "# the web was down %.1f s (the writer saw it stopped)\n", e - s }' "$SB_DIR/writes"

# 2. rollback; a run that meets DDL it does not carry.
run ckan-pg-upgrade rollback --state-dir "$state"
is "$RC" 0 "rollback after the finished run"
ok "rollback: the ini is byte-identical" cmp -s "$SB_INI" "$SB_DIR/ini.orig"
is "$(ro)" off/off "rollback: OLD is writable"
ddl 'ALTER TABLE "0f6a3d2c-res" ADD COLUMN country text'
: >"$web"
run ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "DDL the tool does not carry: run exits 2"
like "$OUT" "schema changed during the sync" "it says why"
like "$OUT" "OLD's roles are as when first copied" "roles that did not change are not copied again in the window"
like "$OUT" "country" "and shows the difference"
is "$(ours_left)" "0 00 0" "no slot, publication or subscription is left"
is "$(ro)" off/off "OLD is writable"
is "$(grep -c start "$web")" 1 "the web server was started again"
old datastore_default 'ALTER TABLE "0f6a3d2c-res" DROP COLUMN country' >/dev/null

# 3. Ctrl-C inside the window (SIGINT to the driver's process group).
ddl 'SELECT 1'
: >"$web"
set -- "$@" --stop-cmd "echo stop >>$web; kill -INT 0; sleep 5"
run setsid -w ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "Ctrl-C: run exits 2"
is "$(ours_left)" "0 00 0" "Ctrl-C: no slot, publication or subscription is left"
is "$(ro)" off/off "Ctrl-C: OLD is writable"
ok "Ctrl-C: the ini is byte-identical" cmp -s "$SB_INI" "$SB_DIR/ini.orig"
is "$(grep -c start "$web")" 1 "Ctrl-C: the web server was started again"
run ckan-pg-upgrade status --state-dir "$state"
like "$OUT" "rolled back" "Ctrl-C: status says rolled back"

# 3b. A subscription that does not run (NEW cannot reach OLD, say): sync stops after 30 s, or (the
# tables copied already) catch-up after 10 s, and says so.
set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method logical
CKAN_PG_UPGRADE_FAIL=subscribe:kill run ckan-pg-upgrade run --yes "$@"
for db in ckan_default datastore_default; do
	sub=$(new "$db" "SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
	new "$db" "ALTER SUBSCRIPTION \"$sub\" DISABLE" >/dev/null
done
run ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "a subscription without a worker: run exits 2"
like "$ERR" "has lasted a second in 30 s|has not been connected to OLD for 10 s" "it says the subscription does not run"
is "$(ours_left)" "0 00 0" "no slot, publication or subscription is left"

# 3c. A subscription whose apply worker cannot stream (its slot on OLD is gone): it is started
# again every few seconds and dies at once; sync (or, were the tables ready, catch-up) stops and says so.
# A table-copy worker that was copying then outlives it, waiting for it forever: it does not count.
# (A lock on OLD holds the copy of a table added to the publication until the slot is gone.)
CKAN_PG_UPGRADE_FAIL=subscribe:kill run ckan-pg-upgrade run --yes "$@"
sub=$(new ckan_default "SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
old ckan_default "CREATE TABLE held (k int PRIMARY KEY); INSERT INTO held SELECT generate_series(1, 10);
	ALTER PUBLICATION ckan_pgtools_upgrade ADD TABLE held" >/dev/null
new ckan_default "CREATE TABLE held (k int PRIMARY KEY)" >/dev/null
sb_as_postgres env PGAPPNAME=holds-held psql -X -q -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d ckan_default \
	-c "BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120)" >/dev/null 2>&1 &
holder=$!
i=0
until [ "$(old postgres "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'holds-held' AND wait_event = 'PgSleep'")" = 1 ] ||
	[ $i -ge 100 ]; do i=$((i + 1)); sleep 0.1; done
new ckan_default "ALTER SUBSCRIPTION \"$sub\" REFRESH PUBLICATION" >/dev/null
i=0
until [ "$(new ckan_default "SELECT count(*) FROM pg_stat_subscription WHERE relid = 'held'::regclass")" = 1 ] ||
	[ $i -ge 300 ]; do i=$((i + 1)); sleep 0.1; done
ok "a table-copy worker copies a table added to the publication (held by a lock on OLD)" [ "$i" -lt 300 ]
old postgres "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE 'ckan_pgtools_%' AND active_pid IS NOT NULL" >/dev/null
old postgres "SELECT pg_sleep(0.2); SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name ~ '^ckan_pgtools_[0-9]+$'" >/dev/null 2>&1
old postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holds-held'" >/dev/null
wait "$holder"
run ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "a worker that cannot stream: run exits 2"
like "$ERR" "has lasted a second in 30 s|has not been connected to OLD for 10 s" "it says the subscription does not run"
is "$(ours_left)" "0 00 0" "no slot, publication or subscription is left"
old ckan_default "DROP TABLE held" >/dev/null
new ckan_default "DROP TABLE IF EXISTS held" >/dev/null 2>&1 || :

# 4. kill -9 after each step, then run (resumes) or rollback, in turn.
if [ "${SAN:-0}" = 1 ]; then
	skip "kill -9 matrix: the driver is sh and the matrix exercises PostgreSQL; run without SAN=1"
else
	set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --method logical \
		--stop-cmd "echo stop >>$web" --start-cmd "echo start >>$web"
	i=0
	for s in roles schema publish subscribe sync logins stop-web read-only roles-again catch-up verify switch start-web unsubscribe; do
		i=$((i + 1))
		CKAN_PG_UPGRADE_FAIL=$s:kill run ckan-pg-upgrade run --yes "$@"
		[ "$RC" = 137 ] || { tap_result 1 "kill -9 after $s (exit $RC)"; continue; }
		if [ $((i % 2)) = 1 ]; then
			run ckan-pg-upgrade run --yes "$@"
			is "$RC/$(ours_left)" "0/0 00 0" "kill -9 after $s, run: finished, nothing of the replication left"
			case $s in
			switch | start-web | unsubscribe) like "$OUT" "done: CKAN uses" "kill -9 after $s, run: it finishes (verified before)" ;;
			*) like "$OUT" "0 differences" "kill -9 after $s, run: verify finds no difference" ;;
			esac
		fi
		run ckan-pg-upgrade rollback --state-dir "$state"
		is "$RC/$(ours_left)/$(ro)" "0/0 00 0/off/off" "kill -9 after $s, rollback: no slot left, OLD writable"
		ok "kill -9 after $s, rollback: the ini is byte-identical" cmp -s "$SB_INI" "$SB_DIR/ini.orig"
	done
fi
done_testing
