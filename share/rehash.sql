-- rehash.sql: store :'role''s password again as scram-sha-256.  The password
-- comes from the environment (CKAN_PG_UPGRADE_PW), never from a command
-- line, and this session logs no statement.
\getenv pw CKAN_PG_UPGRADE_PW
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET password_encryption = 'scram-sha-256';
ALTER ROLE :"role" PASSWORD :'pw';
