-- copy-tables.sql: run on OLD in one database, the tables whose rows go
-- straight from a COPY on OLD into a COPY on NEW, in parallel streams, rather
-- than through pg_dump's one stream: ordinary tables of :min_bytes or more
-- that are not an extension's, largest first, one a line, tab-separated:
--   bytes  name  COPY-out statement  COPY-in statement  TRUNCATE statement  pg_dump pattern
-- The format is binary (no text to print and parse: the cheaper side of a
-- CPU-bound copy) when every column is of a built-in type with binary I/O
-- that holds no OID (the reg* types do) and OLD is 10 or later (9.x may keep
-- float timestamps); else text.  Columns are named, in OLD's order, without
-- generated ones, as pg_dump does.  The COPY into NEW follows a TRUNCATE in
-- its own transaction, so it may FREEZE (no hint bits to set on first read).
-- A name with a tab or a line break stays with pg_dump (one line a table here).
SELECT size, t, format('COPY %s (%s) TO STDOUT (FORMAT %s)', t, cols, fmt),
	format('COPY %s (%s) FROM STDIN (FORMAT %s, FREEZE)', t, cols, fmt),
	format('TRUNCATE ONLY %s', t), pattern
FROM (SELECT pg_relation_size(c.oid) AS size, format('%I.%I', n.nspname, c.relname) AS t,
		'"' || replace(n.nspname, '"', '""') || '"."' || replace(c.relname, '"', '""') || '"' AS pattern,
		(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
			WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
				AND to_jsonb(a) ->> 'attgenerated' IS DISTINCT FROM 's') AS cols,
		CASE WHEN current_setting('server_version_num')::int >= 100000 AND NOT EXISTS (
			SELECT FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
				LEFT JOIN pg_type el ON el.oid = ty.typelem AND ty.typlen = -1
			WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
				AND (ty.oid >= 16384 OR ty.typsend = 0 OR ty.typreceive = 0 OR ty.typname LIKE 'reg%'
					OR el.oid >= 16384 OR el.typname LIKE 'reg%'))
		THEN 'binary' ELSE 'text' END AS fmt
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
		AND n.nspname !~ '^pg_(toast|temp_)' AND n.nspname || c.relname !~ '[\t\r\n]'
		AND pg_relation_size(c.oid) >= :min_bytes
		AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
			AND d.objid = c.oid AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')) s
WHERE cols IS NOT NULL
ORDER BY size DESC, t;
