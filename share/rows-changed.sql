-- rows-changed.sql: run on OLD inside the window (read-only) for the tables
-- :'tables' whose rows were copied before it (one a line, named as
-- copy-tables.sql names them): each one's rows, and how many of them a
-- transaction not older than :'since' (rows-since.sql's) wrote, by xmin.
-- The same count and none that new: the rows are those copied (every row
-- older than :'since' was in the copy, and a deleted one would show in the
-- count).  xmin below 3 is frozen or bootstrap; the comparison is modulo
-- 2^32, as PostgreSQL's (no unfrozen xmin is 2^31 away from the next xid).
SELECT format($q$SELECT %L, count(*), count(*) FILTER (WHERE x >= 3 AND (x - %s + 4294967296) %% 4294967296 < 2147483648)
	FROM (SELECT xmin::text::bigint AS x FROM ONLY %s) s$q$, t, :'since', t)
FROM unnest(string_to_array(:'tables', E'\n')) t WHERE t <> '' \gexec
