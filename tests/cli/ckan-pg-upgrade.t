#!/bin/sh
# ckan-pg-upgrade without a server: --help, --version and bad usage; plan
# against clusters laid out by hand under a temporary PG_CLUSTER_CONF_ROOT
# (configuration only, nothing running), with its -j, --method and --switch
# variants; status, resume refusal and rollback on hand-written state; the
# switch and rollback of the ini byte for byte; help, man page and
# completions in step; shellcheck of the script.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
U=$ROOT/tools/ckan-pg-upgrade
PATH=$BUILD/bin:$PATH
export PATH
W=$TAP_TMP
PG_CLUSTER_CONF_ROOT=$W/etc
export PG_CLUSTER_CONF_ROOT
unset CKAN_INI

# cluster VER NAME PORT: a postgresql-common configuration directory and a
# data directory with PG_VERSION; no server.
cluster() {
	mkdir -p "$W/etc/$1/$2/conf.d" "$W/data/$1-$2"
	echo "$1" >"$W/data/$1-$2/PG_VERSION"
	cat >"$W/etc/$1/$2/postgresql.conf" <<EOF
data_directory = '$W/data/$1-$2'
hba_file = '$W/etc/$1/$2/pg_hba.conf'
port = $3
unix_socket_directories = '$W/run'
work_mem = 8MB
include_dir = 'conf.d'
EOF
	printf 'local all postgres peer\nlocal all all peer\nhost all all 127.0.0.1/32 md5\n' >"$W/etc/$1/$2/pg_hba.conf"
}
cluster 12 main 5432
cluster 15 main 5433
cluster 15 other 5434
sed -i '/^work_mem/d' "$W/etc/15/main/postgresql.conf"
mkdir -p "$W/run"
INI=$W/production.ini
cat >"$INI" <<'EOF'
[app:main]
use = egg:ckan
sqlalchemy.url = postgresql://ckan_default:pass@localhost/ckan_default
# a comment about port 5432 that must stay
ckan.datastore.write_url = postgresql://ckan_default:pass@localhost:5432/datastore_default
ckan.datastore.read_url = postgresql://datastore_default:pass@localhost:5432/datastore_default
EOF
cp -p "$INI" "$W/ini.orig"
set -- --from 12/main --to 15/main -c "$INI" --state-dir "$W/state"

# --- the three checks and bad usage
run "$U" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "^Usage:" "--help prints the usage"
like "$OUT" "ckan-pg-upgrade run +--from OLD --to NEW" "--help shows run"
run "$U" plan --help
is "$RC" 0 "--help after a command exits 0"
run "$U" --version
is "$RC" 0 "--version exits 0"
like "$OUT" "^ckan-pg-upgrade \(ckan-pgtools\) [0-9]" "--version names the tool"
run "$U" --bogus
is "$RC" 2 "a bad option exits 2"
like "$ERR" '^ckan-pg-upgrade: unknown option "--bogus"' "a bad option says so"
like "$ERR" "--help" "and points to --help"
is "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" 2 "one line and the hint"
run "$U"
is "$RC" 2 "no command exits 2"
like "$ERR" "no command given" "no command says so"
run "$U" upgrade "$@"
is "$RC" 2 "an unknown command exits 2"
run "$U" plan --to 15/main -c "$INI"
is "$RC" 2 "plan without --from exits 2"
like "$ERR" "needs --from" "and says so"
run "$U" plan "$@" --method copy
is "$RC" 2 "--method copy exits 2"
run "$U" plan "$@" -j 0
is "$RC" 2 "-j 0 exits 2"
run "$U" plan "$@" -j x
is "$RC" 2 "-j x exits 2"
run "$U" plan "$@" --switch dns
is "$RC" 2 "--switch dns exits 2"
run "$U" plan --from main --to 15/main -c "$INI"
is "$RC" 2 "a cluster without VER/ exits 2"
like "$ERR" '"main" is not a cluster VER/NAME' "and says so"
run "$U" plan --from 12/main --to 12/main -c "$INI"
is "$RC" 2 "--from and --to the same exits 2"
run "$U" plan --from 12/nope --to 15/main -c "$INI"
is "$RC" 2 "a cluster that does not exist exits 2"
like "$ERR" '12/nope' "and names it"
run "$U" plan --from 12/main --to 15/main -c "$W/missing.ini"
is "$RC" 2 "a missing ini exits 2"
run "$U" --from 12/main --to 15/main plan -c "$INI" --state-dir="$W/state" -j2
is "$RC" 0 "options before the command, --opt=value and -j2 are accepted"

