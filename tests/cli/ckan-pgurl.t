#!/bin/sh
# CLI tests for ckan-pgurl: every command, the output forms, minimal and
# atomic edits, and each kind of bad input (exit 2, file untouched).
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/ckan-pgurl"
D=$(cd "$(dirname "$0")/../data" && pwd)
W="$TAP_TMP/w"
mkdir -p "$W"
unset CKAN_INI CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL

fresh() {	# fresh NAME: a writable copy of a fixture
	cp "$D/$1" "$W/$1"
	echo "$W/$1"
}
mtime() { stat -c %Y.%y "$1"; }

# --- the three checks every tool gets
run "$P" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "^Usage:" "--help prints usage on stdout"
run "$P" --version
is "$RC" 0 "--version exits 0"
like "$OUT" "^ckan-pgurl \(ckan-pgtools\) [0-9]" "--version prints the version"
run "$P" --no-such-option
is "$RC" 2 "a bad option exits 2"
like "$ERR" "Try \"ckan-pgurl --help\"" "a bad option points to --help"

# --- show
F=$(fresh ckan.ini)
run "$P" -c "$F"
is "$RC" 0 "show is the default command"
like "$OUT" "^sqlalchemy.url \($F:26\)" "show names the file and line"
like "$OUT" "password  \*\*\*\*" "show masks the password"
unlike "$OUT" "s3cret" "the password never appears without --show-password"
like "$OUT" "port      5432 \(default\)" "an absent port is libpq's 5432, marked as default"
like "$OUT" "server    local" "localhost is local"
like "$OUT" "ckan.datastore.read_url" "show lists the datastore URLs too"
run "$P" -c "$F" --show-password
like "$OUT" "password  s3cret" "--show-password shows it"
run "$P" -c "$F" --shell
is "$RC" 0 "--shell exits 0"
like "$OUT" "^CKAN_DB_MAIN_HOST='localhost'$" "--shell prints CKAN_DB_MAIN_HOST"
like "$OUT" "^CKAN_DB_READ_USER='datastore_default'$" "--shell prints the read URL's user"
like "$OUT" "^CKAN_DB_MAIN_PASSWORD='\*\*\*\*'$" "--shell masks the password"
(eval "$OUT"; [ "$CKAN_DB_WRITE_DBNAME" = datastore_default ] && [ "$CKAN_DB_MAIN_PORT" = 5432 ])
is $? 0 "--shell output evaluates in sh"
run "$P" -c "$F" --json
is "$RC" 0 "--json exits 0"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ckan.datastore.write_url"]["dbname"], d["sqlalchemy.url"]["password"], d["sqlalchemy.url"]["port_default"])')" \
	"datastore_default **** True" "--json is valid JSON with every key"
run "$P" -c "$D/remote.ini" -k read
like "$OUT" "server    remote" "a remote host is remote"
like "$OUT" "port      5433$" "an explicit port is shown unmarked"
run "$P" -c "$D/remote.ini" -k main
like "$OUT" "sslmode   require" "query parameters are shown"
CKAN_SQLALCHEMY_URL=postgresql://x@y/z run "$P" -c "$F"
like "$ERR" "CKAN_SQLALCHEMY_URL is set: CKAN uses it instead of sqlalchemy.url" "show warns about the env override"
CKAN_INI="$F" run "$P" get dbname
is "$OUT" "ckan_default" "\$CKAN_INI names the ini"

# --- get
run "$P" -c "$F" get port
is "$OUT" "5432" "get port"
run "$P" -c "$F" get host
is "$OUT" "localhost" "get host"
run "$P" -c "$F" -k write get dbname
is "$OUT" "datastore_default" "get dbname of the write URL"
run "$P" -c "$F" -k ckan.datastore.read_url get user
is "$OUT" "datastore_default" "-k takes the full key name"
run "$P" -c "$F" get password
is "$OUT" "s3cret" "get password prints it (asking is consent)"
run "$P" -c "$F" get url
is "$OUT" "postgresql://ckan_default:****@localhost/ckan_default" "get url masks the password"
run "$P" -c "$F" -P get url
is "$OUT" "postgresql://ckan_default:s3cret@localhost/ckan_default" "get url --show-password"
run "$P" -c "$D/remote.ini" get options
is "$OUT" "sslmode=require" "get options"
run "$P" -c "$F" get nonsense
is "$RC" 2 "get of an unknown field exits 2"

