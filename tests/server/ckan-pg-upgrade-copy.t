#!/bin/sh
# ckan-pg-upgrade's copy in parts (pre-data, rows, post-data) on
# tests/lib/demo.sh's sandbox (PostgreSQL 12 from npm -> Debian's 15), with
# every table's rows through the COPY streams (CKAN_PG_UPGRADE_COPY_MIN_BYTES=0):
# a table of built-in types with edge values goes in binary; tables with a
# domain, an enum, a regclass, an aclitem[] or a float8 beside an enum go in
# text; a generated column, a dropped column, an inheritance child, a
# partitioned table, an unlogged table, an empty one and a foreign key.  Every row arrives the same (digests of
# each table's rows as text, OLD against NEW, and verify --verify-rows
# digest); indexes, constraints and sequences arrive; a COPY stream that fails
# puts the site back on OLD and the next run completes.  Schema and rows are
# copied before the window: DDL after that copies the database's schema again
# inside it, a row changed or deleted copies that table's rows again.
# shellcheck disable=SC1091 # tap.sh and the sandbox, the driver tests' preamble
. "$(dirname "$0")/../lib/sandbox-test.sh"

sb_test_require
sb_test_setup 12

sb_psql old -d datastore_default <<'SQL' || { tap_result 1 "the tables are made"; done_testing; exit 1; }
SET ROLE ckan_default;
CREATE DOMAIN pos AS int CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE kinds (id serial PRIMARY KEY, f8 float8, f4 float4, n numeric, ts timestamptz, t timestamp,
	d date, iv interval, b bytea, j jsonb, js json, a int[], ta text[], tv tsvector, ip inet, u uuid,
	m money, bo bool, bits varbit, p point, r int4range, tx text, c char(3));
INSERT INTO kinds (f8, f4, n, ts, t, d, iv, b, j, js, a, ta, tv, ip, u, m, bo, bits, p, r, tx, c) VALUES
	(0.1, 0.1, 'NaN', 'infinity', '-infinity', 'infinity', '1 year 2 mons -3 days 04:05:06.789', '\x00ff27',
	 '{"a": [1, "ü"]}', '{"k" : 1}', '{1,NULL,3}', '{"a b",NULL,"\"q\""}', 'fat:1A cat:2B', '10.0.0.1/8',
	 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 12.34, true, B'10101', '(1.5,2)', '[1,5)',
	 E'tab\there\nline \\ back', 'ab'),
	(1e308, 3.4e38, 123456789.000000001, '2024-02-29 12:34:56.789012+05:30', '1999-12-31 23:59:59.999999',
	 '0044-03-15 BC', '-178000000 years', '', 'null', '[]', '{}', '{}', '', '::1', NULL, -0.01, false, B'', '(0,0)', 'empty', '', NULL),
	(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL);
INSERT INTO kinds (f8, tx) SELECT g / 7.0, 'row ' || g FROM generate_series(1, 2000) g;
CREATE TABLE texty (id int PRIMARY KEY, p pos, mo mood, rc regclass, acl aclitem[], f8 float8, k kinds);
INSERT INTO texty SELECT g, g, 'ok', 'kinds', '{ckan_default=r/ckan_default}', g / 3.0,
	(SELECT k FROM kinds k WHERE id = 1) FROM generate_series(1, 300) g;
CREATE TABLE gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO gen (a) SELECT generate_series(1, 50);
CREATE TABLE dropped (a int, gone text, c text);
INSERT INTO dropped SELECT g, 'x', 'c' || g FROM generate_series(1, 40) g;
ALTER TABLE dropped DROP COLUMN gone;
CREATE TABLE parent (p int);
CREATE TABLE child (p int, extra text);
ALTER TABLE child INHERIT parent;
INSERT INTO parent VALUES (1), (2);
INSERT INTO child VALUES (3, 'e');
CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE parted_lo PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_hi PARTITION OF parted FOR VALUES FROM (100) TO (1000);
INSERT INTO parted SELECT g, 'v' || g FROM generate_series(1, 500) g;
CREATE UNLOGGED TABLE scratch (i int);
INSERT INTO scratch VALUES (7);
CREATE TABLE nothing (i int UNIQUE);
CREATE TABLE fk (id int REFERENCES kinds (id), note text);
INSERT INTO fk VALUES (1, 'one');
CREATE INDEX kinds_tx ON kinds (tx);
SQL

