#!/bin/sh
# hba.t: runs the libFuzzer target tests/fuzz/hba.c for FUZZ_SECONDS
# (default 3) on a scratch copy of the seed corpus, so the committed seeds
# never change; any crash, leak, sanitizer report or broken invariant fails.
BUILD=${BUILD:-build}
fuzzer=$BUILD/fuzz/hba
case $fuzzer in /*) ;; *) fuzzer=$PWD/$fuzzer ;; esac
here=$(dirname "$0")

echo "1..1"
if [ ! -x "$fuzzer" ]; then
	echo "not ok 1 - hba fuzz # $fuzzer is not built"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hba-fuzz.XXXXXX") || exit 1
mkdir "$work/corpus"
cp "$here"/corpus/hba/* "$work/corpus/"
if (cd "$work" && "$fuzzer" -max_total_time="${FUZZ_SECONDS:-3}" -rss_limit_mb=2048 \
	corpus >"$work/log" 2>&1); then
	echo "ok 1 - hba fuzz"
	rm -rf "$work"
else
	echo "not ok 1 - hba fuzz"
	tail -n 40 "$work/log" | sed 's/^/# /'
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$f" ] && echo "# input: $(od -An -c "$f" | tr -s ' \n' ' ')"
	done
	echo "# log and crash input kept in $work"
	exit 1
fi
