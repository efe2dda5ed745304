#!/bin/sh
# ckan-pgurl --env-file: CKAN's URLs in a Docker Compose .env (ckan-docker).
# Every read command, URLs built from variables, the .env against the ini,
# and set: minimal bytes, the variable edited where the URL uses one,
# refusals (exit 2, file:line, file untouched), write safety (symlink, mode,
# owner, temp file, injected write failures), --dry-run masking, restore.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/ckan-pgurl"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
D="$SRC/tests/data"
W="$TAP_TMP/w"
mkdir -p "$W"
unset CKAN_INI CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL

fresh() {	# fresh NAME: a writable copy of tests/data/env/NAME
	cp "$D/env/$1" "$W/$1"
	echo "$W/$1"
}
mtime() { stat -c %Y.%y "$1"; }

# --- --help lists it
run "$P" --help
like "$OUT" "^  -e, --env-file=FILE " "--help lists --env-file"

# --- ckan-docker's own .env.example: literal URLs
E=$(fresh ckan-docker.env)
run "$P" --env-file "$E"
is "$RC" 0 "show --env-file exits 0"
like "$OUT" "^sqlalchemy.url \($E:17 CKAN_SQLALCHEMY_URL\)$" "show names the file, line and variable"
like "$OUT" "^  url       postgresql://ckandbuser:\*\*\*\*@db/ckandb$" "... the URL, masked"
unlike "$OUT" "ckandbpassword" "... never the password"
like "$OUT" "^ckan.datastore.read_url \($E:19 CKAN_DATASTORE_READ_URL\)$" "... the datastore URLs too"
run "$P" -e "$E" -k write get dbname
is "$OUT" "datastore" "-e FILE get dbname"
run "$P" -e "$E" --all url
is "$OUT" "postgresql://ckandbuser@db/ckandb
postgresql://ckandbuser@db/datastore
postgresql://datastore_ro@db/datastore" "url --all"
run "$P" -e "$E" pgpass
is "$OUT" "*:*:ckandb:ckandbuser:ckandbpassword
*:*:datastore:ckandbuser:ckandbpassword
*:*:datastore:datastore_ro:datastore" "pgpass"
run "$P" -e "$E" lint
is "$RC" 0 "lint of ckan-docker's .env.example: clean"
is "$OUT" "" "... nothing printed"
LD_DEBUG=files "$P" -e "$E" show >/dev/null 2>"$TAP_TMP/ld"
unlike "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "show --env-file does not load libpq"

# --- URLs built from variables
V=$(fresh vars.env)
run "$P" -e "$V" -k read
like "$OUT" "^  from      DATASTORE_READONLY_USER DATASTORE_READONLY_PASSWORD POSTGRES_HOST DATASTORE_DB$" "show: built from variables"
like "$OUT" "^  url       postgresql://datastore_ro:\*\*\*\*@db/datastore$" "... resolved as Compose does"
run "$P" -e "$V" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)["sqlalchemy.url"]; print(d["variable"], d["from"], d["line"], d["password"])')" \
	"CKAN_SQLALCHEMY_URL ['CKAN_DB_USER', 'CKAN_DB_PASSWORD', 'POSTGRES_HOST', 'CKAN_DB'] 9 ****" "--json: variable, from, line"
