-- extension-member-owners.sql: run on OLD in one database, a statement for
-- each relation that belongs to an extension (pg_depend deptype 'e') giving
-- it the owner it has there.  pg_dump cannot carry that owner: a restore's
-- CREATE EXTENSION makes the restoring superuser own every member, and
-- ckanext-spatial asks for ALTER TABLE spatial_ref_sys OWNER TO the CKAN
-- user.  Every member is named (an extension has few relations): one that
-- is the superuser's already is a no-op on NEW.  One statement a line.
SELECT format('ALTER %s %I.%I OWNER TO %I;',
	CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
		WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
	n.nspname, c.relname, pg_get_userbyid(c.relowner))
FROM pg_depend d JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
ORDER BY n.nspname, c.relname;