# digest OLD|NEW: each table's row count and the digest of its rows as text, in one order.
digest() {
	sb_psql "$1" -d datastore_default -At <<'SQL'
SET extra_float_digits = 3;
SET datestyle = ISO;
SELECT format('SELECT %L, count(*), md5(string_agg(t::text, %L ORDER BY t::text)) FROM ONLY public.%I t', relname, '|', relname)
FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname \gexec
SQL
}

state=$SB_DIR/state
set -- --from "$SB_OLD" --to "$SB_NEW" -c "$SB_INI" --state-dir "$state" --stop-cmd true --start-cmd true

# A COPY stream that fails: the site goes back to OLD, the next run completes.
shim=$SB_DIR/shim
mkdir -p "$shim"
for t in pg_dump pg_dumpall pg_restore vacuumdb; do ln -s "/usr/lib/postgresql/15/bin/$t" "$shim/$t"; done
cat >"$shim/psql" <<EOF
#!/bin/sh
for a in "\$@"; do
	case \$a in *'kinds'*'FROM STDIN'*) [ ! -f "$SB_DIR/fail" ] || { echo "psql: injected COPY failure" >&2; exit 1; } ;; esac
done
exec /usr/lib/postgresql/15/bin/psql "\$@"
EOF
chmod 755 "$shim" "$shim/psql"
# on_old DB SQL...: a line of a stop command: CKAN's last writes to OLD, after the copy
# before the window and before it turns read-only.
on_old() {
	db=$1
	shift
	printf '%s psql -X -q -v ON_ERROR_STOP=1 -h %s -p %s -U postgres -d %s' \
		"$([ "$(id -u)" = 0 ] && echo 'runuser -u postgres --')" "$SB_RUN" "$SB_OLD_PORT" "$db"
	for c in "$@"; do printf " -c '%s'" "$c"; done
	echo
}
# The rows are copied before the window; then kinds changes (one row): inside the
# window its COPY runs again, and fails.
{ echo "touch $SB_DIR/fail"; on_old datastore_default "UPDATE kinds SET tx = tx WHERE id = 1"; } >"$SB_DIR/stop1.sh"
cp -p "$SB_INI" "$SB_DIR/ini.orig"
CKAN_PG_UPGRADE_COPY_MIN_BYTES=0 PG_CLIENT_BINDIR=$shim run ckan-pg-upgrade run --yes "$@" --stop-cmd "sh $SB_DIR/stop1.sh"
is "$RC" 2 "a failed COPY stream fails the run"
like "$OUT" "datastore_default: 12 of 13 tables copied before the window unchanged since" \
	"a table whose rows changed after the copy before the window is copied again inside it"
like "$ERR" 'step "copy" failed; the site is back on OLD' "the site is back on OLD"
like "$(cat "$state/log")" "injected COPY failure" "the stream's error is in the log"
ok "the ini is as before" cmp "$SB_INI" "$SB_DIR/ini.orig"
is "$(sb_psql old -d datastore_default -At -c 'SHOW default_transaction_read_only')" off "OLD is writable again"
rm -f "$SB_DIR/fail"

# The schema is copied before the window; the web server's stop command then
# changes OLD's datastore_default (a column, an index, a grant): inside the
# window that database's schema is copied again, ckan_default's is kept.
# In ckan_default one row of package changes and one of activity goes: those two
# tables are copied again, resource is not.
{
	on_old datastore_default "ALTER TABLE dropped ADD COLUMN late int DEFAULT 5" "CREATE INDEX gen_a ON gen (a)" \
		"GRANT SELECT ON nothing TO PUBLIC"
	on_old ckan_default "UPDATE package SET title = title WHERE id = (SELECT min(id) FROM package)" \
		"DELETE FROM activity WHERE id = (SELECT max(id) FROM activity)"
} >"$SB_DIR/ddl.sh"
CKAN_PG_UPGRADE_COPY_MIN_BYTES=0 PG_CLIENT_BINDIR=$shim run ckan-pg-upgrade run --yes "$@" --stop-cmd "sh $SB_DIR/ddl.sh"
is "$RC" 0 "run completes, every table's rows through COPY streams"
[ "$RC" = 0 ] || { printf '%s\n' "$ERR" | tail -n 20 | sed 's/^/# /'; tail -n 40 "$state/log" | sed 's/^/# /'; }
digest old >"$TAP_TMP/old.digest"
log=$(cat "$state/log")
is "$(grep -oE 'begin (schema|stop-web)$' "$state/log" | tail -n 2 | tr '\n' ' ')" "begin schema begin stop-web " \
	"the schema is copied before the window"
