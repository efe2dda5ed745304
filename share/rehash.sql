-- rehash.sql: store :'role''s password again as scram-sha-256 when it is
-- stored as an md5 hash (then it prints "rehashed").  The password comes from
-- the environment (CKAN_PG_UPGRADE_PW), never from a command line, and this
-- session logs no statement.
\getenv pw CKAN_PG_UPGRADE_PW
SELECT EXISTS (SELECT 1 FROM pg_authid WHERE rolname = :'role' AND rolpassword LIKE 'md5%') AS md5 \gset
\if :md5
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET password_encryption = 'scram-sha-256';
ALTER ROLE :"role" PASSWORD :'pw';
\echo rehashed
\endif
