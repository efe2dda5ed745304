#!/bin/sh
# tap.sh: TAP for the shell tests.  Source it; then ok/is/like/isnt and
# finally done_testing.  run CMD... captures stdout, stderr and status in
# $OUT, $ERR and $RC so that each assertion can look at one of them.
TAP_N=0
TAP_FAILED=0
TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tap.XXXXXX")

tap_result() {	# tap_result STATUS NAME
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

ok() {	# ok NAME CMD...: passes when CMD succeeds
	_tap_name=$1
	shift
	"$@" >/dev/null 2>&1
	tap_result $? "$_tap_name"
}

is() {	# is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		printf '#          got: %s\n#     expected: %s\n' "$1" "$2" | sed 's/^\([^#]\)/#   \1/'
	fi
}

like() {	# like GOT REGEX NAME (grep -E)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_result 0 "$3"
	else
		tap_result 1 "$3"
		printf '%s\n' "$1" | sed 's/^/#   got: /'
		echo "#   not matching: $2"
	fi
}

unlike() {	# unlike GOT REGEX NAME
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		tap_result 1 "$3"
		printf '%s\n' "$1" | sed 's/^/#   got: /'
	else
		tap_result 0 "$3"
	fi
}

# shellcheck disable=SC2034 # OUT, ERR and RC are read by the test scripts
run() {	# run CMD...: sets OUT ERR RC
	"$@" >"$TAP_TMP/out" 2>"$TAP_TMP/err"
	RC=$?
	OUT=$(cat "$TAP_TMP/out")
	ERR=$(cat "$TAP_TMP/err")
}

skip() {	# skip REASON: one skipped test, counted
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}

skip_all() {
	echo "1..0 # SKIP $*"
	rm -rf "$TAP_TMP"
	exit 0
}

done_testing() {
	echo "1..$TAP_N"
	rm -rf "$TAP_TMP"
	[ "$TAP_FAILED" = 0 ]
}