run "$P" -e "$V" --shell -k main
like "$OUT" "^CKAN_DB_MAIN_FROM='CKAN_DB_USER CKAN_DB_PASSWORD POSTGRES_HOST CKAN_DB'$" "--shell: CKAN_DB_MAIN_FROM"
like "$OUT" "^CKAN_DB_MAIN_VARIABLE='CKAN_SQLALCHEMY_URL'$" "--shell: CKAN_DB_MAIN_VARIABLE"
run "$P" -e "$V" get password
is "$OUT" "ckandbpassword" "get password through \${CKAN_DB_PASSWORD}"
printf 'CKAN___SQLALCHEMY__URL=postgresql://e@h/envvars\nCKAN__DATASTORE__WRITE_URL=postgresql://e@h/ds\n' >"$W/envvars.env"
run "$P" -e "$W/envvars.env" get dbname
is "$OUT" "envvars" "ckanext-envvars' CKAN___SQLALCHEMY__URL is read"
run "$P" -e "$W/envvars.env" -k write get dbname
is "$OUT" "ds" "... and CKAN__DATASTORE__WRITE_URL"
printf 'CKAN___SQLALCHEMY__URL=postgresql://e@h/envvars\nCKAN_SQLALCHEMY_URL=postgresql://e@h/core\n' >"$W/both.env"
run "$P" -e "$W/both.env" get dbname
is "$OUT" "core" "CKAN_SQLALCHEMY_URL wins over CKAN___SQLALCHEMY__URL (CKAN applies it after plugins)"
printf 'A=1\nCKAN_SQLALCHEMY_URL=postgresql://u@${NOPE}/db\nCKAN_SQLALCHEMY_URL=postgresql://u@h/db2\n' >"$W/lint.env"
run "$P" -e "$W/lint.env" lint
is "$RC" 1 "lint: findings exit 1"
like "$OUT" "lint.env:3: CKAN_SQLALCHEMY_URL: CKAN_SQLALCHEMY_URL is set 2 times; Compose uses the last \(Docker Compose\)" "lint: set twice"
printf 'CKAN_SQLALCHEMY_URL=postgresql://u@${NOPE}/db\n' >"$W/lint2.env"
run "$P" -e "$W/lint2.env" lint
like "$OUT" "lint2.env:1: CKAN_SQLALCHEMY_URL: uses \\\$NOPE, which no earlier line sets" "lint: an unset variable"
printf 'A=${B\n' >"$W/bad.env"
run "$P" -e "$W/bad.env" show
is "$RC" 2 "a .env Compose refuses: exit 2"
is "$ERR" "ckan-pgurl: $W/bad.env:1: invalid interpolation: no closing '}'" "... with file:line"
printf 'POSTGRES_HOST=db\n' >"$W/none.env"
run "$P" -e "$W/none.env" get host
is "$RC" 2 "no URL in the .env: exit 2"
like "$ERR" "none.env: no variable sets sqlalchemy.url" "... says so"

# --- ini and .env together: the environment wins, as in CKAN
run "$P" -c "$D/ckan.ini" -e "$E" -k main
like "$OUT" "^sqlalchemy.url \($E:17 CKAN_SQLALCHEMY_URL\)$" "-c and -e: show uses the .env"
like "$OUT" "^  instead   $D/ckan.ini:26 \(sqlalchemy.url, which CKAN does not use\)$" "... and names the ini line it overrides"
like "$ERR" "warning: CKAN_SQLALCHEMY_URL differs from sqlalchemy.url in $D/ckan.ini:26; CKAN uses CKAN_SQLALCHEMY_URL" "... warns that they disagree"
run "$P" -c "$D/ckan.ini" -e "$E" lint
is "$RC" 1 "lint: a disagreement is a finding"
like "$OUT" "ckan-docker.env:17: CKAN_SQLALCHEMY_URL: CKAN uses this, not sqlalchemy.url in $D/ckan.ini:26, which says something else" "... saying which CKAN uses"
printf 'CKAN_SQLALCHEMY_URL=postgresql://ckan_default:s3cret@localhost/ckan_default\n' >"$W/same.env"
run "$P" -c "$D/ckan.ini" -e "$W/same.env" lint
is "$RC" 0 "lint: the same URL in both is no finding"
like "$OUT" "same.env:1: CKAN_SQLALCHEMY_URL: note: CKAN uses this, not sqlalchemy.url" "... but a note"
run "$P" -c "$D/ckan.ini" -e "$W/same.env" -k write get dbname
is "$OUT" "datastore_default" "a URL the .env does not set comes from the ini"

