/*
 * pgurl: a scanner for libpq connection URIs that keeps the byte span of
 * every component, so that a tool can read a URL without loading libpq and
 * edit one component without touching any other byte.  The rules are
 * libpq's own (fe-connect.c: conninfo_uri_parse_options, _parse_params,
 * conninfo_uri_decode, conninfo_storeval), quirks included: the first '@'
 * before the first '/' ends the userinfo even inside a query string, empty
 * netloc values are not stored while empty query values are, and later
 * values override earlier ones.  tests/unit/pgurl.c and tests/fuzz/pgurl.c
 * check it against PQconninfoParse.
 */
#include "pgurl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The keywords libpq 15 (the one Debian 12 ships) accepts.  A query
 * parameter outside this list makes PQconninfoParse fail, so it must make
 * us fail too.  "requiressl" is absent on purpose: libpq maps it to sslmode.
 */
static const char *const keywords[] = {
	"service", "user", "password", "passfile", "channel_binding",
	"connect_timeout", "dbname", "host", "hostaddr", "port",
	"client_encoding", "options", "application_name",
	"fallback_application_name", "keepalives", "keepalives_idle",
	"keepalives_interval", "keepalives_count", "tcp_user_timeout",
	"sslmode", "sslcompression", "sslcert", "sslkey", "sslpassword",
	"sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
	"ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode",
	"krbsrvname", "gsslib", "replication", "target_session_attrs",
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/* What libpq stores per keyword, in keywords[] order; NULL when unset. */
struct pgurl_stored {
	char *val[NKEYWORDS];
};

static int keyword_index(const char *kw)
{
	for (size_t i = 0; i < NKEYWORDS; i++)
		if (strcmp(keywords[i], kw) == 0)
			return (int)i;
	return -1;
}

/* Fill err with a message and a 1-based column (0: unknown); returns -1. */
static int fail(struct diag_err *err, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct diag_err *err, size_t col, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->file[0] = '\0';
	err->line = 0;
	err->col = (int)col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decode text[sp] as conninfo_uri_decode does: a '%' needs two hex
 * digits and must not yield a NUL byte.  On success *out is malloc'd.  The
 * message quotes the bad token, except in a password (secret set): an error
 * must not print part of one.
 */
static int decode_secret(const char *text, struct pgurl_span sp, char **out, int secret,
			 struct diag_err *err)
{
	const char *s = text + sp.off;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sp.len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			buf_addc(&b, s[i]);
			continue;
		}
		hi = i + 1 < sp.len ? hexval(s[i + 1]) : -1;
		lo = hi >= 0 && i + 2 < sp.len ? hexval(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			int n = (int)(sp.len - i < 3 ? sp.len - i : 3);

			buf_free(&b);
			if (secret)
				return fail(err, sp.off + i + 1, "invalid percent-encoded token in a password");
			return fail(err, sp.off + i + 1, "invalid percent-encoded token: \"%.*s\"", n, s + i);
		}
		if (hi == 0 && lo == 0) {
			buf_free(&b);
			if (secret)
				return fail(err, sp.off + i + 1, "forbidden value %%00 in a password");
			return fail(err, sp.off + i + 1,
				    "forbidden value %%00 in percent-encoded value: \"%.*s\"",
				    (int)sp.len, s);
		}
		buf_addc(&b, (char)(hi << 4 | lo));
		i += 2;
	}
	*out = buf_steal(&b);
	return 0;
}

static int decode(const char *text, struct pgurl_span sp, char **out, struct diag_err *err)
{
	return decode_secret(text, sp, out, 0, err);
}

int pgurl_is_secret(const char *keyword)
{
	return strcmp(keyword, "password") == 0 || strcmp(keyword, "sslpassword") == 0;
}

/* Store value for keyword, as conninfo_storeval does: the last one wins. */
static void store(struct pgurl *u, const char *kw, const char *val)
{
	int i = keyword_index(kw);

	free(u->stored->val[i]);
	u->stored->val[i] = xstrdup(val);
}

/* The length of "postgresql://", "postgres://" or "postgresql+DRIVER://" at
 * the start of text, 0 when there is none; fills scheme and driver. */
