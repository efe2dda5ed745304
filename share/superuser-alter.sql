-- superuser-alter.sql: how pg_dumpall begins the ALTER ROLE of :'role'.
SELECT 'ALTER ROLE ' || quote_ident(:'role') || ' WITH ';