# --- set: minimal, atomic, every URL of the same server
F=$(fresh ckan.ini)
cp "$F" "$W/orig"
run "$P" -c "$F" set port=5433
is "$RC" 0 "set port exits 0"
is "$OUT$ERR" "" "set is quiet on success"
is "$("$P" -c "$F" get port)" 5433 "main URL has the new port"
is "$("$P" -c "$F" -k write get port)" 5433 "the write URL followed (same server)"
is "$("$P" -c "$F" -k read get port)" 5433 "the read URL followed (same server)"
is "$(diff "$W/orig" "$F" | grep -c '^>')" 3 "exactly three lines changed"
is "$(sed 's/:5433//' "$F" | cmp - "$W/orig" && echo same)" "same" "removing the inserted ':5433' gives back the original bytes"
is "$(grep -c 'read_url  =   postgresql://datastore_default:r3ad@localhost:5433/' "$F")" 1 "spacing around '=' is kept"
M1=$(mtime "$F")
sleep 1
run "$P" -c "$F" set port=5433
is "$RC" 0 "setting the same value exits 0"
is "$(mtime "$F")" "$M1" "setting the same value leaves the file (and its mtime) alone"
run "$P" -c "$F" -k main set port=5434
is "$("$P" -c "$F" -k write get port)" 5433 "-k main changes only the main URL"
is "$("$P" -c "$F" get port)" 5434 "-k main changed it"
run "$P" -c "$F" --all set host=db2.example.org
is "$("$P" -c "$F" -k read get host)" db2.example.org "--all changes every URL"

F=$(fresh ckan.ini)
cp "$F" "$W/orig"
run "$P" -c "$F" set port=6543 --dry-run
is "$RC" 0 "--dry-run exits 0"
cmp -s "$F" "$W/orig"
is $? 0 "--dry-run writes nothing"
like "$OUT" "^\+sqlalchemy.url = postgresql://ckan_default:\*\*\*\*@localhost:6543/ckan_default$" "--dry-run prints a unified diff"
like "$OUT" "^--- $F" "the diff names the file"
unlike "$OUT" "s3cret|r3ad" "the diff masks passwords"

# several changes in one atomic write; passwords CKAN and libpq read back exactly
F=$(fresh ckan.ini)
PW='p@ss:w/rd?#;x %y'
run "$P" -c "$F" -k main set "password=$PW" user=new_user port=5440
is "$RC" 0 "several FIELD=VALUE in one call"
is "$("$P" -c "$F" get password)" "$PW" "the password reads back exactly"
is "$("$P" -c "$F" get user)" "new_user" "the user changed too"
is "$(python3 -c 'import configparser,sys; c=configparser.ConfigParser(); c.optionxform=str; c.read(sys.argv[1]); print(c.get("app:main","sqlalchemy.url"))' "$F")" \
	"postgresql://new_user:p%40ss%3Aw%2Frd%3F%23%3Bx%20%25y@localhost:5440/ckan_default" \
	"configparser reads the percent-encoded URL ('%' doubled in the file)"
like "$(grep '^sqlalchemy.url' "$F")" "%%25y" "a '%' is written as '%%' for configparser"

# CRLF, no final newline, symlink, mode, backup
printf '[app:main]\r\nsqlalchemy.url = postgresql://u:p@localhost/db\r\n# end' >"$W/crlf.ini"
cp "$W/crlf.ini" "$W/crlf.orig"
chmod 640 "$W/crlf.ini"
ln -s crlf.ini "$W/link.ini"
run "$P" -c "$W/link.ini" set port=5433 --backup
is "$RC" 0 "set through a symlink"
ok "the link is still a link" test -L "$W/link.ini"
is "$(tr -cd '\r' <"$W/crlf.ini" | wc -c)" 2 "CRLF line ends kept"
is "$(tail -c 5 "$W/crlf.ini")" "# end" "a missing final newline stays missing"
is "$(stat -c %a "$W/crlf.ini")" 640 "mode kept"
ok "--backup keeps the old file as .bak" cmp -s "$W/crlf.ini.bak" "$W/crlf.orig"
is "$(ls -a "$W" | grep -c '^\.crlf')" 0 "no temp file left behind"

