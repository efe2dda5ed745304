-- facts-db-end.sql: closes facts-db-begin.sql's \if, after facts-db.sql.
\endif
