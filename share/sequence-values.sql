-- sequence-values.sql: on OLD, in one database, the setval() of every
-- sequence as it is now (logical replication does not carry sequences), to be
-- run on NEW.
SELECT format('SELECT setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
	coalesce(last_value, start_value), (last_value IS NOT NULL)::text)
FROM pg_sequences ORDER BY 1;
