/*
 * pgconn: open a connection through the dlopen'ed libpq and run the few
 * queries the tools need.
 */
#include "pgconn.h"

#include <stdlib.h>
#include <string.h>

#include "pgurl.h"
#include "pq.h"

struct pgconn {
	const struct pq_api *pq;
	PGconn *conn;
};

/* libpq messages end in a newline and may span lines; keep the first line. */
static void first_line(char *dst, size_t n, const char *msg)
{
	size_t len = strcspn(msg ? msg : "", "\n");

	if (len >= n)
		len = n - 1;
	memcpy(dst, msg ? msg : "", len);
	dst[len] = '\0';
}

void
pgconn_conninfo_add(struct buf *b, const char *key, const char *value)
{
	const char *p;

	buf_printf(b, "%s%s='", b->len ? " " : "", key);
	for (p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

/* The parameters pgconn_open and pgconn_login_refused connect with; vals[2] is malloc'd. */
static const char *const open_keys[] = {
	"connect_timeout", "fallback_application_name", "dbname", NULL
};

static void
open_values(const char **vals, const char *url, const char *appname)
{
	vals[0] = "10";
	vals[1] = appname;
	vals[2] = pgurl_without_driver(url);
	vals[3] = NULL;
}

struct pgconn *pgconn_open(const char *url, const char *appname, struct diag_err *err)
{
	const char *vals[4];
	const char *why = NULL;
	const struct pq_api *pq = pq_load(&why);
	struct pgconn *c;

	if (!pq) {
		diag_set(err, NULL, 0, "cannot load libpq: %s", why ? why : "unknown error");
		return NULL;
	}
	open_values(vals, url, appname);
	c = xmalloc(sizeof *c);
	c->pq = pq;
	c->conn = pq->connectdbParams(open_keys, vals, 1);
	free((char *)vals[2]);
	if (!c->conn || pq->status(c->conn) != CONNECTION_OK) {
		diag_set(err, NULL, 0, "cannot connect");
		if (c->conn)
			first_line(err->msg, sizeof err->msg, pq->errorMessage(c->conn));
		if (!err->msg[0])
			snprintf(err->msg, sizeof err->msg, "cannot connect");
		pgconn_close(c);
		return NULL;
	}
	return c;
}

void pgconn_close(struct pgconn *c)
{
	if (!c)
		return;
	if (c->conn)
		c->pq->finish(c->conn);
	free(c);
}

const char *pgconn_version(struct pgconn *c, int *num)
{
	if (num)
		*num = c->pq->serverVersion(c->conn);
	return c->pq->parameterStatus(c->conn, "server_version");
}

int pgconn_query(struct pgconn *c, const char *sql, struct pgconn_rows *rows, struct diag_err *err)
{
	PGresult *res = c->pq->exec(c->conn, sql);
	int r, f;

	memset(rows, 0, sizeof *rows);
	if (!res || c->pq->resultStatus(res) != PGRES_TUPLES_OK) {
		diag_set(err, NULL, 0, "query failed");
		first_line(err->msg, sizeof err->msg,
			   res ? c->pq->resultErrorMessage(res) : c->pq->errorMessage(c->conn));
		if (res)
			c->pq->clear(res);
		return -1;
	}
	rows->nrows = c->pq->ntuples(res);
	rows->ncols = c->pq->nfields(res);
	rows->cell = xmalloc(sizeof(char *) * (size_t)(rows->nrows * rows->ncols + 1));
	for (r = 0; r < rows->nrows; r++)
		for (f = 0; f < rows->ncols; f++)
			rows->cell[r * rows->ncols + f] = c->pq->getisnull(res, r, f)
				? NULL : xstrdup(c->pq->getvalue(res, r, f));
	c->pq->clear(res);
	return 0;
}

void pgconn_rows_free(struct pgconn_rows *rows)
{
	int i;

	for (i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cell[i]);
	free(rows->cell);
	memset(rows, 0, sizeof *rows);
}

int pgconn_ping(const char *conninfo, struct diag_err *err)
{
	const char *why = NULL;
	const struct pq_api *pq = pq_load(&why);

	if (!pq)
		return diag_set(err, NULL, 0, "cannot load libpq: %s", why ? why : "unknown error");
	switch (pq->ping(conninfo)) {
	case PQPING_OK: return PGCONN_PING_OK;
	case PQPING_REJECT: return PGCONN_PING_REJECT;
	case PQPING_NO_RESPONSE: return PGCONN_PING_NO_RESPONSE;
	default: return PGCONN_PING_NO_ATTEMPT;
	}
}

int
pgconn_login_refused(const char *url, const char *appname)
{
	const char *vals[4];
	const struct pq_api *pq;
	PGPing ping;

	pq = pq_load(NULL);
	if (!pq)
		return -1;
	open_values(vals, url, appname);
	ping = pq->pingParams(open_keys, vals, 1);
	free((char *)vals[2]);
	switch (ping) {
	case PQPING_OK: return 1;
	case PQPING_REJECT: case PQPING_NO_RESPONSE: return 0;
	default: return -1;
	}
}

/* NULL and "" are the same value: libpq skips empty ones. */
static int same_value(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *option_value(const PQconninfoOption *opts, const char *keyword)
{
	for (; opts->keyword; opts++)
		if (strcmp(opts->keyword, keyword) == 0)
			return opts->val;
	return NULL;
}

/* PQconninfoParse of url without its "+driver"; NULL when libpq rejects it. */
static PQconninfoOption *parse_url(const struct pq_api *pq, const char *url)
{
	char *plain = pgurl_without_driver(url), *msg = NULL;
	PQconninfoOption *opts = pq->conninfoParse(plain, &msg);

	free(plain);
	if (msg)
		pq->freemem(msg);
	return opts;
}

int
pgconn_url_reads_as(const char *old_url, const char *new_url, const char *const *keys,
		    const char *const *want, size_t n, char **differs, const char **why)
{
	const struct pq_api *pq = pq_load(why);
	PQconninfoOption *a, *b;
	int rc = 0;

	*differs = NULL;
	if (!pq)
		return -1;
	a = parse_url(pq, old_url);
	b = a ? parse_url(pq, new_url) : NULL;
	if (!b) {
		if (a)
			pq->conninfoFree(a);
		return -2;
	}
	for (const PQconninfoOption *o = a; o->keyword && rc == 0; o++) {
		const char *expect = o->val;

		for (size_t i = 0; i < n; i++)
			if (strcmp(keys[i], o->keyword) == 0)
				expect = want[i];
		if (!same_value(expect, option_value(b, o->keyword))) {
			*differs = xstrdup(o->keyword);
			rc = 1;
		}
	}
	pq->conninfoFree(a);
	pq->conninfoFree(b);
	return rc;
}
