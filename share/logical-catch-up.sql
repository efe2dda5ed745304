-- logical-catch-up.sql: on OLD, in one database, once it is read-only: wait
-- until the subscription's slot :'sub' has confirmed OLD's last change, at
-- most :'timeout' seconds (10 when no subscriber is connected to the slot).
-- A transactional logical message marks "now" in this database's stream (an
-- idle stream's slot would not move otherwise).
SET default_transaction_read_only = off;
SELECT set_config('ckan_pgtools.lsn', pg_logical_emit_message(true, 'ckan-pgtools', 'caught up?')::text, false),
	set_config('ckan_pgtools.sub', :'sub', false), set_config('ckan_pgtools.timeout', :'timeout', false) \g /dev/null
DO $$
DECLARE
	t0 timestamptz := clock_timestamp();
	seen timestamptz := clock_timestamp();
BEGIN
	WHILE coalesce((SELECT confirmed_flush_lsn FROM pg_replication_slots
			WHERE slot_name = current_setting('ckan_pgtools.sub')), '0/0') <= current_setting('ckan_pgtools.lsn')::pg_lsn
	LOOP
		IF EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = current_setting('ckan_pgtools.sub') AND active) THEN
			seen := clock_timestamp();
		ELSIF clock_timestamp() - seen > interval '10 s' THEN
			RAISE EXCEPTION 'the subscription % has not been connected to OLD for 10 s: see NEW''s log',
				current_setting('ckan_pgtools.sub');
		END IF;
		IF clock_timestamp() - t0 > current_setting('ckan_pgtools.timeout')::int * interval '1 s' THEN
			RAISE EXCEPTION 'NEW has not replayed %''s changes after % s: see NEW''s log', current_database(),
				current_setting('ckan_pgtools.timeout');
		END IF;
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