# --- bad input: one line, exit 2, file untouched
bad() {	# bad NAME FILE REGEX ARGS...
	name=$1 file=$2 re=$3
	shift 3
	cp "$file" "$W/before"
	m=$(mtime "$file")
	run "$P" -c "$file" "$@"
	is "$RC" 2 "$name: exit 2"
	like "$ERR" "$re" "$name: says why"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$name: one line"
	ok "$name: file byte-identical" cmp -s "$file" "$W/before"
	is "$(mtime "$file")" "$m" "$name: mtime unchanged"
}
F=$(fresh ckan.ini)
run "$P" -c "$W/missing.ini"
is "$RC" 2 "a missing file exits 2"
like "$ERR" "^ckan-pgurl: $W/missing.ini: cannot open: No such file" "a missing file says so"
bad "port not a number" "$F" "port \"abc\" is not a number" set port=abc
bad "port out of range" "$F" "port \"70000\" is not a number from 1 to 65535" set port=70000
bad "port zero" "$F" "port \"0\"" set port=0
bad "no [app:main]" "$(fresh nomain.ini)" "no \[app:main\] section" show
bad "key absent" "$(fresh nokey.ini)" "no sqlalchemy.url in \[app:main\]" get port
bad "key absent on set" "$(fresh nokey.ini)" "no sqlalchemy.url" set port=5433
bad "non-postgres scheme" "$(fresh mysql.ini)" "mysql.ini:2: sqlalchemy.url: " set port=5433
bad "duplicate keys" "$(fresh dup.ini)" "dup.ini:3: .*duplicate" set port=5433
bad "datastore key absent" "$(fresh nokey.ini)" "no " -k write get port
printf '[app:main]\nsqlalchemy.url = postgresql://u:p@localhost/db\n' >"$W/ro.ini"
chmod 444 "$W/ro.ini"
run "$P" -c "$W/ro.ini" set unknownfield=1
is "$RC" 2 "an unknown set field is a usage error"

# --- use = config: chains
mkdir -p "$W/chain/sub"
cp "$D/chain/top.ini" "$W/chain/top.ini"
cp "$D/chain/sub/base.ini" "$W/chain/sub/base.ini"
cp "$W/chain/top.ini" "$W/top.orig"
run "$P" -c "$W/chain/top.ini" get dbname
is "$OUT" "ckan" "a key from a 'use = config:' file is found"
run "$P" -c "$W/chain/top.ini" set port=5433
is "$RC" 0 "set through a chain"
is "$(grep -c 5433 "$W/chain/sub/base.ini")" 3 "the file that defines the keys is edited"
ok "the including file is untouched" cmp -s "$W/chain/top.ini" "$W/top.orig"

# --- lint
run "$P" -c "$D/ckan.ini" lint
is "$RC" 0 "a clean file lints clean"
is "$OUT" "" "no findings printed for a clean file"
run "$P" -c "$D/lint-bad.ini" lint
is "$RC" 1 "findings exit 1"
like "$OUT" "lint-bad.ini:2: sqlalchemy.url: \"postgres://\" is refused by SQLAlchemy >= 1.4.*CKAN >= 2.10" "postgres:// is flagged with the versions"
like "$OUT" "'%' in the URL breaks \"ckan db\" migrations.*CKAN 2.9-2.11" "any % is flagged"
like "$OUT" "lint-bad.ini:3: ckan.datastore.write_url: the datastore does not take a \"\+psycopg2\" driver" "+driver on a datastore URL"
like "$OUT" "read_url equals write_url" "read_url = write_url"
like "$OUT" "must not be the CKAN database" "datastore database = CKAN database"
run "$P" -c "$D/lint-bad.ini" lint --json
is "$RC" 1 "lint --json exits 1 with findings"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(set(f["line"] for f in d)), all(f["kind"]=="finding" for f in d))')" "[2, 3, 4] True" "lint --json is an array of findings with lines"
run "$P" -c "$D/ckan.ini" lint --json
is "$OUT" "[]" "lint --json of a clean file is an empty array"
run "$P" -c "$D/typo.ini" lint
like "$OUT" "a port is not a number: a raw '/'" "a raw '/' in a password is spotted"
unlike "$OUT" '"pa"' "... without quoting the start of the password"
printf '[app:main]\nsqlalchemy.url = postgresql://u:50%%off@localhost/db\n' >"$W/pct.ini"
run "$P" -c "$W/pct.ini" lint
like "$OUT" "a lone '%' is an error" "a lone % is flagged"
run "$P" -c "$D/dup.ini" lint
is "$RC" 1 "lint reports duplicate keys as findings"
like "$OUT" "dup.ini:3: sqlalchemy.url: duplicate key \(CKAN >= 2.9 refuse to start; 2.6-2.8 use the last\)" "duplicates name the versions"
printf '[app:main]\nsqlalchemy.url = postgresql://u:p@h/db ;old\n' >"$W/semi.ini"
run "$P" -c "$W/semi.ini" lint
like "$OUT" "semi.ini:2: sqlalchemy.url: CKAN 2.6-2.8 reads it differently: postgresql://u:\*\*\*\*@h/db$" "lint says where CKAN versions read a URL differently"
run "$P" -c "$W/semi.ini" show
like "$ERR" "warning: sqlalchemy.url: CKAN 2.6-2.8 reads it differently" "show warns about it too"
run "$P" -c "$W/semi.ini" --ckan-version 2.8 get dbname
is "$OUT" "db" "--ckan-version 2.8 cuts the value at ' ;'"
run "$P" -c "$W/semi.ini" --ckan-version 2.11 get dbname
is "$OUT" "db ;old" "--ckan-version 2.11 keeps ' ;' in the value"
run "$P" -c "$W/semi.ini" --ckan-version 1.9 get dbname
is "$RC" 2 "--ckan-version older than 2.6 is a usage error"
CKAN_DATASTORE_WRITE_URL=x run "$P" -c "$D/ckan.ini" lint
is "$RC" 1 "an env override is a finding"
run "$P" -c "$D/chain/top.ini" lint
like "$OUT" "sub/base.ini:2: sqlalchemy.url: note: defined here" "lint says which file really defines a key"

