#!/bin/sh
# Every way the writer can fail must leave the user's file as it was:
# "ckan-pgurl set" exits 2 with one error line naming the file, the file is
# byte-identical with the same mtime, and no ".ckan.ini.*" temp file is
# left.  Failures come from tests/lib/faultinject.c (LD_PRELOAD, one libc
# call made to fail), from a real size limit (ulimit -f), a real full disk
# and a real read-only directory.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/ckan-pgurl"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
INI="$SRC/tests/data/ckan.ini"
SO="$TAP_TMP/faultinject.so"
STAMP='2001-02-03 04:05:06.123456789'
MNT=
unset CKAN_INI CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL
# An ASan build complains when a preloaded object comes before its runtime.
PRELOAD_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

cleanup() {
	if [ -n "$MNT" ]; then
		umount "$MNT" 2>/dev/null
	fi
}
trap cleanup EXIT

skip() {	# skip NAME REASON: a TAP skip, never a silent one
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

if ! cc -shared -fPIC -o "$SO" "$SRC/tests/lib/faultinject.c" -ldl; then
	echo "Bail out! cannot build tests/lib/faultinject.c"
	exit 1
fi

fresh() {	# fresh DIR: a copy of the fixture in DIR with an old mtime; sets F, M
	mkdir -p "$1"
	F="$1/ckan.ini"
	cp "$INI" "$F"
	touch -d "$STAMP" "$F"
	M=$(stat -c '%y %i' "$F")
}

leftovers() {	# temp files fileio may have left in DIR
	for left in "$1"/.ckan.ini.*; do
		if [ -e "$left" ]; then
			printf '%s\n' "${left##*/}"
		fi
	done
}

untouched() {	# untouched CASE: the assertions every failure must pass
	is "$RC" 2 "$1: exits 2"
	is "$(wc -l <"$TAP_TMP/err" | tr -d ' ')" 1 "$1: one line on stderr"
	like "$ERR" "^ckan-pgurl: $F: " "$1: the error names the file"
	ok "$1: the file is byte-identical" cmp -s "$INI" "$F"
	is "$(stat -c '%y %i' "$F")" "$M" "$1: mtime (and inode) unchanged"
	is "$(leftovers "$(dirname "$F")")" "" "$1: no .ckan.ini.* temp file left"
}

preload() {	# preload FAIL CMD...: run CMD with the injector making FAIL fail
	fail=$1
	shift
	run env LD_PRELOAD="$SO" ASAN_OPTIONS="$PRELOAD_ASAN" CKP_FAIL="$fail" "$@"
}

# --- the injector alone changes nothing
fresh "$TAP_TMP/ok"
run env -u CKP_FAIL LD_PRELOAD="$SO" ASAN_OPTIONS="$PRELOAD_ASAN" "$P" -c "$F" set port=5433
is "$RC" 0 "no fault: set exits 0 under the preload"
is "$ERR" "" "no fault: nothing on stderr"
like "$(cat "$F")" "^sqlalchemy.url = postgresql://ckan_default:s3cret@localhost:5433/ckan_default$" \
	"no fault: the port is written"
is "$(leftovers "$TAP_TMP/ok")" "" "no fault: no temp file left"
ok "no fault: the file was replaced (new mtime and inode)" test "$(stat -c '%y %i' "$F")" != "$M"

# --- one injected failure per step of the write
for fail in openat_excl write fsync renameat; do
	case $fail in
	openat_excl) why="cannot create a temporary file beside it: Permission denied" ;;
	write) why="cannot write: No space left on device" ;;
	fsync) why="cannot sync: Input/output error" ;;
	renameat) why="cannot replace: Input/output error" ;;
	esac
	fresh "$TAP_TMP/$fail"
	preload "$fail" "$P" -c "$F" set port=5433
	untouched "CKP_FAIL=$fail"
	like "$ERR" "$why\$" "CKP_FAIL=$fail: the error says why"
done

# The backup is made by linkat and renameat: a failure of either keeps the old backup too.
for fail in linkat renameat; do
	fresh "$TAP_TMP/bak-$fail"
	printf 'older backup\n' >"$F.bak"
	preload "$fail" "$P" -c "$F" set port=5433 --backup
	untouched "CKP_FAIL=$fail --backup"
	is "$(cat "$F.bak")" "older backup" "CKP_FAIL=$fail --backup: the older backup is kept"
	like "$ERR" "backup" "CKP_FAIL=$fail --backup: the error says the backup failed"
done

