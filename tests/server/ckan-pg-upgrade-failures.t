#!/bin/sh
# ckan-pg-upgrade never leaves the site broken: a failure injected at every
# step of "run" (CKAN_PG_UPGRADE_FAIL=STEP makes that step fail as if its
# command had), on tests/lib/demo.sh's sandbox (PostgreSQL 12 from npm ->
# Debian's 15) with the ini a symlink to a 0640 file.  Each time: exit 2;
# before the window nothing of OLD changed and the web server was never
# stopped (a stop command that fails before it runs is one); inside it the site is back on OLD by itself (OLD writable, ini
# byte-identical and still a symlink, web start called) and status says
# "rolled back"; after it CKAN stays on NEW.  The next run after a rollback
# starts over (the databases an earlier attempt made on NEW are dropped
# first).  Then a kill -9 of the driver inside the window and "rollback",
# a database setting NEW does not know (stopped at preflight), a failure
# after the switch ("switch:after"), and a clean run.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"

sb_test_require

sb_test_setup 12
# The ini: a symlink (config management) to a 0640 file elsewhere.
mkdir -p "$SB_DIR/conf"
mv "$SB_INI" "$SB_DIR/conf/production.ini"
chmod 640 "$SB_DIR/conf/production.ini"
ln -s "$SB_DIR/conf/production.ini" "$SB_INI"
cp -p "$SB_DIR/conf/production.ini" "$SB_DIR/ini.orig"
state=$SB_DIR/state
web=$SB_DIR/web
set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" \
	--stop-cmd "echo stop >>$web" --start-cmd "echo start >>$web"

old_ro() {	# old_ro DB: OLD's read-only marker of DB (off: writable)
	sb_as_postgres psql -X -At -h "$SB_RUN" -p "$SB_OLD_PORT" -U postgres -d "$1" -c 'SHOW default_transaction_read_only'
}
ini_as_before() {	# the ini byte-identical, still a symlink, mode kept
	cmp -s "$SB_DIR/conf/production.ini" "$SB_DIR/ini.orig" && [ -L "$SB_INI" ] &&
		[ "$(stat -c %a "$SB_DIR/conf/production.ini")" = 640 ]
}
starts() { grep -c start "$web" 2>/dev/null || true; }

steps="preflight hba conf restart-new roles rehash schema stop-web read-only roles-again copy logins verify switch start-web"
for s in $steps; do
	: >"$web"
	CKAN_PG_UPGRADE_FAIL=$s run ckan-pg-upgrade run --yes "$@"
	is "$RC" 2 "fail at $s: run exits 2"
	ok "fail at $s: the ini is byte-identical, still a symlink, mode 0640" ini_as_before
	is "$(old_ro ckan_default)/$(old_ro datastore_default)" off/off "fail at $s: OLD is writable"
	run ckan-pg-upgrade status --state-dir "$state"
	case $s in
	preflight | hba | conf | restart-new | roles | rehash | schema | stop-web)
		is "$(starts)" 0 "fail at $s: before the window: the web server was never stopped or started"
		like "$OUT" "stopped at: $s, before the window" "fail at $s: status says where, before the window"
		;;
	*)
		is "$(starts)" 1 "fail at $s: the web server was started again"
		like "$OUT" "^rolled back" "fail at $s: status says rolled back"
		;;
	esac
done
like "$(cat "$state/log")" "dropping the ckan_default left by an earlier attempt" \
	"a run after a rollback drops the databases the earlier attempt made on NEW"

# A kill -9 of the driver inside the window (after the switch, while the
# web server starts), then rollback.
: >"$web"
run ckan-pg-upgrade run --yes --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" \
	--stop-cmd "echo stop >>$web" --start-cmd "pkill -9 -f 'ckan-pg-upgrad[e] run .*$state'"
isnt_zero=$([ "$RC" != 0 ] && echo yes)
is "$isnt_zero" yes "kill -9 inside the window: run did not finish"
is "$(old_ro ckan_default)" on "kill -9: OLD was left read-only"
run ckan-pg-upgrade status --state-dir "$state"
like "$OUT" "inside the downtime window" "kill -9: status says the site is inside the downtime window"
left=$(find "$state" -maxdepth 1 -name 'pass.*' | grep -q . && echo yes || echo no)
is "$left" yes "kill -9: the passfile directory was left behind (SIGKILL cannot be trapped)"
run ckan-pg-upgrade rollback --state-dir "$state" --start-cmd "echo start >>$web"
is "$RC" 0 "rollback after kill -9 exits 0"
ok "rollback after kill -9: the ini is byte-identical, a symlink, mode 0640" ini_as_before
is "$(old_ro ckan_default)/$(old_ro datastore_default)" off/off "rollback after kill -9: OLD is writable"
is "$(starts)" 1 "rollback after kill -9: the web server was started"
left=$(find "$state" -maxdepth 1 -name 'pass.*' | grep -q . && echo yes || echo no)
is "$left" no "rollback after kill -9: no passfile is left"

# A setting OLD's databases carry that NEW no longer knows (removed in 14)
# stops the run at preflight, before the window, not at the restore.
sb_psql old -c "ALTER DATABASE ckan_default SET operator_precedence_warning = on"
: >"$web"
run ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "an ALTER DATABASE ... SET of a parameter NEW removed: run exits 2"
like "$OUT" "PostgreSQL 15 does not have: operator_precedence_warning" "preflight names the parameter"
is "$(starts)" 0 "and stops before the window: the web server was never stopped"
run ckan-pg-upgrade status --state-dir "$state"
like "$OUT" "stopped at: preflight, before the window" "status says so"
sb_psql old -c "ALTER DATABASE ckan_default RESET operator_precedence_warning"

# A failure right after the ini was switched: back to OLD all the same.
: >"$web"
CKAN_PG_UPGRADE_FAIL=switch:after run ckan-pg-upgrade run --yes "$@"
is "$RC" 2 "fail after the switch: run exits 2"
ok "fail after the switch: the ini is byte-identical again, still a symlink" ini_as_before
is "$(starts)" 1 "fail after the switch: the web server was started"

# The clean run, then rollback.
: >"$web"
run ckan-pg-upgrade run --yes "$@"
is "$RC" 0 "a clean run after all of that completes"
[ "$RC" = 0 ] || { echo "$ERR" | sed 's/^/# /'; tail -n 20 "$state/log" | sed 's/^/# /'; }
like "$OUT" "verify: 5 tables \(4021 rows\) compared; 0 differences" "and verifies"
ok "the switched ini is still a symlink" test -L "$SB_INI"
like "$(cat "$SB_DIR/conf/production.ini")" "@127.0.0.1:$SB_NEW_PORT/ckan_default" "the link's target was switched to NEW"
is "$(old_ro ckan_default)" on "OLD stays read-only after the switch (nothing can write where CKAN no longer reads)"
run ckan-pg-upgrade run --yes "$@"
is "$RC" 0 "run after a finished upgrade exits 0"
like "$OUT" "has finished: CKAN uses NEW; nothing to do" "and says the upgrade is final until rollback"
run ckan-pg-upgrade rollback --state-dir "$state"
is "$RC" 0 "rollback exits 0"
ok "rollback: the ini is byte-identical, still a symlink, mode 0640" ini_as_before
is "$(old_ro ckan_default)/$(old_ro datastore_default)" off/off "rollback: OLD is writable"
done_testing
