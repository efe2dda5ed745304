#!/bin/sh
# golden.t: the exact bytes of every tool's --help (the four C tools and the
# ckan-pg-upgrade driver) and of one --json output of each C tool on the
# fixtures in tests/data/golden/, against the files in tests/golden/.  The
# other tests say what must be there; these catch what else changed (a help
# line, a key's order, a separator).  Each JSON file also has to parse
# (python3 -m json.tool), and no run may print to stderr.
#
# After a deliberate change, rewrite the files, then review and commit the diff:
#   GOLDEN_UPDATE=1 BUILD=build prove tests/cli/golden.t
#   git diff tests/golden/
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$BUILD/bin
G=tests/golden
F=tests/data/golden
W=$TAP_TMP
# Paths in the output are relative to the source tree, the same on every machine.
cd "$ROOT" || exit 2
LC_ALL=C
export LC_ALL
# What CKAN reads instead of the ini would change ckan-pgurl's answer.
unset CKAN_INI CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL \
	CKAN___SQLALCHEMY__URL CKAN__DATASTORE__WRITE_URL CKAN___CKAN__DATASTORE__WRITE_URL \
	CKAN__DATASTORE__READ_URL CKAN___CKAN__DATASTORE__READ_URL

# golden NAME STATUS CMD...: CMD exits STATUS, prints nothing on stderr, and
# its stdout is tests/golden/NAME byte for byte (or becomes it, with GOLDEN_UPDATE=1).
golden() {
	name=$1
	want=$2
	shift 2
	"$@" >"$W/$name" 2>"$W/$name.err"
	is "$?" "$want" "$name: exit $want"
	is "$(cat "$W/$name.err")" "" "$name: nothing on stderr"
	if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
		cp "$W/$name" "$G/$name"
		tap_result $? "$name: $G/$name written"
	elif cmp -s "$G/$name" "$W/$name"; then
		tap_result 0 "$name: same bytes as $G/$name"
	else
		tap_result 1 "$name: same bytes as $G/$name"
		diff -u "$G/$name" "$W/$name" 2>&1 | head -n 60 | sed 's/^/#   /'
	fi
	case $name in
	*.json)
		if command -v python3 >/dev/null 2>&1; then
			ok "$name: valid JSON" python3 -m json.tool "$W/$name"
		else
			skip "$name: no python3 to parse it"
		fi
		;;
	esac
}

for t in ckan-pgurl cluster-port pgconf-diff pghba-copy; do
	golden "$t.help" 0 "$B/$t" --help
done
golden ckan-pg-upgrade.help 0 tools/ckan-pg-upgrade --help

golden ckan-pgurl.json 0 "$B/ckan-pgurl" -c "$F/ckan.ini" --json --all
PG_CLUSTER_CONF_ROOT=$F/etc
export PG_CLUSTER_CONF_ROOT
golden cluster-port.json 0 "$B/cluster-port" --list --json
unset PG_CLUSTER_CONF_ROOT
golden pgconf-diff.json 1 "$B/pgconf-diff" --json --all --old-version 12 --new-version 16 \
	"$F/pgconf-old.conf" "$F/pgconf-new.conf"
golden pghba-copy.json 0 "$B/pghba-copy" --list --json --pg-version 16 "$F/pg_hba.conf"
done_testing