# --- set: a variable the URLs use is edited where it lives
V=$(fresh vars.env)
cp "$V" "$W/vars.orig"
run "$P" -e "$V" set host=db17
is "$RC" 0 "set host on URLs built from \${POSTGRES_HOST}"
is "$(diff "$W/vars.orig" "$V")" "2c2
< POSTGRES_HOST=db
---
> POSTGRES_HOST=db17" "only POSTGRES_HOST=... changed"
like "$ERR" "^ckan-pgurl: $V:2: changed POSTGRES_HOST$" "stderr names the line changed"
like "$ERR" "^ckan-pgurl: $V:12: follows: CKAN_SITE_URL$" "... and the lines built from it"
is "$("$P" -e "$V" -k read get host)" "db17" "the read URL follows"
M1=$(mtime "$V")
sleep 1
run "$P" -e "$V" set host=db17
is "$RC$OUT$ERR" "0" "setting the same value: exit 0, silent"
is "$(mtime "$V")" "$M1" "... file and mtime untouched"
cp "$V" "$W/vars.orig"
run "$P" -e "$V" set port=5433
is "$RC" 0 "set port: inserted as literal text (the URLs hold no port variable)"
is "$(diff "$W/vars.orig" "$V" | grep -c '^>')" 3 "... on the three URL lines"
is "$(sed 's/:5433//' "$V" | cmp - "$W/vars.orig" && echo same)" "same" "... removing ':5433' gives back the original bytes"
like "$(cat "$V")" 'export CKAN_DATASTORE_READ_URL="postgresql://\$\{DATASTORE_READONLY_USER\}:\$\{DATASTORE_READONLY_PASSWORD\}@\$POSTGRES_HOST:5433/\$DATASTORE_DB" # read-only' \
	"... quoting, export and comment kept"
run "$P" -e "$V" --json set dbname=ckan2
is "$RC" 0 "set dbname --json"
is "$OUT" "{\"changed\": [{\"file\": \"$V\", \"line\": 5, \"variable\": \"CKAN_DB\", \"written\": true}, {\"file\": \"$V\", \"line\": 9, \"variable\": \"CKAN_SQLALCHEMY_URL\", \"written\": false}]}" \
	"--json names the changed line and the URL that follows"
is "$(grep '^CKAN_DB=' "$V")" "CKAN_DB=ckan2" "... CKAN_DB edited"
PW='n3w p@ss$"'
run "$P" -e "$V" --all set "password=$PW"
is "$RC" 0 "set password on every URL"
is "$("$P" -e "$V" get password)" "$PW" "the password reads back exactly"
is "$("$P" -e "$V" -k read get password)" "$PW" "... from the read URL's own variable too"
is "$(grep '^CKAN_DB_PASSWORD=' "$V")" 'CKAN_DB_PASSWORD=n3w%20p%40ss%24%22' "... percent-encoded in the variable the URL uses"

# --- refusals: exit 2, file:line, file untouched
refuse() {	# refuse NAME FILE REGEX ARGS...
	name=$1 file=$2 re=$3
	shift 3
	cp "$file" "$W/before"
	m=$(mtime "$file")
	run "$P" -e "$file" "$@"
	is "$RC" 2 "$name: exit 2"
	like "$ERR" "$re" "$name: says why"
	is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$name: one line"
	ok "$name: file byte-identical" cmp -s "$file" "$W/before"
	is "$(mtime "$file")" "$m" "$name: mtime unchanged"
}
V=$(fresh vars.env)
refuse "a variable shared with a URL not selected" "$V" \
	"vars.env:10: CKAN_DATASTORE_WRITE_URL shares a variable with the URLs edited" -k main set password=x
X=$(fresh default.env)
refuse "a port inside \${VAR:-default}" "$X" \
	"default.env:2: CKAN_SQLALCHEMY_URL: port comes from an expression on \\\$POSTGRES_PORT" set port=6000
printf 'H=db\nCKAN_SQLALCHEMY_URL=postgresql://u@${H}x/db\n' >"$W/mixed.env"
refuse "a host built from a variable and text" "$W/mixed.env" \
	"mixed.env:2: CKAN_SQLALCHEMY_URL: host is built from several parts" set host=other
refuse "port not a number" "$V" "port \"abc\" is not a number" set port=abc

