-- logical-subscribe.sql: on NEW, in one database, the subscription :'sub' to
-- OLD's ckan_pgtools_upgrade (its slot on OLD is named :'sub' too), unless it
-- is there: then it learns the tables published since (not when it was
-- disabled: logical-sync.sql then says it does not run).  NEW connects to OLD's socket :'host', port :'port', as :'user',
-- database :'db', with no password (peer or trust): none is ever stored in
-- NEW's catalog.  The values are quoted for a conninfo here, in SQL.  The
-- walsender's COPY of a big table must not meet the site's statement_timeout.
-- synchronous_commit: NEW confirms each change once it is on disk, not up to
-- a second later (the window waits for that confirmation; CKAN writes little).
CREATE FUNCTION pg_temp.ci(v text) RETURNS text LANGUAGE sql AS
	$$ SELECT '''' || replace(replace(v, '\', '\\'), '''', '\''') || '''' $$;
SELECT NOT EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'sub') AS create_it,
	EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'sub' AND subenabled) AS refresh_it,
	format('host=%s port=%s dbname=%s user=%s options=%s', pg_temp.ci(:'host'), pg_temp.ci(:'port'),
		pg_temp.ci(:'db'), pg_temp.ci(:'user'), pg_temp.ci('-c statement_timeout=0')) AS conninfo \gset
\if :create_it
CREATE SUBSCRIPTION :"sub" CONNECTION :'conninfo' PUBLICATION ckan_pgtools_upgrade
	WITH (synchronous_commit = on);
\elif :refresh_it
ALTER SUBSCRIPTION :"sub" REFRESH PUBLICATION;
\endif
