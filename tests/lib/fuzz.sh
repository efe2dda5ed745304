#!/bin/sh
# fuzz.sh: run one libFuzzer target as a TAP test.  Source it and call
#   fuzz_run NAME
# from tests/fuzz/NAME.t: runs $BUILD/fuzz/NAME for FUZZ_SECONDS (default 3)
# on a scratch copy of tests/fuzz/corpus/NAME, so the committed seeds never
# change; any crash, leak, sanitizer report or broken invariant fails, and
# the log and the input are kept for diagnosis.

fuzz_run() {
	name=$1
	fuzzer=${FUZZ_DIR:-${BUILD:-build}/fuzz}/$name
	case $fuzzer in /*) ;; *) fuzzer=$PWD/$fuzzer ;; esac
	corpus=$(cd "$(dirname "$0")" && pwd)/corpus/$name

	echo "1..1"
	if [ ! -x "$fuzzer" ]; then
		echo "not ok 1 - $name fuzz # $fuzzer is not built"
		return 1
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/$name-fuzz.XXXXXX") || return 1
	mkdir "$work/corpus"
	cp "$corpus"/* "$work/corpus/"
	if (cd "$work" && "$fuzzer" -max_total_time="${FUZZ_SECONDS:-3}" -rss_limit_mb=2048 \
		corpus >"$work/log" 2>&1); then
		echo "ok 1 - $name fuzz, ${FUZZ_SECONDS:-3} s"
		rm -rf "$work"
		return 0
	fi
	echo "not ok 1 - $name fuzz"
	tail -n 40 "$work/log" | sed 's/^/# /'
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$f" ] && echo "# input: $(od -An -c "$f" | tr -s ' \n' ' ')"
	done
	echo "# log and crash input kept in $work"
	return 1
}
