-- password-kind.sql: how :'role''s password is stored: md5, SCR(AM) or nothing.
SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = :'role';
