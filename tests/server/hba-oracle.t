#!/bin/sh
# hba-oracle.t: common/hba.c against the server itself.  One scratch
# PostgreSQL 15 cluster is restarted with hba_file pointing to a file this
# test then rewrites for every variant; pg_hba_file_rules re-reads the file
# on every query (the server is never reloaded, so its own rules stay the
# ones it started with).  Each variant's rows are compared with
# tests/lib/hba-dump: line number, type, databases, users, address,
# netmask, method, options, and whether the server rejects the line (error
# set, or the all-NULL row it shows for a line it refuses silently).  The
# variants are every line of a fixed list alone and in fixed combinations:
# all types and methods, quoting, comma lists, +groups, @files, addresses
# with CIDR and separate masks, host names, keywords, options per method,
# bad lines of every kind, and hostssl (the server runs with ssl = off).
# Then a smaller set on PostgreSQL 17 for what 16 added: regular
# expressions, include lines and backslash continuation.
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

# start_with_hba BINDIR: a cluster whose hba_file is $PGC_DIR/h/pg_hba.conf.
start_with_hba() {
	pgc_start "$1" || return 1
	H=$PGC_DIR/h
	mkdir -p "$H"
	chmod 755 "$H"
	printf 'local all all trust\n' >"$H/pg_hba.conf"
	printf "hba_file = '%s'\nssl = off\n" "$H/pg_hba.conf" >>"$PGC_DIR/data/postgresql.conf"
	pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -w -t 60 -m fast restart >/dev/null 2>&1
}

# server_rows: the view as "line<TAB>type<TAB>...<TAB>t|f" (t: rejected).
Q="SELECT $FILECOL line_number, type, database, user_name, address, netmask, auth_method, options,
	error IS NOT NULL OR type IS NULL FROM pg_hba_file_rules"
server_rows() {
	pgc_psql -AtF "$TAB" -c "$Q"
}
dump_rows() {
	"$DUMP" "$@" "$H/pg_hba.conf" >"$W/dump.raw" || return
	awk -F "$TAB" -v OFS="$TAB" '{
		bad = ($NF != "" || $(NF-7) == "") ? "t" : "f"; $NF = bad; print }' "$W/dump.raw"
}

# compare NAME DUMPARGS...: one variant, already written to $H/pg_hba.conf.
NVAR=0
NFAIL=0
compare() {
	name=$1
	shift
	NVAR=$((NVAR + 1))
	server_rows >"$W/server" 2>"$W/server.err"
	dump_rows "$@" >"$W/dump" 2>"$W/dump.err"
	drc=$?
	same=1
	if [ "$drc" = 2 ]; then
		# hba-dump refuses the whole file (a missing include): the
		# server must reject the line it names.
		where=$(sed -n 's/^[^:]*: \([^:]*\):\([0-9]*\): .*/\1 \2/p' "$W/dump.err" | head -n 1)
		f=${where% *}
		ln=${where##* }
		f=${f##*/}
		case "$FILECOL" in
		"") grep -q "^$ln$TAB.*${TAB}t\$" "$W/server" || same=0 ;;
		*) grep -q "^$f$TAB$ln$TAB.*${TAB}t\$" "$W/server" || same=0 ;;
		esac
		[ -n "$where" ] || same=0
	elif ! cmp -s "$W/server" "$W/dump"; then
		same=0
	fi
	if [ "$same" = 0 ]; then
		NFAIL=$((NFAIL + 1))
		if [ "$NFAIL" -le 15 ]; then
			echo "# variant $name differs:"
			sed 's/^/#   file: /' "$H/pg_hba.conf"
			diff "$W/server" "$W/dump" | sed 's/^/#   /'
			sed 's/^/#   /' "$W/dump.err"
		fi
	fi
}

