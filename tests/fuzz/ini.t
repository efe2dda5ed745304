#!/bin/sh
# ini.t: runs the libFuzzer target tests/fuzz/ini.c for FUZZ_SECONDS
# (default 3) on a scratch copy of the seed corpus, so the committed seeds
# never change; any crash, leak, sanitizer report or broken invariant fails.
BUILD=${BUILD:-build}
fuzzer=$BUILD/fuzz/ini
here=$(dirname "$0")

echo "1..1"
if [ ! -x "$fuzzer" ]; then
	echo "not ok 1 - ini fuzz # $fuzzer is not built"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ini-fuzz.XXXXXX") || exit 1
mkdir "$work/corpus"
cp "$here"/corpus/ini/* "$work/corpus/"
if (cd "$work" && "$fuzzer" -max_total_time="${FUZZ_SECONDS:-3}" -rss_limit_mb=2048 \
	corpus >"$work/log" 2>&1); then
	echo "ok 1 - ini fuzz"
	rm -rf "$work"
else
	echo "not ok 1 - ini fuzz"
	tail -n 40 "$work/log" | sed 's/^/# /'
	echo "# log and crash input kept in $work"
fi