# --- --host with --from-port/--to-port: usage, the passfile, plan and run
# against servers that do not answer (a socket directory with no socket)
run "$U" plan --from-port 5432 --to-port 5433 -c "$INI"
is "$RC" 2 "--from-port without --host exits 2"
like "$ERR" "need --host" "and says so"
run "$U" plan --host 127.0.0.1 --from 12/main --from-port 5432 --to-port 5433 -c "$INI"
is "$RC" 2 "--host with --from exits 2"
run "$U" plan --host 127.0.0.1 --from-port x --to-port 5433 -c "$INI"
is "$RC" 2 "--from-port x exits 2"
like "$ERR" '"x" is not a port' "and says so"
H="--host $W/run --from-port 5999 --to-port 5998 -c $INI --state-dir $W/rstate"
# shellcheck disable=SC2086 # H is words
PGPASSFILE='' run "$U" plan $H
is "$RC" 2 "--host without a passfile exits 2"
like "$ERR" "needs the superuser's password in a passfile" "and says so"
printf '*:*:*:postgres:secret\n' >"$W/su.pgpass"
chmod 644 "$W/su.pgpass"
# shellcheck disable=SC2086
run "$U" plan $H --passfile "$W/su.pgpass"
is "$RC" 2 "a passfile others may read exits 2"
like "$ERR" "chmod 600" "and says how to fix it"
chmod 600 "$W/su.pgpass"
# shellcheck disable=SC2086
run "$U" plan $H --passfile "$W/su.pgpass"
is "$RC" 0 "plan --host exits 0 with both servers down"
like "$OUT" "^ckan-pg-upgrade plan: $W/run:5999 \(PostgreSQL \?, port 5999, down\)" "plan --host names the servers by address"
like "$OUT" "OLD $W/run:5999 does not answer" "plan --host: OLD does not answer"
like "$OUT" "NOT DONE: merging OLD's pg_hba.conf" "plan --host: pg_hba.conf is left to the operator"
like "$OUT" "NOT DONE: restarting NEW" "plan --host: so is NEW's restart"
like "$OUT" "PGDATABASE=ckan_default .*pg_dump -h $W/run -p 5999 -U postgres -Fc" "plan --host: the dump connects as the superuser"
unlike "$OUT" "runuser|secret" "plan --host: no runuser, no password"
like "$OUT" "run --host $W/run --from-port 5999 --to-port 5998" "plan --host: the run command"
# shellcheck disable=SC2086
run "$U" plan $H --passfile "$W/su.pgpass" --switch ports --method upgrade
like "$OUT" "run would stop before changing anything" "plan --host --switch ports --method upgrade: run would stop"
# shellcheck disable=SC2086
run "$U" run --yes $H --passfile "$W/su.pgpass" --switch ports
is "$RC" 2 "run --host --switch ports exits 2"
like "$ERR" "nothing was changed" "and changes nothing"
ok "run --host --switch ports makes no state directory" test ! -e "$W/rstate"

# --- plan against configuration-only clusters
run "$U" plan "$@"
is "$RC" 0 "plan exits 0 with both clusters down"
like "$OUT" "^ckan-pg-upgrade plan: 12/main \(PostgreSQL 12, port 5432, down[a-z_,]*\) -> 15/main \(PostgreSQL 15, port 5433, down\)" "plan names both clusters"
like "$OUT" "^  postgresql://ckan_default@localhost:5432/datastore_default$" "plan shows CKAN's URLs, without passwords"
unlike "$OUT" "pass@" "plan shows no password"
like "$OUT" "databases to move: ckan_default datastore_default" "plan takes the databases from the ini when OLD is down"
like "$OUT" "OLD 12/main does not answer" "preflight says OLD is down"
like "$OUT" "pg_ctl -D $W/etc/12/main|pg_ctlcluster 12 main" "and how to start it"
like "$OUT" "would stop here" "and that run would stop there"
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do
	printf '%s\n' "$OUT" | grep -q "^ *$n\. " || echo "# step $n missing"