# The lines.  One per line; variants are made from them.
cat >"$W/lines" <<'EOF'
local all all trust
local all postgres ident
local all postgres peer
local all all md5
local all all password
local all all scram-sha-256
local all all reject
local all all pam
local all all pam pamservice=postgresql
local all all pam pamservice=ckan pam_use_hostname=1
local all all gss
local all all sspi
local all all bsd
local all all cert
local all all ldap ldapserver=ldap.example.org ldapprefix="cn=" ldapsuffix=",dc=example,dc=org"
local all all radius radiusservers=127.0.0.1 radiussecrets=s
local all all crypt
local all all krb5
local all all ident sameuser
local all all ident map=ckan
local all all peer map=ckan
local all all md5 map=ckan
local all all trust clientcert=verify-full
local all all trust foo=bar
local all all
local all
local
local all all trust trust
local all all md5,trust
local,host all all trust
lokal all all trust
include other.conf
host all all 127.0.0.1/32 md5
host all all 127.0.0.1 255.255.255.255 md5
host all all 127.0.0.1/8 md5
host all all 10.1.2.3/8 scram-sha-256
host all all 10.0.0.0 255.0.0.0 md5
host all all 10.0.0.0 255.0.255.0 md5
host all all 10.0.0.0 255.255.255.256 md5
host all all 10.0.0.0 ::ffff md5
host all all 10.0.0.0 md5
host all all 10.0.0.0
host all all 0.0.0.0/0 md5
host all all 0.0.0.0/33 md5
host all all 0.0.0.0/-1 md5
host all all 0.0.0.0/ md5
host all all 0.0.0.0/+8 md5
host all all 0.0.0.0/8x md5
host all all 127.1/32 md5
host all all 1.2.3/24 md5
host all all 300.1.1.1/32 md5
host all all ::1/128 md5
host all all ::/0 scram-sha-256
host all all ::1 ffff:ffff:ffff:ffff:: md5
host all all ::1 255.255.255.0 md5
host all all fe80::1/64 md5
host all all 2001:DB8::1/129 md5
host all all ::ffff:10.0.0.1/128 md5
host all all all md5
host all all "all" md5
host all all samehost md5
host all all samenet md5
host all all "samenet" md5
host all all localhost md5
host all all .example.org md5
host all all db.example.org/24 md5
host all all Foo_Bar-1.example md5
host all all 127.0.0.1/32,10.0.0.0/8 md5
host all all 127.0.0.1/32 peer
host all all 127.0.0.1/32 ident
host all all 127.0.0.1/32 ident map=ckan
host all all 127.0.0.1/32 ident sameuser
host all all 127.0.0.1/32 trust
host all all 127.0.0.1/32 reject
host all all 127.0.0.1/32 password
host all all 127.0.0.1/32 gss
host all all 127.0.0.1/32 gss include_realm=0 krb_realm=EXAMPLE.ORG map=g
host all all 127.0.0.1/32 gss include_realm=1
host all all 127.0.0.1/32 sspi include_realm=0
host all all 127.0.0.1/32 md5 include_realm=1
host all all 127.0.0.1/32 md5 krb_realm=X
host all all 127.0.0.1/32 cert
host all all 127.0.0.1/32 md5 clientcert=verify-ca
host all all 127.0.0.1/32 md5 clientname=CN
host all all 127.0.0.1/32 pam pamservice=x
host all all 127.0.0.1/32 md5 pamservice=x
host all all 127.0.0.1/32 ldap ldapserver=l ldapbasedn="dc=example,dc=org"
host all all 127.0.0.1/32 ldap ldapserver=l ldapbasedn="dc=example,dc=org" ldapbinddn="cn=admin" ldapbindpasswd="s3cr#t pass" ldapsearchattribute=uid
host all all 127.0.0.1/32 ldap ldapserver=l ldapbasedn=dc=x ldapsearchfilter="(uid=$username)"
host all all 127.0.0.1/32 ldap ldapserver=l ldapbasedn=dc=x ldapsearchfilter=(uid=x) ldapsearchattribute=uid
host all all 127.0.0.1/32 ldap ldapserver=l ldapprefix=cn= ldapbasedn=dc=x
host all all 127.0.0.1/32 ldap ldapserver=l
host all all 127.0.0.1/32 ldap ldapserver=l ldapport=636 ldaptls=1 ldapprefix=uid=
host all all 127.0.0.1/32 ldap ldapserver=l ldapport=x ldapprefix=uid=
host all all 127.0.0.1/32 ldap ldapserver=l ldapport=0 ldapprefix=uid=
host all all 127.0.0.1/32 ldap ldapscheme=ldaps ldapserver=l ldapprefix=uid=
host all all 127.0.0.1/32 ldap ldapscheme=http ldapserver=l ldapprefix=uid=
host all all 127.0.0.1/32 ldap ldapurl="ldap://ldap.example.org/dc=example,dc=org?uid?sub"
host all all 127.0.0.1/32 ldap ldapurl="ldaps://ldap.example.org:6360/dc=example,dc=org"
host all all 127.0.0.1/32 ldap ldapurl="ldap://ldap.example.org/dc=example,dc=org?uid?one" ldaptls=1
host all all 127.0.0.1/32 ldap ldapurl="ldap://ldap.example.org/dc=example,dc=org?uid?base?(objectClass=person)"
host all all 127.0.0.1/32 ldap ldapurl="http://ldap.example.org/dc=x"
host all all 127.0.0.1/32 md5 ldapserver=l
host all all 127.0.0.1/32 radius radiusservers=127.0.0.1 radiussecrets=s
host all all 127.0.0.1/32 radius radiusservers="127.0.0.1,localhost" radiussecrets=s radiusports="1812,1813" radiusidentifiers=pg
host all all 127.0.0.1/32 radius radiusservers="127.0.0.1,localhost" radiussecrets="a,b,c"
host all all 127.0.0.1/32 radius radiusservers="127.0.0.1,localhost" radiussecrets=s radiusports="1,2,3"
host all all 127.0.0.1/32 radius radiusservers=127.0.0.1 radiussecrets=s radiusports=x
host all all 127.0.0.1/32 radius radiusservers="a b" radiussecrets=s
host all all 127.0.0.1/32 radius radiusservers=127.0.0.1
host all all 127.0.0.1/32 radius radiussecrets=s
host all all 127.0.0.1/32 radius radiusserver=127.0.0.1 radiussecret=s
host all all 127.0.0.1/32 scram-sha-256 map=x
host all all 127.0.0.1/32 md5 =x
host all all 127.0.0.1/32 md5 x=
host all all 127.0.0.1/32 md5 map
host all all 127.0.0.1/32 oauth issuer=x scope=y
host all all 127.0.0.1/32 scram-sha-256 # comment "with quotes"
host all all 127.0.0.1/32 scram-sha-256#glued comment
host all all 127.0.0.1/32 md5,peer
host all all 127.0.0.1/32
host all all
hostssl all all 127.0.0.1/32 md5
hostssl all all 127.0.0.1/32 cert
hostssl all all 127.0.0.1/32 cert map=m
hostssl all all 127.0.0.1/32 cert clientcert=verify-ca
hostssl all all 127.0.0.1/32 md5 clientcert=verify-ca
hostssl all all 127.0.0.1/32 md5 clientcert=verify-full clientname=DN
hostssl all all 127.0.0.1/32 md5 clientcert=1
hostssl all all 127.0.0.1/32 md5 clientcert=0
hostssl all all 127.0.0.1/32 md5 clientname=xx
hostssl all all 127.0.0.1/32 bogus
hostnossl all all 127.0.0.1/32 md5
hostnossl all all 0.0.0.0/0 reject
hostnossl all all 127.0.0.1/32 cert
hostgssenc all all 127.0.0.1/32 gss
hostgssenc all all 127.0.0.1/32 md5
hostnogssenc all all 127.0.0.1/32 scram-sha-256
hostnogssenc all all ::1/128 trust
host ckan_default ckan_default 127.0.0.1/32 md5
host ckan_default,datastore_default ckan_default,datastore_default,datastore_ro 127.0.0.1/32 md5
host "ckan default" "user with space" 127.0.0.1/32 md5
host "a""b" "c,d" 127.0.0.1/32 md5
host "all" "all" 127.0.0.1/32 md5
host all "all",x 127.0.0.1/32 md5
host sameuser +ckan 127.0.0.1/32 md5
host samerole,samegroup "+ckan" 127.0.0.1/32 md5
host replication all 127.0.0.1/32 md5
host "replication" all 127.0.0.1/32 md5
host a, b 127.0.0.1/32 md5
host a,,b c 127.0.0.1/32 md5
host a ,b 127.0.0.1/32 md5
host "" "" 127.0.0.1/32 md5
host "unterminated all all 127.0.0.1/32 md5
host all all 127.0.0.1/32 md5 "ldapserver=x
host "NULL" "{x}" 127.0.0.1/32 md5
host a"b"c d""e 127.0.0.1/32 md5
host x"y z" all 127.0.0.1/32 md5
host @dbs.txt @users.txt 127.0.0.1/32 md5
host x,@users.txt,y all 127.0.0.1/32 md5
host "@users.txt" @"users.txt" 127.0.0.1/32 md5
host all @nested.txt 127.0.0.1/32 md5
host all @empty.txt 127.0.0.1/32 md5
host all @ 127.0.0.1/32 md5
host /^ckan.*$ all 127.0.0.1/32 md5
	host	all	all	127.0.0.1/32	md5	
