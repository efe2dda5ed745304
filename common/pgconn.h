/*
 * pgconn: the only module that opens connections.  It hands a URL to libpq
 * as a conninfo value (never on a command line), so the password comes from
 * the URL or ~/.pgpass and never shows anywhere else.
 */
#ifndef CKP_PGCONN_H
#define CKP_PGCONN_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

struct pgconn;

/*
 * Append key='value' to the libpq keyword=value string in b, with a space
 * before it when b is not empty: value in single quotes, a '\'' or '\\'
 * in it escaped with '\\' as libpq's conninfo_parse wants.
 */
void
pgconn_conninfo_add(struct buf *b, const char *key, const char *value);

/*
 * Whether libpq (PQconninfoParse, a "+driver" dropped as pgconn_open drops
 * it) reads new_url as old_url but for the n keywords in keys, which it must
 * read as want[i] (the last entry of a keyword counts; NULL and "" are the
 * same, as libpq skips empty values): the check before an edited URL is
 * written.  0 when it does; 1 when not, with *differs the first keyword that
 * differs (malloc'd); -1 when libpq cannot be loaded (*why says why, when
 * why is not NULL); -2 when libpq rejects either URL (its message is left
 * out: it quotes the URL, password and all).
 */
int
pgconn_url_reads_as(const char *old_url, const char *new_url, const char *const *keys,
		    const char *const *want, size_t n, char **differs, const char **why);

/* A query result: rows x cols strings (NULL for SQL NULL). */
struct pgconn_rows {
	int nrows, ncols;
	char **cell;	/* cell[r * ncols + c] */
};

/*
 * Connect with a libpq URL ("postgresql+driver://" is accepted and the driver
 * dropped).  connect_timeout defaults to 10 s unless the URL sets one.
 * Returns NULL with err holding libpq's one-line reason.
 */
struct pgconn *pgconn_open(const char *url, const char *appname, struct diag_err *err);
void pgconn_close(struct pgconn *c);

/* server_version as the server reports it ("15.18 (Debian ...)") and as a number (150018). */
const char *pgconn_version(struct pgconn *c, int *num);

/* Run sql; 0 and rows filled, or -1 with err. */
int pgconn_query(struct pgconn *c, const char *sql, struct pgconn_rows *rows, struct diag_err *err);
void pgconn_rows_free(struct pgconn_rows *rows);

/*
 * After pgconn_open(url, appname) failed: whether the server refused this
 * login.  1: it asked for authentication or answered with an error whose
 * SQLSTATE is not cannot_connect_now (a wrong password, no pg_hba.conf
 * entry, an unknown role or database), as PQpingParams reads libpq's
 * last SQLSTATE; the English text of the message is never looked at.
 * 0: nothing answered, or the server does not accept connections yet.
 * -1: unknown (the URL is unusable or libpq cannot be loaded).  Costs one
 * more connection attempt, which the server logs.
 */
int
pgconn_login_refused(const char *url, const char *appname);

/* What pgconn_ping found (libpq's PQping). */
enum pgconn_ping_result {
	PGCONN_PING_OK,		/* the server accepts connections (even if our login would fail) */
	PGCONN_PING_REJECT,	/* it runs but refuses connections: starting up, shutting down */
	PGCONN_PING_NO_RESPONSE,/* nothing answered */
	PGCONN_PING_NO_ATTEMPT,	/* the conninfo is bad: no attempt made */
};

/*
 * Ask whether a server accepts connections, as PQping does: an
 * authentication failure still proves it does.  conninfo is a libpq
 * keyword=value string or URL.  Returns a pgconn_ping_result, or -1 with
 * err when libpq cannot be loaded.
 */
int pgconn_ping(const char *conninfo, struct diag_err *err);

#endif