# --- write safety: symlink, mode, owner, no temp file, backup
mkdir -p "$W/ws"
cp "$D/env/vars.env" "$W/ws/real.env"
cp "$D/env/vars.env" "$W/ws/orig.env"
chmod 640 "$W/ws/real.env"
chown 65534:65534 "$W/ws/real.env" 2>/dev/null || true
owner=$(stat -c %u:%g "$W/ws/real.env")
ln -s real.env "$W/ws/.env"
run "$P" -e "$W/ws/.env" set host=db18 --backup
is "$RC" 0 "set through a symlink"
ok "the link is still a link" test -L "$W/ws/.env"
is "$(readlink "$W/ws/.env")" "real.env" "... to the same target"
is "$(stat -c %a "$W/ws/real.env")" 640 "mode 0640 kept"
is "$(stat -c %u:%g "$W/ws/real.env")" "$owner" "owner kept"
ok "--backup keeps the old bytes" cmp -s "$W/ws/real.env.bak" "$W/ws/orig.env"
is "$(ls -a "$W/ws" | grep -c '^\.real')" 0 "no temp file left"

# --- --dry-run: a diff, passwords masked, nothing written
V=$(fresh vars.env)
cp "$V" "$W/vars.orig"
run "$P" -e "$V" set host=db19 --dry-run
is "$RC" 0 "--dry-run exits 0"
ok "--dry-run writes nothing" cmp -s "$V" "$W/vars.orig"
like "$OUT" "^\+POSTGRES_HOST=db19$" "--dry-run shows the edited line"
like "$OUT" "^ CKAN_DB_PASSWORD=\*\*\*\*$" "... masks a password variable in the context"
unlike "$OUT" "ckandbpassword" "... never shows it"
E=$(fresh ckan-docker.env)
run "$P" -e "$E" set host=db17 --dry-run
like "$OUT" "^\+CKAN_SQLALCHEMY_URL=postgresql://ckandbuser:\*\*\*\*@db17/ckandb$" "ckan-docker: the literal host changes in each URL"
unlike "$OUT" "ckandbpassword|:datastore@|CHANGE_ME|test1234" "... and no secret is shown"
run "$P" -e "$E" set host=db17
is "$(diff "$D/env/ckan-docker.env" "$E" | grep -c '^>')" 3 "ckan-docker: three lines written"
is "$(sed 's/@db17/@db/' "$E" | cmp - "$D/env/ckan-docker.env" && echo same)" "same" "... nothing else"

# --- restore: bytes only
cp "$D/env/vars.env" "$W/rs.env"
"$P" -e "$W/rs.env" set host=zz >/dev/null 2>&1
run "$P" -e "$W/rs.env" restore "$D/env/vars.env" --dry-run
like "$OUT" "^-POSTGRES_HOST=zz$" "restore --dry-run shows the diff"
unlike "$OUT" "ckandbpassword" "... masked"
run "$P" -e "$W/rs.env" restore "$D/env/vars.env"
is "$RC" 0 "restore exits 0"
ok "restore: byte-identical to the backup" cmp -s "$W/rs.env" "$D/env/vars.env"
run "$P" -e "$W/rs.env" -c "$D/ckan.ini" restore "$D/env/vars.env"
is "$RC" 2 "restore with -c and -e is a usage error"

# --- a failed write leaves the .env alone (tests/lib/faultinject.c)
if command -v cc >/dev/null 2>&1 && cc -shared -fPIC -o "$TAP_TMP/fi.so" "$SRC/tests/lib/faultinject.c" -ldl; then
	for fail in write renameat; do
		V=$(fresh vars.env)
		m=$(mtime "$V")
		run env LD_PRELOAD="$TAP_TMP/fi.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			CKP_FAIL=$fail "$P" -e "$V" set host=db20
		is "$RC" 2 "CKP_FAIL=$fail: exit 2"
		like "$ERR" "^ckan-pgurl: $V: " "CKP_FAIL=$fail: names the file"
		ok "CKP_FAIL=$fail: byte-identical" cmp -s "$V" "$D/env/vars.env"
		is "$(mtime "$V")" "$m" "CKP_FAIL=$fail: mtime kept"
		is "$(ls -a "$W" | grep -c '^\.vars')" 0 "CKP_FAIL=$fail: no temp file"
	done
else
	for _ in 1 2 3 4 5 6 7 8 9 10; do skip "no C compiler"; done
fi

done_testing
