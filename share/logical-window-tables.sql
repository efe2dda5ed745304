-- logical-window-tables.sql: on OLD, in one database, the pg_dump options
-- ("OPTION<TAB>VALUE" lines) that select the data replication does not carry
-- and the window copies: unlogged tables, and the site's own rows in
-- extensions' configuration tables (PostGIS's spatial_ref_sys: pg_dump -e
-- EXT -t TABLE dumps the rows the extension's condition names as the site's).
SELECT '-t', format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT o, v FROM pg_extension e CROSS JOIN unnest(e.extconfig) AS cfg(oid) JOIN pg_class c ON c.oid = cfg.oid
	JOIN pg_namespace n ON n.oid = c.relnamespace
	CROSS JOIN LATERAL (VALUES ('-e', e.extname::text), ('-t', format('%I.%I', n.nspname, c.relname))) AS x(o, v)
WHERE c.relkind = 'r';
