-- rows-since.sql: run on OLD just before its large tables' rows are copied
-- ahead of the window: the oldest transaction still running, as 32 bits of
-- its id.  Every transaction before it has ended, so the copy holds its
-- rows; a row written by it or a later one (a subtransaction's too: its id
-- is newer than its parent's) may be missing there (rows-changed.sql).
SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296;
