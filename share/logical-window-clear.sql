-- logical-window-clear.sql: on NEW, in one database, the statements that
-- empty what logical-window-tables.sql copies, so that the copy can run
-- again: unlogged tables, and the site's rows of extensions' configuration
-- tables (the rows their condition selects).
SELECT format('TRUNCATE %I.%I;', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT format('DELETE FROM %I.%I %s;', n.nspname, c.relname, coalesce(cfg.cond, ''))
FROM pg_extension e CROSS JOIN unnest(e.extconfig, e.extcondition) AS cfg(oid, cond)
	JOIN pg_class c ON c.oid = cfg.oid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r';
