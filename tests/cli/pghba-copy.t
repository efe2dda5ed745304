#!/bin/sh
# CLI tests for pghba-copy: --check per target version, --list, merge and
# replace with comments kept, pg_ident.conf maps carried, nothing written
# while a rule is invalid, and each kind of bad input.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/pghba-copy"
D=$(cd "$(dirname "$0")/../data/pghba-copy" && pwd)
W="$TAP_TMP"

run "$P" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "^Usage:" "--help prints usage"
run "$P" --version
like "$OUT" "^pghba-copy \(ckan-pgtools\) [0-9]" "--version"
run "$P" --nope
is "$RC" 2 "a bad option exits 2"

# --check
run "$P" --check "$D/new.conf" --pg-version 15
is "$RC" 0 "Debian 15's default file is valid for 15"
is "$ERR" "" "and draws no warning"
run "$P" --check "$D/old.conf" --version=15
is "$RC" 0 "--version=V names the target version too"
run "$P" --check "$D/crypt.conf" --pg-version 15
is "$RC" 2 "crypt and 'ident sameuser' are invalid for 15"
like "$ERR" "^pghba-copy: $D/crypt.conf:1: " "the 'ident sameuser' line is named"
like "$ERR" "^pghba-copy: $D/crypt.conf:2: .*crypt" "the crypt line is named"
unlike "$ERR" "crypt.conf:3:" "the valid line is not"
run "$P" --check "$D/old.conf" --pg-version 9.6
is "$RC" 0 "md5 rules are valid for 9.6"
printf 'host all all 10.0.0.0/8 scram-sha-256\n' >"$W/scram.conf"
run "$P" --check "$W/scram.conf" --pg-version 9.6
is "$RC" 2 "scram-sha-256 is invalid before 10"
run "$P" --check "$W/scram.conf" --pg-version 10
is "$RC" 0 "and valid from 10"
run "$P" --check "$D/insecure.conf" --pg-version 15
is "$RC" 0 "insecure rules are valid"
like "$ERR" "insecure.conf:1: warning: md5 from any address without SSL" "0.0.0.0/0 with a password method over non-SSL is warned about"
like "$ERR" "insecure.conf:2: warning: .*trust" "trust on a host rule is warned about"
like "$ERR" "insecure.conf:3: warning: .*password" "clear-text password is warned about"

run "$P" --check --json "$D/insecure.conf" --pg-version 15
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(set((p["line"], p["kind"]) for p in d)))')" \
	"[(1, 'warning'), (2, 'warning'), (3, 'warning')]" "--check --json lists the warnings"
run "$P" --check --json "$D/crypt.conf" --pg-version 15
like "$OUT" '"line": 2, "kind": "error"' "--check --json lists errors"

# --list
run "$P" --list "$D/old.conf" --pg-version 15
is "$RC" 0 "--list exits 0"
like "$OUT" "^9 +host +ckan_default,datastore_default +ckan_default +10.0.0.0 255.255.255.0 +md5" "--list shows a rule with its line"
run "$P" --list --json "$D/old.conf" --pg-version 15
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[1]["databases"], d[1]["method"])')" \
	"6 ['ckan_default', 'datastore_default'] md5" "--list --json"

# merge (the default)
cp "$D/new.conf" "$W/pg_hba.conf"
chmod 640 "$W/pg_hba.conf"
cp "$W/pg_hba.conf" "$W/orig"
run "$P" "$D/old.conf" "$W/pg_hba.conf" --pg-version 15
is "$RC" 0 "merge exits 0"
is "$OUT" "" "merge is quiet"
like "$(cat "$W/pg_hba.conf")" "# from $D/old.conf:9 \(pghba-copy\)" "each carried rule says where it came from"
like "$(cat "$W/pg_hba.conf")" "# CKAN's web servers on the private network" "its comment came along"
ck=$(grep -n 'ckan_default,datastore_default' "$W/pg_hba.conf" | cut -d: -f1)
ca=$(grep -n '^local   all             all' "$W/pg_hba.conf" | cut -d: -f1)
pg=$(grep -n '^local   all             postgres' "$W/pg_hba.conf" | cut -d: -f1)
ok "OLD's rules sit after NEW's postgres rule and before its first catch-all" test "$pg" -lt "$ck" -a "$ck" -lt "$ca"
is "$(sed -n "$((ca - 1))p" "$W/pg_hba.conf")" '# "local" is for Unix domain socket connections only' "NEW's catch-all keeps its comment right above it"
is "$(grep -c 'md5' "$W/pg_hba.conf")" 2 "OLD's two CKAN rules were carried; its md5 loopback rules were not"
like "$ERR" "old.conf:16: warning: NEW's line 19 takes the same connections with scram-sha-256; kept NEW's" "a conflict with NEW's own rule keeps NEW's and says so"
is "$(grep -c '^local   all             postgres' "$W/pg_hba.conf")" 1 "a rule NEW already has is not duplicated"
is "$(stat -c %a "$W/pg_hba.conf")" 640 "mode kept"
run "$P" --check "$W/pg_hba.conf" --pg-version 15
is "$RC" 0 "the merged file is valid"
cp "$W/pg_hba.conf" "$W/merged"
run "$P" "$D/old.conf" "$W/pg_hba.conf" --pg-version 15
ok "merging again changes nothing" cmp -s "$W/pg_hba.conf" "$W/merged"

