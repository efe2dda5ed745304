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

#include <stddef.h>

#include "diag.h"
#include "pgconf.h"

struct cluster {
	char *spec;		/* as given */
	char *version;		/* "15", "9.6"; NULL when unknown */
	char *name;		/* "main" for VER/NAME; NULL otherwise */
	char *conf_file;	/* its postgresql.conf */
	char *data_dir;		/* NULL when unknown */
	struct pgconf_model *conf;	/* postgresql.conf as parsed while resolving, for cluster_load_conf */
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
int cluster_load_conf(struct cluster *c, struct pgconf_model *m, struct diag_err *err);

/* ---- discovery and facts (pg_lsclusters' view of a cluster) ---------- */

/*
 * Every cluster under cluster_conf_root() as "VER/NAME", in pg_lsclusters'
 * order: versions numerically, names in strcmp order.  A cluster is a
 * directory VER/NAME holding a postgresql.conf (or a dangling symlink of
 * that name, as postgresql-common counts it).  A missing root is no
 * clusters.  Returns the count with *out malloc'd, or -1 with err.
 */
int cluster_list(char ***out, struct diag_err *err);
void cluster_list_free(char **specs, size_t n);

/* What pg_lsclusters shows about one cluster, and what connecting needs. */
struct cluster_facts {
	/* from the configuration (cluster_settings) */
	int port;		/* effective port, 5432 when not set */
	char *port_file;	/* where it is set; NULL when it is the default */
	int port_line;
	char *socket_dir;	/* first of unix_socket_directories (default /var/run/postgresql);
				   NULL when sockets are off ('') */
	char *log;		/* log destination as pg_lsclusters prints it, or NULL */
	/* from the data directory (cluster_status) */
	int running;		/* 1 online, 0 down */
	int status_by;		/* CLUSTER_BY_PIDFILE or CLUSTER_BY_SOCKET */
	long pid;		/* postmaster.pid line 1 when the file was read, else 0 */
	int pid_port;		/* its port line (the port the server listens on), else 0 */
	char *pid_socket_dir;	/* its socket directory line, else NULL */
	int recovery;		/* recovery.signal/standby.signal (12+) or recovery.conf */
	int binaries_missing;	/* VER/NAME without /usr/lib/postgresql/VER/bin/postgres */
	long owner_uid;		/* owner of the data directory, -1 when unknown */
	char *owner;		/* its user name (or the uid), NULL when unknown */
};

enum { CLUSTER_BY_PIDFILE = 1, CLUSTER_BY_SOCKET = 2 };

/*
 * Fill the configuration part of f from the cluster's settings as
 * cluster_load_conf reads them.  A port that is not a number or out of
 * range is an error naming the file and line.  0, or -1 with err; free f
 * with cluster_facts_free either way.
 */
int cluster_settings(struct cluster *c, struct cluster_facts *f, struct diag_err *err);

/*
 * Fill the status part of f (after cluster_settings): online when the PID
 * in the data directory's postmaster.pid lives (kill(pid, 0), EPERM counts
 * as alive, and /proc/PID/cmdline, when readable, names postgres or
 * postmaster); a stale pid file is down.  When postmaster.pid cannot be
 * read (a non-owner and a 0700 data directory), whether the socket
 * SOCKDIR/.s.PGSQL.PORT accepts a connection, as pg_lsclusters falls back.
 * Never fails.
 */
void cluster_status(const struct cluster *c, struct cluster_facts *f);
void cluster_facts_free(struct cluster_facts *f);

#endif
