/*
 * cluster: find a cluster's postgresql.conf, data directory and version
 * from the names people give it.
 */
#include "cluster.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

const char *cluster_conf_root(void)
{
	const char *root = getenv("PG_CLUSTER_CONF_ROOT");

	return root && *root ? root : "/etc/postgresql";
}

int cluster_is_spec(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '/' || !p[1] || strchr(p + 1, '/'))
		return 0;
	return strcmp(p + 1, ".") != 0 && strcmp(p + 1, "..") != 0;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *dir, const char *name)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s/%s", dir, name);
	return buf_steal(&b);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* The first line of DIR/PG_VERSION ("15", "9.6"), or NULL. */
static char *read_pg_version(const char *dir)
{
	char *path = join(dir, "PG_VERSION");
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
static char *conf_data_dir(const char *conf_file, struct diag_err *err, int *failed)
{
	struct pgconf_model m;
	const struct pgconf_setting *s;
	char *dd = NULL;

	*failed = 0;
	pgconf_init(&m);
	if (pgconf_load(&m, conf_file, 0, err) < 0) {
		*failed = 1;
		pgconf_free(&m);
		return NULL;
	}
	s = pgconf_effective(&m, "data_directory");
	if (s && *s->value) {
		if (s->value[0] == '/') {
			dd = xstrdup(s->value);
		} else {
			char *d = dir_of(m.files[s->file].path);

			dd = join(d, s->value);
			free(d);
		}
	}
	pgconf_free(&m);
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
		confdir = join(cluster_conf_root(), spec);
		if (!is_dir(confdir)) {
			diag_set(err, NULL, 0, "no cluster %s: \"%s\" is not a directory", spec, confdir);
			free(confdir);
			return -1;
		}
		c->conf_file = join(confdir, "postgresql.conf");
		free(confdir);
		if (!is_file(c->conf_file))
			return diag_set(err, c->conf_file, 0, "cannot open: %s", strerror(ENOENT));
		c->data_dir = conf_data_dir(c->conf_file, err, &failed);
		if (failed)
			return -1;
		if (!c->data_dir) {
			struct buf b;

			buf_init(&b);
			buf_printf(&b, "/var/lib/postgresql/%s", spec);
			if (is_dir(b.data))
				c->data_dir = buf_steal(&b);
			buf_free(&b);
		}
		return 0;
	}
	if (is_dir(spec)) {
		char *pgv = read_pg_version(spec);

		c->conf_file = join(spec, "postgresql.conf");
		if (pgv) {
			c->data_dir = xstrdup(spec);
			c->version = pgv;
		}
		if (!is_file(c->conf_file))
			return diag_set(err, spec, 0, "no postgresql.conf in this directory");
		if (!c->data_dir) {
			c->data_dir = conf_data_dir(c->conf_file, err, &failed);
			if (failed)
				return -1;
		}
	} else {
		if (access(spec, F_OK) < 0)
			return diag_set(err, spec, 0, "cannot open: %s", strerror(errno));
		c->conf_file = xstrdup(spec);
		c->data_dir = conf_data_dir(c->conf_file, err, &failed);
		if (failed)
			return -1;
		if (!c->data_dir) {
			/* A postgresql.conf beside PG_VERSION lives in its data directory. */
			char *d = dir_of(spec);
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
	memset(c, 0, sizeof *c);
}

int cluster_load_conf(const struct cluster *c, struct pgconf_model *m, struct diag_err *err)
{
	char *autoconf;
	int rc;

	if (pgconf_load(m, c->conf_file, 0, err) < 0)
		return -1;
	if (!c->data_dir)
		return 0;
	autoconf = join(c->data_dir, "postgresql.auto.conf");
	rc = pgconf_load(m, autoconf, 1, err);
	free(autoconf);
	return rc;
}
