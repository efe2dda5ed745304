/*
 * Differential fuzz target for common/pgurl.c.  For random input, pgurl_parse
 * must accept exactly when libpq's PQconninfoParse does and report libpq's
 * value for every keyword; then every field of an accepted URL is edited to
 * a value taken from the input, and libpq must read the result as the old
 * URL with only that field changed, with the bytes outside the field's span
 * untouched.  Any disagreement abort()s, which libFuzzer reports as a crash.
 *
 * Input: one flag byte (which URI prefix to put in front, if any), the URL,
 * then optionally '\n' and the bytes edit values are made of.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "pgurl.h"
#include "pq.h"

static const struct pq_api *pq;

static void mismatch(const char *what, const char *url, const char *detail)
{
	fprintf(stderr, "pgurl mismatch: %s\n  url: %s\n  %s\n", what, url, detail ? detail : "");
	abort();
}

/* The URL libpq should see: "+driver" cut out when pgurl recorded one. */
static char *libpq_text(const struct pgurl *u, const char *url)
{
	struct buf b;
	size_t n;

	if (!u->driver)
		return xstrdup(url);
	n = strlen(u->scheme);
	buf_init(&b);
	buf_add(&b, url, n);
	buf_adds(&b, url + n + 1 + strlen(u->driver));
	return buf_steal(&b);
}

static PQconninfoOption *libpq_parse(const char *text)
{
	char *msg = NULL;
	PQconninfoOption *o = pq->conninfoParse(text, &msg);

	if (msg)
		pq->freemem(msg);
	return o;
}

static const char *opt(const PQconninfoOption *opts, const char *kw)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, kw) == 0)
			return o->val;
	return NULL;
}

static int streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void compare_values(const struct pgurl *u, const PQconninfoOption *opts, const char *url)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		const char *got = pgurl_get(u, o->keyword);

		if (!streq(got, o->val)) {
			char detail[1024];

			snprintf(detail, sizeof detail, "%s: pgurl %s, libpq %s", o->keyword,
				 got ? got : "NULL", o->val ? o->val : "NULL");
			mismatch("keyword value", url, detail);
		}
	}
}

/* Whether text starts like a URI to libpq (postgresql:// or postgres://). */
static int uri_prefix(const char *text)
{
	return strncmp(text, "postgresql://", 13) == 0 || strncmp(text, "postgres://", 11) == 0;
}

/* Parse with both; abort unless they agree.  Returns libpq's options (or
 * NULL) and leaves u parsed when pgurl accepted (*mine = 1). */
static PQconninfoOption *parse_both(const char *url, size_t len, struct pgurl *u, int *mine)
{
	struct diag_err err;
	PQconninfoOption *opts;
	char *plain;

	*mine = pgurl_parse(url, len, u, &err) == 0;
	if (!*mine) {
		/* Without a URI prefix (or with a driver we do not take), libpq
		 * reads keyword=value, which is not ours to agree with. */
		if (!uri_prefix(url))
			return NULL;
		opts = libpq_parse(url);
		if (opts)
			mismatch("pgurl rejects what libpq accepts", url, err.msg);
		return NULL;
	}
	plain = libpq_text(u, url);
	if (!uri_prefix(plain))
		mismatch("pgurl accepts a non-URI", url, plain);
	opts = libpq_parse(plain);
	free(plain);
	if (!opts)
		mismatch("pgurl accepts what libpq rejects", url, NULL);
	compare_values(u, opts, url);
	return opts;
}

static int has_param(const struct pgurl *u, const char *field)
{
	for (size_t i = 0; i < u->nparams; i++)
		if (strcmp(u->params[i].key, field) == 0)
			return 1;
	return 0;
}

/* The bytes an edit of field may touch: [*lo, *hi) of the old text. */
static void edit_region(const struct pgurl *u, const char *field, size_t *lo, size_t *hi)
{
	const struct pgurl_param *pm = NULL;
	const struct pgurl_host *first = &u->hosts[0], *last = &u->hosts[u->nhosts - 1];

	for (size_t i = 0; i < u->nparams; i++)
		if (strcmp(u->params[i].key, field) == 0)
			pm = &u->params[i];
	if (pm) {
		*lo = pm->val_span.off;
		*hi = pm->val_span.off + pm->val_span.len;
	} else if (strcmp(field, "user") == 0) {
		*lo = u->user_span.off;
		*hi = u->user_span.off + u->user_span.len;
	} else if (strcmp(field, "password") == 0) {
		*lo = u->password_span.off - (u->has_password_sep ? 1 : 0);
		*hi = u->password_span.off + u->password_span.len;
	} else if (strcmp(field, "dbname") == 0) {
		*lo = u->dbname_span.off;
		*hi = u->dbname_span.off + u->dbname_span.len;
	} else if (strcmp(field, "host") == 0) {
		*lo = first->host_span.off - (size_t)first->ipv6;
		*hi = last->host_span.off + last->host_span.len + (size_t)last->ipv6;
	} else {
		*lo = first->port_span.off;
		*hi = last->port_span.off + last->port_span.len;
	}
}

static void check_reads_as(const PQconninfoOption *old, const PQconninfoOption *new,
			   const char *field, const char *want, const char *url)
{
	for (const PQconninfoOption *o = old; o->keyword; o++) {
		const char *got = opt(new, o->keyword);
		const char *exp = strcmp(o->keyword, field) == 0 ? want : o->val;
		char detail[1024];

		/* libpq skips an empty netloc value: "" reads as unset */
		if (exp && !*exp && !got)
			continue;
		if (streq(got, exp))
			continue;
		snprintf(detail, sizeof detail, "after editing %s to \"%s\": %s is %s, expected %s",
			 field, want, o->keyword, got ? got : "NULL", exp ? exp : "NULL");
		mismatch("edit", url, detail);
	}
}

