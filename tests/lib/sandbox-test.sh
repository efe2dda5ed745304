#!/bin/sh
# sandbox-test.sh: the preamble of the driver's server tests.  Source it
# from tests/server/*.t: it sources tap.sh and tests/lib/demo.sh as a
# library (the sb_* sandbox), puts the built tools and the driver first on
# PATH, sets root (the source tree) and BUILD, and removes the sandbox and
# TAP_TMP on exit.  Then
#   sb_test_require [REASON]   fails the test in CI (CI=true), else skips
#                              it, when no sandbox can be made here or
#                              REASON (one more missing piece) is given.
#   sb_test_setup OLDMAJOR     sb_setup, or a failed test and exit; prints
#                              the versions as a TAP comment.
# Call it from the test, where $0 is the test.
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck disable=SC1091 # TAP
. "$root/tests/lib/tap.sh"
SB_LIB=$root/tests/lib
# shellcheck disable=SC2034 # read by demo.sh: define the sandbox, run no demo
DEMO_LIB=1
# shellcheck disable=SC1091 # the sandbox, sourced as a library
. "$SB_LIB/demo.sh"
PATH=$BUILD/bin:$root/tools:$PATH
export PATH
SB_TEST_EXTRA=""	# more to remove on exit, set by the test
trap 'sb_cleanup; rm -rf "$TAP_TMP" ${SB_TEST_EXTRA:+"$SB_TEST_EXTRA"}' EXIT
trap 'sb_cleanup; exit 2' INT TERM HUP

sb_test_require() {	# sb_test_require [REASON]
	why=$(sb_unavailable)
	[ -z "${1:-}" ] || why="${why:+$why; }$1"
	[ -n "$why" ] || return 0
	if [ "${CI:-}" = true ]; then
		tap_result 1 "a PostgreSQL sandbox can be made in CI ($why)"
		done_testing
		exit 1
	fi
	skip_all "$why"
}

sb_test_setup() {	# sb_test_setup OLDMAJOR
	if ! sb_setup "$1" >"$TAP_TMP/setup.log" 2>&1; then
		cat "$TAP_TMP/setup.log" >&2
		tap_result 1 "sandbox with PostgreSQL $1 and 15"
		done_testing
		exit 1
	fi
	echo "# OLD $SB_OLD: $("$SB_OLD_BIN/postgres" --version), NEW $SB_NEW: Debian's 15"
}
