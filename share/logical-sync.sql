-- logical-sync.sql: on NEW, in one database, wait until the subscription
-- :'sub' has copied every table and streams; a NOTICE tells the progress
-- every 10 s (tables synced of N, bytes copied so far).  When no worker of
-- the subscription has run for 30 s (NEW cannot reach OLD, say), it stops
-- with the reason to look for in NEW's log.
SELECT set_config('ckan_pgtools.sub', :'sub', false) \g /dev/null
DO $$
DECLARE
	n int;
	r int;
	b bigint;
	last timestamptz := clock_timestamp();
	seen timestamptz := clock_timestamp();
BEGIN
	LOOP
		SELECT count(*), count(*) FILTER (WHERE sr.srsubstate = 'r') INTO n, r
		FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid
		WHERE s.subname = current_setting('ckan_pgtools.sub');
		EXIT WHEN n = r;
		IF EXISTS (SELECT 1 FROM pg_stat_subscription WHERE subname = current_setting('ckan_pgtools.sub')
				AND pid IS NOT NULL) THEN
			seen := clock_timestamp();
		ELSIF clock_timestamp() - seen > interval '30 s' THEN
			RAISE EXCEPTION 'the subscription % of % has had no worker for 30 s: see NEW''s log (can NEW connect to OLD?)',
				current_setting('ckan_pgtools.sub'), current_database();
		END IF;
		IF clock_timestamp() - last > interval '10 s' THEN
			IF to_regclass('pg_catalog.pg_stat_progress_copy') IS NOT NULL THEN	-- 14 and later
				EXECUTE 'SELECT sum(bytes_processed) FROM pg_stat_progress_copy WHERE datname = current_database()'
					INTO b;
			END IF;
			RAISE NOTICE '%: % of % tables synced%', current_database(), r, n,
				coalesce(', ' || pg_size_pretty(b) || ' being copied', '');
			last := clock_timestamp();
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