# --- url: each URL for libpq, edited as set edits, without its password
F=$(fresh ckan.ini)
cp "$F" "$W/orig"
run "$P" -c "$F" --all url port=5433
is "$RC" 0 "url exits 0"
is "$OUT" "postgresql://ckan_default@localhost:5433/ckan_default
postgresql://ckan_default@localhost:5433/datastore_default
postgresql://datastore_default@localhost:5433/datastore_default" "--all url port=5433: every URL in key order, edited, no password"
ok "url writes nothing" cmp -s "$F" "$W/orig"
run "$P" -c "$F" url
is "$OUT" "postgresql://ckan_default@localhost/ckan_default" "url without -k is the main URL"
run "$P" -c "$F" -k read url host=db.example.org
is "$OUT" "postgresql://datastore_default@db.example.org/datastore_default" "-k read url host=..."
run "$P" -c "$F" -P url port=5433
is "$OUT" "postgresql://ckan_default:s3cret@localhost:5433/ckan_default" "url --show-password keeps it"
run "$P" -c "$F" --json --all url
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ckan.datastore.read_url"])')" \
	"postgresql://datastore_default@localhost/datastore_default" "url --json: key -> URL"
run "$P" -c "$F" --shell -k write url
is "$OUT" "CKAN_DB_WRITE_URL='postgresql://ckan_default@localhost/datastore_default'" "url --shell"
run "$P" -c "$F" url port=0
is "$RC" 2 "url with a bad edit exits 2"
like "$ERR" "port \"0\" is not a number from 1 to 65535" "... and says why, as set does"
printf '[app:main]\nsqlalchemy.url = postgresql+psycopg2://u:pw@h/db?sslmode=require&password=x&application_name=a\nckan.datastore.read_url = postgresql://r@h/ds\n' >"$W/drv.ini"
run "$P" -c "$W/drv.ini" --all url
is "$OUT" "postgresql://u@h/db?sslmode=require&application_name=a
postgresql://r@h/ds" "url drops SQLAlchemy's +driver and every ?password=; absent keys are left out"
# Names libpq must read back exactly: the URL printed, put in an ini that
# CKAN 2.6-2.8 read without '%' rules, read back by pgurl's scanner (which
# tests/unit/pgurl.c proves equal to PQconninfoParse).
WU="we'ird \"us@r\": /x%#ü"
WD="d b/'\"@:%#ä€"
run "$P" -c "$F" url "user=$WU" "dbname=$WD"
is "$RC" 0 "url with special user and dbname"
like "$OUT" "^postgresql://we%27ird%20%22us%40r%22%3A%20%2Fx%25%23%C3%BC@localhost/d%20b%2F%27%22%40%3A%25%23%C3%A4%E2%82%AC$" "... percent-encoded"
printf '[app:main]\nsqlalchemy.url = %s\n' "$OUT" >"$W/rt.ini"
is "$("$P" -c "$W/rt.ini" --ckan-version 2.8 get user)" "$WU" "... the user reads back"
is "$("$P" -c "$W/rt.ini" --ckan-version 2.8 get dbname)" "$WD" "... the dbname reads back"
for cmd in "url" "--all url" "pgpass"; do
	# shellcheck disable=SC2086 # the command words are meant to split
	LD_DEBUG=files "$P" -c "$F" $cmd >/dev/null 2>"$TAP_TMP/ld"
	unlike "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "ckan-pgurl $cmd does not load libpq"