done
is "$(printf '%s\n' "$OUT" | grep -c '^ *[0-9][0-9]*\. ')" 17 "plan numbers 17 steps"
like "$OUT" "\\$ pghba-copy --merge --backup 12/main 15/main" "plan: pg_hba.conf merge"
like "$OUT" "1 customised settings of OLD to carry" "plan: the settings pgconf-diff carries"
like "$OUT" "\\$ pgconf-diff --carry --ignore '\\^password_encryption\\$' --write $W/etc/15/main/conf.d/50-ckan-pg-upgrade.conf --backup 12/main 15/main" "plan: pgconf-diff --carry into conf.d, password_encryption left to NEW"
like "$OUT" "\\$ pg_ctlcluster 15 main restart" "plan: restart NEW"
like "$OUT" "psql -f share/read-only.sql \\(on OLD, database postgres\\) -v db=ckan_default" "plan: OLD read-only, the name as a psql variable"
like "$OUT" "pg_dumpall --roles-only -h $W/run -p 5432" "plan: roles over OLD's socket"
like "$OUT" "PGDATABASE=ckan_default .*pg_dump -h $W/run -p 5432 -U [a-z]+ -Fc -Z0 --section=pre-data \\| .*pg_restore --exit-on-error --create -h $W/run -p 5433 -U [a-z]+ -d postgres$" "plan: each database's pre-data streamed from pg_dump into pg_restore --create, the name by PGDATABASE"
like "$OUT" "PGDATABASE=ckan_default .*pg_dump .* -Fc -Z0 --section=data '--exclude-table-data=<each table below>' \\| .*PGDATABASE=ckan_default .*pg_restore --exit-on-error -h $W/run -p 5433 -U [a-z]+ -d ''$" "plan: the small tables' rows streamed into the database, the name by PGDATABASE"
like "$OUT" "psql -c 'COPY <table> TO STDOUT \\(FORMAT binary\\)' \\(on OLD\\) \\| psql -1 -c 'TRUNCATE ONLY <table>' -c 'COPY <table> FROM STDIN \\(FORMAT binary, FREEZE\\)' \\(on NEW\\): each table of 8388608 bytes or more, [0-9]+ at a time, while CKAN works on OLD" "plan: the large tables' rows by COPY streams, before the window"
like "$OUT" "each table of 8388608 bytes or more not copied before the window or changed since, [0-9]+ at a time" \
	"plan: inside the window, the large tables whose rows changed since"
like "$OUT" "OLD's catalogs as before the window: that schema copy stays; else it is made again" \
	"plan: the schema copied before the window stays unless OLD's catalogs changed"
like "$OUT" "pg_dump .* -Fc --section=post-data -f $W/state/dumps/db1.post" "plan: post-data to a file"
like "$OUT" "PGDATABASE=ckan_default .*pg_restore --exit-on-error -h .* -d '' -j [0-9]+ $W/state/dumps/db1.post" "plan: post-data restored in parallel"
like "$OUT" "PGDATABASE=datastore_default .*pg_dump .* -Fc -Z0 --section=pre-data \\| " "plan: every database"
unlike "$OUT" "GRANT|REVOKE|ALTER DEFAULT PRIVILEGES" "plan: no privilege is changed behind the site's back"
like "$OUT" "pghba-copy --check-login 15/main postgresql://ckan_default@localhost:5433/ckan_default" "plan: the login check at NEW's port, no password"
like "$OUT" "\\$ ckan-pgurl -c $INI --all set port=5433" "plan: the switch"
like "$OUT" "pg_dropcluster --stop 12 main" "plan: OLD is never purged, only shown how"
like "$OUT" "^nothing was changed" "plan says it changed nothing"
ok "plan leaves the ini alone" cmp "$INI" "$W/ini.orig"
ok "plan makes no state directory" test ! -e "$W/state"
ok "plan writes nothing to NEW's conf.d" test -z "$(ls "$W/etc/15/main/conf.d")"
run "$U" plan "$@" -j 4
like "$OUT" "each table of 8388608 bytes or more, 4 at a time" "plan -j 4: four COPY streams"
like "$OUT" "pg_restore .* -j 4 $W/state/dumps/db1.post" "plan -j 4: post-data restored four at a time"
run "$U" plan "$@" --stop-cmd 'systemctl stop apache2' --start-cmd 'systemctl start apache2'
like "$OUT" "\\$ sh -c 'systemctl stop apache2'" "plan shows --stop-cmd"
like "$OUT" "\\$ sh -c 'systemctl start apache2'" "plan shows --start-cmd"
run "$U" plan "$@" --switch ports
like "$OUT" "cluster-port --set-port=5432 15/main" "plan --switch ports: NEW takes OLD's port"
like "$OUT" "cluster-port --set-port=[0-9]+ 12/main" "plan --switch ports: OLD gets a free one"
run "$U" plan "$@" --method upgrade
like "$OUT" "pg_upgrade OLD into NEW" "plan --method upgrade has a pg_upgrade step"
unlike "$OUT" "pg_dump " "plan --method upgrade dumps nothing"

