#!/bin/sh
# lib.sh: what the benchmarks share.  Source it from bench/NAME.sh.
#   need COMMAND PACKAGE   make sure COMMAND exists: as root, apt-get install
#                          PACKAGE; otherwise say which package and exit 2.

need() {	# need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
	fi
	command -v "$1" >/dev/null 2>&1 || {
		echo "bench: $1 is missing (apt-get install $2)" >&2
		exit 2
	}
}
