/*
 * cluster-port: find the PostgreSQL clusters on a machine and the port each
 * one listens on, so that a script can say
 * "ckan-pgurl set port=$(cluster-port 9.4/main)" and be right.  Clusters are
 * found as postgresql-common lays them out (common/cluster); a port is the
 * effective one of postgresql.conf with its includes and postgresql.auto.conf
 * (common/pgconf).  Printing a port never loads libpq: only --check and
 * --probe ask a live server (common/pgconn).  --set-port and --reset-port
 * write and remove the one drop-in file the upgrade driver uses to move a
 * cluster to another port, through common/fileio.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cluster.h"
#include "diag.h"
#include "fileio.h"
#include "out.h"
#include "path.h"
#include "pgconf.h"
#include "pgconn.h"

enum mode { MODE_PORT, MODE_LIST, MODE_CHECK, MODE_PROBE, MODE_FREE, MODE_SET_PORT, MODE_RESET_PORT };
enum pick { PICK_SPEC, PICK_NEWEST, PICK_OLDEST };

static struct {
	enum mode mode;
	enum pick pick;
	enum out_format format;
	const char *datadir;
	long from;
	long set_port;
	int dry_run;
} opt = { .from = 5432 };

static void usage(void)
{
	printf("cluster-port finds the PostgreSQL clusters on this machine and the port each listens on.\n\n"
	       "Usage:\n"
	       "  cluster-port [--json | --shell] VER/NAME | -D DATADIR | --newest | --oldest\n"
	       "  cluster-port --list [--json]\n"
	       "  cluster-port --check VER/NAME | -D DATADIR | --newest | --oldest\n"
	       "  cluster-port --probe [--json | --shell] VER/NAME | -D DATADIR | --newest | --oldest\n"
	       "  cluster-port --free [--from PORT] [--json | --shell]\n"
	       "  cluster-port --set-port=PORT [--dry-run] VER/NAME | -D DATADIR\n"
	       "  cluster-port --reset-port [--dry-run] VER/NAME | -D DATADIR\n\n"
	       "Options:\n"
	       "  -l, --list             every cluster: version, name, port, status, owner,\n"
	       "                         data directory, log file (as pg_lsclusters shows them)\n"
	       "  -D, --pgdata=DATADIR   a cluster outside postgresql-common: its data directory\n"
	       "                         or postgresql.conf\n"
	       "      --newest           the cluster of the newest version\n"
	       "      --oldest           the cluster of the oldest version\n"
	       "      --check            exit 0 when the cluster accepts connections on its port\n"
	       "      --probe            ask the running server its port (SHOW port) and report\n"
	       "                         when it differs from the configuration\n"
	       "      --free             the first port no cluster uses and nothing listens on\n"
	       "      --from=PORT        where --free starts looking (default 5432)\n"
	       "      --set-port=PORT    make the cluster use PORT: write conf.d/" "99-ckan-pg-upgrade-port.conf\n"
	       "      --reset-port       remove that file again (nothing to do when it is absent)\n"
	       "  -n, --dry-run          print what --set-port or --reset-port would change\n"
	       "  -j, --json             print JSON\n"
	       "  -s, --shell            print eval-safe shell assignments\n"
	       "  -V, --version          print the version and exit\n"
	       "  -h, --help             print this help and exit\n\n"
	       "Clusters are $PG_CLUSTER_CONF_ROOT/VER/NAME (default /etc/postgresql/VER/NAME).\n"
	       "Exit status: 0 ok, 1 negative answer (not running, file and server disagree), 2 trouble.\n");
}

/* A cluster with what we know about it. */
struct target {
	struct cluster c;
	struct cluster_facts f;
	int have_status;
};

static void target_free(struct target *t)
{
	cluster_facts_free(&t->f);
	cluster_free(&t->c);
}

/* The spec a message names the cluster by. */
static const char *label(const struct target *t)
{
	return t->c.spec;
}

/* Resolve a VER/NAME or a path and read its settings; report and exit 2 on trouble. */
static void load_target(const char *spec, int by_path, struct target *t)
{
	struct diag_err err;

	memset(t, 0, sizeof *t);
	if (!by_path && !cluster_is_spec(spec)) {
		diag_error(NULL, 0, "\"%s\" is not a cluster name VER/NAME (like 15/main); use -D for a data directory",
			   spec);
		exit(EXIT_TROUBLE);
	}
	if (cluster_resolve(spec, &t->c, &err) < 0 || cluster_settings(&t->c, &t->f, &err) < 0) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
}

