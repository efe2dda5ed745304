#!/bin/sh
# pg13.sh: real Debian PostgreSQL 13 for the tests that need pg_upgrade
# from an older major (the npm servers lack pg_controldata).  Debian 12
# ships only 15, so the packages come from Debian 11 (bullseye), from the
# archive the system's bookworm sources name, through a TEMPORARY apt source
# that is removed again (and the lists updated) however the install ends.
# bullseye is pinned below bookworm while it is there, and nothing installed
# may change version: an install that would replace a bookworm package with
# a bullseye one is refused before it runs, and checked after.  Source it:
#   pg13_install [postgis]   make /usr/lib/postgresql/13/bin/postgres (and
#                            pg_controldata) available; with "postgis" also
#                            PostGIS 3 for 13 (bullseye) and 15 (bookworm).
#                            Prints what it did; 0 ok, else why not.
# postgresql-13's postinst may make a 13/main cluster: one the install made
# is dropped again, so it holds no port the tests' sandboxes could want.
PG13_SOURCES=/etc/apt/sources.list.d/ckan-pgtools-bullseye.sources
PG13_PREFS=/etc/apt/preferences.d/ckan-pgtools-bullseye.pref

pg13_say() { echo "pg13: $*"; }

# The Debian archive the bookworm sources use (deb822 or one-line format).
pg13_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function out() { if (uri != "" && suite) print uri; uri = ""; suite = 0 }
			/^[ \t]*$/ { out(); next }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
			END { out() }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed -n 's/^deb[ \t]\{1,\}\(\[[^]]*\][ \t]\{1,\}\)\{0,1\}\([^ \t]\{1,\}\)[ \t]\{1,\}bookworm[ \t].*/\2/p'
}

pg13_have() {	# pg13_have [postgis]: all that is asked for is installed
	[ -x /usr/lib/postgresql/13/bin/postgres ] && [ -x /usr/lib/postgresql/13/bin/pg_controldata ] || return 1
	[ "${1:-}" != postgis ] && return 0
	[ -f /usr/share/postgresql/13/extension/postgis.control ] &&
		[ -f /usr/share/postgresql/15/extension/postgis.control ]
}

pg13_versions() { dpkg-query -W -f '${binary:Package} ${Version}\n' 2>/dev/null | LC_ALL=C sort; }

pg13_install() {	# pg13_install [postgis]
	if pg13_have "${1:-}"; then
		pg13_say "PostgreSQL 13${1:+ and $1} already installed ($(/usr/lib/postgresql/13/bin/postgres --version))"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { pg13_say "not root: cannot install postgresql-13"; return 1; }
	command -v apt-get >/dev/null 2>&1 || { pg13_say "no apt-get"; return 1; }
	grep -qx 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null ||
		{ pg13_say "not Debian 12 (bookworm): no bullseye source added"; return 1; }
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || { pg13_say "no debian-archive-keyring"; return 1; }
	# In a subshell: its EXIT trap removes the source whatever happens.
	(
		umask 022
		unset PG_CLUSTER_CONF_ROOT	# postinst and pg_dropcluster work on the system's clusters
		export DEBIAN_FRONTEND=noninteractive
		pg13_body "${1:-}"
	)
}

pg13_cleanup() {
	rm -rf "$PG13_SOURCES" "$PG13_PREFS" "$t"
	apt-get update -qq >/dev/null 2>&1 || pg13_say "warning: apt-get update after removing the bullseye source failed"
	pg13_say "removed the temporary bullseye source $PG13_SOURCES and updated the lists"
}

pg13_body() {
	mirror=$(pg13_mirror | grep -m 1 .) || mirror=http://deb.debian.org/debian
	had_main=0 t=$(mktemp -d) || return 1
	[ ! -d /etc/postgresql/13/main ] || had_main=1
	trap 'rm -rf "$t"' EXIT
	if [ "$1" = postgis ] && [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
		pg13_say "installing postgresql-15-postgis-3 (bookworm)"
		{ apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3 >/dev/null 2>&1 ||
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3; }; } >/dev/null ||
			{ pg13_say "apt-get install postgresql-15-postgis-3 failed"; return 1; }
	fi
	pg13_have "$1" && return 0
	# What bullseye's packages must leave as it is: everything installed now.
	pg13_versions >"$t/before" || return 1
	pkgs="postgresql-13 postgresql-client-13"
	[ "$1" != postgis ] || pkgs="$pkgs postgresql-13-postgis-3"
	trap pg13_cleanup EXIT
	trap 'exit 2' INT TERM HUP
	printf 'Types: deb\nURIs: %s\nSuites: bullseye\nComponents: main\nSigned-By: %s\n' \
		"$mirror" /usr/share/keyrings/debian-archive-keyring.gpg >"$PG13_SOURCES"
	# Never prefer bullseye for a package bookworm has.
	printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' >"$PG13_PREFS"
	pg13_say "added the temporary source $PG13_SOURCES (bullseye from $mirror)"
	apt-get update -qq >/dev/null || { pg13_say "apt-get update with bullseye failed"; return 1; }
	# shellcheck disable=SC2086 # $pkgs is a list of package names
	apt-get install -s --no-install-recommends $pkgs >"$t/sim" 2>&1 ||
		{ cat "$t/sim"; pg13_say "apt-get cannot install $pkgs"; return 1; }
	bad=$(grep -E '^(Inst [^ ]+ \[|Remv )' "$t/sim" || true)
	[ -z "$bad" ] || { printf '%s\n' "$bad"; pg13_say "refused: that would replace or remove installed packages"; return 1; }
	pg13_say "installing $pkgs (bullseye)"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $pkgs >"$t/apt" 2>&1 ||
		{ tail -n 20 "$t/apt"; pg13_say "apt-get install failed"; return 1; }
	pg13_versions >"$t/after"
	changed=$(LC_ALL=C join "$t/before" "$t/after" | awk '$2 != $3')
	added=$(LC_ALL=C join -v 2 "$t/before" "$t/after" | wc -l)
	[ -z "$changed" ] || { printf '%s\n' "$changed"; pg13_say "installed packages changed version"; return 1; }
	pg13_say "$added packages added from bullseye, none installed before changed; libc6 $(dpkg-query -W -f '${Version}' libc6)"
	if [ "$had_main" = 0 ] && [ -d /etc/postgresql/13/main ]; then
		pg_dropcluster --stop 13 main && pg13_say "dropped the cluster 13/main the install made"
	fi
	pg13_have "$1" || { pg13_say "installed, but PostgreSQL 13${1:+ or $1} is still missing"; return 1; }
	pg13_say "$(/usr/lib/postgresql/13/bin/postgres --version) in /usr/lib/postgresql/13/bin"
}
