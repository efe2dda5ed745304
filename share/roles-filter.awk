# roles-filter.awk: OLD's pg_dumpall --roles-only (second file) less the
# CREATE ROLE of each role NEW has (first file, share/existing-roles.sql's
# lines) and the ALTER ROLE of the superuser the restore connects as (me,
# share/superuser-alter.sql's line): OLD's md5 hash would lock us out.
NR == FNR { have[$0] = 1; next }
($0 in have) { print "-- " $0 " (exists in NEW)"; next }
index($0, me) == 1 { print "-- (the ALTER ROLE of the superuser this restore connects as)"; next }
{ print }
