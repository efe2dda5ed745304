#!/bin/sh
# pgconf-oracle.t: common/pgconf.c against the server itself.  One scratch
# cluster is started with a postgresql.conf that sets no postmaster-only
# parameter; then, for each of a few hundred generated variants (includes,
# include_dir with .conf and other files, include_if_exists, quoting with ''
# and backslash escapes, units, duplicates in different case, '=' left out,
# trailing comments, CRLF), the file is rewritten and pg_file_settings, which
# re-reads config_file on every query, is compared with tests/lib/pgconf-dump:
# every row in reading order (name, value after unquoting, file, line), the
# effective value of each name, and for broken files the file and line of the
# first error.  The server is never reloaded.  The variants are generated
# from a fixed seed, so a failure can be reproduced; PGCONF_VARIANTS sets how
# many good ones (default 200; as many broken ones are made from a quarter).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pgcluster.sh"
BUILD=${BUILD:-build}
DUMP=$BUILD/tests/lib/pgconf-dump
case $DUMP in /*) ;; *) DUMP=$PWD/$DUMP ;; esac
NGOOD=${PGCONF_VARIANTS:-200}
NBAD=$((NGOOD / 4 + 1))
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
pgc_start || { tap_result 1 "throwaway cluster starts"; done_testing; exit 1; }
echo "# PostgreSQL $PGC_VERSION ($PGC_BIN)"
umask 022
W=$TAP_TMP
CONF=$(pgc_psql -At -c 'SHOW config_file')
D=$(dirname "$CONF")
V=$D/v
# A postmaster-only parameter that was set from the file at start and is
# missing later makes pg_file_settings report an error row: start without any.
printf '# rewritten by pgconf-oracle.t for every variant\n' >"$CONF"
pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -w -t 60 -m fast restart >/dev/null 2>&1
tap_result $? "server restarted on a config file without postmaster parameters"

# Lines a variant is made of.  "<CR>" stands for a carriage return.
cat >"$W/good" <<'EOF'
ckp.a = 1
ckp.a = 'it''s'
ckp.a 'no equals sign'
ckp.b = x.y.z
ckp.b = 0x1F
ckp.b=-.e5
ckp.c = 'tab\there'
ckp.c = '\101\102\x41\q'
ckp.c = 'a\'b'
ckp.d = ''
ckp.d = .
ckp.d = 'caf\303\251 and café'
ckp.d = ''''
CKP.A = 'upper case name'
Ckp.B = on
ckp.e = a/b:c-d.e_f
ckp.e = 'line\nbreak\r\b\f'
ckp.f = 'back\\slash'
ckp.f = 1.5e3
ckp.f = -42kB
ckp.f = +7
ckp.g = café_ü/x:y
ckp.g = 'octal \0611\1011'
ckp.h = 'x#y' # comment with 'quotes'
ckp.h = 1<CR>
  ckp.a=2		# leading blanks
ckp.b = 7#comment
work_mem = 4MB
Work_Mem = '8MB'
WORK_MEM 2048
work_mem = 1GB	# trailing comment
random_page_cost = 1.1
random_page_cost = .5
random_page_cost = '2.5'
enable_seqscan = off
enable_seqscan = 'true'
enable_seqscan 1
log_line_prefix = '%m [%p] '
log_line_prefix = ''
log_line_prefix = 'it''s %u@%d '
statement_timeout = 30s
statement_timeout = '1min'
DateStyle = 'iso, mdy'
datestyle = 'ISO, DMY'
search_path = '"$user", public'
application_name = ckan_app
application_name = 'ckan app'

# a comment
	# an indented comment
   
EOF
cat >"$W/bad" <<'EOF'
ckp.x = 'unterminated
ckp.x = 'esc at end\
ckp.x = 'two'' quotes''
ckp.x =
ckp.x
ckp.x = 1 2
ckp.x = a.b
ckp.x = 1e5
ckp.x = 1.2.3
= 1
1 = 1
ckp.x.y = 1
ckp-x = 1
ckp.x = 'a' 'b'
ckp.x = +
ckp.x = /abs
ckp.x = @
ckp.x = 1 = 2
include_dir conf.d
include 'missing.conf'
include_dir 'missing.d'
include ''
include_if_exists '   '
EOF

# gen SEED [BADLINE [TARGET]]: write CONF and the files under V for one
# variant.  A bad line goes into the main file, or with TARGET confd into a
# file of the include_dir (which the main file then includes).
gen() {
	rm -rf "$V"
	mkdir -p "$V/sub" "$V/conf.d/dir.conf"
	awk -v seed="$1" -v bad="${2:-}" -v target="${3:-main}" -v D="$D" -v V="$V" -v conf="$CONF" \
		-v goodfile="$W/good" '
	function rnd(n) { seed = (seed * 16807) % 2147483647; return seed % n }
	function pick(  l) { l = pool[rnd(npool) + 1]; sub(/<CR>$/, "\r", l); return l }
	function body(file, k, extra,  i, at) {
		printf "" > file
		at = extra == "" ? -1 : rnd(k + 1)
		for (i = 0; i < k; i++) {
			if (i == at) print extra > file
			print pick() > file
		}
		if (at == k) print extra > file
		close(file)
	}
	BEGIN {
		while ((getline l < goodfile) > 0)
			pool[++npool] = l
		seed = seed * 7919 % 2147483647 + 1
		rnd(1); rnd(1)
		sub_inc = rnd(3)
		body(V "/a.conf", rnd(5), sub_inc == 0 ? "include \x27sub/d.conf\x27" : \
			sub_inc == 1 ? "include_if_exists \x27sub/../b.conf\x27" : "")
		body(V "/b.conf", rnd(4), "")
		body(V "/sub/d.conf", rnd(4), "")
		body(V "/conf.d/10-x.conf", rnd(4), target == "confd" ? bad : "")
		body(V "/conf.d/05-z.conf", rnd(3), "")
		body(V "/conf.d/20-y.conf", rnd(3), "")
		body(V "/conf.d/notes.txt", 2, "")
		body(V "/conf.d/.hidden.conf", 2, "")
		body(V "/conf.d/10-x.conf.bak", 2, "")
		split("include \x27v/a.conf\x27|INCLUDE = v/a.conf|include \x27" V "/a.conf\x27|include \x27v//a.conf\x27|include \x27v/./a.conf\x27|Include\t\x27v/a.conf\x27\t# comment", inca, "|")
		split("include_dir \x27v/conf.d\x27|include_dir = \x27v/conf.d/\x27|INCLUDE_DIR \x27" V "/conf.d\x27|include_dir \x27v/conf.d/.\x27", incd, "|")
		n = 0
		if (rnd(3)) dirs[++n] = inca[rnd(6) + 1]
		if (rnd(3) || target == "confd") dirs[++n] = incd[rnd(4) + 1]
		if (rnd(2)) dirs[++n] = "include_if_exists \x27v/none.conf\x27"
		if (rnd(2)) dirs[++n] = "include_if_exists = \x27v/b.conf\x27"
		if (target == "main" && bad != "") dirs[++n] = bad
		k = rnd(12) + 1
		for (i = 0; i <= k; i++) before[i] = ""
		for (j = 1; j <= n; j++) { p = rnd(k + 1); before[p] = before[p] dirs[j] "\n" }
		for (i = 0; i <= k; i++) {
			printf "%s", before[i] > conf
			if (i < k) print pick() > conf
		}
		close(conf)
	}'
}

server_rows() {
	pgc_psql -At -F "$TAB" -c "SELECT coalesce(name, ''),
		coalesce(encode(convert_to(setting, 'UTF8'), 'hex'), ''),
		coalesce(sourcefile, ''), coalesce(sourceline, 0), coalesce(error, '')
		FROM pg_file_settings ORDER BY seqno"
}

# check NAME [QUIRK]: compare pgconf-dump with pg_file_settings for the
# files as they are now.  QUIRK names a known difference (see the end).
NCMP=0
check() {
	name=$1
	quirk=${2:-}
	NCMP=$((NCMP + 1))
	if ! server_rows >"$W/srv" 2>"$W/srv.err"; then
		tap_result 1 "$name: pg_file_settings can be read"
		sed 's/^/#   /' "$W/srv.err"
		return
	fi
	"$DUMP" -a -x "$CONF" >"$W/all" 2>"$W/dump.err"
	rc=$?
	awk -F "$TAB" '$5 != "" { print $3 "\t" $4; exit }' "$W/srv" >"$W/srv.error"
	if [ -s "$W/srv.error" ] || [ -n "$quirk" ]; then
		got=$(awk -F "$TAB" '$1 == "error" { print $2 "\t" $3 }' "$W/all")
		want=$(cat "$W/srv.error")
		case $quirk in
		eof-line)	# the server counts the missing line end as the previous line
			got=$(echo "$got" | awk -F "$TAB" '{ print $1 "\t" $2 - 1 }') ;;
		dir-include)	# the server blames line 1 of the directory it tried to read
			got="${V}${TAB}1" ;;
		nul-quoted)	# the server reads up to the NUL and accepts the file
			[ -z "$want" ] && [ "$rc" = 2 ] && want="$got" ;;
		esac
		if [ "$rc" = 2 ] && [ -n "$got" ] && [ "$got" = "$want" ]; then
			tap_result 0 "$name: error at the server's file and line"
		else
			tap_result 1 "$name: error at the server's file and line"
			echo "#   server: $want"
			echo "#   pgconf (exit $rc): $(cat "$W/all" "$W/dump.err")"
			sed 's/^/#   conf: /' "$CONF"
		fi
		return
	fi
	awk -F "$TAB" '{ print $1 "\t" $2 "\t" $3 "\t" $4 }' "$W/srv" >"$W/srv.all"
	awk -F "$TAB" '{ n = tolower($1); v[n] = n "\t" $2 "\t" $3 "\t" $4 }
		END { for (n in v) print v[n] }' "$W/srv" | LC_ALL=C sort >"$W/srv.eff"
	"$DUMP" -x "$CONF" >"$W/eff" 2>>"$W/dump.err"
	if [ "$rc" = 0 ] && cmp -s "$W/all" "$W/srv.all" && cmp -s "$W/eff" "$W/srv.eff"; then
		tap_result 0 "$name: $(wc -l <"$W/all") rows and effective values as the server's"
	else
		tap_result 1 "$name: rows and effective values as the server's"
		echo "#   pgconf exit $rc $(cat "$W/dump.err")"
		diff -u "$W/srv.all" "$W/all" | sed 's/^/#   /'
		diff -u "$W/srv.eff" "$W/eff" | sed 's/^/#   /'
		for f in "$CONF" $(find "$V" -type f | sort); do
			sed "s|^|#   $f: |" "$f"
		done
	fi
}

i=1
while [ $i -le "$NGOOD" ]; do
	gen "$i"
	check "variant $i"
	i=$((i + 1))
done

nbadlines=$(wc -l <"$W/bad")
i=1
while [ $i -le "$NBAD" ]; do
	line=$(sed -n "$(( (i - 1) % nbadlines + 1 ))p" "$W/bad")
	target=main
	[ $((i % 3)) = 0 ] && target=confd
	gen "$((1000 + i))" "$line" "$target"
	check "broken variant $i ($target: $line)"
	i=$((i + 1))
done

# Hand-made cases: loops, depth, NUL bytes, errors in included files.
rm -rf "$V"
mkdir -p "$V"
printf 'ckp.a = 1\ninclude %s\n' "'v/self.conf'" >"$CONF"
printf 'ckp.b = 1\n\ninclude %s\n' "'self.conf'" >"$V/self.conf"
check "a file that includes itself"
printf 'ckp.a = 1\ninclude %s\n' "'p.conf'" >"$V/q.conf"
printf 'ckp.b = 1\ninclude %s\n' "'q.conf'" >"$V/p.conf"
printf 'include %s\n' "'v/p.conf'" >"$CONF"
check "two files that include each other"
for depth in 9 10 11 12; do
	rm -rf "$V"
	mkdir -p "$V"
	j=1
	while [ $j -lt "$depth" ]; do
		printf 'ckp.l%d = %d\ninclude %s\n' "$j" "$j" "'l$((j + 1)).conf'" >"$V/l$j.conf"
		j=$((j + 1))
	done
	printf 'ckp.l%d = %d\n' "$depth" "$depth" >"$V/l$depth.conf"
	printf 'ckp.top = 0\ninclude %s\n' "'v/l1.conf'" >"$CONF"
	check "include nesting $depth deep"
done
rm -rf "$V"
mkdir -p "$V/d"
printf 'ckp.a = 1\nckp.b = 2\000\n' >"$CONF"
check "NUL byte after a value"
printf 'ckp.a = 1 # a NUL \000 in a comment\nckp.b = 2\n' >"$CONF"
check "NUL byte in a comment"
printf 'ckp.a = 1\nckp.b = x\000y\n' >"$CONF"
check "NUL byte in an unquoted value"
printf "ckp.a = 1\nckp.b = 'x\000y'\n" >"$CONF"
check "NUL byte in a quoted value (known difference)" nul-quoted
printf 'ckp.a = 1\nckp.b =' >"$CONF"
check "missing value at the end of a file without a newline (known difference)" eof-line
printf 'ckp.a = 1\nckp.b' >"$CONF"
check "name alone at the end of a file without a newline (known difference)" eof-line
printf 'ckp.a = 1\nckp.b = 2' >"$CONF"
check "last line without a newline"
printf 'ckp.a = 1\ninclude %s\n' "'v'" >"$CONF"
check "include of a directory (known difference)" dir-include
printf 'ckp.a = 1\ninclude_dir %s\nckp.c = 3\n' "'v/d'" >"$CONF"
printf 'ckp.b = 2\nckp.b = \n' >"$V/d/x.conf"
check "error in an include_dir file"
printf 'ckp.a = 1\ninclude %s\nckp.c = 3\n' "'v/d/x.conf'" >"$CONF"
check "error in an included file, then more settings"
printf 'ckp.a = 1\ninclude %s\ninclude %s\n' "'v/d/x.conf'" "'v/none.conf'" >"$CONF"
check "two errors: the first is reported"
printf 'include_dir %s\n' "'v/d'" >"$CONF"
printf 'ckp.b = 1\n' >"$V/d/b.conf"
printf 'ckp.b = 2\n' >"$V/d/B.conf"
printf 'ckp.b = 3\n' >"$V/d/a.conf"
printf 'ckp.b = 4\n' >"$V/d/_.conf"
printf 'ckp.b = 5\n' >"$V/d/.conf"
printf 'ckp.b = 6\n' >"$V/d/x.CONF"
rm -f "$V/d/x.conf"
check "include_dir sorts names with strcmp"
mkdir -p "$V/e.conf"
printf 'include_dir %s\ninclude_dir %s\n' "'v'" "'v/d/'" >"$CONF"
printf 'ckp.e = 1\n' >"$V/e.conf/inner.conf"
check "include_dir skips directories named .conf"

echo "# compared $NCMP variants with pg_file_settings of PostgreSQL $PGC_VERSION"
# Known differences, each asserted above in its exact form:
#   eof-line     a missing value on a last line without a newline: the server
#                says the line before (ConfigFileLineno - 1 at EOF); we say
#                the line it is on.
#   dir-include  include of a directory: the server reports "input in flex
#                scanner failed" at line 1 of the directory; we report the
#                include line.
#   nul-quoted   a NUL inside a quoted value: the server truncates the value
#                (dropping one more byte) and accepts the file; we refuse it.
done_testing