static size_t scan_prefix(const char *t, size_t len, struct pgurl *u)
{
	static const char *const schemes[] = { "postgresql", "postgres" };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]), d;

		if (len < n || memcmp(t, schemes[i], n) != 0)
			continue;
		d = n;
		if (d < len && t[d] == '+') {
			/* SQLAlchemy: postgresql+psycopg2:// */
			d++;
			while (d < len && (t[d] == '_' || (t[d] >= 'a' && t[d] <= 'z') ||
					   (t[d] >= 'A' && t[d] <= 'Z') || (t[d] >= '0' && t[d] <= '9')))
				d++;
			if (d == n + 1)
				continue;
		}
		if (len - d < 3 || memcmp(t + d, "://", 3) != 0)
			continue;
		u->scheme = xstrdup(schemes[i]);
		if (d > n)
			u->driver = xstrndup(t + n + 1, d - n - 1);
		return d + 3;
	}
	return 0;
}

static struct pgurl_span span(size_t a, size_t b)
{
	struct pgurl_span s = { a, b - a };

	return s;
}

static int one_of(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* user[:password]@, when an '@' comes before the first '/'. Returns the
 * offset of the netloc. */
static size_t scan_userinfo(struct pgurl *u, size_t start)
{
	const char *t = u->text;
	size_t p = start, q;

	while (p < u->len && t[p] != '@' && t[p] != '/')
		p++;
	if (p == u->len || t[p] != '@') {
		u->user_span = span(start, start);
		u->password_span = span(start, start);
		return start;
	}
	u->has_userinfo = 1;
	for (q = start; t[q] != ':' && t[q] != '@'; q++)
		;
	u->user_span = span(start, q);
	if (t[q] == ':') {
		/* the password runs to the first '@', which is at p */
		u->has_password_sep = 1;
		u->password_span = span(q + 1, p);
	} else {
		u->password_span = span(q, q);
	}
	return p + 1;
}

static struct pgurl_host *add_host(struct pgurl *u)
{
	u->hosts = xrealloc(u->hosts, (u->nhosts + 1) * sizeof *u->hosts);
	memset(&u->hosts[u->nhosts], 0, sizeof *u->hosts);
	return &u->hosts[u->nhosts++];
}

/* host[:port][,host[:port]...]; *pp is left on the terminator. */
static int scan_hosts(struct pgurl *u, size_t *pp, struct diag_err *err)
{
	const char *t = u->text;
	size_t p = *pp;

	for (;;) {
		struct pgurl_host *h = add_host(u);
		size_t hs;

		if (p < u->len && t[p] == '[') {
			hs = ++p;
			while (p < u->len && t[p] != ']')
				p++;
			if (p == u->len)
				return fail(err, hs,
					    "end of string reached when looking for matching \"]\" in IPv6 host address in URI");
			if (p == hs)
				return fail(err, hs, "IPv6 host address may not be empty in URI");
			h->ipv6 = 1;
			h->host_span = span(hs, p);
			p++;
			if (p < u->len && !one_of(t[p], ":/?,"))
				return fail(err, p + 1,
					    "unexpected character \"%c\" at position %zu in URI (expected \":\" or \"/\")",
					    t[p], p + 1);
		} else {
			hs = p;
			while (p < u->len && !one_of(t[p], ":/?,"))
				p++;
			h->host_span = span(hs, p);
		}
		h->port_span = span(p, p);
		if (p < u->len && t[p] == ':') {
			size_t ps = ++p;

			while (p < u->len && !one_of(t[p], "/?,"))
				p++;
			h->port_span = span(ps, p);
			h->port = xstrdup("");	/* marks ":" present until decoded */
		}
		if (p == u->len || t[p] != ',')
			break;
		p++;
	}
	*pp = p;
	return 0;
}

/*
 * Decode every host and port and store the joined lists as libpq does: it
 * concatenates the raw pieces with ',' and stores the list only when that
 * raw text is not empty (so two hosts without ports give port ",").
 */
static int store_hosts(struct pgurl *u, struct diag_err *err)
{
	struct buf hosts, ports;
	int anyhost = u->nhosts > 1, anyport = u->nhosts > 1, rc = 0;

	buf_init(&hosts);
	buf_init(&ports);
	for (size_t i = 0; i < u->nhosts && rc == 0; i++) {
		struct pgurl_host *h = &u->hosts[i];

		rc = decode(u->text, h->host_span, &h->host, err);
		if (rc == 0 && h->port) {
			free(h->port);
			h->port = NULL;
			rc = decode(u->text, h->port_span, &h->port, err);
		}
		if (rc)
			break;
		anyhost |= h->host_span.len > 0;
		anyport |= h->port && h->port_span.len > 0;
		if (i > 0) {
			buf_addc(&hosts, ',');
			buf_addc(&ports, ',');
		}
		buf_adds(&hosts, h->host);
		if (h->port)
			buf_adds(&ports, h->port);
	}
	if (rc == 0 && anyhost)
		store(u, "host", hosts.data);
	if (rc == 0 && anyport)
		store(u, "port", ports.data);
	buf_free(&hosts);
	buf_free(&ports);
	return rc;
}

static struct pgurl_param *add_param(struct pgurl *u)
{
	u->params = xrealloc(u->params, (u->nparams + 1) * sizeof *u->params);
	memset(&u->params[u->nparams], 0, sizeof *u->params);
	return &u->params[u->nparams++];
}

/* One key=value of the query string; libpq's ssl=true and requiressl
 * mappings apply, and an unknown keyword is an error. */
static int store_param(struct pgurl *u, struct pgurl_param *pm, struct diag_err *err)
{
	const char *kw = pm->key, *val = pm->val;

	if (strcmp(kw, "ssl") == 0 && strcmp(val, "true") == 0) {
		kw = "sslmode";
		val = "require";
	} else if (strcmp(kw, "requiressl") == 0) {
		kw = "sslmode";
		val = val[0] == '1' ? "require" : "prefer";
	}
	if (keyword_index(kw) < 0)
		return fail(err, pm->key_span.off + 1, "invalid URI query parameter: \"%s\"", pm->key);
	store(u, kw, val);
	return 0;
}

/*
 * A '&' inside a password ends it early and the rest reads as further
 * parameters: after a secret parameter, error messages quote nothing.
 */
static int scan_params(struct pgurl *u, size_t p, struct diag_err *err)
{
	const char *t = u->text;
	int after_secret = 0;

	while (p < u->len) {
		struct pgurl_param *pm = add_param(u);
		size_t ks = p, eq = 0;
		int haveq = 0;

		for (;; p++) {
			if (p < u->len && t[p] == '=') {
				if (haveq && after_secret)
					return fail(err, p + 1, "extra key/value separator \"=\" in URI query parameter");
				if (haveq)
					return fail(err, p + 1,
						    "extra key/value separator \"=\" in URI query parameter: \"%.*s\"",
						    (int)(eq - ks), t + ks);
				haveq = 1;
				eq = p;
			} else if (p == u->len || t[p] == '&') {
				break;
			}
		}
		if (!haveq && after_secret)
			return fail(err, ks + 1, "missing key/value separator \"=\" in URI query parameter");
		if (!haveq)
			return fail(err, ks + 1,
				    "missing key/value separator \"=\" in URI query parameter: \"%.*s\"",
				    (int)(p - ks), t + ks);
		pm->key_span = span(ks, eq);
		pm->val_span = span(eq + 1, p);
		if (p < u->len)
			p++;	/* past '&' */
		if (decode_secret(t, pm->key_span, &pm->key, after_secret, err))
			return -1;
		after_secret |= pgurl_is_secret(pm->key);
		if (decode_secret(t, pm->val_span, &pm->val, after_secret, err))
			return -1;
		if (store_param(u, pm, err))
			return after_secret ? fail(err, pm->key_span.off + 1, "invalid URI query parameter") : -1;
	}
	return 0;
}

/* Decode a netloc component and store it unless its raw text is empty. */
static int store_part(struct pgurl *u, const char *kw, struct pgurl_span sp, char **out,
		      struct diag_err *err)
{
	if (sp.len == 0)
		return 0;
	if (decode_secret(u->text, sp, out, strcmp(kw, "password") == 0, err))
		return -1;
	store(u, kw, *out);
	return 0;
}

static int scan(struct pgurl *u, struct diag_err *err)
{
	const char *t = u->text;
	size_t p;

	if (memchr(t, '\0', u->len))
		return fail(err, (size_t)((const char *)memchr(t, '\0', u->len) - t) + 1,
			    "NUL byte in URI");
	p = scan_prefix(t, u->len, u);
	if (p == 0)
		return fail(err, 1, "not a connection URI: expected \"postgresql://\" or \"postgres://\"");
	p = scan_userinfo(u, p);
	if (store_part(u, "user", u->user_span, &u->user, err))
		return -1;
	if (u->has_password_sep &&
	    store_part(u, "password", u->password_span, &u->password, err))
		return -1;
	if (scan_hosts(u, &p, err) || store_hosts(u, err))
		return -1;
	u->dbname_span = span(p, p);
	if (p < u->len && t[p] == '/') {
		size_t ds = ++p;

		u->has_slash = 1;
		while (p < u->len && t[p] != '?')
			p++;
		u->dbname_span = span(ds, p);
		if (store_part(u, "dbname", u->dbname_span, &u->dbname, err))
			return -1;
	}
	if (p < u->len)		/* at '?' */
		return scan_params(u, p + 1, err);
	return 0;
}

int pgurl_parse(const char *text, size_t len, struct pgurl *u, struct diag_err *err)
{
	memset(u, 0, sizeof *u);
	u->text = text;
	u->len = len;
	u->stored = xmalloc(sizeof *u->stored);
	memset(u->stored, 0, sizeof *u->stored);
	if (scan(u, err) == 0)
		return 0;
	pgurl_free(u);
	return -1;
}

void pgurl_free(struct pgurl *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->driver);
	free(u->user);
	free(u->password);
	free(u->dbname);
	for (size_t i = 0; i < u->nhosts; i++) {
		free(u->hosts[i].host);
		free(u->hosts[i].port);
	}
	free(u->hosts);
	for (size_t i = 0; i < u->nparams; i++) {
		free(u->params[i].key);
		free(u->params[i].val);
	}
	free(u->params);
	if (u->stored)
		for (size_t i = 0; i < NKEYWORDS; i++)
			free(u->stored->val[i]);
	free(u->stored);
	memset(u, 0, sizeof *u);
}

