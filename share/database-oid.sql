-- database-oid.sql: the OID of the database :'db' (it names its logical slot).
SELECT oid FROM pg_database WHERE datname = :'db';