/* --newest / --oldest: the one cluster of the newest or oldest version. */
static char *pick_cluster(enum pick pick)
{
	struct diag_err err;
	char **specs, *ver, *chosen;
	size_t i, first, count = 0;
	int n = cluster_list(&specs, &err);
	struct buf names;

	if (n < 0) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
	if (n == 0) {
		diag_error(NULL, 0, "no clusters in \"%s\"", cluster_conf_root());
		exit(EXIT_TROUBLE);
	}
	first = pick == PICK_NEWEST ? (size_t)n - 1 : 0;
	ver = xstrndup(specs[first], strcspn(specs[first], "/"));
	buf_init(&names);
	for (i = 0; i < (size_t)n; i++) {
		size_t vl = strcspn(specs[i], "/");

		if (vl == strlen(ver) && strncmp(specs[i], ver, vl) == 0) {
			buf_printf(&names, "%s%s", count ? ", " : "", specs[i] + vl + 1);
			count++;
		}
	}
	if (count > 1) {
		/* Guessing here is what the tool exists to stop. */
		diag_error(NULL, 0, "%s: version %s has %zu clusters (%s); name one as %s/NAME",
			   pick == PICK_NEWEST ? "--newest" : "--oldest", ver, count, names.data, ver);
		exit(EXIT_TROUBLE);
	}
	chosen = xstrdup(specs[first]);
	buf_free(&names);
	free(ver);
	cluster_list_free(specs, (size_t)n);
	return chosen;
}

/* ---- output ----------------------------------------------------------- */

static const char *or_unknown(const char *s)
{
	return s ? s : "<unknown>";
}

static char *status_text(const struct target *t)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, t->f.running ? "online" : "down");
	if (t->f.recovery)
		buf_adds(&b, ",recovery");
	if (t->f.binaries_missing)
		buf_adds(&b, ",binaries_missing");
	return buf_steal(&b);
}

/* A writer in pg_lsclusters -j's compact layout. */
static void
json_start(struct out_json *j)
{
	out_json_init(j, stdout, 1);
}

/* One cluster as a JSON object (pg_lsclusters -j's key names where it has them). */
static void
print_json_cluster(struct out_json *j, const struct target *t)
{
	char *st = status_text(t);
	char *confdir = NULL;

	if (t->c.conf_file) {
		const char *slash = strrchr(t->c.conf_file, '/');

		confdir = slash ? xstrndup(t->c.conf_file, (size_t)(slash - t->c.conf_file)) : xstrdup(".");
	}
	out_json_begin_object(j);
	out_json_field(j, "version", t->c.version);
	out_json_field(j, "cluster", t->c.name);
	out_json_int_field(j, "port", t->f.port);
	out_json_field(j, "port_file", t->f.port_file);
	out_json_int_or_null(j, "port_line", t->f.port_line, t->f.port_file != NULL);
	out_json_field(j, "status", st);
	out_json_bool_field(j, "running", t->f.running);
	out_json_bool_field(j, "recovery", t->f.recovery);
	out_json_field(j, "owner", t->f.owner);
	out_json_int_or_null(j, "owneruid", t->f.owner_uid, t->f.owner_uid >= 0);
	out_json_field(j, "pgdata", t->c.data_dir);
	out_json_field(j, "logfile", t->f.log);
	out_json_field(j, "configdir", confdir);
	out_json_field(j, "config_file", t->c.conf_file);
	out_json_field(j, "socketdir", t->f.socket_dir);
	out_json_int_or_null(j, "pid", t->f.pid, t->f.pid > 0);
	out_json_int_or_null(j, "pid_port", t->f.pid_port, t->f.pid_port > 0);
	out_json_end_object(j);
	free(confdir);
	free(st);
}

static void print_shell_cluster(const struct target *t)
{
	char *st = status_text(t);
	char port[16];

	snprintf(port, sizeof port, "%d", t->f.port);
	out_shell_assign(stdout, "cluster_version", t->c.version);
	out_shell_assign(stdout, "cluster_name", t->c.name);
	out_shell_assign(stdout, "cluster_port", port);
	out_shell_assign(stdout, "cluster_status", st);
	out_shell_assign(stdout, "cluster_owner", t->f.owner);
	out_shell_assign(stdout, "cluster_pgdata", t->c.data_dir);
	out_shell_assign(stdout, "cluster_log", t->f.log);
	out_shell_assign(stdout, "cluster_socketdir", t->f.socket_dir);
	free(st);
}