host all all 127.0.0.1/32 md5\
host all all 127.0.0.1/32 md5 \
  host all all 127.0.0.1/32 md5<CR>
# just a comment
EOF
# Included with @: tokens of every line, comments skipped.
printf 'ckan_default, datastore_default\n# a comment\n"all"\n' >"$W/dbs.txt"
printf 'ckan_default\n"quoted user", +admins # c\nall\n' >"$W/users.txt"
printf 'u1 @users.txt\n' >"$W/nested.txt"
: >"$W/empty.txt"

put_aux() {
	for f in dbs.txt users.txt nested.txt empty.txt; do
		cp "$W/$f" "$H/$f"
	done
}

# write_variant LINE...: the lines, <CR> replaced, into the hba file.
write_variant() {
	: >"$H/pg_hba.conf"
	for l in "$@"; do
		printf '%s\n' "$l" | sed "s/<CR>/$(printf '\r')/" >>"$H/pg_hba.conf"
	done
}

run_set() {	# run_set LINESFILE DUMPARGS...
	lf=$1
	shift
	n=$(wc -l <"$lf")
	i=1
	while [ "$i" -le "$n" ]; do
		l=$(sed -n "${i}p" "$lf")
		write_variant "# line $i alone" "" "$l"
		compare "single-$i" "$@"
		i=$((i + 1))
	done
	# Combinations: three lines each, spread over the list, with comments between.
	i=1
	while [ "$i" -le "$n" ]; do
		a=$(sed -n "${i}p" "$lf")
		b=$(sed -n "$(( (i * 7) % n + 1 ))p" "$lf")
		c=$(sed -n "$(( (i * 13 + 5) % n + 1 ))p" "$lf")
		write_variant "$a" "# comment" "$b" "" "$c"
		compare "combo-$i" "$@"
		i=$((i + 2))
	done
}

