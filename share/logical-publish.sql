-- logical-publish.sql: on OLD, in one database, the publication
-- ckan_pgtools_upgrade holds every table of the database that logical
-- replication can carry: not unlogged ones, not an extension's own (NEW's
-- CREATE EXTENSION filled those).  A table without a primary key gets
-- REPLICA IDENTITY FULL first, or OLD would refuse its UPDATEs and DELETEs.
-- Run again, it adds the tables made since (DDL during the sync).
SET default_transaction_read_only = off;
DO $$
DECLARE
	t record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'ckan_pgtools_upgrade') THEN
		CREATE PUBLICATION ckan_pgtools_upgrade;
	END IF;
	FOR t IN SELECT c.oid::regclass AS rel, c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i
			WHERE i.indrelid = c.oid AND i.indisprimary) AS keyless
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND c.relpersistence = 'p'
			AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
			AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
				AND d.objid = c.oid AND d.deptype = 'e')
			AND NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
				WHERE pr.prrelid = c.oid AND p.pubname = 'ckan_pgtools_upgrade')
	LOOP
		IF t.keyless THEN
			EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', t.rel);
		END IF;
		EXECUTE format('ALTER PUBLICATION ckan_pgtools_upgrade ADD TABLE %s', t.rel);
	END LOOP;
END $$;