/* ---- --list ------------------------------------------------------------ */

#define NCOLS 7

/* One row of --list: what pg_lsclusters shows of t (malloc'd strings). */
static char **list_row(const struct target *t)
{
	char **r = xmalloc(sizeof *r * NCOLS);
	char port[16];

	snprintf(port, sizeof port, "%d", t->f.port);
	r[0] = xstrdup(t->c.version);
	r[1] = xstrdup(t->c.name);
	r[2] = xstrdup(port);
	r[3] = status_text(t);
	r[4] = xstrdup(or_unknown(t->f.owner));
	r[5] = xstrdup(or_unknown(t->c.data_dir));
	r[6] = xstrdup(or_unknown(t->f.log));
	return r;
}

/* pg_lsclusters' layout: left-aligned columns, the last one not padded. */
static void print_table(const char *const *head, char ***rows, size_t nrows)
{
	size_t i, j, width[NCOLS];

	for (j = 0; j < NCOLS; j++) {
		width[j] = strlen(head[j]);
		for (i = 0; i < nrows; i++)
			if (strlen(rows[i][j]) > width[j])
				width[j] = strlen(rows[i][j]);
	}
	for (i = 0; i <= nrows; i++) {
		const char *const *r = i == 0 ? head : (const char *const *)rows[i - 1];

		for (j = 0; j < NCOLS - 1; j++)
			printf("%-*s ", (int)width[j], r[j]);
		printf("%s\n", r[NCOLS - 1]);
	}
}

static int do_list(void)
{
	static const char *const head[NCOLS] = { "Ver", "Cluster", "Port", "Status", "Owner", "Data directory",
						 "Log file" };
	struct diag_err err;
	char **specs;
	char ***rows;
	size_t i, j, nrows = 0;
	int n, status = EXIT_SAME;
	struct out_json js;

	n = cluster_list(&specs, &err);
	if (n < 0) {
		diag_report(&err);
		return EXIT_TROUBLE;
	}
	rows = xmalloc(sizeof *rows * ((size_t)n + 1));
	json_start(&js);
	if (opt.format == OUT_JSON)
		out_json_begin_array(&js);
	for (i = 0; i < (size_t)n; i++) {
		struct target t;

		memset(&t, 0, sizeof t);
		if (cluster_resolve(specs[i], &t.c, &err) < 0 || cluster_settings(&t.c, &t.f, &err) < 0) {
			/* One broken cluster must not hide the others. */
			diag_report(&err);
			status = EXIT_TROUBLE;
			target_free(&t);
			continue;
		}
		cluster_status(&t.c, &t.f);
		if (opt.format == OUT_JSON)
			print_json_cluster(&js, &t);
		else
			rows[nrows++] = list_row(&t);
		target_free(&t);
	}
	if (opt.format == OUT_JSON)
		out_json_end_array(&js);
	else
		print_table(head, rows, nrows);
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < NCOLS; j++)
			free(rows[i][j]);
		free(rows[i]);
	}
	free(rows);
	cluster_list_free(specs, (size_t)n);
	return status;
}

/* ---- --check and --probe ------------------------------------------------ */

/* The conninfo string for the server at socket_dir (TCP on localhost when NULL) and port. */
static char *conninfo(const char *socket_dir, int port, const char *user)
{
	struct buf b;
	char p[16];

	buf_init(&b);
	snprintf(p, sizeof p, "%d", port);
	/* No socket directory (unix_socket_directories = ''): the server listens on TCP only. */
	pgconn_conninfo_add(&b, "host", socket_dir ? socket_dir : "localhost");
	pgconn_conninfo_add(&b, "port", p);
	pgconn_conninfo_add(&b, "dbname", "postgres");
	pgconn_conninfo_add(&b, "connect_timeout", "5");
	if (user)
		pgconn_conninfo_add(&b, "user", user);
	return buf_steal(&b);
}

/* Where the configuration sets the port, for messages. */
static void port_origin(const struct target *t, struct buf *b)
{
	if (t->f.port_file)
		buf_printf(b, "%s:%d sets port %d", t->f.port_file, t->f.port_line, t->f.port);
	else
		buf_printf(b, "the configuration sets no port (default %d)", t->f.port);
}

