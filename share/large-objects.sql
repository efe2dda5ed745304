-- large-objects.sql: on OLD, in one database, the statements that make NEW's
-- large objects OLD's: contents, owner and ACL (logical replication does not
-- carry them).  NEW's own go first, so that it can run again.
SELECT 'SELECT lo_unlink(oid) FROM pg_largeobject_metadata;'
UNION ALL
(SELECT format('SELECT lo_from_bytea(%s, %L::bytea); ALTER LARGE OBJECT %s OWNER TO %I;', m.oid, lo_get(m.oid),
	m.oid, pg_get_userbyid(m.lomowner)) || CASE WHEN m.lomacl IS NULL THEN '' ELSE
	format(' UPDATE pg_largeobject_metadata SET lomacl = %L WHERE oid = %s;', m.lomacl, m.oid) END
FROM pg_largeobject_metadata m ORDER BY m.oid);