# fchown fails harmlessly on a file we own, so give it a foreign owner or group.
fresh "$TAP_TMP/fchown"
if [ "$(id -u)" = 0 ]; then
	chown 1234:5678 "$F"
	owned="owner 1234:5678"
else
	other=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -n 1)
	if [ -n "$other" ]; then
		chgrp "$other" "$F"
		owned="group $other"
	fi
fi
if [ -n "${owned:-}" ]; then
	touch -d "$STAMP" "$F"
	M=$(stat -c '%y %i' "$F")
	preload fchown "$P" -c "$F" set port=5433
	is "$RC" 2 "CKP_FAIL=fchown ($owned): exits 2"
	is "$(wc -l <"$TAP_TMP/err" | tr -d ' ')" 1 "CKP_FAIL=fchown: one line on stderr"
	like "$ERR" "^ckan-pgurl: $F: cannot keep owner" "CKP_FAIL=fchown: the error names the file and the owner"
	ok "CKP_FAIL=fchown: the file is byte-identical" cmp -s "$INI" "$F"
	is "$(stat -c '%y %i' "$F")" "$M" "CKP_FAIL=fchown: mtime (and inode) unchanged"
	is "$(leftovers "$TAP_TMP/fchown")" "" "CKP_FAIL=fchown: no .ckan.ini.* temp file left"
else
	skip "CKP_FAIL=fchown" "not root and in no second group: cannot give the file an owner fchown must keep"
fi

# The directory's fsync comes after the rename: the new file is in place, and the
# tool still says the write is not known to be durable.
fresh "$TAP_TMP/dirsync"
run env LD_PRELOAD="$SO" ASAN_OPTIONS="$PRELOAD_ASAN" CKP_FAIL=fsync CKP_FAIL_SKIP=1 "$P" -c "$F" set port=5433
is "$RC" 2 "directory fsync fails: exits 2"
like "$ERR" "^ckan-pgurl: $F: written, but the directory could not be synced" \
	"directory fsync fails: the error says the file was written"
like "$(cat "$F")" "localhost:5433/ckan_default" "directory fsync fails: the new bytes are in place"
is "$(leftovers "$TAP_TMP/dirsync")" "" "directory fsync fails: no temp file left"

# --- a real size limit: the temp file cannot grow past 1 block (the file is 1409 bytes)
fresh "$TAP_TMP/ulimit"
(
	trap '' XFSZ
	ulimit -f 1
	exec "$P" -c "$F" set port=5433
) >"$TAP_TMP/out" 2>"$TAP_TMP/err"
RC=$?
ERR=$(cat "$TAP_TMP/err")
untouched "ulimit -f 1"
like "$ERR" "File too large" "ulimit -f 1: the error says why"

# --- a real full disk and a real read-only directory
if [ "$(id -u)" != 0 ]; then
	skip "full tmpfs" "not root: cannot mount a small tmpfs (ulimit -f above covers a full disk)"
	fresh "$TAP_TMP/ro"
	chmod 0555 "$TAP_TMP/ro"
	run "$P" -c "$F" set port=5433
	chmod 0755 "$TAP_TMP/ro"
	untouched "read-only directory (mode 0555)"
	like "$ERR" "Permission denied" "read-only directory: the error says why"
else
	MNT="$TAP_TMP/mnt"
	mkdir -p "$MNT"
	if mount -t tmpfs -o size=64k tmpfs "$MNT" 2>"$TAP_TMP/mount.err"; then
		fresh "$MNT"
		# Fill every page that is left; dd stops at ENOSPC.
		dd if=/dev/zero of="$MNT/fill" bs=4096 2>/dev/null
		run "$P" -c "$F" set port=5433
		untouched "full tmpfs"
		like "$ERR" "No space left on device" "full tmpfs: the error says why"
		rm -f "$MNT/fill"
		fresh "$MNT"
		if mount -o remount,ro "$MNT" 2>"$TAP_TMP/mount.err"; then
			run "$P" -c "$F" set port=5433
			untouched "read-only mount"
			like "$ERR" "Read-only file system" "read-only mount: the error says why"
		else
			skip "read-only mount" "remount,ro failed: $(head -n 1 "$TAP_TMP/mount.err")"
		fi
		umount "$MNT" && MNT=
	else
		skip "full tmpfs" "root, but mount -t tmpfs failed: $(head -n 1 "$TAP_TMP/mount.err")"
		skip "read-only mount" "root, but mount -t tmpfs failed (root ignores mode 0555, so no other way)"
	fi
fi

done_testing
