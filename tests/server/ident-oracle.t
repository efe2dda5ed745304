#!/bin/sh
# ident-oracle.t: common/hba.c's pg_ident.conf reader against the server.
# A scratch cluster is restarted with ident_file pointing to a file this
# test then rewrites for every variant; pg_ident_file_mappings (PostgreSQL
# 15 on) re-reads it on every query.  Each variant's rows are compared with
# `hba-dump --ident`: file (16 on), line number, map name, system user,
# database user, and whether the server rejects the line.  The variants
# are every line of a fixed list alone and in fixed combinations: quoted
# and unquoted map names, regular expressions with \1, quoted keywords,
# comments, comma lists, missing fields, @files, an unterminated quote, a
# CR line end, non-ASCII names; from 16 on include, include_if_exists and
# include_dir lines (before 16 they are two-field lines, rejected) and
# backslash continuation.  Runs on Debian's PostgreSQL 15 and on 16, 17
# and 18 from npm (tests/lib/pgversions.sh); says which ran.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pgcluster.sh"
. "$(dirname "$0")/../lib/pgversions.sh"
BUILD=${BUILD:-build}
DUMP=$BUILD/tests/lib/hba-dump
case $DUMP in /*) ;; *) DUMP=$PWD/$DUMP ;; esac
TAB=$(printf '\t')

if ! pgc_available; then
	if [ "${CI:-}" = true ]; then
		tap_result 1 "a PostgreSQL server is available in CI"
		done_testing
		exit 1
	fi
	skip_all "no PostgreSQL server binaries (apt-get install postgresql)"
fi
if [ ! -x "$DUMP" ]; then
	tap_result 1 "$DUMP is built"
	done_testing
	exit 1
fi
W=$TAP_TMP
umask 022

# start_with_ident BINDIR: a cluster whose ident_file is $PGC_DIR/h/pg_ident.conf.
start_with_ident() {
	pgc_start "$1" || return 1
	H=$PGC_DIR/h
	mkdir -p "$H/conf.d" "$H/emptydir"
	chmod 755 "$H"
	: >"$H/pg_ident.conf"
	printf "ident_file = '%s'\n" "$H/pg_ident.conf" >>"$PGC_DIR/data/postgresql.conf"
	pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -w -t 60 -m fast restart >/dev/null 2>&1 || return 1
	# Files the lines name: @files and included files.
	printf 'www-data\n' >"$H/one.txt"
	printf 'www-data, root\n' >"$H/two.txt"
	printf '# included\nothermap root postgres\nbadline\n' >"$H/other.conf"
	printf 'dmap "d user" ckan\n' >"$H/conf.d/10-a.conf"
	printf 'emap e ckan # last\n' >"$H/conf.d/20-b.conf"
	printf 'not read\n' >"$H/conf.d/30-c.txt"
}

NVAR=0
NFAIL=0
compare() {	# compare NAME DUMPARGS...: the variant already in $H/pg_ident.conf
	name=$1
	shift
	NVAR=$((NVAR + 1))
	pgc_psql -AtF "$TAB" -c "SELECT $FILECOL line_number, map_name, sys_name, pg_username,
		error IS NOT NULL FROM pg_ident_file_mappings" >"$W/server" 2>"$W/server.err"
	"$DUMP" --ident "$@" "$H/pg_ident.conf" >"$W/dump" 2>"$W/dump.err"
	if ! cmp -s "$W/server" "$W/dump"; then
		NFAIL=$((NFAIL + 1))
		if [ "$NFAIL" -le 15 ]; then
			echo "# variant $name differs (< server, > hba-dump):"
			sed 's/^/#   file: /' "$H/pg_ident.conf"
			diff "$W/server" "$W/dump" | sed 's/^/#   /'
			sed 's/^/#   /' "$W/dump.err" "$W/server.err"
		fi
	fi
}

write_variant() {	# write_variant LINE...: <CR> becomes a carriage return
	: >"$H/pg_ident.conf"
	for l in "$@"; do
		printf '%s\n' "$l" | sed "s/<CR>/$(printf '\r')/" >>"$H/pg_ident.conf"
	done
}

run_set() {	# run_set LINESFILE DUMPARGS...: each line alone, then by threes
	lf=$1
	shift
	n=$(wc -l <"$lf")
	i=1
	while [ "$i" -le "$n" ]; do
		write_variant "# line $i alone" "" "$(sed -n "${i}p" "$lf")"
		compare "single-$i" "$@"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		write_variant "$(sed -n "${i}p" "$lf")" "# comment" "$(sed -n "$(( (i * 7) % n + 1 ))p" "$lf")" "" \
			"$(sed -n "$(( (i * 13 + 5) % n + 1 ))p" "$lf")"
		compare "combo-$i" "$@"
		i=$((i + 2))
	done
}

cat >"$W/lines" <<'EOF'
mymap www-data ckan_default
"mymap" www-data ckan_default
"my map" "www data" "ckan default"
mymap "www""data" "a,b"
mymap "" ""
m"y"map www-data ckan
ckan /^(.*)@example\.com$ \1
ckan "/^(.*)@example\.com$" "\1"
ckan /^(.*)@EXAMPLE\.COM$ ckan_\1
ckan /(unclosed \1
ckan "/(unclosed" x
ckan /a{3,2} x
ckan root /^ckan_(.*)$
ckan root /(bad
ckan root "/(bad"
ckan root all
ckan root "all"
ckan "all" "all"
ckan root +admins
ckan root "+admins"
mymap www-data ckan_default # comment
mymap www-data # ckan_default
mymap www-data ckan_default extra fields
mymap www-data
mymap
a,b www-data ckan
mymap www-data,root ckan
mymap www-data ckan,postgres
mymap www-data, ckan
mymap @one.txt ckan
mymap @two.txt ckan
mymap @missing.txt ckan
"@one.txt" root ckan
mymap @"one.txt" ckan
mymap "unterminated ckan
mymap www-data ckan<CR>
	mymap	www-data	ckan	
ümap bénédicte ckan_é
include other.conf
"include" other.conf
include_if_exists missing.conf
include missing.conf
include_dir conf.d
include_dir emptydir
include_dir nodir
include other.conf extra
EOF

for major in 15 16 17 18; do
	if [ "$major" = 15 ]; then
		bin=/usr/lib/postgresql/15/bin
		[ -x "$bin/initdb" ] || bin=$(pgv_bindir 15) || bin=
	else
		bin=$(pgv_bindir "$major") || bin=
	fi
	if [ -z "$bin" ]; then
		if [ "${CI:-}" = true ]; then
			tap_result 1 "PostgreSQL $major is available in CI"
		else
			echo "# SKIP PostgreSQL $major: not installable here"
		fi
		continue
	fi
	start_with_ident "$bin" || { tap_result 1 "PostgreSQL $major cluster starts"; continue; }
	echo "# PostgreSQL $PGC_VERSION ($PGC_BIN)"
	if [ "$major" -ge 16 ]; then
		FILECOL="regexp_replace(file_name, '.*/', ''),"
		set -- --files
	else
		FILECOL=
		set --
	fi
	NVAR=0
	NFAIL=0
	run_set "$W/lines" --version "$PGC_VERSION" "$@"
	# Backslash continuation joins lines; the line number is the first one's.
	write_variant 'mymap www-data \' '  ckan_default' 'next root postgres'
	compare "continuation" --version "$PGC_VERSION" "$@"
	write_variant '"my \' 'map" root \' 'postgres'
	compare "continuation-in-quotes" --version "$PGC_VERSION" "$@"
	write_variant "$(cat "$W/lines")"
	compare "all" --version "$PGC_VERSION" "$@"
	rows=$(grep -c . "$W/server")
	ok "PostgreSQL $PGC_VERSION: the view shows the whole list ($rows rows: $(grep -c "${TAB}t\$" "$W/server") rejected)" \
		test "$rows" -ge 35
	sed -n '1,3s/^/#   /p' "$W/server"
	is "$NFAIL" 0 "PostgreSQL $PGC_VERSION: hba-dump --ident matches pg_ident_file_mappings on $NVAR variants"
	pgc_stop
done
done_testing
