#!/bin/sh
# common/pgparams against a real PostgreSQL 15: for values of every kind
# (memory and time units, fractions, booleans, enums and their hidden
# aliases, reals, invalid values) pgparams_normalise must give what the
# server itself stores.  The server's answer comes from
# "postgres -C NAME -c NAME=VALUE -D DATADIR", which parses VALUE exactly as
# a postgresql.conf line (set_config_option) and prints the result in the
# parameter's own unit, or fails for a value the server refuses.
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
# shellcheck source=tests/lib/pgcluster.sh
. "$(dirname "$0")/../lib/pgcluster.sh"
# shellcheck source=tests/lib/pgversions.sh
. "$(dirname "$0")/../lib/pgversions.sh"
BUILD=${BUILD:-build}
NORM="$BUILD/tests/lib/pgparams-norm"

[ -x "$NORM" ] || {
	tap_result 1 "$NORM is built (make check builds it)"
	done_testing
	exit 1
}
if ! bindir=$(pgv_bindir 15) || ! pgc_available; then
	if [ "${CI:-}" = true ]; then
		tap_result 1 "a PostgreSQL 15 server is available in CI"
		done_testing
		exit 1
	fi
	skip_all "no PostgreSQL 15 server (apt-get install postgresql-15, or npm for tests/lib/pgversions.sh)"
fi
pgc_start "$bindir" || { tap_result 1 "throwaway cluster starts"; done_testing; exit 1; }
echo "# PostgreSQL $PGC_VERSION ($PGC_BIN)"
is "$PGC_VERSION" 15 "the cluster is PostgreSQL 15"

# check NAME VALUE: our normalisation equals the server's, or both refuse the value.
check() {
	ours=$("$NORM" 15 "$1" "$2")
	ours_rc=$?
	theirs=$(pgc_as_owner "$PGC_BIN/postgres" -C "$1" -c "$1=$2" -D "$PGC_DIR/data" 2>/dev/null)
	theirs_rc=$?
	if [ "$theirs_rc" != 0 ]; then
		theirs="invalid (server refuses it)"
		case $ours_rc:$ours in
		2:invalid:*) ours=$theirs ;;
		esac
	fi
	is "$ours" "$theirs" "$1 = '$2'"
}

# memory
check shared_buffers 128MB
check shared_buffers 131072kB
check shared_buffers 16384
check shared_buffers '1.5GB'
check shared_buffers '128 MB'
check shared_buffers 0x4000
check shared_buffers 128XB
check shared_buffers 128mb
check shared_buffers abc
check work_mem 1GB
check work_mem 1.5GB
check work_mem 2.5MB
check work_mem 100.5
check work_mem 2097152B
check work_mem 100000B
check work_mem 1e3
check maintenance_work_mem 1TB
check max_wal_size 1536kB
check temp_file_limit -1
check track_activity_query_size 2kB
check wal_buffers -1
check effective_cache_size 4GB
# time
check checkpoint_timeout 60s
check checkpoint_timeout 1min
check checkpoint_timeout 1h
check authentication_timeout 1500ms
check authentication_timeout 2500ms
check statement_timeout 1.5s
check statement_timeout 250us
check statement_timeout '1 d'
check log_rotation_age 90s
check log_min_duration_statement 1M
check max_connections 100kB
# real
check checkpoint_completion_target 0.9
check checkpoint_completion_target .75
check random_page_cost 1.1
check random_page_cost 1e1
check vacuum_cost_delay 0.5ms
check vacuum_cost_delay 1500us
check seq_page_cost x
# bool
check fsync of
check fsync TRUE
check fsync y
check fsync 0
check fsync o
check fsync maybe
# enum
check wal_level REPLICA
check wal_level hot_standby
check wal_level repl
check synchronous_commit yes
check synchronous_commit Remote_Apply
check log_min_messages debug
check ssl_min_protocol_version tlsv1.3
check default_transaction_isolation 'READ COMMITTED'
check password_encryption on
check wal_compression 1
check wal_compression on
check wal_compression PGLZ
check wal_compression off
check huge_pages TRY
# DateStyle: a list of keywords, case-insensitive, shown canonically
check DateStyle 'ISO, MDY'
check DateStyle 'iso, mdy'
check DateStyle 'iso,dmy'
check DateStyle 'SQL'
check DateStyle 'German'
check DateStyle 'german, ymd'
check DateStyle 'Postgresql, European'
check DateStyle 'us , sql'
check DateStyle '"ISO", "MDY"'
check DateStyle '"iso"'
check DateStyle 'nonEuropean'
check DateStyle 'default'
check DateStyle 'sql, default'
check DateStyle ''
check DateStyle '  '
check DateStyle 'iso, sql'
check DateStyle 'iso,'
check DateStyle 'iso mdy'
check DateStyle 'ymd, dmy'
check DateStyle 'klingon'
done_testing