done
LD_DEBUG=files "$P" -c "$F" url port=5433 >/dev/null 2>"$TAP_TMP/ld"
like "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "url with an edit loads libpq to verify it"

# --- pgpass: libpq password-file lines
F=$(fresh ckan.ini)
run "$P" -c "$F" pgpass
is "$RC" 0 "pgpass exits 0"
is "$OUT" "*:*:ckan_default:ckan_default:s3cret
*:*:datastore_default:ckan_default:s3cret
*:*:datastore_default:datastore_default:r3ad" "pgpass: one line per URL with a password, in key order"
PW1="a:b\\c'd e ü€"
PW2='x\:y'
"$P" -c "$F" -k main set "password=$PW1" user=u:1 >/dev/null
"$P" -c "$F" -k write set "password=$PW2" >/dev/null
run "$P" -c "$F" pgpass
is "$OUT" "*:*:ckan_default:u\\:1:a\\:b\\\\c'd e ü€
*:*:datastore_default:ckan_default:x\\\\\\:y
*:*:datastore_default:datastore_default:r3ad" "pgpass escapes '\\' and ':' in every field"
printf '[app:main]\nsqlalchemy.url = postgresql://u:pw@h/db\nckan.datastore.write_url = postgresql://u:pw@h2:5433/db?password=pw\nckan.datastore.read_url = postgresql://r@h/db\n' >"$W/dup.ini"
run "$P" -c "$W/dup.ini" pgpass
is "$OUT" "*:*:db:u:pw" "pgpass de-duplicates and skips URLs without a password"
printf '[app:main]\nsqlalchemy.url = postgresql://u@h/db\nckan.datastore.write_url = postgresql:///ds\n' >"$W/nopw.ini"
run "$P" -c "$W/nopw.ini" pgpass
is "$RC" 1 "pgpass exits 1 when no URL has a password"
is "$OUT" "" "... and prints nothing"
printf '[app:main]\nsqlalchemy.url = postgresql:///db?password=pw\n' >"$W/nouser.ini"
run "$P" -c "$W/nouser.ini" pgpass
is "$OUT" "*:*:db:*:pw" "an absent user is '*'"
run "$P" -c "$F" --json pgpass
is "$RC" 2 "pgpass --json is a usage error"

