-- table-names.sql: the connected database's tables (not unlogged or
-- temporary), quoted as SQL names, one a line, in byte order (for comm).
SELECT t FROM (SELECT format('%I.%I', n.nspname, c.relname) AS t
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p'
		AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)') s
ORDER BY t COLLATE "C";
