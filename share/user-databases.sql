-- user-databases.sql: the databases beyond those initdb makes, one per line.
SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY 1;