start_with_hba "$(pgc_find_bindir)" || { tap_result 1 "throwaway cluster starts"; done_testing; exit 1; }
echo "# PostgreSQL $PGC_VERSION ($PGC_BIN)"
ok "server runs with hba_file in a scratch directory" pgc_psql -c 'SELECT 1'
put_aux
FILECOL=
run_set "$W/lines" --version "$PGC_VERSION" --ssl-off
is "$NFAIL" 0 "PostgreSQL $PGC_VERSION: hba-dump matches pg_hba_file_rules on $NVAR variants"
echo "# PostgreSQL $PGC_VERSION: $NVAR variants compared"

# Missing @files: the server flags every such line and loads the other
# rules (issue 14); so must we, in its words.
NFAIL=0
write_variant "local all all trust" "host all @missing.txt 127.0.0.1/32 md5" "host @nodb.txt,x all 127.0.0.1/32 md5" \
	"host all all 127.0.0.1/32 md5" "local all a,@missing.txt peer"
compare "missing-at" --version "$PGC_VERSION" --ssl-off
is "$NFAIL" 0 "missing @files: every such line rejected, the others read, as the server does"
run pgc_psql -At -c "SELECT line_number || ': ' || error FROM pg_hba_file_rules WHERE error IS NOT NULL"
run_server_errors=$OUT
run "$BUILD/bin/pghba-copy" --check "$H/pg_hba.conf" --pg-version "$PGC_VERSION"
is "$(printf '%s\n' "$ERR" | sed -n 's/^pghba-copy: [^:]*:\([0-9]*\): /\1: /p')" "$run_server_errors" \
	"pghba-copy --check reports every line the server flags, in its words"

# A token longer than the server's buffer (10240 before 16).
NFAIL=0
long=$(head -c 10239 /dev/zero | tr '\0' a)
write_variant "host $long all 127.0.0.1/32 md5" "host ${long}b all 127.0.0.1/32 md5"
compare "long-tokens" --version "$PGC_VERSION" --ssl-off
is "$NFAIL" 0 "token length limit as the server's"
pgc_stop

