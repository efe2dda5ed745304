#!/bin/sh
# The libFuzzer target tests/fuzz/envfile.c for FUZZ_SECONDS (default 3) on a
# scratch copy of its seed corpus (tests/lib/fuzz.sh).
# shellcheck source=tests/lib/fuzz.sh
. "$(dirname "$0")/../lib/fuzz.sh"
fuzz_run envfile