# --dry-run, --replace, --backup
cp "$D/new.conf" "$W/pg_hba.conf"
run "$P" --dry-run "$D/old.conf" "$W/pg_hba.conf" --pg-version 15
ok "--dry-run writes nothing" cmp -s "$W/pg_hba.conf" "$D/new.conf"
like "$OUT" "^\+host +datastore_default +datastore_default +10.0.0.0/24 +md5" "--dry-run prints the diff"
run "$P" --replace --backup "$D/old.conf" "$W/pg_hba.conf" --pg-version 15
is "$RC" 0 "--replace"
ok "--replace copies OLD's bytes" cmp -s "$W/pg_hba.conf" "$D/old.conf"
ok "--backup keeps NEW's old file" cmp -s "$W/pg_hba.conf.bak" "$D/new.conf"

# Nothing written while a rule is invalid; --skip-invalid reports and leaves them out.
cp "$D/new.conf" "$W/pg_hba.conf"
run "$P" "$D/crypt.conf" "$W/pg_hba.conf" --pg-version 15
is "$RC" 2 "invalid rules: exit 2"
like "$ERR" "nothing written" "and says nothing was written"
ok "NEW untouched" cmp -s "$W/pg_hba.conf" "$D/new.conf"
run "$P" --skip-invalid "$D/crypt.conf" "$W/pg_hba.conf" --pg-version 15
is "$RC" 0 "--skip-invalid goes on"
like "$ERR" "crypt.conf:2: .*\(skipped\)" "each skipped rule is reported"
like "$(cat "$W/pg_hba.conf")" "host    ckan  ckan       10.2.0.0/16   md5" "the valid rule was carried"
unlike "$(cat "$W/pg_hba.conf")" "10.1.0.0/16" "the invalid one was not"

# A rule of OLD that an earlier rule of NEW shadows would never match
# after it: not carried, and said so (hba_shadowing_rule: hba_first_match
# over the connections the rule stands for, as --check-login asks).
mkdir -p "$W/sold" "$W/snew"
cat >"$W/snew/pg_hba.conf" <<'EOF'
local   all             postgres                                peer
host    ckan_default    all             10.0.0.0/8              scram-sha-256
hostssl datastore       all             10.9.0.0/16             scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
EOF
cat >"$W/sold/pg_hba.conf" <<'EOF'
host    ckan_default    ckan_default    10.0.1.0/24             md5
hostssl ckan_default    reader          10.1.2.3/32             md5
host    ckan_default,other ckan_default 10.0.2.0/24             md5
host    ckan_default    ckan_default    11.0.0.0/8              md5
host    datastore       ckan_default    10.9.1.0/24             md5
hostssl datastore       ckan_default    10.9.1.0/24             md5
host    all             ckan_default    10.0.3.0/24             md5
EOF
run "$P" "$W/sold" "$W/snew" --pg-version 15
is "$RC" 0 "merge with shadowed rules"
like "$ERR" "sold/pg_hba.conf:1: warning: NEW's line 2 already takes every connection it would \(with scram-sha-256\); not carried" \
	"a network inside NEW's earlier one: shadowed, NEW's line named"