# --- restore: FILE gets BACKUP's bytes, written as set writes
mkdir -p "$W/rs"
cp "$D/ckan.ini" "$W/rs/real.ini"
cp "$D/ckan.ini" "$W/rs/backup.ini"
chmod 640 "$W/rs/real.ini"
chown 65534:65534 "$W/rs/real.ini" 2>/dev/null || true
owner=$(stat -c %u:%g "$W/rs/real.ini")
ln -s real.ini "$W/rs/ckan.ini"
"$P" -c "$W/rs/ckan.ini" set port=5999 user=other >/dev/null
printf '\n[broken\n' >>"$W/rs/real.ini"	# a restore repairs a file that no longer parses
cp "$W/rs/real.ini" "$W/rs/before"
run "$P" -c "$W/rs/ckan.ini" restore "$W/rs/backup.ini" --dry-run
is "$RC" 0 "restore --dry-run exits 0"
ok "restore --dry-run writes nothing" cmp -s "$W/rs/real.ini" "$W/rs/before"
like "$OUT" "^\+sqlalchemy.url = postgresql://ckan_default:\*\*\*\*@localhost/ckan_default$" "restore --dry-run prints the diff"
like "$OUT" "^-sqlalchemy.url = postgresql://\*\*\*\*$" "... a file that is no ini masked line by line"
unlike "$OUT" "s3cret|r3ad" "... with passwords masked"
run "$P" -c "$W/rs/ckan.ini" restore "$W/rs/backup.ini"
is "$RC" 0 "restore exits 0"
is "$OUT$ERR" "" "restore is quiet"
ok "the file is byte-identical to the backup" cmp -s "$W/rs/real.ini" "$W/rs/backup.ini"
ok "the symlink is still a link" test -L "$W/rs/ckan.ini"
is "$(readlink "$W/rs/ckan.ini")" "real.ini" "... to the same target"
is "$(stat -c %a "$W/rs/real.ini")" 640 "mode 0640 kept"
is "$(stat -c %u:%g "$W/rs/real.ini")" "$owner" "owner kept"
is "$(ls -a "$W/rs" | grep -c '^\.real')" 0 "no temp file left"
m=$(mtime "$W/rs/real.ini")
sleep 1
run "$P" -c "$W/rs/ckan.ini" restore "$W/rs/backup.ini"
is "$RC" 0 "restore of equal bytes exits 0"
is "$(mtime "$W/rs/real.ini")" "$m" "... and leaves the mtime"
run "$P" -c "$W/rs/ckan.ini" restore "$W/rs/backup.ini" --dry-run
is "$OUT" "" "restore --dry-run of equal bytes prints nothing"
"$P" -c "$W/rs/ckan.ini" set port=5998 >/dev/null
cp "$W/rs/real.ini" "$W/rs/before"
m=$(mtime "$W/rs/real.ini")
for b in "$W/rs/missing.ini" "$W/rs" /dev/null; do
	run "$P" -c "$W/rs/ckan.ini" restore "$b"
	is "$RC" 2 "restore from $b exits 2"
	like "$ERR" "^ckan-pgurl: $b: " "... naming the backup"
	ok "... FILE untouched" cmp -s "$W/rs/real.ini" "$W/rs/before"
	is "$(mtime "$W/rs/real.ini")" "$m" "... mtime kept"
done
like "$ERR" "not a regular file" "a device is not a backup"
run "$P" -c "$W/rs/ckan.ini" restore
is "$RC" 2 "restore without BACKUP is a usage error"
LD_DEBUG=files "$P" -c "$W/rs/ckan.ini" restore "$W/rs/backup.ini" >/dev/null 2>"$TAP_TMP/ld"
unlike "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "restore does not load libpq"
ok "... and restored" cmp -s "$W/rs/real.ini" "$W/rs/backup.ini"

# --- one masker for every output path: a password in the userinfo, in
# ?password=, in a multi-host URL, percent-encoded ('%' doubled for
# configparser).  Every output must mask it and must say something.
n=0
for url in 'postgresql://u:Zq9secret@localhost/db' \
	'postgresql://u@localhost/db?sslmode=require&password=Zq9secret' \
	'postgresql://u:Zq9secret@h1:5432,h2:5433/db' \
	'postgresql://u:Zq9%%73ecret@localhost/db?password=Zq9%%2Fx&application_name=a'; do
	n=$((n + 1))
	M="$W/mask$n.ini"
	printf '[app:main]\nsqlalchemy.url = %s\nckan.datastore.write_url = %s\n' "$url" "$url" >"$M"
	cp "$M" "$W/mask$n.bak"
	"$P" -c "$M" -k main set port=6000 >/dev/null
	all=""
	for cmd in "show" "--shell show" "--json show" "get url" "url" "--all set port=5999 --dry-run" \
		"restore $W/mask$n.bak --dry-run"; do
		# shellcheck disable=SC2086 # the command words are meant to split
		run "$P" -c "$M" $cmd
		is "$RC" 0 "mask $n: $cmd exits 0"
		like "$OUT" "^[-+ {C]|^postgresql|url " "mask $n: $cmd prints something"
		all="$all$OUT$ERR"
	done
	unlike "$all" "Zq9" "mask $n: no output path shows the password"
	like "$all" "\*\*\*\*" "mask $n: it is masked as ****"
	printf '[app:main]\nsqlalchemy.url = %s ;old\n' "$url" >"$M"
	run "$P" -c "$M" lint
	like "$OUT" "CKAN 2.6-2.8 reads it differently" "mask $n: lint says how another CKAN reads it"
	unlike "$OUT$ERR" "Zq9" "mask $n: lint masks the password"
	run "$P" -c "$M" show
	like "$ERR" "warning: " "mask $n: show warns"
	unlike "$OUT$ERR" "Zq9" "mask $n: ... masked"
