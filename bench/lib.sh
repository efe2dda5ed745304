#!/bin/sh
# lib.sh: what the benchmarks share.  Source it from bench/NAME.sh.
#   need COMMAND PACKAGE   make sure COMMAND exists: as root, apt-get install
#                          PACKAGE; otherwise say which package and exit 2.
#   bench_sandbox          the driver benches' set-up (ROOT set): BUILD, MB
#                          (BENCH_MB, 100 by default), tests/lib/demo.sh's
#                          sandbox library, the built tools first on PATH.

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

bench_sandbox() {
	BUILD=${BUILD:-$ROOT/build}
	MB=${BENCH_MB:-100}
	case $MB in '' | *[!0-9]*) echo "bench: BENCH_MB must be a number of megabytes" >&2; exit 2 ;; esac
	SB_LIB=$ROOT/tests/lib
	# shellcheck disable=SC2034 # read by demo.sh: define the sandbox, run no demo
	DEMO_LIB=1
	# shellcheck disable=SC1091 # the sandbox, sourced as a library
	. "$SB_LIB/demo.sh"
	PATH=$BUILD/bin:$ROOT/tools:$PATH
	export PATH
}