static int do_check(struct target *t)
{
	struct diag_err err;
	char *ci;
	int r;

	ci = conninfo(t->f.socket_dir, t->f.port, NULL);
	r = pgconn_ping(ci, &err);
	free(ci);
	if (r < 0) {
		diag_report(&err);
		return EXIT_TROUBLE;
	}
	if (opt.format == OUT_JSON) {
		struct out_json js;

		json_start(&js);
		out_json_begin_object(&js);
		out_json_field(&js, "cluster", label(t));
		out_json_int_field(&js, "port", t->f.port);
		out_json_bool_field(&js, "accepts_connections", r == PGCONN_PING_OK);
		out_json_field(&js, "answer", r == PGCONN_PING_OK ? "ok"
			       : r == PGCONN_PING_REJECT ? "reject"
			       : r == PGCONN_PING_NO_RESPONSE ? "no_response" : "no_attempt");
		out_json_end_object(&js);
	}
	switch (r) {
	case PGCONN_PING_OK:
		if (opt.format == OUT_TEXT)
			printf("%s: accepting connections on port %d\n", label(t), t->f.port);
		return EXIT_SAME;
	case PGCONN_PING_REJECT:
		diag_error(NULL, 0, "%s: rejecting connections on port %d (starting up or shutting down)",
			   label(t), t->f.port);
		return EXIT_DIFF;
	case PGCONN_PING_NO_RESPONSE:
		cluster_status(&t->c, &t->f);
		if (t->f.running && t->f.pid_port && t->f.pid_port != t->f.port) {
			struct buf b;

			buf_init(&b);
			port_origin(t, &b);
			diag_error(NULL, 0, "%s: not accepting connections on port %d: its server runs on port %d "
				   "(postmaster.pid) and %s; restart it to apply", label(t), t->f.port, t->f.pid_port,
				   b.data);
			buf_free(&b);
		} else {
			diag_error(NULL, 0, "%s is not running (nothing accepts connections on %s port %d)",
				   label(t), t->f.socket_dir ? t->f.socket_dir : "localhost", t->f.port);
		}
		return EXIT_DIFF;
	default:
		diag_error(NULL, 0, "%s: cannot ask the server on port %d: bad connection parameters",
			   label(t), t->f.port);
		return EXIT_TROUBLE;
	}
}

/* SHOW port over the socket, as the current user and then as postgres; 0 or -1 with err. */
static int ask_port(const char *socket_dir, int port, long *server_port, struct diag_err *err)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *users[] = { NULL, "postgres" };
	size_t i, nusers = pw && strcmp(pw->pw_name, "postgres") == 0 ? 1 : 2;
	struct diag_err first;

	for (i = 0; i < nusers; i++) {
		char *ci = conninfo(socket_dir, port, users[i]);
		struct pgconn *c = pgconn_open(ci, "cluster-port", i == 0 ? &first : err);
		struct pgconn_rows rows;
		int rc = -1;

		free(ci);
		if (!c)
			continue;
		if (pgconn_query(c, "SHOW port", &rows, err) == 0) {
			if (rows.nrows == 1 && rows.ncols == 1 && rows.cell[0] &&
			    diag_parse_long(rows.cell[0], 1, 65535, server_port) == 0)
				rc = 0;
			else
				diag_set(err, NULL, 0, "unexpected answer to SHOW port");
			pgconn_rows_free(&rows);
		}
		pgconn_close(c);
		return rc;
	}
	/* Keep the first reason: it names the user we are. */
	*err = first;
	return -1;
}

/*
 * --probe --json: the configured port and the server's; server_port null
 * when no server answered (not running: a negative answer, still JSON).
 */
static void
probe_json(const struct target *t, long server_port, const char *from, int agree)
{
	struct out_json js;

	json_start(&js);
	out_json_begin_object(&js);
	out_json_field(&js, "cluster", label(t));
	out_json_int_field(&js, "conf_port", t->f.port);
	out_json_field(&js, "port_file", t->f.port_file);
	out_json_int_or_null(&js, "port_line", t->f.port_line, t->f.port_file != NULL);
	out_json_int_or_null(&js, "server_port", server_port, from != NULL);
	out_json_field(&js, "server_port_from", from);
	out_json_bool_field(&js, "agree", agree);
	out_json_bool_field(&js, "running", from != NULL);
	out_json_end_object(&js);
}

