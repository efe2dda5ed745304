-- database-exists.sql: prints 1 when the database :'db' exists.
SELECT 1 FROM pg_database WHERE datname = :'db';
