-- rows-changed.sql: run on OLD inside the window (read-only) for the tables
-- :'tables' whose rows were copied before it (one a line, named as
-- copy-tables.sql names them): each one's rows, and how many of them a
-- transaction not older than :'since' (rows-since.sql's) wrote, by xmin.
-- The same count and none that new: the rows are those copied (every row
-- older than :'since' was in the copy, and a deleted one would show in the
-- count).  age() compares modulo 2^32 as PostgreSQL does (no unfrozen xmin
-- is 2^31 away), a frozen xmin being the oldest of all.
SELECT format($q$SELECT %L, count(*), count(*) FILTER (WHERE age(xmin) <= age(%L::xid)) FROM ONLY %s$q$,
	t, :'since', t)
FROM unnest(string_to_array(:'tables', E'\n')) t WHERE t <> '' \gexec