const char *pgurl_get(const struct pgurl *u, const char *keyword)
{
	int i = keyword_index(keyword);

	return i < 0 || !u->stored ? NULL : u->stored->val[i];
}

static int is_local_host(const char *h, size_t n)
{
	static const char *const local[] = { "localhost", "127.0.0.1", "::1" };

	if (n == 0 || h[0] == '/' || h[0] == '@')
		return 1;
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (strlen(local[i]) == n && memcmp(local[i], h, n) == 0)
			return 1;
	return 0;
}

int pgurl_is_local(const struct pgurl *u)
{
	const char *h = pgurl_get(u, "host");

	/* no host at all: libpq uses the default socket directory */
	if (!h)
		return 1;
	for (;;) {
		const char *comma = strchr(h, ',');
		size_t n = comma ? (size_t)(comma - h) : strlen(h);

		if (!is_local_host(h, n))
			return 0;
		if (!comma)
			return 1;
		h = comma + 1;
	}
}

/* ---- editing ---- */

/* One replacement of text[off, off+len) by rep. */
struct edit {
	size_t off, len;
	char *rep;
};

struct edits {
	struct edit *v;
	size_t n;
};

static void add_edit(struct edits *e, size_t off, size_t len, char *rep)
{
	e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
	e->v[e->n].off = off;
	e->v[e->n].len = len;
	e->v[e->n].rep = rep;
	e->n++;
}

