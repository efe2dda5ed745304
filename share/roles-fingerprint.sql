-- roles-fingerprint.sql: one md5 of what pg_dumpall --roles-only reads on
-- OLD (the roles, their memberships, settings and comments; not a
-- database's own settings: the window's read-only marker is one), so that
-- the roles need not be copied again inside the window when none changed.
SELECT md5(concat_ws('|',
	(SELECT string_agg(a::text, ',' ORDER BY a.rolname) FROM pg_authid a),
	(SELECT string_agg(m::text, ',' ORDER BY m::text) FROM pg_auth_members m),
	(SELECT string_agg(s::text, ',' ORDER BY s::text) FROM pg_db_role_setting s WHERE s.setrole <> 0),
	(SELECT string_agg(d::text, ',' ORDER BY d::text) FROM pg_shdescription d
		WHERE d.classoid = 'pg_authid'::regclass)));
