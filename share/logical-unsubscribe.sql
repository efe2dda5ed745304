-- logical-unsubscribe.sql: on NEW, in one database, the subscription :'sub'
-- goes, and with it its slots on OLD.  When OLD cannot be reached, it is
-- detached from its slot first; logical-unpublish.sql drops that on OLD.
SELECT EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'sub') AS has_sub \gset
\if :has_sub
\set ON_ERROR_STOP 0
DROP SUBSCRIPTION :"sub";
\set ON_ERROR_STOP 1
\if :ERROR
ALTER SUBSCRIPTION :"sub" DISABLE;
ALTER SUBSCRIPTION :"sub" SET (slot_name = NONE);
DROP SUBSCRIPTION :"sub";
\endif
\endif
