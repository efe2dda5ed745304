-- parameter-names.sql: every parameter this server knows, lower case.
SELECT lower(name) FROM pg_settings ORDER BY 1;