done
printf '[app:main]\nsqlalchemy.url = postgresql://u:Zq9%%%%zzsecret@localhost/db\n' >"$W/maskerr.ini"
run "$P" -c "$W/maskerr.ini" show
is "$RC" 2 "a bad token in a password: exit 2"
like "$ERR" "invalid percent-encoded token in a password" "... says why"
unlike "$ERR" "Zq9|zz" "... without quoting the password"
printf '[app:main]\nsqlalchemy.url = postgresql://u@localhost/db?password=Zq9%%%%zz\n' >"$W/maskerr.ini"
run "$P" -c "$W/maskerr.ini" get port
unlike "$ERR" "Zq9|zz" "a bad token in ?password=: not quoted either"
printf '[app:main]\nsqlalchemy.url = postgresql://u:Zq9@secret@localhost/db\n' >"$W/maskat.ini"
run "$P" -c "$W/maskat.ini" lint
like "$OUT" "host \"\*\*\*\*@localhost\" holds an '@'" "lint: a raw '@' in a password is spotted"
unlike "$OUT" "Zq9|secret" "... and the host (the password's rest) is masked"
# the issue: set --dry-run printed ?password= in clear
printf '[app:main]\nsqlalchemy.url = postgresql://ckan@localhost/ckan?password=s3cret\n' >"$W/issue.ini"
run "$P" -c "$W/issue.ini" set port=5433 --dry-run
like "$OUT" "^\+sqlalchemy.url = postgresql://ckan@localhost:5433/ckan\?password=\*\*\*\*$" "set --dry-run masks ?password= (issue)"
unlike "$OUT" "s3cret" "... s3cret never shown"
# passwords under other keys and in values CKAN interpolates are masked whole
printf '[app:main]\nsqlalchemy.url = postgresql://u:Zq9a@localhost/db\nckanext.x.url = redis://:Zq9b@r:6379/0\nckan.datastore.write_url = postgresql://u:%%(pw)s@localhost/ds\npw = Zq9c\nckan.datastore.read_url = postgresql://r:Zq9d@h\n  /ds\n' >"$W/other.ini"
cp "$W/other.ini" "$W/other.bak"
sed -i '3a x = 1' "$W/other.ini"
run "$P" -c "$W/other.ini" restore "$W/other.bak" --dry-run
like "$OUT" "^ ckanext.x.url = \*\*\*\*$" "a URL with a password under another key is masked"
like "$OUT" "^ ckan.datastore.write_url = \*\*\*\*$" "an interpolated database URL is masked whole"
unlike "$OUT" "Zq9a|Zq9b|Zq9d" "restore --dry-run shows no password"
run "$P" -c "$W/other.ini" -P restore "$W/other.bak" --dry-run
like "$OUT" "Zq9b" "--show-password shows them"

# --- set writes only what libpq verified: the new file is synced while
# libpq loads, and dropped when libpq cannot read the edit.  A libpq.so.5
# without its functions makes the verification fail.
if command -v cc >/dev/null 2>&1; then
	mkdir -p "$TAP_TMP/nolibpq"
	echo 'int not_libpq;' >"$TAP_TMP/nolibpq/x.c"
	cc -shared -fPIC -Wl,-soname,libpq.so.5 -o "$TAP_TMP/nolibpq/libpq.so.5" "$TAP_TMP/nolibpq/x.c"
	F=$(fresh ckan.ini)
	before=$(mtime "$F")
	LD_LIBRARY_PATH=$TAP_TMP/nolibpq run "$P" -c "$F" set port=6543
	is "$RC" 2 "set: exit 2 when libpq cannot verify the edit"
	like "$ERR" "cannot load libpq to verify the edit: libpq has no symbol" "set: ... and says why"
	ok "set: the file is byte-identical" cmp "$F" "$D/ckan.ini"
	is "$(mtime "$F")" "$before" "set: its mtime is unchanged"
	is "$(ls -a "$W" | grep -c '^\.ckan\.ini\.')" 0 "set: the staged temp file is removed"
	run "$P" -c "$F" set port=6543
	is "$RC" 0 "set: with libpq, the same edit is written"
	is "$("$P" -c "$F" get port)" 6543 "set: ... and reads back"
else
	for _ in 1 2 3 4 5 6 7; do skip "no C compiler"; done
fi

done_testing
