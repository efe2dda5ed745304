-- setting-names.sql: each parameter that an ALTER ROLE ... SET or ALTER
-- DATABASE ... SET on this server names, for the databases in :'dbs' (one
-- name a line) and for every role; NEW must know each of them.
SELECT DISTINCT lower(split_part(x, '=', 1))
FROM pg_db_role_setting s, unnest(s.setconfig) x
WHERE s.setdatabase = 0 OR s.setdatabase IN (SELECT oid FROM pg_database
	WHERE datname = ANY (string_to_array(:'dbs', E'\n')))
ORDER BY 1;
