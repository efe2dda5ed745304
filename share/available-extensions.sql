-- available-extensions.sql: the extensions this server could create.
SELECT name FROM pg_available_extensions ORDER BY 1;
