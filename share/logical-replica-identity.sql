-- logical-replica-identity.sql: on OLD, in one database, the statements that
-- undo the REPLICA IDENTITY FULL logical-publish.sql is about to give the
-- tables it publishes without a primary key (written down before the act).
SELECT format('ALTER TABLE %I.%I REPLICA IDENTITY DEFAULT;', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND c.relreplident = 'd'
	AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
	AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
		AND d.deptype = 'e')
	AND NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
		WHERE pr.prrelid = c.oid AND p.pubname = 'ckan_pgtools_upgrade')
ORDER BY 1;