/* Whether a '/' after "://" comes before some '@'. */
static int hidden_at(const char *url)
{
	const char *rest = strstr(url, "://") + 3;
	const char *slash = strchr(rest, '/'), *at = strrchr(rest, '@');

	return slash && at && slash < at;
}

static void check_edit(const char *url, const struct pgurl *u, const PQconninfoOption *old,
		       const char *field, const char *value)
{
	struct buf out;
	struct diag_err err;
	struct pgurl v;
	PQconninfoOption *new;
	size_t items = 1, lo, hi;
	int mine;
	char *want;

	for (const char *c = value; *c; c++)
		items += *c == ',';
	buf_init(&out);
	if (pgurl_edit(u, field, value, &out, &err) != 0) {
		/* only a list that does not fit the hosts may be refused */
		if ((strcmp(field, "host") == 0 || strcmp(field, "port") == 0) &&
		    items > 1 && items != u->nhosts && !has_param(u, field)) {
			buf_free(&out);
			return;
		}
		/* pgurl's own re-read may refuse an edit that would unhide an
		 * '@' from libpq's look-ahead: that needs a '/' before an '@' */
		if (strncmp(err.msg, "cannot edit ", 12) == 0 && hidden_at(url)) {
			buf_free(&out);
			return;
		}
		mismatch("edit refused", url, err.msg);
	}
	edit_region(u, field, &lo, &hi);
	if (out.len < lo + (u->len - hi) || memcmp(out.data, url, lo) != 0 ||
	    memcmp(out.data + out.len - (u->len - hi), url + hi, u->len - hi) != 0)
		mismatch("edit touched bytes outside the field", url, out.data);
	new = parse_both(out.data, out.len, &v, &mine);
	if (!new)
		mismatch("libpq rejects the edited URL", url, out.data);
	/* pgurl's rule for what an edit means (a value once per host); libpq judges */
	want = pgurl_intended(u, field, value);
	check_reads_as(old, new, field, want, url);
	free(want);
	pq->conninfoFree(new);
	pgurl_free(&v);
	buf_free(&out);
}

static void check_identity(const char *url, const struct pgurl *u, const char *field)
{
	const char *cur = pgurl_get(u, field);
	struct buf out;
	struct diag_err err;
	long port;

	if (!cur)
		return;
	if (strcmp(field, "port") == 0) {
		for (const char *c = cur; *c; c++)
			if (*c < '0' || *c > '9')
				return;
		if (diag_parse_long(cur, 1, 65535, &port) != 0)
			return;
	}
	if ((strcmp(field, "host") == 0 || strcmp(field, "port") == 0) && !has_param(u, field)) {
		size_t items = 1;

		/* a decoded ',' inside one host does not split back the same way */
		for (const char *c = cur; *c; c++)
			items += *c == ',';
		if (items != u->nhosts)
			return;
	}
	buf_init(&out);
	if (pgurl_edit(u, field, cur, &out, &err) != 0 || out.len != u->len ||
	    memcmp(out.data, url, u->len) != 0)
		mismatch("editing to the same value changed the text", url, field);
	buf_free(&out);
}

/* A port, or a list of one port per host, made of the value bytes. */
static char *make_port(const struct pgurl *u, const char *material, int list)
{
	struct buf b;
	unsigned h = 5381;
	size_t n = list ? u->nhosts : 1;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		for (const char *c = material; *c; c++)
			h = h * 33 + (unsigned char)*c;
		buf_printf(&b, "%s%u", i ? "," : "", h % 65535 + 1);
		h += (unsigned)i + 1;
	}
	return buf_steal(&b);
}

static void check_edits(const char *url, const struct pgurl *u, const PQconninfoOption *old,
			const char *material)
{
	static const char *const fields[] = { "user", "password", "host", "dbname" };
	char *port;

	for (size_t f = 0; f < 4; f++) {
		check_edit(url, u, old, fields[f], material);
		check_edit(url, u, old, fields[f], "");
		check_identity(url, u, fields[f]);
	}
	port = make_port(u, material, 0);
	check_edit(url, u, old, "port", port);
	free(port);
	port = make_port(u, material, 1);
	check_edit(url, u, old, "port", port);
	free(port);
	check_identity(url, u, "port");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = {
		"", "postgresql://", "postgres://", "postgresql+psycopg2://",
	};
	const char *why, *nl;
	char *text, *material;
	struct buf url;
	struct pgurl u;
	struct buf masked;
	PQconninfoOption *opts;
	size_t n;
	int mine;

	if (!pq && !(pq = pq_load(&why))) {
		fprintf(stderr, "cannot load libpq: %s\n", why);
		abort();
	}
	if (size == 0)
		return 0;
	/* libpq sees a C string: stop at the first NUL */
	text = xstrndup((const char *)data + 1, size - 1);
	nl = strchr(text, '\n');
	material = xstrdup(nl ? nl + 1 : text);
	n = nl ? (size_t)(nl - text) : strlen(text);
	buf_init(&url);
	buf_adds(&url, prefixes[data[0] & 3]);
	buf_add(&url, text, n);

	opts = parse_both(url.data, url.len, &u, &mine);
	if (opts) {
		check_edits(url.data, &u, opts, material);
		buf_init(&masked);
		pgurl_masked(&u, &masked);
		buf_free(&masked);
		(void)pgurl_is_local(&u);
		pq->conninfoFree(opts);
	}
	if (mine)
		pgurl_free(&u);
	buf_free(&url);
	free(text);
	free(material);
	return 0;
}