like "$ERR" "sold/pg_hba.conf:2: warning: NEW's line 2" "hostssl and a single address inside it too"
like "$ERR" "sold/pg_hba.conf:6: warning: NEW's line 3" "hostssl inside hostssl"
unlike "$ERR" "sold/pg_hba.conf:[34579]:" "a database NEW's rule lacks, another network, non-SSL under hostssl, all: carried"
M=$(cat "$W/snew/pg_hba.conf")
unlike "$M" "10.0.1.0/24" "the shadowed rule is not in the result"
like "$M" "ckan_default,other ckan_default 10.0.2.0/24" "a rule with one more database is"
like "$M" "host    datastore       ckan_default    10.9.1.0/24" "host under NEW's hostssl is"
like "$M" "host    all             ckan_default    10.0.3.0/24" "all databases under one database is"

# pg_ident.conf maps come along.
mkdir -p "$W/new"
cp "$D/new.conf" "$W/new/pg_hba.conf"
printf '# MAPNAME SYSTEM-USERNAME PG-USERNAME\n' >"$W/new/pg_ident.conf"
run "$P" "$D/ident-old.conf" "$W/new" --pg-version 15
is "$RC" 0 "merge into a directory"
like "$(cat "$W/new/pg_ident.conf")" "^ckanmap +www-data +ckan_default" "the map the carried rule uses is carried"
unlike "$(cat "$W/new/pg_ident.conf")" "othermap" "maps no rule uses are not"

# A quoted map name is the same name: the server strips the quotes of
# pg_ident.conf's tokens as it does pg_hba.conf's (one reader, common/hba).
mkdir -p "$W/qold" "$W/qnew"
printf 'local all ckan_default peer map=mymap\nlocal all "ckan ro" peer map="other map"\n' >"$W/qold/pg_hba.conf"
printf '"mymap" www-data ckan_default\n"other map" /^(.*)@example\\.com$ \\1\n' >"$W/qold/pg_ident.conf"
cp "$D/new.conf" "$W/qnew/pg_hba.conf"
printf '# MAPNAME SYSTEM-USERNAME PG-USERNAME\n' >"$W/qnew/pg_ident.conf"
run "$P" "$W/qold" "$W/qnew" --pg-version 15
is "$RC" 0 "merge with quoted map names"
unlike "$ERR" "neither pg_ident.conf" "a quoted map name in OLD's pg_ident.conf is found"
like "$(cat "$W/qnew/pg_ident.conf")" '^"mymap" www-data ckan_default$' "its line is carried"
like "$(cat "$W/qnew/pg_ident.conf")" '^"other map" /\^\(\.\*\)@example\\\.com\$ \\1$' "a quoted name with a blank and a regex line too"
cp "$D/new.conf" "$W/qnew/pg_hba.conf"
printf 'mymap www-data ckan_default\n"other map" root postgres\n' >"$W/qnew/pg_ident.conf"
run "$P" "$W/qold" "$W/qnew" --pg-version 15
is "$RC" 0 "merge when NEW has the maps"
unlike "$ERR" "neither pg_ident.conf" "a quoted map name in NEW's pg_ident.conf is found"
is "$(cat "$W/qnew/pg_ident.conf")" "$(printf 'mymap www-data ckan_default\n"other map" root postgres')" \
	"NEW's unquoted mymap is OLD's \"mymap\": nothing carried"
run "$P" --check "$W/qnew" --pg-version 15
unlike "$ERR" "not defined in pg_ident.conf" "--check finds both maps"

# Bad input: FILE:LINE: reason, exit 2, NEW untouched.
bad() {	# bad NAME REGEX FILE
	cp "$D/new.conf" "$W/pg_hba.conf"
	run "$P" "$3" "$W/pg_hba.conf" --pg-version 15
	is "$RC" 2 "$1: exit 2"
	like "$ERR" "$2" "$1: says where and why"
	ok "$1: NEW untouched" cmp -s "$W/pg_hba.conf" "$D/new.conf"
}
bad "unterminated quote" "^pghba-copy: $D/unterminated.conf:1: " "$D/unterminated.conf"
bad "missing fields" "^pghba-copy: $D/missing.conf:1: " "$D/missing.conf"
bad "unknown type" "^pghba-copy: $D/badtype.conf:1: .*hots" "$D/badtype.conf"
bad "unknown method" "^pghba-copy: $D/badmethod.conf:1: .*md6" "$D/badmethod.conf"
bad "missing @file" "^pghba-copy: .*nosuchfile" "$D/atmissing.conf"
bad "@file loop" "^pghba-copy: .*atloop.conf" "$D/atloop.conf"
bad "missing file" "^pghba-copy: $W/nope: " "$W/nope"
head -c 200 /bin/sh >"$W/garbage"
bad "binary garbage" "^pghba-copy: $W/garbage" "$W/garbage"
done_testing
