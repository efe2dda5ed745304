#!/bin/sh
# The Debian package: build it with dpkg-buildpackage from a copy of the
# tracked files as they are on disk (in a temporary directory, which also
# receives the .deb), check its control fields, linkage and build flags
# (blhc) and lintian, install it with apt-get, run every tool from /usr/bin,
# find its man page and completions, then purge it and check that none of its
# files is left.  Needs root (it installs the package); in CI a missing tool
# is a failure, elsewhere the test is skipped.  SAN=1 skips it: the package
# is built without sanitizers, and the plain run already tests it.
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$TAP_TMP
PKG=ckan-pgtools
MARK=/var/tmp/ckan-pgtools-deb-t.installed
export DEBIAN_FRONTEND=noninteractive
apt() { apt-get -q -y -o DPkg::Lock::Timeout=300 "$@"; }

[ "${SAN:-}" = 1 ] && skip_all "SAN=1: the package is built without sanitizers; the plain run tests it"

missing=""
[ "$(id -u)" = 0 ] || missing="$missing root"
for c in dpkg-buildpackage dh lintian apt-get man git flock readelf; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || missing="$missing git-checkout"
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - the package test can run (missing:$missing; tests/lib/deps.sh test installs the tools)"
		rm -rf "$TAP_TMP"
		exit 1
	fi
	skip_all "needs$missing"
fi

# One run at a time on this machine: two would install and purge the same
# package under each other.
exec 9>/var/tmp/ckan-pgtools-deb-t.lock
flock -w 1800 9 || skip_all "another deb.t holds /var/tmp/ckan-pgtools-deb-t.lock"

# A ckan-pgtools installed by someone else is theirs: leave it alone.  One
# left by an interrupted run of this test (the mark says so) is purged.
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed$'; then
	if [ -f "$MARK" ]; then
		apt purge "$PKG" >/dev/null 2>&1
	else
		skip_all "$PKG is installed on this machine; the test does not replace it"
	fi
fi

installed=0
cleanup() {
	if [ "$installed" = 1 ] && dpkg-query -W "$PKG" >/dev/null 2>&1; then
		apt purge "$PKG" >/dev/null 2>&1
	fi
	rm -f "$MARK"
	rm -rf "$TAP_TMP"
}
trap cleanup EXIT
trap 'exit 2' HUP INT TERM