# --- run, status and state
run "$U" status --state-dir "$W/state"
is "$RC" 1 "status without an upgrade exits 1"
like "$OUT" "no upgrade in" "and says so"
run "$U" run --yes "$@"
is "$RC" 2 "run with OLD down exits 2"
like "$ERR" 'step "preflight" failed' "at the preflight step"
like "$ERR" "run .* again" "with the hint to run again"
run "$U" status --state-dir "$W/state"
is "$RC" 0 "status exits 0"
like "$OUT" "upgrade 12/main -> 15/main" "status names the upgrade"
like "$OUT" "preflight +FAILED" "status shows the failed step"
like "$OUT" "stopped at: preflight, before the window" "status says where it stopped"
is "$(stat -c %a "$W/state/state")" 600 "the state file is 0600"
is "$(stat -c %a "$W/state/log")" 600 "the log is 0600"
ok "the ini is untouched" cmp "$INI" "$W/ini.orig"
run "$U" run --yes --from 12/main --to 15/other -c "$INI" --state-dir "$W/state"
is "$RC" 2 "another upgrade in the same state directory is refused"
like "$ERR" "holds another upgrade: 12/main -> 15/main, --method dump, --switch ini, not 12/main -> 15/other" "and says why"
run "$U" run --yes "$@" --method upgrade
is "$RC" 2 "a run with another --method is refused while an upgrade is under way"
like "$ERR" "holds another upgrade: .*--method dump.*, not .*--method upgrade" "and says which"
if command -v flock >/dev/null 2>&1; then
	flock "$W/state/lock" sleep 3 &
	sleep 1
	run "$U" run --yes "$@"
	is "$RC" 2 "a second command while another holds the state directory's lock is refused"
	like "$ERR" "another ckan-pg-upgrade is working in" "and says so"
	run "$U" status --state-dir "$W/state"
	is "$RC" 0 "status reads without the lock"
	wait
fi
printf 'done preflight\ndone hba\nfailed conf\n' >>"$W/state/state"
run "$U" status --state-dir "$W/state"
like "$OUT" "preflight +done" "a failed step that later succeeded shows done"
like "$OUT" "hba +done" "finished steps show done"
like "$OUT" "stopped at: conf, before the window" "status shows the step to resume at"
run "$U" run "$@"
is "$RC" 2 "run without --yes and without a terminal stops"
rm -rf "$W/state"

# --- switch and rollback of the ini
run "$U" switch --to 15/main -c "$INI" --state-dir "$W/state"
is "$RC" 0 "switch exits 0"
is "$(ckan-pgurl -c "$INI" --all --shell | sed -n "s/^CKAN_DB_[A-Z]*_PORT='\(.*\)'/\1/p" | sort -u)" 5433 "switch: every URL at NEW's port"
ok "switch keeps the comment that names the old port" grep -q "a comment about port 5432 that must stay" "$INI"
is "$(diff "$W/ini.orig" "$INI" | grep -c '^>')" 3 "switch changes the three URL lines"
ok "switch keeps a copy of the ini in the state directory" cmp "$W/state/ini.before" "$W/ini.orig"
run "$U" rollback --state-dir "$W/state"
is "$RC" 0 "rollback exits 0"
ok "rollback restores the ini byte-identical" cmp "$INI" "$W/ini.orig"
run "$U" status --state-dir "$W/state"
like "$OUT" "rolled back" "status says rolled back"

# --- help, man page and completions agree; shellcheck
opts=$("$U" --help | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
manopts=$(mandoc -Tmarkdown "$ROOT/man/man1/ckan-pg-upgrade.1" 2>/dev/null)
for o in $opts; do
	ok "$o in completions/bash/ckan-pg-upgrade" grep -qF -- "$o" "$ROOT/completions/bash/ckan-pg-upgrade"
	ok "$o in completions/zsh/_ckan-pg-upgrade" grep -qF -- "$o" "$ROOT/completions/zsh/_ckan-pg-upgrade"
	like "$manopts" "(^|[^a-z0-9-])$o([^a-z0-9-]|$)" "$o in man/man1/ckan-pg-upgrade.1"
done
if command -v mandoc >/dev/null 2>&1; then
	run mandoc -Tlint -Wwarning "$ROOT/man/man1/ckan-pg-upgrade.1"
	is "$OUT$ERR" "" "mandoc -Tlint -Wwarning prints nothing"
fi
if command -v shellcheck >/dev/null 2>&1; then
	run shellcheck "$U"
	is "$RC" 0 "shellcheck tools/ckan-pg-upgrade is clean"
	[ "$RC" = 0 ] || printf '%s\n' "$OUT" | head -n 20 | sed 's/^/# /'
	run shellcheck -s bash "$ROOT/completions/bash/ckan-pg-upgrade"
	is "$RC" 0 "shellcheck of the bash completion is clean"
fi
run sh -n "$U"
is "$RC" 0 "sh -n parses the script"
if command -v posh >/dev/null 2>&1; then
	run posh -n "$U"
	is "$RC" 0 "posh -n parses the script"
fi
done_testing
