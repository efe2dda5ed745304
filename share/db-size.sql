-- db-size.sql: the size in bytes of the database :'db' (nothing when it does not exist).
SELECT pg_database_size(datname) FROM pg_database WHERE datname = :'db';