static void free_edits(struct edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].rep);
	free(e->v);
}

/* Apply edits, which are in text order and do not overlap. */
static void apply_edits(const struct pgurl *u, const struct edits *e, struct buf *out)
{
	size_t at = 0;

	buf_reset(out);
	buf_add(out, "", 0);
	for (size_t i = 0; i < e->n; i++) {
		buf_add(out, u->text + at, e->v[i].off - at);
		buf_adds(out, e->v[i].rep);
		at = e->v[i].off + e->v[i].len;
	}
	buf_add(out, u->text + at, u->len - at);
}

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Percent-encode s[0..n): unreserved bytes and those in keep stay raw. */
static void encode(struct buf *b, const char *s, size_t n, const char *keep)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || one_of((char)c, keep))
			buf_addc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

static char *encoded(const char *s, size_t n, const char *keep)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	encode(&b, s, n, keep);
	return buf_steal(&b);
}

static char *concat3(const char *a, const char *b, const char *c)
{
	struct buf x;

	buf_init(&x);
	buf_adds(&x, a);
	buf_adds(&x, b);
	buf_adds(&x, c);
	return buf_steal(&x);
}

/* The last query parameter that sets keyword field, or NULL. */
static const struct pgurl_param *last_param(const struct pgurl *u, const char *field)
{
	for (size_t i = u->nparams; i-- > 0;)
		if (strcmp(u->params[i].key, field) == 0)
			return &u->params[i];
	return NULL;
}

