#!/bin/sh
# deps.sh: make sure what the build (or the tests) need is installed.
# As root on Debian it installs what is missing with apt-get; otherwise it
# prints the one apt-get line to run and fails.  Usage: deps.sh build|test
set -u

what=${1:-build}
missing=""

need_pkg() {	# need_pkg PACKAGE TEST-COMMAND...
	pkg=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		missing="$missing $pkg"
	fi
}

need_pkg make command -v make
need_pkg gcc command -v cc
need_pkg pkgconf command -v pkg-config
need_pkg libinih-dev pkg-config --exists inih
need_pkg libpcre2-dev pkg-config --exists libpcre2-8
need_pkg libpq-dev test -f /usr/include/postgresql/libpq-fe.h
if [ "$what" = test ]; then
	need_pkg postgresql sh -c 'ls /usr/lib/postgresql/*/bin/initdb'
	need_pkg postgresql-client sh -c 'command -v psql'
	need_pkg perl command -v prove
	need_pkg python3 command -v python3
	need_pkg clang command -v clang
	need_pkg libclang-rt-dev sh -c 'ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
	need_pkg mandoc command -v mandoc
	need_pkg shellcheck command -v shellcheck
	need_pkg util-linux command -v runuser
	need_pkg patch command -v patch
	need_pkg zsh command -v zsh
	need_pkg postgresql-common command -v pg_createcluster
	# tests/lib/pg13.sh: PostgreSQL 13 from a temporary bullseye source signed by it
	need_pkg debian-archive-keyring test -f /usr/share/keyrings/debian-archive-keyring.gpg
	# tests/pkg: build, lint, install and purge the Debian package
	need_pkg dpkg-dev command -v dpkg-buildpackage
	need_pkg debhelper command -v dh
	need_pkg lintian command -v lintian
	need_pkg blhc command -v blhc
	need_pkg man-db command -v man
	need_pkg git command -v git
	need_pkg binutils command -v readelf
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	if apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >&2; then
		exit 0
	fi
	echo "deps: apt-get failed" >&2
	exit 2
fi
echo "deps: missing packages; run as root:" >&2
echo "  apt-get install$missing" >&2
exit 2
