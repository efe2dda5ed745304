-- logical-sync.sql: on NEW, in one database, wait until the subscription
-- :'sub' has copied every table and streams; a NOTICE tells the progress
-- every 10 s (tables synced of N, bytes copied so far).  It stops with the
-- reason to look for in NEW's log when
--  - no apply worker of the subscription has lasted a second in 30 s: one
--    that cannot connect to OLD or stream from its slot (or is disabled)
--    dies at once and is started again every few seconds, so a pid seen now
--    and a second ago is one that works.  Only the apply worker counts: a
--    table-copy worker outlives a dead apply worker, waiting for it forever;
--  - nothing moved for :'stall' seconds: no table changed state, no byte
--    was copied, the apply worker received nothing.
SELECT set_config('ckan_pgtools.sub', :'sub', false), set_config('ckan_pgtools.stall', :'stall', false) \g /dev/null
DO $$
DECLARE
	n int;
	r int;
	b bigint;
	pids int[];
	earlier int[] := '{}';
	progress text;
	progressed text;
	moved timestamptz := clock_timestamp();
	sampled timestamptz := clock_timestamp();
	last timestamptz := clock_timestamp();
	seen timestamptz := clock_timestamp();
	copying boolean := to_regclass('pg_catalog.pg_stat_progress_copy') IS NOT NULL;	-- 14 and later
BEGIN
	LOOP
		SELECT count(*), count(*) FILTER (WHERE sr.srsubstate = 'r'), string_agg(sr.srsubstate::text, '' ORDER BY sr.srrelid)
		INTO n, r, progress
		FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid
		WHERE s.subname = current_setting('ckan_pgtools.sub');
		EXIT WHEN n = r;
		IF clock_timestamp() - sampled > interval '1 s' THEN
			pids := ARRAY(SELECT pid FROM pg_stat_subscription
				WHERE subname = current_setting('ckan_pgtools.sub') AND relid IS NULL AND pid IS NOT NULL);
			IF pids && earlier THEN
				seen := clock_timestamp();
			ELSIF clock_timestamp() - seen > interval '30 s' THEN
				RAISE EXCEPTION 'no apply worker of the subscription % of % has lasted a second in 30 s: see NEW''s log (can NEW connect to OLD?)',
					current_setting('ckan_pgtools.sub'), current_database();
			END IF;
			earlier := pids;
			b := NULL;
			IF copying THEN
				EXECUTE 'SELECT sum(bytes_processed) FROM pg_stat_progress_copy WHERE datname = current_database()'
					INTO b;
			END IF;
			progress := concat_ws(' ', progress, b, (SELECT max(received_lsn)::text FROM pg_stat_subscription
				WHERE subname = current_setting('ckan_pgtools.sub') AND relid IS NULL));
			IF progress IS DISTINCT FROM progressed THEN
				moved := clock_timestamp();
				progressed := progress;
			ELSIF clock_timestamp() - moved > current_setting('ckan_pgtools.stall')::int * interval '1 s' THEN
				RAISE EXCEPTION 'the subscription % of % has not moved in % s (% of % tables synced): see NEW''s log',
					current_setting('ckan_pgtools.sub'), current_database(), current_setting('ckan_pgtools.stall'), r, n;
			END IF;
			sampled := clock_timestamp();
		END IF;
		IF clock_timestamp() - last > interval '10 s' THEN
			RAISE NOTICE '%: % of % tables synced%', current_database(), r, n,
				coalesce(', ' || pg_size_pretty(b) || ' being copied', '');
			last := clock_timestamp();
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
END $$;
