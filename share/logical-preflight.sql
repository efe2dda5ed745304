-- logical-preflight.sql: on OLD, what --method logical needs of the server,
-- one "KIND<TAB>VALUE" line each: wal_level, and the replication slots and
-- WAL senders free (each database takes one of each, and each table being
-- copied one more for a moment).
SELECT 'wal_level', current_setting('wal_level')
UNION ALL
SELECT 'free slots', (current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots))::text
UNION ALL
SELECT 'free senders', (current_setting('max_wal_senders')::int -
	(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'))::text;
