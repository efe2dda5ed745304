#!/bin/sh
# pgcluster.sh: start and stop a real throwaway PostgreSQL cluster for tests.
# Source it, then:
#   pgc_start [BINDIR]   initdb + pg_ctl start in a temp dir on a free port
#                        (as the postgres user when running as root); sets
#                        PGC_DIR, PGC_PORT, PGC_BIN, PGC_VERSION and exports
#                        PGHOST (socket dir) and PGPORT for psql.
#   pgc_psql ARGS...     psql as the superuser over the socket
#   pgc_stop             stop it and remove the directory (also on exit)
# pgc_available tells whether a server can be started here; in CI (CI=true)
# a test must fail rather than skip when it cannot.

# The newest installed server's bin directory.
pgc_find_bindir() {
	best=""
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -t/ -k5 -n | tail -n 1)
		fi
	done
	[ -n "$best" ] && echo "$best"
}

pgc_available() {
	pgc_find_bindir >/dev/null && command -v psql >/dev/null 2>&1 &&
		{ [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }
}

# Run a command as the cluster's owner: postgres when we are root.
pgc_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A port is taken when a socket file names it; TCP clashes make pg_ctl fail and we retry.
pgc_port_free() {
	[ ! -e "/tmp/.s.PGSQL.$1" ] && [ ! -e "/var/run/postgresql/.s.PGSQL.$1" ]
}

pgc_start() {
	PGC_BIN=${1:-$(pgc_find_bindir)} || return 1
	PGC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pgc.XXXXXX") || return 1
	chmod 755 "$PGC_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PGC_DIR"
	fi
	trap 'pgc_stop' EXIT
	trap 'pgc_stop; exit 2' INT TERM HUP
	pgc_as_owner "$PGC_BIN/initdb" -D "$PGC_DIR/data" -U postgres --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --no-locale >"$PGC_DIR/initdb.log" 2>&1 || {
		cat "$PGC_DIR/initdb.log" >&2
		return 1
	}
	PGC_VERSION=$(cat "$PGC_DIR/data/PG_VERSION")
	tries=0
	while [ $tries -lt 20 ]; do
		PGC_PORT=$(( 20000 + ($$ * 7 + tries * 131 + $(date +%N | sed 's/^0*//;s/^$/0/') ) % 30000 ))
		tries=$((tries + 1))
		pgc_port_free "$PGC_PORT" || continue
		if pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -l "$PGC_DIR/server.log" -w -t 60 \
			-o "-p $PGC_PORT -k $PGC_DIR -c listen_addresses=127.0.0.1" start >/dev/null 2>&1; then
			PGHOST=$PGC_DIR
			PGPORT=$PGC_PORT
			export PGHOST PGPORT PGC_DIR PGC_PORT PGC_BIN PGC_VERSION
			return 0
		fi
	done
	cat "$PGC_DIR/server.log" >&2
	return 1
}

pgc_psql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PGC_DIR" -p "$PGC_PORT" -U postgres -d postgres "$@"
}

pgc_stop() {
	if [ -n "${PGC_DIR:-}" ] && [ -d "$PGC_DIR" ]; then
		if [ -f "$PGC_DIR/data/postmaster.pid" ]; then
			pgc_as_owner "$PGC_BIN/pg_ctl" -D "$PGC_DIR/data" -m immediate -w stop >/dev/null 2>&1
		fi
		rm -rf "$PGC_DIR"
	fi
	PGC_DIR=
}