# PostgreSQL 16 and later: regular expressions, include lines, continuation.
BIN17=$(pgv_bindir 17) || BIN17=
if [ -z "$BIN17" ]; then
	if [ "${CI:-}" = true ]; then
		tap_result 1 "PostgreSQL 17 is available in CI"
	else
		echo "# SKIP PostgreSQL 17: not installable here (npm)"
	fi
	done_testing
	exit $?
fi
start_with_hba "$BIN17" || { tap_result 1 "PostgreSQL 17 cluster starts"; done_testing; exit 1; }
echo "# PostgreSQL $PGC_VERSION ($PGC_BIN)"
put_aux
mkdir -p "$H/conf.d" "$H/emptydir"
printf 'host all inc1 127.0.0.1/32 md5\n' >"$H/other.conf"
printf 'host all d2 127.0.0.1/32 md5\n' >"$H/conf.d/20-b.conf"
printf 'host all d1 10.0.0.0/8 scram-sha-256\nhost bad\n' >"$H/conf.d/10-a.conf"
printf 'host all ignored 127.0.0.1/32 md5\n' >"$H/conf.d/skip.txt"
printf 'host all hidden 127.0.0.1/32 md5\n' >"$H/conf.d/.hidden.conf"
cat >"$W/lines16" <<'EOF'
host /^ckan_.*$ all 127.0.0.1/32 md5
host all /^(ckan|datastore)_default$ 127.0.0.1/32 scram-sha-256
host all "/^quoted$" 127.0.0.1/32 md5
host /(unclosed all 127.0.0.1/32 md5
host all /a{2,1} 127.0.0.1/32 md5
host all /[z-a] 127.0.0.1/32 md5
include other.conf
include "other.conf"
include_if_exists other.conf
include_if_exists missing.conf
include missing.conf
host all @missing.txt 127.0.0.1/32 md5
include_dir conf.d
include_dir emptydir
include_dir nodir
include other.conf extra
include
host all all \
  127.0.0.1/32 md5
host all all 127.0.0.1/32 \
  md5 # continued
host "all \
  all" all 127.0.0.1/32 md5
host all all 127.0.0.1/32 md5 \\
local all all trust
local all postgres ident
host all all 127.0.0.1/32 md5 clientcert=verify-ca
host all all samenet scram-sha-256
host all all 127.0.0.1 255.255.255.255 md5
local all all md5 # ends in a backslash \
EOF
NVAR=0
NFAIL=0
FILECOL="regexp_replace(file_name, '.*/', ''),"
Q="SELECT $FILECOL line_number, type, database, user_name, address, netmask, auth_method, options,
	error IS NOT NULL OR type IS NULL FROM pg_hba_file_rules"
# Lines with a backslash continue: feed the list as whole variants by pairs.
run_set "$W/lines16" --version "$PGC_VERSION" --ssl-off --files
write_variant "$(cat "$W/lines16")"
compare "all-16" --version "$PGC_VERSION" --ssl-off --files
# The include rules shared with postgresql.conf (common/conffiles.c): the
# nesting limit (ten includes deep is read, eleven is refused at the
# innermost include line), a directory named like a file in include_dir.
for deep in 10 11; do
	mkdir -p "$H/chain"
	j=1
	while [ $j -lt "$deep" ]; do
		printf 'host all l%d 127.0.0.1/32 md5\ninclude l%d.conf\n' "$j" "$((j + 1))" \
			>"$H/chain/l$j.conf"
		j=$((j + 1))
	done
	printf 'host all l%d 127.0.0.1/32 md5\n' "$deep" >"$H/chain/l$deep.conf"
	write_variant "local all all trust" "include chain/l1.conf" "host all last 127.0.0.1/32 md5"
	compare "include-depth-$deep" --version "$PGC_VERSION" --ssl-off --files
	rm -r "$H/chain"
done
mkdir "$H/conf.d/sub.conf"
write_variant "include_dir conf.d" "host all last 127.0.0.1/32 md5"
compare "include_dir-subdirectory" --version "$PGC_VERSION" --ssl-off --files
rmdir "$H/conf.d/sub.conf"
is "$NFAIL" 0 "PostgreSQL $PGC_VERSION: hba-dump matches pg_hba_file_rules on $NVAR variants (regex, include, continuation)"
echo "# PostgreSQL $PGC_VERSION: $NVAR variants compared"
pgc_stop
done_testing
