-- facts-db-begin.sql: verify reads one side's facts in one psql session:
-- facts-cluster.sql, then, for each of CKAN's databases :'db1', :'db2',
-- :'db3' (psql -v; '' past the last), this file, facts-db.sql and
-- facts-db-end.sql.  It connects to the next database and prints
-- "-- database<TAB>NAME" before its facts; when this cluster has no such
-- database, its \if skips them up to facts-db-end.sql's \endif.  The name
-- goes to \connect as a conninfo value (a name with "=" in it is a database
-- name, never a connection string), quoted here for libpq, then in double
-- quotes for \connect, which strips them from its argument (:'var' would
-- keep its single quotes there).
\if :{?dbi}
SELECT :dbi + 1 AS dbi \gset
\else
\set dbi 1
\endif
SELECT CASE :dbi WHEN 1 THEN :'db1' WHEN 2 THEN :'db2' ELSE :'db3' END AS db \gset
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') AS db_here,
	'"' || replace('dbname=''' || replace(replace(:'db', '\', '\\'), '''', '\''') || '''', '"', '""') || '"'
		AS db_conninfo \gset
\if :db_here
\connect -reuse-previous=on :db_conninfo
SELECT '-- database', :'db';
