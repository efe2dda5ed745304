-- schema-fingerprint.sql: the md5 of the connected database's schema as the
-- catalogs describe it: relations, columns (type, NOT NULL, default),
-- constraints, indexes, triggers, views and functions, not an extension's
-- own objects.  Equal on OLD and NEW: nothing changed during the sync, and
-- --method logical skips comparing the pg_dump --schema-only of each (the
-- fingerprint is a fast path; when it differs, the dumps decide).
SET search_path = pg_catalog;
WITH rel AS (
	SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
			AND d.deptype = 'e')
)
SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
	SELECT format('rel %s %s', r.oid::regclass, r.relkind) FROM rel r
	UNION ALL
	SELECT format('col %s.%I %s %s %s', r.oid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
		pg_get_expr(ad.adbin, ad.adrelid))
	FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('con %s %I %s', r.oid::regclass, co.conname, pg_get_constraintdef(co.oid))
	FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
	UNION ALL
	SELECT format('idx %s', pg_get_indexdef(i.indexrelid)) FROM rel r JOIN pg_index i ON i.indrelid = r.oid
	UNION ALL
	SELECT format('trg %s', pg_get_triggerdef(t.oid)) FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid
	WHERE NOT t.tgisinternal
	UNION ALL
	SELECT format('view %s %s', r.oid::regclass, pg_get_viewdef(r.oid)) FROM rel r WHERE r.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('fn %s(%s) %s', p.oid::regproc, pg_get_function_identity_arguments(p.oid), md5(p.prosrc))
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
			AND d.deptype = 'e')
) s(x);
