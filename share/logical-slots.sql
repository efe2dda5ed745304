-- logical-slots.sql: on OLD, the replication slots --method logical made and
-- the WAL each holds back: "SLOT<TAB>DATABASE<TAB>active|inactive<TAB>SIZE".
SELECT slot_name, database, CASE WHEN active THEN 'active' ELSE 'inactive' END,
	pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))
FROM pg_replication_slots
WHERE slot_name LIKE 'ckan\_pgtools\_%' OR slot_name ~ '^pg_[0-9]+_sync_[0-9]+_[0-9]+$' ORDER BY 1;
