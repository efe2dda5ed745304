#!/bin/sh
# Run the pgurl differential fuzz target for FUZZ_SECONDS over a scratch copy
# of the seed corpus (new inputs stay out of the source tree), as one TAP test.
BUILD=${BUILD:-build}
bin=$BUILD/fuzz/pgurl
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
seconds=${FUZZ_SECONDS:-3}
seeds=$(dirname "$0")/corpus/pgurl
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$seeds"/* "$work/corpus/"
echo "1..1"
if (cd "$work" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
	corpus >log 2>&1); then
	echo "ok 1 - pgurl fuzz $seconds s"
else
	echo "not ok 1 - pgurl fuzz $seconds s"
	sed 's/^/# /' "$work/log" | grep -v '^# #' | tail -40
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
		[ -e "$f" ] && echo "# input: $(od -An -c "$f" | tr -s ' \n' ' ')"
	done
	exit 1
fi
