-- logical-unpublish.sql: on OLD, in one database, the publication goes, and
-- the slot :'sub' if it is left (NEW could not drop it), and any table-copy
-- slot left by NEW's subscription (pg_SUBOID_sync_RELID_SYSID) in this
-- database that no one uses.
SET default_transaction_read_only = off;
DROP PUBLICATION IF EXISTS ckan_pgtools_upgrade;
SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots
WHERE database = current_database() AND NOT active
	AND (slot_name = :'sub' OR slot_name ~ '^pg_[0-9]+_sync_[0-9]+_[0-9]+$') \g /dev/null
