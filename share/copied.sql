-- copied.sql: run in a database just copied to NEW (:'db'): it takes writes
-- again (the read-only marker that came with it from OLD goes), then the
-- statements in :'stmts' run (extension-member-owners.sql's, from OLD).
SET default_transaction_read_only = off;
ALTER DATABASE :"db" RESET default_transaction_read_only;
SELECT :'stmts' WHERE :'stmts' <> '' \gexec