/* Whether the raw component at sp already decodes to value (n bytes). */
static int same(const struct pgurl *u, struct pgurl_span sp, const char *value, size_t n)
{
	char *cur;
	int eq;

	if (decode(u->text, sp, &cur, NULL))
		return 0;
	eq = strlen(cur) == n && memcmp(cur, value, n) == 0;
	free(cur);
	return eq;
}

/*
 * A query value may keep '/', ':' and ',' raw (?host=/var/run/postgresql
 * stays readable); only '&', '=', '%' and '@' would change the parse, and
 * they are encoded with everything else outside the unreserved set.
 */
static void edit_param(const struct pgurl *u, const struct pgurl_param *pm, const char *value,
		       struct edits *e)
{
	if (!same(u, pm->val_span, value, strlen(value)))
		add_edit(e, pm->val_span.off, pm->val_span.len, encoded(value, strlen(value), "/:,"));
}

static void edit_user(const struct pgurl *u, const char *value, struct edits *e)
{
	size_t n = strlen(value);

	if (u->has_userinfo) {
		if (!same(u, u->user_span, value, n))
			add_edit(e, u->user_span.off, u->user_span.len, encoded(value, n, ""));
	} else if (n > 0) {
		struct buf b;

		buf_init(&b);
		encode(&b, value, n, "");
		buf_addc(&b, '@');
		add_edit(e, u->user_span.off, 0, buf_steal(&b));
	}
}

static void edit_password(const struct pgurl *u, const char *value, struct edits *e)
{
	size_t n = strlen(value);
	char *enc;

	if (u->has_password_sep) {
		if (same(u, u->password_span, value, n))
			return;
		if (n == 0)	/* drop ":password" */
			add_edit(e, u->password_span.off - 1, u->password_span.len + 1, xstrdup(""));
		else
			add_edit(e, u->password_span.off, u->password_span.len, encoded(value, n, ""));
		return;
	}
	if (n == 0)
		return;
	enc = encoded(value, n, "");
	add_edit(e, u->password_span.off, 0, concat3(":", enc, u->has_userinfo ? "" : "@"));
	free(enc);
}

static void edit_dbname(const struct pgurl *u, const char *value, struct edits *e)
{
	size_t n = strlen(value);
	char *enc;

	if (u->has_slash) {
		if (!same(u, u->dbname_span, value, n))
			add_edit(e, u->dbname_span.off, u->dbname_span.len, encoded(value, n, ""));
		return;
	}
	if (n == 0)
		return;
	enc = encoded(value, n, "");
	add_edit(e, u->dbname_span.off, 0, concat3("/", enc, ""));
	free(enc);
}

/* Split a ',' list into nitems pointers into s (lengths in lens). */
static size_t split_list(const char *s, const char ***items, size_t **lens)
{
	size_t n = 1, i = 0;

	for (const char *c = s; *c; c++)
		n += *c == ',';
	*items = xmalloc(n * sizeof **items);
	*lens = xmalloc(n * sizeof **lens);
	for (;;) {
		const char *comma = strchr(s, ',');

		(*items)[i] = s;
		(*lens)[i] = comma ? (size_t)(comma - s) : strlen(s);
		i++;
		if (!comma)
			return n;
		s = comma + 1;
	}
}

/*
 * A host is written raw when it can be: an address with ':' goes in
 * brackets (where only ']' and '%' matter), anything else is encoded.
 */
static char *host_text(const char *h, size_t n)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	if (memchr(h, ':', n)) {
		buf_addc(&b, '[');
		encode(&b, h, n, ":");
		buf_addc(&b, ']');
	} else {
		encode(&b, h, n, "");
	}
	return buf_steal(&b);
}

