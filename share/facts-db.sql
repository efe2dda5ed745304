-- facts-db.sql: what verify compares inside one database, one
-- "KIND<TAB>OBJECT<TAB>VALUE" line each: the database's own properties,
-- settings and ACL, role settings in it, schemas, every relation's owner and
-- ACL, column ACLs, functions, default privileges, extensions, large objects,
-- sequences, and each table's row count and an order-independent digest of
-- its rows.  Run with psql -At -F TAB connected to that database.
-- default_transaction_read_only is left out: it is the marker the upgrade
-- itself sets on OLD for the downtime window; this session overrides it
-- for its one temporary function.
SET default_transaction_read_only = off;
SET datestyle = ISO, YMD;
SET intervalstyle = postgres;
SET timezone = UTC;
SET extra_float_digits = 3;
SET bytea_output = hex;
-- one ACL as a sorted list of grantee:privilege, * for grant option
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce((SELECT string_agg(e, ' ' ORDER BY e) FROM (
		SELECT coalesce(quote_ident(pg_get_userbyid(NULLIF(x.grantee, 0))), 'PUBLIC') || ':' ||
			lower(x.privilege_type) || CASE WHEN x.is_grantable THEN '*' ELSE '' END AS e
		FROM aclexplode(a) x WHERE x.privilege_type <> 'MAINTAIN') s), 'none')
$$;
SELECT 'database', quote_ident(datname), concat_ws(' ', 'owner=' || quote_ident(pg_get_userbyid(datdba)),
	'encoding=' || pg_encoding_to_char(encoding), 'collate=' || datcollate, 'ctype=' || datctype,
	'connlimit=' || datconnlimit, 'acl=' || CASE WHEN datacl IS NULL THEN 'default' ELSE pg_temp.acl(datacl) END)
FROM pg_database WHERE datname = current_database()
UNION ALL
SELECT 'db-setting', who, array_to_string(settings, ' ') FROM (
	SELECT coalesce(quote_ident(r.rolname), '(every role)') AS who, ARRAY(SELECT x FROM unnest(s.setconfig) x
		WHERE x NOT LIKE 'default\_transaction\_read\_only=%' ORDER BY 1) AS settings
	FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
	WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())) ds
WHERE cardinality(settings) > 0
UNION ALL
SELECT 'schema', quote_ident(nspname), 'owner=' || quote_ident(pg_get_userbyid(nspowner)) ||
	' acl=' || CASE WHEN nspacl IS NULL THEN 'default' ELSE pg_temp.acl(nspacl) END
FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'relation', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind::text || ' owner=' ||
	quote_ident(pg_get_userbyid(c.relowner)) || ' acl=' ||
	CASE WHEN c.relacl IS NULL THEN 'default' ELSE pg_temp.acl(c.relacl) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
	AND n.nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'column-acl', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
	pg_temp.acl(a.attacl)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attacl IS NOT NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'function', quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' ||
	pg_get_function_identity_arguments(p.oid) || ')', 'owner=' || quote_ident(pg_get_userbyid(p.proowner)) ||
	' acl=' || CASE WHEN p.proacl IS NULL THEN 'default' ELSE pg_temp.acl(p.proacl) END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
		AND d.deptype = 'e')
UNION ALL
SELECT 'default-acl', quote_ident(pg_get_userbyid(d.defaclrole)) || ' in ' ||
	coalesce(quote_ident(n.nspname), '(every schema)') || ' on ' || d.defaclobjtype::text, pg_temp.acl(d.defaclacl)
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
UNION ALL
SELECT 'extension', quote_ident(extname), extversion FROM pg_extension
UNION ALL
SELECT 'large-object', m.oid::text, 'owner=' || quote_ident(pg_get_userbyid(m.lomowner)) || ' acl=' ||
	CASE WHEN m.lomacl IS NULL THEN 'default' ELSE pg_temp.acl(m.lomacl) END || ' md5=' ||
	coalesce((SELECT md5(string_agg(l.data, ''::bytea ORDER BY l.pageno)) FROM pg_largeobject l
		WHERE l.loid = m.oid), md5(''))
FROM pg_largeobject_metadata m;
-- Sequences and rows: one query per object, built here and run by \gexec.
SELECT format($q$SELECT 'sequence', %L, last_value || CASE WHEN is_called THEN '' ELSE ' (not called)' END
	FROM %I.%I$q$, quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1 \gexec
-- The digest of a table is the sum of its rows' md5s (their first 60 bits):
-- the same whatever the order, and with no sort to pay for.  With
-- -v rows=counts only the count: a window that must not grow with the data;
-- -v rows=none no row at all (the catalogs only).
\if :{?rows}
\else
\set rows digest
\endif
SELECT format(CASE WHEN :'rows' = 'counts' THEN $q$SELECT 'rows', %L, count(*) FROM ONLY %I.%I t$q$
	ELSE $q$SELECT 'rows', %L, count(*) || ' sum=' ||
	coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0) FROM ONLY %I.%I t$q$ END,
	quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
	AND n.nspname !~ '^pg_(toast|temp_)' AND :'rows' <> 'none'
ORDER BY 1 \gexec
