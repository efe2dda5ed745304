-- catalog-fingerprint.sql: the md5 of every row version of the connected
-- database's catalogs (ctid and xmin of each row of every pg_catalog table
-- that is not shared, but statistics and large objects' data) and of the
-- shared rows that belong to it (pg_database, its settings but the window's
-- read-only marker, comments, labels).  DDL, GRANT, COMMENT, ALTER ... SET or
-- OWNER inserts, updates or deletes a catalog row: equal before and inside
-- the window, the schema copied before it still holds.  VACUUM and ANALYZE
-- update pg_class in place (no new row version) and pg_statistic, left out;
-- a false alarm (a TRUNCATE's new relfilenode, a temporary table) only
-- costs the copy of the schema again, inside the window.
SET search_path = pg_catalog;
SELECT format('SELECT md5(string_agg(r, %L ORDER BY r)) FROM (%s) s(r)', E'\n', string_agg(
	format('SELECT %L || '' '' || ctid || '' '' || xmin FROM pg_catalog.%I', c.relname, c.relname), ' UNION ALL '
	ORDER BY c.relname) || $$
	UNION ALL SELECT 'pg_database ' || ctid || ' ' || xmin FROM pg_database WHERE datname = current_database()
	UNION ALL SELECT 'setting ' || setrole || ' ' || x FROM pg_db_role_setting s, unnest(s.setconfig) x
		WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND x NOT LIKE 'default\_transaction\_read\_only=%'
	UNION ALL SELECT 'shared ' || tableoid::regclass || ' ' || ctid || ' ' || xmin FROM pg_shdescription
		WHERE classoid = 'pg_database'::regclass
			AND objoid = (SELECT oid FROM pg_database WHERE datname = current_database())
	UNION ALL SELECT 'shared ' || tableoid::regclass || ' ' || ctid || ' ' || xmin FROM pg_shseclabel
		WHERE classoid = 'pg_database'::regclass
			AND objoid = (SELECT oid FROM pg_database WHERE datname = current_database())$$)
FROM pg_class c
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
	AND c.relname NOT IN ('pg_statistic', 'pg_statistic_ext_data', 'pg_largeobject')
\gexec
