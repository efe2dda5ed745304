/*
 * cluster: find a cluster's postgresql.conf, data directory and version
 * from the names people give it.
 */
#include "cluster.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "cluster_int.h"
#include "path.h"

const char *cluster_conf_root(void)
{
	const char *root = getenv("PG_CLUSTER_CONF_ROOT");

	return root && *root ? root : "/etc/postgresql";
}

/* Past a major version "N" or "N.N" at the start of s, or NULL. */
static const char *skip_version(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return NULL;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return s;
}

int cluster_is_spec(const char *s)
{
	const char *p = skip_version(s);

	if (!p || *p != '/' || !p[1] || strchr(p + 1, '/'))
		return 0;
	return strcmp(p + 1, ".") != 0 && strcmp(p + 1, "..") != 0;
}

/* The first line of DIR/PG_VERSION ("15", "9.6"), or NULL. */
static char *read_pg_version(const char *dir)
{
	char *path = path_join(dir, "PG_VERSION");
	struct buf b;
	char *v = NULL;

	buf_init(&b);
	if (buf_read_file(&b, path, NULL) == 0 && b.len > 0) {
		size_t n = strcspn(b.data, "\r\n");

		if (n > 0 && n < 16)
			v = xstrndup(b.data, n);
	}
	buf_free(&b);
	free(path);
	return v;
}

/* data_directory from the conf itself (Debian keeps config and data apart). */
/*
 * data_directory from the conf itself (Debian keeps config and data apart).
 * The parsed conf is kept in c->conf for cluster_load_conf: a large
 * postgresql.conf is then read once, not twice.
 */
static char *conf_data_dir(struct cluster *c, struct diag_err *err, int *failed)
{
	struct pgconf_model *m = xmalloc(sizeof *m);
	const struct pgconf_setting *s;
	char *dd = NULL;

	*failed = 0;
	pgconf_init(m);
	if (pgconf_load(m, c->conf_file, 0, err) < 0) {
		*failed = 1;
		pgconf_free(m);
		free(m);
		return NULL;
	}
	s = pgconf_effective(m, "data_directory");
	if (s && *s->value) {
		if (s->value[0] == '/') {
			dd = xstrdup(s->value);
		} else {
			char *d = path_dir(m->files[s->file].path);

			dd = path_join(d, s->value);
			free(d);
		}
	}
	if (c->conf) {
		pgconf_free(c->conf);
		free(c->conf);
	}
	c->conf = m;
	return dd;
}

int cluster_resolve(const char *spec, struct cluster *c, struct diag_err *err)
{
	int failed;

	memset(c, 0, sizeof *c);
	c->spec = xstrdup(spec);
	if (cluster_is_spec(spec)) {
		const char *slash = strchr(spec, '/');
		char *confdir;

		c->version = xstrndup(spec, (size_t)(slash - spec));
		c->name = xstrdup(slash + 1);
		confdir = path_join(cluster_conf_root(), spec);
		if (!path_is_dir(confdir)) {
			diag_set(err, NULL, 0, "no cluster %s: \"%s\" is not a directory", spec, confdir);
			free(confdir);
			return -1;
		}
		c->conf_file = path_join(confdir, "postgresql.conf");
		free(confdir);
		if (!path_is_file(c->conf_file))
			return diag_set(err, c->conf_file, 0, "cannot open: %s", strerror(ENOENT));
		c->data_dir = conf_data_dir(c, err, &failed);
		if (failed)
			return -1;
		if (!c->data_dir) {
			struct buf b;

			buf_init(&b);
			buf_printf(&b, "/var/lib/postgresql/%s", spec);
			if (path_is_dir(b.data))
				c->data_dir = buf_steal(&b);
			buf_free(&b);
		}
		return 0;
	}
	if (path_is_dir(spec)) {
		char *pgv = read_pg_version(spec);

		c->conf_file = path_join(spec, "postgresql.conf");
		if (pgv) {
			c->data_dir = xstrdup(spec);
			c->version = pgv;
		}
		if (!path_is_file(c->conf_file))
			return diag_set(err, spec, 0, "no postgresql.conf in this directory");
		if (!c->data_dir) {
			c->data_dir = conf_data_dir(c, err, &failed);
			if (failed)
				return -1;
		}
	} else {
		if (access(spec, F_OK) < 0)
			return diag_set(err, spec, 0, "cannot open: %s", strerror(errno));
		c->conf_file = xstrdup(spec);
		c->data_dir = conf_data_dir(c, err, &failed);
		if (failed)
			return -1;
		if (!c->data_dir) {
			/* A postgresql.conf beside PG_VERSION lives in its data directory. */
			char *d = path_dir(spec);
			char *pgv = read_pg_version(d);

			if (pgv) {
				c->data_dir = d;
				c->version = pgv;
				return 0;
			}
			free(d);
		}
	}
	if (c->data_dir && !c->version)
		c->version = read_pg_version(c->data_dir);
	return 0;
}

