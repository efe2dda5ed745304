-- logical-sync.sql: on NEW, in one database, wait until the subscription
-- :'sub' has copied every table and streams; a NOTICE tells the progress
-- every 10 s (tables synced of N, bytes copied so far).  When no worker of
-- the subscription has lasted a second in 30 s, it stops with the reason to
-- look for in NEW's log: a worker that cannot connect to OLD (or is
-- disabled) dies at once and is started again every few seconds, so a pid
-- seen now and a second ago is one that works.
SELECT set_config('ckan_pgtools.sub', :'sub', false) \g /dev/null
DO $$
DECLARE
	n int;
	r int;
	b bigint;
	pids int[];
	earlier int[] := '{}';
	sampled timestamptz := clock_timestamp();
	last timestamptz := clock_timestamp();
	seen timestamptz := clock_timestamp();
BEGIN
	LOOP
		SELECT count(*), count(*) FILTER (WHERE sr.srsubstate = 'r') INTO n, r
		FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid
		WHERE s.subname = current_setting('ckan_pgtools.sub');
		EXIT WHEN n = r;
		IF clock_timestamp() - sampled > interval '1 s' THEN
			pids := ARRAY(SELECT pid FROM pg_stat_subscription
				WHERE subname = current_setting('ckan_pgtools.sub') AND pid IS NOT NULL);
			IF pids && earlier THEN
				seen := clock_timestamp();
			ELSIF clock_timestamp() - seen > interval '30 s' THEN
				RAISE EXCEPTION 'no worker of the subscription % of % has lasted a second in 30 s: see NEW''s log (can NEW connect to OLD?)',
					current_setting('ckan_pgtools.sub'), current_database();
			END IF;
			earlier := pids;
			sampled := clock_timestamp();
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
