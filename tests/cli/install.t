#!/bin/sh
# make install honours PREFIX and DESTDIR and installs every binary, its man
# page and both completions.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DEST="$TAP_TMP/dest"

run make -s -C "$ROOT" install BUILD="$BUILD" SAN="${SAN:-}" DESTDIR="$DEST" PREFIX=/opt/ckp
is "$RC" 0 "make install succeeds"
for src in "$ROOT"/tools/*.c "$ROOT"/tools/ckan-pg-upgrade; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	ok "$name installed, executable" test -x "$DEST/opt/ckp/bin/$name"
	ok "$name man page installed" test -f "$DEST/opt/ckp/share/man/man1/$name.1"
	ok "$name bash completion installed" test -f "$DEST/opt/ckp/share/bash-completion/completions/$name"
	ok "$name zsh completion installed" test -f "$DEST/opt/ckp/share/zsh/site-functions/_$name"
	run "$DEST/opt/ckp/bin/$name" --version
	is "$RC" 0 "the installed $name runs"
done
is "$(find "$DEST" -type f | grep -vc '^'"$DEST"'/opt/ckp/')" 0 "nothing installed outside DESTDIR/PREFIX"
done_testing
