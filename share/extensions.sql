-- extensions.sql: the extensions installed in the connected database.
SELECT extname FROM pg_extension ORDER BY 1;