static int do_probe(struct target *t)
{
	struct diag_err err;
	const char *dir, *from = "server";
	long server_port = 0;
	int port, status;

	cluster_status(&t->c, &t->f);
	/* The running server's own record of its port and socket beats the edited file. */
	port = t->f.pid_port ? t->f.pid_port : t->f.port;
	dir = t->f.pid_socket_dir ? t->f.pid_socket_dir : t->f.socket_dir;
	if (t->f.status_by == CLUSTER_BY_PIDFILE && !t->f.running) {
		if (opt.format == OUT_JSON)
			probe_json(t, 0, NULL, 0);
		diag_error(NULL, 0, "%s is not running%s", label(t), t->f.pid ? " (stale postmaster.pid)" : "");
		return EXIT_DIFF;
	}
	if (ask_port(dir, port, &server_port, &err) < 0) {
		if (t->f.running && t->f.pid_port) {
			diag_warn(NULL, 0, "%s: cannot ask the server (%s); using postmaster.pid", label(t), err.msg);
			server_port = t->f.pid_port;
			from = "postmaster.pid";
		} else {
			if (!t->f.running && opt.format == OUT_JSON)
				probe_json(t, 0, NULL, 0);
			diag_error(NULL, 0, "%s: cannot ask the server on %s port %d: %s", label(t),
				   dir ? dir : "localhost", port, err.msg);
			return t->f.running ? EXIT_TROUBLE : EXIT_DIFF;
		}
	}
	status = server_port == t->f.port ? EXIT_SAME : EXIT_DIFF;
	if (opt.format == OUT_JSON) {
		probe_json(t, server_port, from, status == EXIT_SAME);
	} else if (opt.format == OUT_SHELL) {
		char a[16], b[16];

		snprintf(a, sizeof a, "%d", t->f.port);
		snprintf(b, sizeof b, "%ld", server_port);
		out_shell_assign(stdout, "cluster_conf_port", a);
		out_shell_assign(stdout, "cluster_server_port", b);
	} else {
		printf("%ld\n", server_port);
	}
	if (status == EXIT_DIFF) {
		struct buf b;

		buf_init(&b);
		port_origin(t, &b);
		diag_error(NULL, 0, "%s: the server listens on port %ld but %s; restart the cluster to apply it",
			   label(t), server_port, b.data);
		buf_free(&b);
	}
	return status;
}

/* ---- --free ------------------------------------------------------------ */

/* Whether binding the wildcard address on port fails (someone listens there). */
static int tcp_taken(int family, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, r;

	if (fd < 0)
		return 0;	/* no such address family here */
	/* As pg_createcluster's next_free_port: a socket in TIME_WAIT is no user. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6) {
		struct sockaddr_in6 sa;

		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		memset(&sa, 0, sizeof sa);
		sa.sin6_family = AF_INET6;
		sa.sin6_addr = in6addr_any;
		sa.sin6_port = htons((unsigned short)port);
		r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	} else {
		struct sockaddr_in sa;

		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
		sa.sin_port = htons((unsigned short)port);
		r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	}
	if (r < 0 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT))
		r = 0;	/* IPv6 disabled: nothing can listen there */
	close(fd);
	return r < 0;
}

/* No socket file for port in any of dirs, and nothing listens on it over TCP. */
static int port_free(int port, const char *const *dirs, size_t ndirs)
{
	size_t d;

	for (d = 0; d < ndirs; d++) {
		char path[4200];
		struct stat st;

		snprintf(path, sizeof path, "%s/.s.PGSQL.%d", dirs[d], port);
		if (lstat(path, &st) == 0)
			return 0;
	}
	return !tcp_taken(AF_INET, port) && !tcp_taken(AF_INET6, port);
}

static void print_free_port(int port)
{
	if (opt.format == OUT_JSON) {
		struct out_json js;

		json_start(&js);
		out_json_begin_object(&js);
		out_json_int_field(&js, "port", port);
		out_json_end_object(&js);
	} else if (opt.format == OUT_SHELL) {
		char p[16];

		snprintf(p, sizeof p, "%d", port);
		out_shell_assign(stdout, "free_port", p);
	} else {
		printf("%d\n", port);
	}
}

