-- logical-window-statements.sql: on OLD, in one database, once it is
-- read-only: the statements that give NEW what logical replication does not
-- carry, to be run on NEW: every sequence's setval() as it is now, and the
-- large objects (contents, owner, ACL; NEW's own go first, so that it can
-- run again; nothing when OLD has none).
SELECT format('SELECT setval(%L, %s, %s);', format('%I.%I', schemaname, sequencename),
	coalesce(last_value, start_value), (last_value IS NOT NULL)::text)
FROM pg_sequences
UNION ALL
SELECT 'SELECT lo_unlink(oid) FROM pg_largeobject_metadata;' WHERE EXISTS (SELECT 1 FROM pg_largeobject_metadata)
UNION ALL
(SELECT format('SELECT lo_from_bytea(%s, %L::bytea); ALTER LARGE OBJECT %s OWNER TO %I;', m.oid, lo_get(m.oid),
	m.oid, pg_get_userbyid(m.lomowner)) || CASE WHEN m.lomacl IS NULL THEN '' ELSE
	format(' UPDATE pg_largeobject_metadata SET lomacl = %L WHERE oid = %s;', m.lomacl, m.oid) END
FROM pg_largeobject_metadata m ORDER BY m.oid);
