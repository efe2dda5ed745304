-- facts-cluster.sql: the cluster-wide facts verify compares, one
-- "KIND<TAB>OBJECT<TAB>VALUE" line each: roles and their attributes,
-- memberships, how each password is stored, and role settings that hold
-- in every database.  Run by
-- ckan-pg-upgrade with psql -At -F TAB against the postgres database.
-- Predefined roles (pg_*) are the server's own and left out.
SELECT 'role', quote_ident(rolname), concat_ws(' ',
	CASE WHEN rolsuper THEN 'superuser' END, CASE WHEN NOT rolinherit THEN 'noinherit' END,
	CASE WHEN rolcreaterole THEN 'createrole' END, CASE WHEN rolcreatedb THEN 'createdb' END,
	CASE WHEN rolcanlogin THEN 'login' END, CASE WHEN rolreplication THEN 'replication' END,
	CASE WHEN rolbypassrls THEN 'bypassrls' END, 'connlimit=' || rolconnlimit,
	'valid-until=' || coalesce(rolvaliduntil::text, 'always'))
FROM pg_roles WHERE rolname !~ '^pg_'
UNION ALL
SELECT 'member', quote_ident(r.rolname) || ' > ' || quote_ident(m.rolname),
	CASE WHEN a.admin_option THEN 'with-admin' ELSE 'member' END
FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
WHERE r.rolname !~ '^pg_' AND m.rolname !~ '^pg_'
UNION ALL
SELECT 'role-setting', quote_ident(r.rolname),
	array_to_string(ARRAY(SELECT x FROM unnest(s.setconfig) x ORDER BY 1), ' ')
FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase = 0
UNION ALL
SELECT 'password', quote_ident(rolname), CASE WHEN rolpassword IS NULL THEN 'none'
	WHEN rolpassword LIKE 'md5%' THEN 'md5' WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256'
	ELSE 'plain' END
FROM pg_authid WHERE rolname !~ '^pg_';