static int do_free(void)
{
	struct diag_err err;
	char **specs;
	int n = cluster_list(&specs, &err), port, i;
	unsigned char *used = xcalloc(65536, 1);
	const char **dirs;
	struct target *ts;
	size_t ndirs = 0;

	if (n < 0) {
		diag_report(&err);
		free(used);
		return EXIT_TROUBLE;
	}
	dirs = xmalloc(sizeof *dirs * ((size_t)n + 2));
	dirs[ndirs++] = "/var/run/postgresql";
	dirs[ndirs++] = "/tmp";
	ts = xmalloc(sizeof *ts * ((size_t)n + 1));
	for (i = 0; i < n; i++) {
		memset(&ts[i], 0, sizeof ts[i]);
		/* A cluster whose port cannot be read cannot claim one; list and VER/NAME report it. */
		if (cluster_resolve(specs[i], &ts[i].c, &err) == 0 && cluster_settings(&ts[i].c, &ts[i].f, &err) == 0) {
			used[ts[i].f.port] = 1;
			if (ts[i].f.socket_dir)
				dirs[ndirs++] = ts[i].f.socket_dir;
		}
	}
	for (port = (int)opt.from; port <= 65535; port++)
		if (!used[port] && port_free(port, dirs, ndirs))
			break;
	for (i = 0; i < n; i++)
		target_free(&ts[i]);
	free(ts);
	free(dirs);
	free(used);
	cluster_list_free(specs, (size_t)n);
	if (port > 65535) {
		diag_error(NULL, 0, "no free port from %ld to 65535", opt.from);
		return EXIT_TROUBLE;
	}
	print_free_port(port);
	return EXIT_SAME;
}

/* ---- --set-port and --reset-port --------------------------------------- */

#define DROPIN_NAME "99-ckan-pg-upgrade-port.conf"
static const char dropin_head[] = "# written by ckan-pg-upgrade --switch ports; rollback removes it\n";

/* CONFDIR/conf.d/99-ckan-pg-upgrade-port.conf, CONFDIR being postgresql.conf's directory. */
static char *dropin_path(const struct target *t)
{
	char *confdir = path_dir(t->c.conf_file), *confd = path_join(confdir, "conf.d");
	char *p = path_join(confd, DROPIN_NAME);

	free(confdir);
	free(confd);
	return p;
}

/*
 * Whether postgresql.conf itself reads CONFDIR/conf.d (include_dir, as the
 * server resolves it: relative to the file's directory).  Only that file
 * counts: a drop-in must not depend on which include brings it in.
 */
static int includes_confd(const struct target *t, struct diag_err *err)
{
	struct pgconf_model m;
	struct buf data;
	char *confdir = path_dir(t->c.conf_file), *confd = path_join(confdir, "conf.d");
	char *want = realpath(confd, NULL);
	size_t i;
	int rc, found = 0;

	buf_init(&data);
	pgconf_init(&m);
	rc = buf_read_file(&data, t->c.conf_file, NULL);
	if (rc < 0)
		diag_set(err, t->c.conf_file, 0, "cannot read: %s", strerror(-rc));
	else if (pgconf_parse_buf(&m, t->c.conf_file, data.data ? data.data : "", data.len, err) == 0) {
		for (i = 0; i < m.n && want && !found; i++) {
			char *dir, *real;

			if (strcmp(m.set[i].name, "include_dir") != 0)
				continue;
			dir = m.set[i].value[0] == '/' ? xstrdup(m.set[i].value) : path_join(confdir, m.set[i].value);
			real = realpath(dir, NULL);
			found = real && strcmp(real, want) == 0;
			free(real);
			free(dir);
		}
		if (!found)
			diag_set(err, t->c.conf_file, 0, "does not read %s (include_dir = 'conf.d'); set the port there "
				 "yourself", confd);
	}
	pgconf_free(&m);
	buf_free(&data);
	free(want);
	free(confd);
	free(confdir);
	return found ? 0 : -1;
}

/* ALTER SYSTEM's port (postgresql.auto.conf) beats every drop-in: refuse it. */
static int auto_sets_port(const struct target *t, struct diag_err *err)
{
	struct pgconf_model m;
	const struct pgconf_setting *s;
	char *path;
	int rc = 0;

	if (!t->c.data_dir)
		return 0;
	path = path_join(t->c.data_dir, "postgresql.auto.conf");
	pgconf_init(&m);
	if (pgconf_load(&m, path, 1, err) < 0)
		rc = -1;
	else if ((s = pgconf_effective(&m, "port")) != NULL)
		rc = diag_set(err, path, s->line, "port is set by ALTER SYSTEM, which a drop-in cannot override; "
			      "use ALTER SYSTEM RESET port first");
	pgconf_free(&m);
	free(path);
	return rc;
}

/* Print a --dry-run diff from old (NULL: no file) to new (NULL: removed). */
static void print_change(const char *path, const struct buf *old, const char *new)
{
	struct buf diff;

	buf_init(&diff);
	fileio_diff(old ? path : "/dev/null", new ? path : "/dev/null", old ? old->data : "", old ? old->len : 0,
		    new ? new : "", new ? strlen(new) : 0, &diff);
	fwrite(diff.data ? diff.data : "", 1, diff.len, stdout);
	buf_free(&diff);
}