static void edit_hosts(const struct pgurl *u, const char *const *items, const size_t *lens,
		       size_t nitems, struct edits *e)
{
	for (size_t i = 0; i < u->nhosts; i++) {
		const struct pgurl_host *h = &u->hosts[i];
		size_t k = nitems == 1 ? 0 : i;
		size_t off = h->host_span.off - (size_t)h->ipv6;
		size_t len = h->host_span.len + 2 * (size_t)h->ipv6;

		if (!same(u, h->host_span, items[k], lens[k]))
			add_edit(e, off, len, host_text(items[k], lens[k]));
	}
}

static void edit_ports(const struct pgurl *u, const char *const *items, const size_t *lens,
		       size_t nitems, struct edits *e)
{
	for (size_t i = 0; i < u->nhosts; i++) {
		const struct pgurl_host *h = &u->hosts[i];
		size_t k = nitems == 1 ? 0 : i;

		if (!h->port) {
			struct buf b;

			buf_init(&b);
			buf_addc(&b, ':');
			buf_add(&b, items[k], lens[k]);
			add_edit(e, h->port_span.off, 0, buf_steal(&b));
		} else if (!same(u, h->port_span, items[k], lens[k])) {
			add_edit(e, h->port_span.off, h->port_span.len, xstrndup(items[k], lens[k]));
		}
	}
}

int pgurl_ports_ok(const char *value)
{
	const char **items;
	size_t *lens, n = split_list(value, &items, &lens);
	int ok = 1;

	for (size_t i = 0; i < n && ok; i++) {
		char *digits;
		long v;
		size_t j;

		/* digits only: strtol would also take leading white space */
		for (j = 0; j < lens[i] && items[i][j] >= '0' && items[i][j] <= '9'; j++)
			;
		digits = xstrndup(items[i], lens[i]);
		ok = lens[i] > 0 && j == lens[i] && diag_parse_long(digits, 1, 65535, &v) == 0;
		free(digits);
	}
	free(items);
	free(lens);
	return ok;
}

/* host and port: a ',' list must have one item per host of the netloc. */
static int edit_netloc(const struct pgurl *u, const char *field, const char *value,
		       struct edits *e, struct diag_err *err)
{
	const char **items;
	size_t *lens, n;
	int port = strcmp(field, "port") == 0, rc = 0;

	n = split_list(value, &items, &lens);
	if (port && !pgurl_ports_ok(value))
		rc = fail(err, 0, "port must be a number from 1 to 65535");
	if (rc == 0 && last_param(u, field)) {
		edit_param(u, last_param(u, field), value, e);
	} else if (rc == 0 && n != 1 && n != u->nhosts) {
		rc = fail(err, 0, "%s list has %zu entries but the URL has %zu host%s", field, n,
			  u->nhosts, u->nhosts == 1 ? "" : "s");
	} else if (rc == 0) {
		if (port)
			edit_ports(u, items, lens, n, e);
		else
			edit_hosts(u, items, lens, n, e);
	}
	free(items);
	free(lens);
	return rc;
}

char *pgurl_intended(const struct pgurl *u, const char *field, const char *value)
{
	struct buf b;

	if ((strcmp(field, "host") != 0 && strcmp(field, "port") != 0) ||
	    strchr(value, ',') || last_param(u, field) || u->nhosts == 1)
		return xstrdup(value);
	buf_init(&b);
	for (size_t i = 0; i < u->nhosts; i++) {
		if (i)
			buf_addc(&b, ',');
		buf_adds(&b, value);
	}
	return buf_steal(&b);
}

/*
 * Re-read the edited text and refuse it unless it means the old URL with
 * only field changed.  Replacing bytes can move the first '/' that stops
 * libpq's look-ahead for "user@" (a '/' inside [..] or in a query value
 * hides a later '@'); rather than guess, check.  An empty value may read
 * as unset, as libpq skips empty netloc parts.
 */
