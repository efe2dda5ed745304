#!/bin/sh
# Help text, man page and completions must not drift apart: for every tool
# built from tools/NAME.c, each --long-option that "NAME --help" prints must
# appear in completions/bash/NAME, completions/zsh/_NAME and
# man/man1/NAME.1, and the man page must be mandoc -Tlint clean.  The bash
# completion of ckan-pgurl is also run, as bash would run it.
. "$(dirname "$0")/../lib/tap.sh"
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

command -v mandoc >/dev/null 2>&1 || skip_all "mandoc is not installed"

# Every tool: the C binaries in $BUILD/bin and the sh driver as it is in tools/.
for src in "$ROOT"/tools/*.c "$ROOT"/tools/ckan-pg-upgrade; do
	[ -f "$src" ] || continue
	t=$(basename "$src" .c)
	bin="$BUILD/bin/$t"
	case $src in *.c) ;; *) bin=$src ;; esac
	bash_c="$ROOT/completions/bash/$t"
	zsh_c="$ROOT/completions/zsh/_$t"
	man="$ROOT/man/man1/$t.1"

	run "$bin" --help
	is "$RC" 0 "$t: --help exits 0"
	opts=$(printf '%s\n' "$OUT" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
	nopts=$(printf '%s' "$opts" | wc -w)
	ok "$t: --help lists long options" test "$nopts" -gt 0

	ok "$t: completions/bash/$t exists" test -f "$bash_c"
	ok "$t: completions/zsh/_$t exists" test -f "$zsh_c"
	ok "$t: man/man1/$t.1 exists" test -f "$man"

	run mandoc -Tlint -Wwarning "$man"
	is "$OUT$ERR" "" "$t: mandoc -Tlint -Wwarning prints nothing"

	# The man page writes --opt as "Fl -opt"; rendered, it reads --opt.
	manopts=$(mandoc -Tmarkdown "$man" 2>/dev/null)
	for o in $opts; do
		ok "$t: $o in completions/bash/$t" grep -qF -- "$o" "$bash_c"
		ok "$t: $o in completions/zsh/_$t" grep -qF -- "$o" "$zsh_c"
		like "$manopts" "(^|[^a-z0-9-])$o([^a-z0-9-]|$)" "$t: $o in man/man1/$t.1"
	done

	if command -v zsh >/dev/null 2>&1; then
		ok "$t: zsh -n accepts _$t" zsh -n "$zsh_c"
	fi
	ok "$t: bash -n accepts the bash completion" bash -n "$bash_c"
	run bash -c '. "$1" && complete -p "$2"' sh "$bash_c" "$t"
	like "$OUT" "^complete -F [_a-zA-Z0-9]+ $t$" "$t: the bash completion registers a function for $t"
done

# Run the bash completion function as bash does: set COMP_WORDS and
# COMP_CWORD, call it, read COMPREPLY.
complete_words() {	# complete_words WORD...: the last word is being completed
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		fn=$(complete -p ckan-pgurl | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" ckan-pgurl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' sh "$ROOT/completions/bash/ckan-pgurl" "$@" 2>&1
}

if [ -f "$ROOT/completions/bash/ckan-pgurl" ]; then
	got=$(complete_words ckan-pgurl -k '')
	like "$got" "^write$" "bash: 'ckan-pgurl -k ' offers write"
	like "$got" "^ckan.datastore.read_url$" "bash: 'ckan-pgurl -k ' offers the full key names"
	got=$(complete_words ckan-pgurl get '')
	like "$got" "^port$" "bash: 'ckan-pgurl get ' offers port"
	got=$(complete_words ckan-pgurl -k write get '')
	like "$got" "^dbname$" "bash: 'ckan-pgurl -k write get ' offers dbname"
	got=$(complete_words ckan-pgurl set p)
	like "$got" "^port=$" "bash: 'ckan-pgurl set p' offers port="
	got=$(complete_words ckan-pgurl '')
	like "$got" "^databases$" "bash: 'ckan-pgurl ' offers the commands"
	got=$(complete_words ckan-pgurl --ckan-version '')
	like "$got" "^2\.10$" "bash: '--ckan-version ' offers 2.10"
	got=$(complete_words ckan-pgurl --dr)
	is "$got" "--dry-run" "bash: '--dr' completes to --dry-run"
fi

done_testing
