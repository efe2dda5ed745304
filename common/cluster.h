/*
 * cluster: where a PostgreSQL cluster's files are.  A cluster is named
 * "VER/NAME" as postgresql-common and pg_lsclusters name it (config in
 * $PG_CLUSTER_CONF_ROOT/VER/NAME, default /etc/postgresql), or given as a
 * postgresql.conf, a config directory or a data directory (RHEL's
 * /var/lib/pgsql/VER/data, a hand-made initdb).  This module looks at the
 * file system; it never prints or exits.
 */
#ifndef CKP_CLUSTER_H
#define CKP_CLUSTER_H

#include "diag.h"
#include "pgconf.h"

struct cluster {
	char *spec;		/* as given */
	char *version;		/* "15", "9.6"; NULL when unknown */
	char *name;		/* "main" for VER/NAME; NULL otherwise */
	char *conf_file;	/* its postgresql.conf */
	char *data_dir;		/* NULL when unknown */
};

/* The config root: $PG_CLUSTER_CONF_ROOT, else /etc/postgresql. */
const char *cluster_conf_root(void);

/* Whether s has the form VER/NAME ("15/main", "9.6/main"). */
int cluster_is_spec(const char *s);

/*
 * Resolve a spec: VER/NAME, a file, or a directory holding postgresql.conf
 * and/or PG_VERSION.  The data directory comes from PG_VERSION's directory,
 * the config's data_directory setting, or (VER/NAME) postgresql-common's
 * default /var/lib/postgresql/VER/NAME when that exists.  The version comes
 * from VER or the data directory's PG_VERSION.  0, or -1 with err.
 */
int cluster_resolve(const char *spec, struct cluster *c, struct diag_err *err);
void cluster_free(struct cluster *c);

/*
 * Load the cluster's settings as the server reads them: postgresql.conf with
 * its includes, then the data directory's postgresql.auto.conf (ALTER
 * SYSTEM) when there is one.  0, or -1 with err.
 */
int cluster_load_conf(const struct cluster *c, struct pgconf_model *m, struct diag_err *err);

#endif