static int do_set_port(struct target *t)
{
	struct diag_err err;
	struct stat st;
	struct buf old, content;
	char *path = dropin_path(t);
	int had, rc, status = EXIT_SAME;

	memset(&err, 0, sizeof err);
	buf_init(&old);
	buf_init(&content);
	if (includes_confd(t, &err) < 0 || auto_sets_port(t, &err) < 0 || stat(t->c.conf_file, &st) < 0) {
		if (err.msg[0] == '\0')
			diag_set(&err, t->c.conf_file, 0, "cannot stat: %s", strerror(errno));
		diag_report(&err);
		status = EXIT_TROUBLE;
		goto out;
	}
	buf_printf(&content, "%sport = %ld\n", dropin_head, opt.set_port);
	rc = buf_read_file(&old, path, NULL);
	had = rc == 0;
	if (rc < 0 && rc != -ENOENT) {
		diag_error(path, 0, "cannot read: %s", strerror(-rc));
		status = EXIT_TROUBLE;
		goto out;
	}
	if (opt.dry_run) {
		print_change(path, had ? &old : NULL, content.data);
		goto out;
	}
	rc = fileio_write_owned(path, content.data, content.len, 0644, st.st_uid, st.st_gid, NULL, &err);
	if (rc < 0) {
		diag_report(&err);
		status = EXIT_TROUBLE;
		goto out;
	}
	/* A later file of conf.d, or a line after include_dir, may still win: ask the loader. */
	{
		struct target again;
		struct diag_err e2;
		int port_ok;

		memset(&again, 0, sizeof again);
		port_ok = cluster_resolve(t->c.spec, &again.c, &e2) == 0 && cluster_settings(&again.c, &again.f, &e2) == 0 &&
			  again.f.port == opt.set_port;
		if (!port_ok) {
			struct diag_err undo;

			if (again.f.port_file)
				diag_error(again.f.port_file, again.f.port_line, "sets port %d after %s; %s removed again",
					   again.f.port, path, had ? "the change was" : "it was");
			else
				diag_report(&e2);
			if ((had ? fileio_write(path, old.data ? old.data : "", old.len, 0644, NULL, &undo)
				 : fileio_remove(path, &undo)) < 0)
				diag_report(&undo);
			status = EXIT_TROUBLE;
		}
		target_free(&again);
	}
out:
	buf_free(&old);
	buf_free(&content);
	free(path);
	return status;
}

static int do_reset_port(struct target *t)
{
	struct diag_err err;
	struct buf old;
	char *path = dropin_path(t);
	int rc, status = EXIT_SAME;

	buf_init(&old);
	rc = buf_read_file(&old, path, NULL);
	if (rc == -ENOENT)
		goto out;	/* nothing to undo */
	if (rc < 0) {
		diag_error(path, 0, "cannot read: %s", strerror(-rc));
		status = EXIT_TROUBLE;
	} else if (old.len < sizeof dropin_head - 1 || memcmp(old.data, dropin_head, sizeof dropin_head - 1) != 0) {
		diag_error(path, 1, "not written by ckan-pg-upgrade (its first line differs); remove it yourself");
		status = EXIT_TROUBLE;
	} else if (opt.dry_run) {
		print_change(path, &old, NULL);
	} else if (fileio_remove(path, &err) < 0) {
		diag_report(&err);
		status = EXIT_TROUBLE;
	}
out:
	buf_free(&old);
	free(path);
	return status;
}

/* ---- main ---------------------------------------------------------------- */

