-- alter-system.sql: ALTER SYSTEM SET :"name" = :'value' (it takes effect at
-- the next start).
ALTER SYSTEM SET :"name" = :'value';