# --- build -----------------------------------------------------------------
mkdir "$W/src"
(cd "$ROOT" && git ls-files -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$W/src"
ok "debian/ is in the copy of the tracked files" test -x "$W/src/debian/rules"
(cd "$W/src" && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1
rc=$?
is "$rc" 0 "dpkg-buildpackage -us -uc -b builds"
[ "$rc" = 0 ] || tail -n 30 "$W/build.log" | sed 's/^/#   /'
unlike "$(cat "$W/build.log")" '(^|[^-])-Werror([^=]|$)' "no -Werror in the package build"
unlike "$(cat "$W/build.log")" '(^| )(dh_auto_test|prove) ' "the test-suite is not run inside the build"
VERSION=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
DEB=""
for f in "$W/${PKG}_${VERSION}_"*.deb; do [ -f "$f" ] && DEB=$f; done
ok "${PKG}_${VERSION}_*.deb is built (changelog and Makefile agree on $VERSION)" test -f "$DEB"
[ -f "$DEB" ] || { done_testing; exit; }

# --bindnow because debian/rules asks for hardening=+all; not --all, whose
# --pie wants -fPIE on every line although Debian's gcc builds PIE by default
# (so dpkg-buildflags does not add it).
if command -v blhc >/dev/null 2>&1; then
	run blhc --bindnow "$W/build.log"
	is "$RC" 0 "blhc: every compile and link has the hardening flags"
	printf '%s\n' "$OUT" | head -n 20 | sed -n 's/^./#   &/p'
else
	skip "blhc is not installed"
fi

# --- the package, statically -------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
like "$(field Depends)" '(^|, )libpq5(,|$)' "Depends on libpq5 (dlopen'ed, so named by hand)"
like "$(field Depends)" 'libc6' "Depends computed by dpkg-shlibdeps"
like "$(field Recommends)" 'postgresql-client' "Recommends postgresql-client"
like "$(field Recommends)" 'postgresql-common' "Recommends postgresql-common"
like "$(field Static-Built-Using)" '^libinih \(= [^)]+\), pcre2 \(= [^)]+\)$' "Static-Built-Using names libinih and pcre2"
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >"$W/files"
TOOLS=$(sed -n 's|^/usr/bin/||p' "$W/files")
for t in $(cd "$W/src/tools" && ls); do
	t=${t%.c}
	like "$TOOLS" "^$t\$" "$t is in /usr/bin"
done
mkdir "$W/x"
dpkg-deb -x "$DEB" "$W/x"
for t in $TOOLS; do
	readelf -h "$W/x/usr/bin/$t" >/dev/null 2>&1 || continue
	needed=$(readelf -d "$W/x/usr/bin/$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	unlike "$needed" 'libpq|libinih|libpcre2' "$t links neither libpq nor (dynamically) libinih or PCRE2: $needed"
done
nsql=0
for f in "$W"/src/share/*.sql "$W"/src/share/*.awk; do
	[ -f "$f" ] || continue
	nsql=$((nsql + 1))
	ok "share/${f##*/} is in /usr/share/$PKG" grep -qx "/usr/share/$PKG/${f##*/}" "$W/files"
done

run lintian --pedantic -i "$W"/*.changes
unlike "$OUT" '^[EW]: ' "lintian: no errors, no warnings"
printf '%s\n' "$OUT" | grep -E '^[EWIPXO]: ' | sed 's/^/#   /'

# --- installed -----------------------------------------------------------------
: >"$MARK"
installed=1
run apt install --no-install-recommends "$DEB"
is "$RC" 0 "apt-get install ./${PKG}_*.deb"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" | tail -n 10 | sed 's/^/#   /'
like "$(ldconfig -p)" 'libpq\.so\.5 ' "libpq.so.5, the soname the tools dlopen, is installed"
man_excluded=0
grep -rqs '^path-exclude=*/usr/share/man' /etc/dpkg/dpkg.cfg.d && man_excluded=1
for t in $TOOLS; do
	run "/usr/bin/$t" --version
	is "$RC" 0 "/usr/bin/$t --version"
	like "$OUT" "$VERSION" "/usr/bin/$t --version says $VERSION"
	run "/usr/bin/$t" --help
	is "$RC" 0 "/usr/bin/$t --help"
	if [ "$man_excluded" = 1 ]; then
		skip "dpkg excludes /usr/share/man on this machine"
	else
		run man -w "$t"
		is "$OUT" "/usr/share/man/man1/$t.1.gz" "man -w $t"
	fi
	ok "bash completion for $t" test -f "/usr/share/bash-completion/completions/$t"
	ok "zsh completion for $t" test -f "/usr/share/zsh/vendor-completions/_$t"
done
if [ "$nsql" -gt 0 ]; then
	ok "/usr/share/$PKG holds the driver's $nsql data files" test "$(find "/usr/share/$PKG" -type f | wc -l)" = "$nsql"
	run env -u CKAN_PGTOOLS_SHARE /usr/bin/ckan-pg-upgrade status --state-dir "$W/no-state"
	is "$RC:$OUT" "1:no upgrade in $W/no-state" "the installed driver finds its SQL in /usr/share/$PKG (status answers)"
else
	skip "no share/*.sql is tracked yet"
fi

# --- purged --------------------------------------------------------------------
run apt purge "$PKG"
is "$RC" 0 "apt-get purge $PKG"
ok "dpkg no longer knows $PKG" sh -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -q installed"
left=""
while read -r f; do
	case $f in
	/usr/share/"$PKG"* | /usr/share/doc/"$PKG"*) ;;
	*) [ -d "$f" ] && continue ;;	# shared directories (/usr/bin) stay
	esac
	[ -e "$f" ] && left="$left $f"
done <"$W/files"
is "$left" "" "nothing of the package is left behind"
installed=0
rm -f "$MARK"
done_testing
