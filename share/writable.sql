-- writable.sql: database :'db' takes writes again (the read-only marker goes).
ALTER DATABASE :"db" RESET default_transaction_read_only;