static int verify(const struct pgurl *u, const char *field, const char *value,
		  const struct buf *out, struct diag_err *err)
{
	struct pgurl v;
	char *want = pgurl_intended(u, field, value);
	int rc = 0;

	if (pgurl_parse(out->data, out->len, &v, NULL) != 0) {
		free(want);
		return fail(err, 0, "cannot edit %s: the URL would no longer parse", field);
	}
	for (size_t i = 0; i < NKEYWORDS && rc == 0; i++) {
		const char *now = v.stored->val[i];
		const char *exp = strcmp(keywords[i], field) == 0 ? want : u->stored->val[i];

		if ((now == NULL) != (exp == NULL) || (now && strcmp(now, exp) != 0))
			if (!(exp && !*exp && !now))
				rc = fail(err, 0,
					  "cannot edit %s: the URL would also change %s (a '/' hides an '@' from libpq)",
					  field, keywords[i]);
	}
	pgurl_free(&v);
	free(want);
	return rc;
}

int pgurl_edit(const struct pgurl *u, const char *field, const char *value,
	       struct buf *out, struct diag_err *err)
{
	struct edits e = { NULL, 0 };
	const struct pgurl_param *pm;
	int rc = 0;

	if (strcmp(field, "host") == 0 || strcmp(field, "port") == 0)
		rc = edit_netloc(u, field, value, &e, err);
	else if (strcmp(field, "user") != 0 && strcmp(field, "password") != 0 &&
		 strcmp(field, "dbname") != 0)
		rc = fail(err, 0, "cannot edit \"%s\" (expected user, password, host, port or dbname)",
			  field);
	else if ((pm = last_param(u, field)) != NULL)
		edit_param(u, pm, value, &e);
	else if (strcmp(field, "user") == 0)
		edit_user(u, value, &e);
	else if (strcmp(field, "password") == 0)
		edit_password(u, value, &e);
	else
		edit_dbname(u, value, &e);
	if (rc == 0) {
		apply_edits(u, &e, out);
		rc = verify(u, field, value, out, err);
	}
	free_edits(&e);
	return rc;
}

size_t pgurl_secrets(const struct pgurl *u, struct pgurl_span **out)
{
	size_t n = 0;

	*out = xmalloc((u->nparams + 1) * sizeof **out);
	if (u->has_password_sep && u->password_span.len > 0)
		(*out)[n++] = u->password_span;
	for (size_t i = 0; i < u->nparams; i++)
		if (pgurl_is_secret(u->params[i].key) && u->params[i].val_span.len > 0)
			(*out)[n++] = u->params[i].val_span;
	return n;
}

void pgurl_masked(const struct pgurl *u, struct buf *out)
{
	struct edits e = { NULL, 0 };
	struct pgurl_span *sp;
	size_t n = pgurl_secrets(u, &sp);

	for (size_t i = 0; i < n; i++)
		add_edit(&e, sp[i].off, sp[i].len, xstrdup("****"));
	free(sp);
	apply_edits(u, &e, out);
	free_edits(&e);
}

/*
 * Parameters are contiguous (an empty one is an error), each after one '?'
 * or '&': the query is rebuilt from the kept ones, in order, and goes
 * altogether when none is kept.
 */
void pgurl_without_password(const struct pgurl *u, struct buf *out)
{
	struct edits e = { NULL, 0 };
	size_t kept = 0;

	if (u->has_password_sep)	/* ":password", with its ':' */
		add_edit(&e, u->password_span.off - 1, u->password_span.len + 1, xstrdup(""));
	if (u->nparams > 0) {
		size_t q = u->params[0].key_span.off - 1;	/* the '?' */
		struct buf b;

		buf_init(&b);
		buf_add(&b, "", 0);
		for (size_t i = 0; i < u->nparams; i++) {
			const struct pgurl_param *pm = &u->params[i];

			if (pgurl_is_secret(pm->key))
				continue;
			buf_addc(&b, kept++ ? '&' : '?');
			buf_add(&b, u->text + pm->key_span.off, pm->val_span.off + pm->val_span.len - pm->key_span.off);
		}
		add_edit(&e, q, u->len - q, buf_steal(&b));
	}
	apply_edits(u, &e, out);
	free_edits(&e);
}

char *pgurl_without_driver(const char *url)
{
	const char *plus = strchr(url, '+'), *sep = strstr(url, "://");
	struct buf b;

	if (!plus || !sep || plus > sep)
		return xstrdup(url);
	buf_init(&b);
	buf_add(&b, url, (size_t)(plus - url));
	buf_adds(&b, sep);
	return buf_steal(&b);
}
