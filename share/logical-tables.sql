-- logical-tables.sql: on OLD, in one database, what logical replication does
-- not carry by itself, one "KIND<TAB>WHAT" line each: tables without a primary
-- key or replica identity (they get REPLICA IDENTITY FULL for the sync),
-- unlogged tables and large objects (copied inside the window).
SELECT CASE WHEN c.relpersistence = 'u' THEN 'unlogged' ELSE 'no key' END, format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
	AND (c.relpersistence = 'u' OR (c.relpersistence = 'p' AND c.relreplident IN ('d', 'n')
		AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))
UNION ALL
SELECT 'large objects', count(*)::text FROM pg_largeobject_metadata HAVING count(*) > 0
ORDER BY 1, 2;
