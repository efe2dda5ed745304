-- read-only.sql: the downtime window's marker on OLD: database :'db' takes
-- no more writes, and the sessions that could still write end (not the
-- walsenders of --method logical: NEW must catch up through them).
ALTER DATABASE :"db" SET default_transaction_read_only = on;
SELECT count(pg_terminate_backend(pid)) AS ended FROM pg_stat_activity
WHERE datname = :'db' AND pid <> pg_backend_pid() AND backend_type <> 'walsender';