/* The options into opt and their checks; returns the index of the first argument. */
static int parse_options(int argc, char **argv)
{
	enum { OPT_NEWEST = 256, OPT_OLDEST, OPT_CHECK, OPT_PROBE, OPT_FREE, OPT_FROM, OPT_SET_PORT, OPT_RESET_PORT };
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "pgdata", required_argument, NULL, 'D' },
		{ "newest", no_argument, NULL, OPT_NEWEST },
		{ "oldest", no_argument, NULL, OPT_OLDEST },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "free", no_argument, NULL, OPT_FREE },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "set-port", required_argument, NULL, OPT_SET_PORT },
		{ "reset-port", no_argument, NULL, OPT_RESET_PORT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "shell", no_argument, NULL, 's' },
		DIAG_STD_OPTIONS,
	};
	int c, nmodes = 0, from_given = 0, writes;

	while ((c = diag_getopt(argc, argv, "lD:jsnVh", longopts)) != -1) {
		switch (c) {
		case 'l': opt.mode = MODE_LIST; nmodes++; break;
		case 'D': opt.datadir = optarg; break;
		case OPT_NEWEST: opt.pick = PICK_NEWEST; break;
		case OPT_OLDEST: opt.pick = PICK_OLDEST; break;
		case OPT_CHECK: opt.mode = MODE_CHECK; nmodes++; break;
		case OPT_PROBE: opt.mode = MODE_PROBE; nmodes++; break;
		case OPT_FREE: opt.mode = MODE_FREE; nmodes++; break;
		case OPT_FROM:
			if (diag_parse_long(optarg, 1, 65535, &opt.from) < 0)
				diag_usage("--from takes a port 1..65535, not \"%s\"", optarg);
			from_given = 1;
			break;
		case OPT_SET_PORT:
			if (diag_parse_long(optarg, 1, 65535, &opt.set_port) < 0)
				diag_usage("--set-port takes a port 1..65535, not \"%s\"", optarg);
			opt.mode = MODE_SET_PORT;
			nmodes++;
			break;
		case OPT_RESET_PORT: opt.mode = MODE_RESET_PORT; nmodes++; break;
		case 'n': opt.dry_run = 1; break;
		case 'j': opt.format = OUT_JSON; break;
		case 's': opt.format = OUT_SHELL; break;
		}
	}
	writes = opt.mode == MODE_SET_PORT || opt.mode == MODE_RESET_PORT;
	diag_exclusive(nmodes, "--list, --check, --probe, --free, --set-port and --reset-port");
	diag_only_with(opt.dry_run && !writes, "--dry-run", "--set-port and --reset-port");
	if (writes && opt.format != OUT_TEXT)
		diag_usage("--set-port and --reset-port print text only");
	/* A write names its cluster: no guessing by version. */
	if (writes && opt.pick != PICK_SPEC)
		diag_usage("--set-port and --reset-port take VER/NAME or -D DATADIR, not --newest or --oldest");
	diag_only_with(from_given && opt.mode != MODE_FREE, "--from", "--free");
	return optind;
}

/* VER/NAME alone: its port, or with --json and --shell what pg_lsclusters shows. */
static int do_show(struct target *t)
{
	struct out_json js;

	if (opt.format == OUT_TEXT) {
		printf("%d\n", t->f.port);
		return EXIT_SAME;
	}
	cluster_status(&t->c, &t->f);
	if (opt.format == OUT_JSON) {
		json_start(&js);
		print_json_cluster(&js, t);
	} else {
		print_shell_cluster(t);
	}
	return EXIT_SAME;
}

int main(int argc, char **argv)
{
	struct target t;
	char *picked = NULL;
	int arg, status;

	diag_start(argc, argv, "cluster-port", usage);
	arg = parse_options(argc, argv);
	if (opt.mode == MODE_LIST || opt.mode == MODE_FREE) {
		if (arg < argc || opt.datadir || opt.pick != PICK_SPEC)
			diag_usage("%s takes no cluster", opt.mode == MODE_LIST ? "--list" : "--free");
		if (opt.mode == MODE_LIST && opt.format == OUT_SHELL)
			diag_usage("--list prints text or --json");
		return diag_finish(opt.mode == MODE_LIST ? do_list() : do_free());
	}
	if ((arg < argc) + (opt.datadir != NULL) + (opt.pick != PICK_SPEC) != 1 || argc - arg > 1)
		diag_usage("name one cluster: VER/NAME, -D DATADIR, --newest or --oldest");
	if (opt.pick != PICK_SPEC)
		picked = pick_cluster(opt.pick);
	load_target(picked ? picked : opt.datadir ? opt.datadir : argv[arg], opt.datadir != NULL, &t);
	free(picked);
	switch (opt.mode) {
	case MODE_CHECK:
		if (opt.format == OUT_SHELL)
			diag_usage("--check prints text or --json");
		status = do_check(&t);
		break;
	case MODE_PROBE: status = do_probe(&t); break;
	case MODE_SET_PORT: status = do_set_port(&t); break;
	case MODE_RESET_PORT: status = do_reset_port(&t); break;
	default: status = do_show(&t); break;
	}
	target_free(&t);
	return diag_finish(status);
}
