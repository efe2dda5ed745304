-- existing-roles.sql: the CREATE ROLE line pg_dumpall writes for each role
-- this server has, so that exactly those lines are left out of OLD's roles.
SELECT 'CREATE ROLE ' || quote_ident(rolname) || ';' FROM pg_roles ORDER BY 1;