void cluster_free(struct cluster *c)
{
	free(c->spec);
	free(c->version);
	free(c->name);
	free(c->conf_file);
	free(c->data_dir);
	if (c->conf) {
		pgconf_free(c->conf);
		free(c->conf);
	}
	memset(c, 0, sizeof *c);
}

int cluster_load_conf(struct cluster *c, struct pgconf_model *m, struct diag_err *err)
{
	char *autoconf;
	int rc;

	if (c->conf && m->n == 0 && m->nfiles == 0) {
		/* Hand over what cluster_resolve already parsed. */
		*m = *c->conf;
		free(c->conf);
		c->conf = NULL;
	} else if (pgconf_load(m, c->conf_file, 0, err) < 0) {
		return -1;
	}
	if (!c->data_dir)
		return 0;
	autoconf = path_join(c->data_dir, "postgresql.auto.conf");
	rc = pgconf_load(m, autoconf, 1, err);
	free(autoconf);
	return rc;
}

/* ---- discovery ------------------------------------------------------- */

/* A version directory's name: digits, optionally ".digits". */
static int is_version(const char *s)
{
	const char *p = skip_version(s);

	return p && *p == '\0';
}

int cluster_version_cmp(const char *a, const char *b)
{
	/* Perl's <=> on "9.6" and "15": compare as decimal numbers. */
	char *ea, *eb;
	unsigned long ma = strtoul(a, &ea, 10), mb = strtoul(b, &eb, 10);
	const char *fa, *fb;

	if (ma != mb)
		return ma < mb ? -1 : 1;
	fa = *ea == '.' ? ea + 1 : "";
	fb = *eb == '.' ? eb + 1 : "";
	/* Fractions compare digit by digit, a missing digit being 0. */
	while (*fa || *fb) {
		int da = isdigit((unsigned char)*fa) ? *fa - '0' : 0;
		int db = isdigit((unsigned char)*fb) ? *fb - '0' : 0;

		if (da != db)
			return da < db ? -1 : 1;
		if (*fa)
			fa++;
		if (*fb)
			fb++;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_version(const void *a, const void *b)
{
	int r = cluster_version_cmp(*(char *const *)a, *(char *const *)b);

	return r ? r : strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir accepted by keep(), sorted by cmp.  -1 with errno. */
static int read_dir(const char *dir, int (*keep)(const char *dir, const char *name),
		    int (*cmp)(const void *, const void *), char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!keep(dir, e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp);
	return 0;
}

static int keep_version(const char *dir, const char *name)
{
	(void)dir;
	return is_version(name);
}

/* postgresql-common counts a cluster when its postgresql.conf exists or is a dangling symlink. */
static int keep_cluster(const char *dir, const char *name)
{
	struct buf b;
	struct stat st;
	int r;

	buf_init(&b);
	buf_printf(&b, "%s/%s/postgresql.conf", dir, name);
	r = lstat(b.data, &st) == 0;
	buf_free(&b);
	return r;
}

int cluster_list(char ***out, struct diag_err *err)
{
	const char *root = cluster_conf_root();
	char **vers, **all = NULL;
	size_t nv, i, j, n = 0, cap = 0;

	*out = NULL;
	if (read_dir(root, keep_version, cmp_version, &vers, &nv) < 0) {
		if (errno == ENOENT)
			return 0;
		return diag_set(err, root, 0, "cannot open directory: %s", strerror(errno));
	}
	for (i = 0; i < nv; i++) {
		char *vdir = path_join(root, vers[i]);
		char **names;
		size_t nn;

		/* An unreadable version directory shows no clusters, as in pg_lsclusters. */
		if (read_dir(vdir, keep_cluster, cmp_str, &names, &nn) == 0) {
			for (j = 0; j < nn; j++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					all = xrealloc(all, cap * sizeof *all);
				}
				all[n++] = xasprintf("%s/%s", vers[i], names[j]);
			}
			cluster_list_free(names, nn);
		}
		free(vdir);
	}
	cluster_list_free(vers, nv);
	*out = all;
	return (int)n;
}

void cluster_list_free(char **specs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
}

/* ---- facts ----------------------------------------------------------- */

int cluster_parse_port(const char *s, long *port)
{
	/* guc.c parse_int: strtol(base 0), then a fraction is rounded (PG 12+). */
	const char *p = s;
	char *end;
	double d;
	long v;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return -1;
	errno = 0;
	v = strtol(p, &end, 0);
	if (end == p)
		return -1;
	if (*end == '.' || *end == 'e' || *end == 'E') {
		errno = 0;
		d = strtod(p, &end);
		if (end == p || errno)
			return errno == ERANGE ? -2 : -1;
		if (d < 0 ? d <= -1e9 : d >= 1e9)
			return -2;
		v = (long)(d < 0 ? d - 0.5 : d + 0.5);
	} else if (errno == ERANGE) {
		v = LONG_MAX;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	if (v < 1 || v > 65535)
		return -2;
	*port = v;
	return 0;
}

/* pg_lsclusters' config_bool: on, true, yes, 1 (any case). */
static int conf_true(const char *v)
{
	return v && (strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
		     strcmp(v, "1") == 0);
}

static const char *conf_value(const struct pgconf_model *m, const char *name)
{
	const struct pgconf_setting *s = pgconf_effective(m, name);

	return s ? s->value : NULL;
}

/* Replace the first occurrence of what in s by with (Perl's s/what/with/). */
static char *replace_first(const char *s, const char *what, const char *with)
{
	const char *at = strstr(s, what);
	struct buf b;

	if (!at)
		return xstrdup(s);
	buf_init(&b);
	buf_add(&b, s, (size_t)(at - s));
	buf_adds(&b, with);
	buf_adds(&b, at + strlen(what));
	return buf_steal(&b);
}

/*
 * The log column of pg_lsclusters: the collector's log_directory/log_filename
 * when logging_collector is on, else the confdir's "log" symlink or
 * /var/log/postgresql/postgresql-VER-NAME.log (pg_ctlcluster's stderr log);
 * then "stderr" and "csvlog" in log_destination stand for those files.
 */
static char *log_destination(const struct cluster *c, const struct pgconf_model *m)
{
	const char *dest = conf_value(m, "log_destination");
	char *logfile = NULL, *csv, *r1, *r2;
	struct buf b;
	size_t n;

	buf_init(&b);
	if (conf_true(conf_value(m, "logging_collector"))) {
		const char *dir = conf_value(m, "log_directory");
		const char *file = conf_value(m, "log_filename");

		if (!dir || !*dir)
			dir = c->version && cluster_version_cmp(c->version, "10") < 0 ? "pg_log" : "log";
		if (!file || !*file)
			file = "postgresql-%Y-%m-%d_%H%M%S.log";
		buf_printf(&b, "%s/%s", dir, file);
		logfile = buf_steal(&b);
	} else if (c->name) {
		char *confdir = path_dir(c->conf_file), *link = path_join(confdir, "log");
		char target[4096];
		ssize_t len = readlink(link, target, sizeof target - 1);

		if (len > 0) {
			target[len] = '\0';
			logfile = xstrdup(target);
		} else {
			buf_printf(&b, "/var/log/postgresql/postgresql-%s-%s.log", c->version, c->name);
			logfile = buf_steal(&b);
		}
		free(link);
		free(confdir);
	}
	if (!logfile)
		return NULL;
	if (!dest || !*dest)
		dest = "stderr";
	/* $csvlog =~ s/(?:\.log)?$/.csv/ */
	n = strlen(logfile);
	if (n >= 4 && strcmp(logfile + n - 4, ".log") == 0)
		n -= 4;
	buf_add(&b, logfile, n);
	buf_adds(&b, ".csv");
	csv = buf_steal(&b);
	r1 = replace_first(dest, "stderr", logfile);
	r2 = replace_first(r1, "csvlog", csv);
	free(r1);
	free(csv);
	free(logfile);
	return r2;
}

/* The first entry of a unix_socket_directories list, trimmed; NULL for an empty list. */
static char *first_socket_dir(const char *list)
{
	size_t n;

	while (isspace((unsigned char)*list))
		list++;
	n = strcspn(list, ",");
	while (n > 0 && isspace((unsigned char)list[n - 1]))
		n--;
	if (n >= 2 && list[0] == '"' && list[n - 1] == '"') {
		list++;
		n -= 2;
	}
	return n ? xstrndup(list, n) : NULL;
}

int cluster_settings(struct cluster *c, struct cluster_facts *f, struct diag_err *err)
{
	struct pgconf_model m;
	const struct pgconf_setting *s;
	const char *sd;
	long port;
	int rc = 0;

	memset(f, 0, sizeof *f);
	f->owner_uid = -1;
	f->port = 5432;
	pgconf_init(&m);
	if (cluster_load_conf(c, &m, err) < 0) {
		pgconf_free(&m);
		return -1;
	}
	s = pgconf_effective(&m, "port");
	if (s) {
		int r = cluster_parse_port(s->value, &port);

		f->port_file = xstrdup(m.files[s->file].path);
		f->port_line = s->line;
		if (r == -1)
			rc = diag_set(err, f->port_file, s->line, "port \"%s\" is not a number", s->value);
		else if (r == -2)
			rc = diag_set(err, f->port_file, s->line, "port %s is out of range (1..65535)", s->value);
		else
			f->port = (int)port;
	}
	sd = conf_value(&m, "unix_socket_directories");
	if (!sd)
		sd = conf_value(&m, "unix_socket_directory");	/* before 9.3 */
	f->socket_dir = sd ? first_socket_dir(sd) : xstrdup("/var/run/postgresql");
	f->log = log_destination(c, &m);
	pgconf_free(&m);
	return rc;
}

/* Whether a Unix socket accepts a connection (pg_lsclusters' cluster_port_running). */
static int socket_accepts(const char *dir, int port)
{
	struct sockaddr_un sa;
	int fd, r;

	if (!dir)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/.s.PGSQL.%d", dir, port) >= sizeof sa.sun_path)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	r = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return r;
}

/* Whether pid lives and, when /proc tells, is a PostgreSQL server. */
static int pid_alive(long pid)
{
	char path[64], cmd[4096];
	ssize_t n;
	int fd;

	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return 0;
	/* A stale pid file whose PID now belongs to another program is down. */
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, cmd, sizeof cmd - 1);
	close(fd);
	if (n <= 0)
		return 1;
	cmd[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	return strstr(cmd, "postgres") || strstr(cmd, "postmaster");
}

void cluster_status(const struct cluster *c, struct cluster_facts *f)
{
	struct stat st;
	struct buf b;
	int r;

	if (c->data_dir && stat(c->data_dir, &st) == 0) {
		struct passwd *pw = getpwuid(st.st_uid);

		f->owner_uid = (long)st.st_uid;
		if (pw) {
			f->owner = xstrdup(pw->pw_name);
		} else {
			f->owner = xasprintf("%ld", f->owner_uid);
		}
	}
	if (c->name && c->version) {
		buf_init(&b);
		buf_printf(&b, "/usr/lib/postgresql/%s/bin/postgres", c->version);
		f->binaries_missing = access(b.data, F_OK) != 0;
		buf_free(&b);
	}
	if (!c->data_dir)
		return;
	if (c->version && cluster_version_cmp(c->version, "12") >= 0) {
		char *a = path_join(c->data_dir, "recovery.signal"), *s = path_join(c->data_dir, "standby.signal");

		f->recovery = access(a, F_OK) == 0 || access(s, F_OK) == 0;
		free(a);
		free(s);
	} else {
		char *a = path_join(c->data_dir, "recovery.conf");

		f->recovery = access(a, F_OK) == 0;
		free(a);
	}

	{
		char *pidfile = path_join(c->data_dir, "postmaster.pid");

		buf_init(&b);
		r = buf_read_file(&b, pidfile, NULL);
		free(pidfile);
	}
	if (r == -EACCES || r == -EPERM) {
		/* Only root and the owner read the data directory: ask the socket. */
		buf_free(&b);
		f->status_by = CLUSTER_BY_SOCKET;
		f->running = socket_accepts(f->socket_dir, f->port);
		return;
	}
	f->status_by = CLUSTER_BY_PIDFILE;
	if (r == 0 && b.len > 0) {
		/* Lines: PID, data directory, start time, port, socket directory, ... */
		char *line = b.data, *next;
		int no;

		for (no = 1; line && *line && no <= 5; no++, line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (no == 1) {
				long v;

				if (diag_parse_long(line, 1, LONG_MAX, &v) == 0)
					f->pid = v;
			} else if (no == 4) {
				long v;

				if (cluster_parse_port(line, &v) == 0)
					f->pid_port = (int)v;
			} else if (no == 5 && *line) {
				f->pid_socket_dir = xstrdup(line);
			}
		}
		f->running = pid_alive(f->pid);
	}
	buf_free(&b);
}

void cluster_facts_free(struct cluster_facts *f)
{
	free(f->port_file);
	free(f->socket_dir);
	free(f->log);
	free(f->pid_socket_dir);
	free(f->owner);
	memset(f, 0, sizeof *f);
}