like "$OUT" "datastore_default: OLD's catalogs changed since the schema was copied .*: copied again" \
	"DDL after the schema copy: that database's schema is copied again inside the window"
like "$log" "ckan_default: OLD's catalogs as before the window: its schema copy holds" \
	"a database without DDL since keeps the schema copied before the window"
like "$OUT" "ckan_default: 1 of 3 tables copied before the window unchanged since" \
	"an UPDATE and a DELETE after the copy before the window: those tables are copied again, the third is not"
window=$(awk '/begin stop-web$/ { w = "" } { w = w $0 "\n" } END { printf "%s", w }' "$state/log")
like "$window" "psql -c 'COPY public\.package .* TO STDOUT" "inside the window: the changed table's rows are copied"
unlike "$window" "COPY public\.resource " "inside the window: the unchanged table's rows are not"
is "$(sb_psql new -d datastore_default -At -c "SELECT format('%s %s %s', count(late) FILTER (WHERE late = 5),
	has_table_privilege('public', 'nothing', 'SELECT'), to_regclass('gen_a') IS NOT NULL) FROM dropped")" \
	"40 t t" "NEW has the column, the grant and the index made on OLD after the schema copy"
like "$log" "COPY public\.kinds \(id, f8, f4, .*\) TO STDOUT \(FORMAT binary\)" "built-in types go in binary"
like "$log" "COPY public\.texty \(.*\) TO STDOUT \(FORMAT text\)" "texty (domain, enum, regclass, aclitem[], a row type) goes in text"
like "$log" "COPY public\.gen \(a\) TO STDOUT" "a generated column is left to NEW to compute"
like "$log" "COPY public\.dropped \(a, c\) TO STDOUT" "a dropped column is not named"
like "$log" "COPY public\.child \(p, extra\) TO STDOUT" "an inheritance child's own rows go by its own COPY"
like "$log" "COPY public\.parted_hi \(k, v\) TO STDOUT" "a partition's rows go by its own COPY"
unlike "$log" "COPY public\.parted \(" "the partitioned table itself has no rows to COPY"
like "$log" "TRUNCATE ONLY public\.kinds' -c 'COPY public\.kinds .* FROM STDIN \(FORMAT binary, FREEZE\)" \
	"NEW's COPY follows a TRUNCATE, frozen"
like "$log" "pg_restore .* -j [0-9]+ .*/db[0-9]\.post" "post-data restored in parallel"
digest new >"$TAP_TMP/new.digest"
if cmp -s "$TAP_TMP/old.digest" "$TAP_TMP/new.digest"; then
	tap_result 0 "every table's rows on NEW are OLD's ($(wc -l <"$TAP_TMP/old.digest") tables)"
else
	tap_result 1 "every table's rows on NEW are OLD's"
	diff "$TAP_TMP/old.digest" "$TAP_TMP/new.digest" | sed 's/^/# /'
fi
run ckan-pg-upgrade verify --verify-rows digest "$@"
is "$RC" 0 "verify --verify-rows digest finds no difference"
like "$OUT" "0 differences" "verify says 0 differences"
n=$(sb_psql new -d datastore_default -At -c "SELECT count(*) FROM pg_indexes WHERE tablename IN ('kinds', 'texty', 'nothing')")
is "$n" 4 "NEW has the indexes (two on kinds, texty's key, nothing's unique)"
is "$(sb_psql new -d datastore_default -At -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'fk'::regclass")" 1 \
	"NEW has the foreign key"
is "$(sb_psql new -d datastore_default -At -c "SELECT last_value FROM kinds_id_seq")" \
	"$(sb_psql old -d datastore_default -At -c "SELECT last_value FROM kinds_id_seq")" "the sequence's value arrived"
is "$(sb_psql new -d datastore_default -At -c "SELECT relpersistence FROM pg_class WHERE relname = 'scratch'")" u \
	"the unlogged table is still unlogged"
done_testing
