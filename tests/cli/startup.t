#!/bin/sh
# Start-up cost (design.md): no binary links libpq; reading commands never
# load it; only set/check/databases do, on first use.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
D=$(cd "$(dirname "$0")/../data" && pwd)

for bin in "$BUILD"/bin/*; do
	name=$(basename "$bin")
	unlike "$(ldd "$bin" 2>&1)" "libpq" "$name does not link libpq"
done

P="$BUILD/bin/ckan-pgurl"
for cmd in "show" "get port" "--json show" "--shell show" "lint"; do
	# shellcheck disable=SC2086 # the command words are meant to split
	LD_DEBUG=files "$P" -c "$D/ckan.ini" $cmd >/dev/null 2>"$TAP_TMP/ld"
	unlike "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "ckan-pgurl $cmd does not load libpq"
done
cp "$D/ckan.ini" "$TAP_TMP/ckan.ini"
LD_DEBUG=files "$P" -c "$TAP_TMP/ckan.ini" set port=5433 >/dev/null 2>"$TAP_TMP/ld"
like "$(grep 'calling init' "$TAP_TMP/ld")" "libpq" "set loads libpq to verify the edit"
done_testing
