-- drop-database.sql: drop :'db', which an earlier attempt of this upgrade made on NEW.
SELECT count(pg_terminate_backend(pid)) AS ended FROM pg_stat_activity WHERE datname = :'db';
DROP DATABASE IF EXISTS :"db";
