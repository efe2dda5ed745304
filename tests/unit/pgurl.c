/*
 * Unit test for common/pgurl.c: every URL of libpq's own URI tests
 * (src/interfaces/libpq/t/001_uri.pl) and a set of CKAN-style URLs must be
 * accepted or rejected exactly as PQconninfoParse does, with every keyword
 * equal to libpq's value.  Each accepted URL is then edited field by field,
 * and libpq must read the result as the old URL with only that field
 * changed, while the bytes outside the field's span stay as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "pgurl.h"
#include "pq.h"
#include "tap.h"

static const struct pq_api *pq;

static const char *const uri_cases[] = {
	/* libpq's t/001_uri.pl */
	"postgresql://uri-user:secret@host:12345/db",
	"postgresql://uri-user@host:12345/db",
	"postgresql://uri-user@host/db",
	"postgresql://host:12345/db",
	"postgresql://host/db",
	"postgresql://uri-user@host:12345/",
	"postgresql://uri-user@host/",
	"postgresql://uri-user@",
	"postgresql://host:12345/",
	"postgresql://host:12345",
	"postgresql://host/",
	"postgresql://host",
	"postgresql://",
	"postgresql://?hostaddr=127.0.0.1",
	"postgresql://example.com?hostaddr=63.1.2.4",
	"postgresql://%68ost/",
	"postgresql://host/db?user=uri-user",
	"postgresql://host/db?user=uri-user&port=12345",
	"postgresql://host/db?u%73er=someotheruser&port=12345",
	"postgresql://host/db?u%7aer=someotheruser&port=12345",
	"postgresql://host:12345?user=uri-user",
	"postgresql://host?user=uri-user",
	"postgresql://host?",
	"postgresql://[::1]:12345/db",
	"postgresql://[::1]/db",
	"postgresql://[2001:db8::1234]/",
	"postgresql://[200z:db8::1234]/",
	"postgresql://[::1]",
	"postgres://",
	"postgres:///",
	"postgres:///db",
	"postgres://uri-user@/db",
	"postgres://?host=/path/to/socket/dir",
	"postgresql://host?uzer=",
	"postgres://[::1",
	"postgres://[]",
	"postgres://[::1]z",
	"postgresql://host?zzz",
	"postgresql://host?value1&value2",
	"postgresql://host?key=key=value",
	"postgres://host?dbname=%XXfoo",
	"postgresql://a%00b",
	"postgresql://%zz",
	"postgresql://%1",
	"postgresql://%",
	"postgres://@host",
	"postgres://host:/",
	"postgres://:12345/",
	"postgres://otheruser@?host=/no/such/directory",
	"postgres://otheruser@/?host=/no/such/directory",
	"postgres://otheruser@:12345?host=/no/such/socket/path",
	"postgres://otheruser@:12345/db?host=/path/to/socket",
	"postgres://:12345/db?host=/path/to/socket",
	"postgres://:12345?host=/path/to/socket",
	"postgres://%2Fvar%2Flib%2Fpostgresql/dbname",
	"postgresql://host?sslmode=disable",
	"postgresql://host?sslmode=prefer",
	"postgresql://host?sslmode=verify-full",
	/* CKAN-style */
	"postgresql://ckan_default:pass@localhost/ckan_default",
	"postgresql://ckan_default:pass@localhost:5432/ckan_default",
	"postgresql://datastore_default:pass@db.example.org/datastore_default",
	"postgresql://ckan:p%40ss%3Aw%2Frd%3F%23%25%3B%20x@localhost/ckan",
	"postgresql://ckan:p%3bq%23r@127.0.0.1:5433/ckan?sslmode=require",
	"postgresql://ckan:pw@h1:5432,h2:5433/ckan?target_session_attrs=read-write",
	"postgresql://ckan@h1,h2,h3/ckan",
	"postgresql://ckan@h1:1,h2/ckan",
	"postgresql://ckan@[::1]:5432,[2001:db8::1]/ckan",
	"postgresql://ckan:pw@/ckan?host=/var/run/postgresql",
	"postgresql://ckan:pw@localhost/ckan?port=5433",
	"postgresql://ckan:pw@localhost:5432/ckan?port=5433&host=/tmp",
	"postgresql://ckan@db/ckan?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem",
	"postgresql://ckan@db/ckan?options=-c%20search_path%3Dckan%20-c%20statement_timeout%3D5s",
	"postgresql://ckan@db/ckan?options=-c search_path=ckan",
	"postgresql://ckan@db/ckan?application_name=ckan&connect_timeout=10",
	"postgresql://ckan@db/ckan?ssl=true",
	"postgresql://ckan@db/ckan?ssl=1",
	"postgresql://ckan@db/ckan?requiressl=1",
	"postgresql://ckan@db/ckan?requiressl=0&sslmode=verify-ca",
	"postgresql://ckan@db/ckan?user=other&password=x%26y&dbname=d2",
	"postgresql://ckan@db/ckan?host=",
	"postgresql://ckan@db/ckan?foo=bar",
	"postgresql://ckan@db/ckan?=x",
	"postgresql://ckan@db/ckan?a=b&",
	"postgresql://ckan@db/ckan?&",
	"postgresql+psycopg2://ckan_default:pass@localhost/ckan_default",
	"postgres+pg8000://ckan@localhost:5432/ckan",
	"postgresql+://ckan@localhost/ckan",
	"postgresql:/ckan@localhost/ckan",
	"PostgreSQL://ckan@localhost/ckan",
	"host=localhost dbname=ckan",
	"",
	"postgresql://a:b@c@d/x",
	"postgresql://h?user=a@b",
	"postgresql://u:@h/db",
	"postgresql://:pw@h/db",
	"postgresql://@/",
	"postgresql://h,",
	"postgresql://,",
	"postgresql://h:p:q/db",
	"postgresql://h/db/x?x",
	"postgresql://h/%2f%2F",
	"postgresql://[::1]:/",
	"postgresql://[%3A%3a1],h:%35432",
	"postgresql://h?dbname=postgresql://x/y",
	"postgresql://h?ssl=true&sslmode=disable",
	"postgresql://u%00@h",
	"postgresql://%ff%FE@h/%e2%82%ac",
};

/* libpq does not know "+driver"; hand it the URL without. */
static char *strip_driver(const char *url)
{
	const char *plus = strchr(url, '+'), *sep = strstr(url, "://");

	if (plus && sep && plus + 1 < sep && strncmp(url, "postgres", 8) == 0) {
		struct buf b;

		buf_init(&b);
		buf_add(&b, url, (size_t)(plus - url));
		buf_adds(&b, sep);
		return buf_steal(&b);
	}
	return xstrdup(url);
}

static PQconninfoOption *libpq_parse(const char *url)
{
	char *plain = strip_driver(url), *msg = NULL;
	PQconninfoOption *o = pq->conninfoParse(plain, &msg);

	if (msg)
		pq->freemem(msg);
	free(plain);
	return o;
}

/* Whether pgurl reports libpq's value for every keyword; mismatches go to diag. */
static int same_values(const struct pgurl *u, const PQconninfoOption *opts)
{
	int same = 1;

	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		const char *got = pgurl_get(u, o->keyword);

		if ((got == NULL) != (o->val == NULL) || (got && strcmp(got, o->val) != 0)) {
			diag("%s: pgurl %s, libpq %s", o->keyword, got ? got : "NULL",
			     o->val ? o->val : "NULL");
			same = 0;
		}
	}
	return same;
}

static const char *opt(const PQconninfoOption *opts, const char *kw)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, kw) == 0)
			return o->val;
	return NULL;
}

/* The bytes an edit of field may touch: [*lo, *hi) of the old text. */
static void edit_region(const struct pgurl *u, const char *field, size_t *lo, size_t *hi)
{
	const struct pgurl_param *pm = NULL;

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
		*lo = u->hosts[0].host_span.off - (size_t)u->hosts[0].ipv6;
		*hi = u->hosts[u->nhosts - 1].host_span.off + u->hosts[u->nhosts - 1].host_span.len +
		      (size_t)u->hosts[u->nhosts - 1].ipv6;
	} else {
		*lo = u->hosts[0].port_span.off;
		*hi = u->hosts[u->nhosts - 1].port_span.off + u->hosts[u->nhosts - 1].port_span.len;
	}
}

static int has_param(const struct pgurl *u, const char *field)
{
	for (size_t i = 0; i < u->nparams; i++)
		if (strcmp(u->params[i].key, field) == 0)
			return 1;
	return 0;
}

/* libpq reads new as old with field = want ("" may also read as unset). */
static int reads_as(const PQconninfoOption *old, const PQconninfoOption *new, const char *field,
		    const char *want)
{
	int same = 1;

	for (const PQconninfoOption *o = old; o->keyword; o++) {
		const char *got = opt(new, o->keyword);
		const char *exp = strcmp(o->keyword, field) == 0 ? want : o->val;

		if (exp && !*exp && !got)
			continue;
		if ((got == NULL) != (exp == NULL) || (got && strcmp(got, exp) != 0)) {
			diag("%s: libpq %s, expected %s", o->keyword, got ? got : "NULL",
			     exp ? exp : "NULL");
			same = 0;
		}
	}
	return same;
}

static size_t common_prefix(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	while (i < na && i < nb && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t na, const char *b, size_t nb, size_t pre)
{
	size_t i = 0;

	while (i + pre < na && i + pre < nb && a[na - 1 - i] == b[nb - 1 - i])
		i++;
	return i;
}

static void check_edit(const char *url, const struct pgurl *u, const PQconninfoOption *old,
		       const char *field, const char *value)
{
	struct buf out;
	struct diag_err err;
	char name[512], *want;
	PQconninfoOption *new;
	size_t lo, hi, pre, suf;

	buf_init(&out);
	snprintf(name, sizeof name, "edit %s of %s to \"%s\"", field, url, value);
	if (!ok(pgurl_edit(u, field, value, &out, &err) == 0, name)) {
		diag("%s", err.msg);
		return;
	}
	new = libpq_parse(out.data);
	want = pgurl_intended(u, field, value);
	snprintf(name, sizeof name, "libpq reads %s as the old URL with %s \"%s\"", out.data, field, want);
	ok(new && reads_as(old, new, field, want), name);
	edit_region(u, field, &lo, &hi);
	/* the new text is old[0,lo) + something + old[hi,len) */
	pre = common_prefix(url, u->len, out.data, out.len);
	suf = common_suffix(url, u->len, out.data, out.len, 0);
	snprintf(name, sizeof name, "edit %s of %s keeps bytes outside [%zu,%zu)", field, url, lo, hi);
	ok(pre >= lo && suf >= u->len - hi && out.len >= lo + (u->len - hi), name);
	if (new) {
		struct pgurl v;

		snprintf(name, sizeof name, "pgurl agrees with libpq on %s", out.data);
		ok(pgurl_parse(out.data, out.len, &v, &err) == 0 && same_values(&v, new), name);
		pgurl_free(&v);
		pq->conninfoFree(new);
	}
	free(want);
	buf_free(&out);
}

/* Editing a field to the value it has must give back the same bytes. */
static void check_identity(const char *url, const struct pgurl *u, const char *field)
{
	const char *cur = pgurl_get(u, field);
	struct buf out;
	struct diag_err err;
	char name[512];
	long port;

	if (!cur)
		return;
	if (strcmp(field, "port") == 0 && diag_parse_long(cur, 1, 65535, &port) != 0)
		return;
	if ((strcmp(field, "host") == 0 || strcmp(field, "port") == 0) && !has_param(u, field) &&
	    u->nhosts > 1 && !strchr(cur, ','))
		return;
	buf_init(&out);
	snprintf(name, sizeof name, "edit %s of %s to its own value changes nothing", field, url);
	ok(pgurl_edit(u, field, cur, &out, &err) == 0 && strcmp(out.data, url) == 0, name);
	buf_free(&out);
}

static const char *const fields[] = { "user", "password", "host", "port", "dbname" };

static const char *const user_values[] = { "ckan", "", "us er", "p@ss:w/rd?#%; x", "\xc3\xbc" };
static const char *const password_values[] = { "secret", "", "p@ss:w/rd?#%; x", "a&b=c", "%00" };
static const char *const host_values[] = { "db.example.com", "::1", "/var/run/postgresql", "",
					   "h@x,y" };
static const char *const port_values[] = { "5433", "1", "65535" };
static const char *const dbname_values[] = { "ckan_test", "", "d/b?x=1&y", "p@ss:w/rd?#%; x" };

static void check_edits(const char *url, const struct pgurl *u, const PQconninfoOption *old)
{
	static const struct {
		const char *const *v;
		size_t n;
	} values[] = {
		{ user_values, sizeof user_values / sizeof *user_values },
		{ password_values, sizeof password_values / sizeof *password_values },
		{ host_values, sizeof host_values / sizeof *host_values },
		{ port_values, sizeof port_values / sizeof *port_values },
		{ dbname_values, sizeof dbname_values / sizeof *dbname_values },
	};

	for (size_t f = 0; f < 5; f++) {
		for (size_t i = 0; i < values[f].n; i++) {
			const char *v = values[f].v[i];
			size_t items = 1;

			for (const char *c = v; *c; c++)
				items += *c == ',';
			if (items > 1 && items != u->nhosts && !has_param(u, fields[f]))
				continue;
			check_edit(url, u, old, fields[f], v);
		}
		check_identity(url, u, fields[f]);
	}
}

static void check_case(const char *url, int edits)
{
	struct pgurl u;
	struct diag_err err;
	PQconninfoOption *opts = libpq_parse(url);
	int mine = pgurl_parse(url, strlen(url), &u, &err) == 0;
	char name[512];

	/* a non-URI conninfo is libpq's business, never ours */
	if (strncmp(url, "postgres", 8) != 0 || !strstr(url, "://")) {
		snprintf(name, sizeof name, "%s is not a URI", url);
		ok(!mine, name);
	} else {
		snprintf(name, sizeof name, "%s: %s as libpq does", url, opts ? "accepted" : "rejected");
		if (!ok(mine == (opts != NULL), name) && !mine)
			diag("pgurl: %s", err.msg);
		if (mine && opts) {
			snprintf(name, sizeof name, "%s: every keyword as libpq", url);
			ok(same_values(&u, opts), name);
			if (edits)
				check_edits(url, &u, opts);
		}
	}
	if (opts)
		pq->conninfoFree(opts);
	pgurl_free(&u);
}

static void check_error(const char *url, const char *msg, int col)
{
	struct pgurl u;
	struct diag_err err;
	char name[512];

	snprintf(name, sizeof name, "error for %s", url);
	ok(pgurl_parse(url, strlen(url), &u, &err) == -1, name);
	is_str(err.msg, msg, name);
	is_int(err.col, col, name);
	pgurl_free(&u);
}

static void check_bad_edit(const char *url, const char *field, const char *value, const char *msg)
{
	struct pgurl u;
	struct diag_err err;
	struct buf out;
	char name[512];

	buf_init(&out);
	snprintf(name, sizeof name, "edit %s of %s to \"%s\" is refused", field, url, value);
	if (pgurl_parse(url, strlen(url), &u, &err) == 0 &&
	    ok(pgurl_edit(&u, field, value, &out, &err) == -1, name))
		is_str(err.msg, msg, name);
	pgurl_free(&u);
	buf_free(&out);
}

static void check_exact_edit(const char *url, const char *field, const char *value, const char *want)
{
	struct pgurl u;
	struct diag_err err;
	struct buf out;
	char name[512];

	buf_init(&out);
	snprintf(name, sizeof name, "edit %s of %s to \"%s\"", field, url, value);
	if (pgurl_parse(url, strlen(url), &u, &err) == 0 && pgurl_edit(&u, field, value, &out, &err) == 0)
		is_str(out.data, want, name);
	else
		ok(0, name);
	pgurl_free(&u);
	buf_free(&out);
}

static void check_local(const char *url, int want)
{
	struct pgurl u;
	struct diag_err err;
	char name[512];

	snprintf(name, sizeof name, "%s is %slocal", url, want ? "" : "not ");
	ok(pgurl_parse(url, strlen(url), &u, &err) == 0 && pgurl_is_local(&u) == want, name);
	pgurl_free(&u);
}

/* fn (pgurl_masked, pgurl_without_password) writes want for url; the test is named prefix url. */
static void check_rewrite(const char *url, const char *want, void (*fn)(const struct pgurl *, struct buf *),
			  const char *prefix)
{
	struct pgurl u;
	struct diag_err err;
	struct buf out;
	char name[512];

	buf_init(&out);
	snprintf(name, sizeof name, "%s%s", prefix, url);
	if (pgurl_parse(url, strlen(url), &u, &err) == 0) {
		fn(&u, &out);
		is_str(out.data, want, name);
	} else {
		ok(0, name);
	}
	pgurl_free(&u);
	buf_free(&out);
}

static void check_masked(const char *url, const char *want)
{
	check_rewrite(url, want, pgurl_masked, "");
}

/*
 * Every URL libpq accepts, without its passwords, must still be accepted and
 * mean the same with password and sslpassword unset; masked, it must hold
 * no byte of a secret span.
 */
static void check_without_password(const char *url)
{
	PQconninfoOption *old = libpq_parse(url), *new;
	struct pgurl u;
	struct diag_err err;
	struct buf out;
	char name[512];
	int same = 1;

	if (!old)
		return;
	buf_init(&out);
	snprintf(name, sizeof name, "without password: %s", url);
	if (pgurl_parse(url, strlen(url), &u, &err) < 0) {	/* "key=value" strings: not ours */
		pq->conninfoFree(old);
		return;
	}
	pgurl_without_password(&u, &out);
	new = libpq_parse(out.data);
	if (!new) {
		diag("libpq rejects %s", out.data);
		same = 0;
	}
	for (const PQconninfoOption *o = old; new && o->keyword; o++) {
		const char *want = strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0
			? NULL : o->val;
		const char *got = opt(new, o->keyword);

		if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
			diag("%s: got %s, want %s (from %s)", o->keyword, got ? got : "NULL", want ? want : "NULL",
			     out.data);
			same = 0;
		}
	}
	ok(same, name);
	if (new)
		pq->conninfoFree(new);
	pq->conninfoFree(old);
	pgurl_free(&u);
	buf_free(&out);
}

static void check_stripped(const char *url, const char *want)
{
	check_rewrite(url, want, pgurl_without_password, "stripped ");
}

static void check_parts(void)
{
	struct pgurl u;
	struct diag_err err;
	const char *url = "postgresql+psycopg2://ck%61n:pw@[::1]:5432,db/x";

	ok(pgurl_parse(url, strlen(url), &u, &err) == 0, "parse with driver");
	is_str(u.scheme, "postgresql", "scheme");
	is_str(u.driver, "psycopg2", "driver");
	is_str(u.user, "ckan", "user decoded");
	is_str(u.password, "pw", "password");
	is_str(u.dbname, "x", "dbname");
	is_int(u.nhosts, 2, "two hosts");
	is_str(u.hosts[0].host, "::1", "IPv6 host without brackets");
	ok(u.hosts[0].ipv6, "IPv6 flagged");
	is_str(u.hosts[0].port, "5432", "first port");
	ok(u.hosts[1].port == NULL, "second host has no port");
	is_str(pgurl_get(&u, "port"), "5432,", "ports joined as libpq joins them");
	ok(pgurl_get(&u, "nosuchkeyword") == NULL, "unknown keyword is NULL");
	pgurl_free(&u);
}

/* pgurl_ports_ok: the one port-list rule of pgurl_edit and ckan-pgurl set. */
static void check_ports_ok(const char *value, int want)
{
	char name[256];

	snprintf(name, sizeof name, "pgurl_ports_ok(\"%s\") is %d", value, want);
	ok(pgurl_ports_ok(value) == want, name);
}

/* pgurl_without_driver: what pgconn hands libpq and ckan-pgurl url prints. */
static void check_without_driver(const char *url, const char *want)
{
	char name[256], *got = pgurl_without_driver(url);

	snprintf(name, sizeof name, "pgurl_without_driver(\"%s\") is \"%s\"", url, want);
	if (!ok(strcmp(got, want) == 0, name))
		diag("got \"%s\"", got);
	free(got);
}

int main(void)
{
	const char *why = NULL;

	pq = pq_load(&why);
	if (!pq) {
		printf("1..0 # SKIP libpq not loadable: %s\n", why ? why : "?");
		return 0;
	}
	for (size_t i = 0; i < sizeof uri_cases / sizeof *uri_cases; i++)
		check_case(uri_cases[i], 1);
	for (size_t i = 0; i < sizeof uri_cases / sizeof *uri_cases; i++)
		check_without_password(uri_cases[i]);
	check_without_password("postgresql://u:pw@h/db?password=a&password=b");
	check_without_password("postgresql://u:pw@h/db?sslpassword=k&password=a&sslmode=require&password=b");
	check_without_password("postgresql://u@h1:1,h2:2/db?password=x%26y");
	check_stripped("postgresql://u:secret@h/db", "postgresql://u@h/db");
	check_stripped("postgresql://:secret@h/db", "postgresql://@h/db");
	check_stripped("postgresql://u:@h/db", "postgresql://u@h/db");
	check_stripped("postgresql://u@h/db?password=x", "postgresql://u@h/db");
	check_stripped("postgresql://u@h/db?sslmode=require&password=x&application_name=a",
		       "postgresql://u@h/db?sslmode=require&application_name=a");
	check_stripped("postgresql://u:p@h1:1,h2:2/db?password=a&password=b&sslpassword=c",
		       "postgresql://u@h1:1,h2:2/db");
	check_stripped("postgresql+psycopg2://u:p%40w@[::1]:5432/db?sslmode=require",
		       "postgresql+psycopg2://u@[::1]:5432/db?sslmode=require");

	check_parts();

	check_error("postgresql://%zz", "invalid percent-encoded token: \"%zz\"", 14);
	check_error("postgresql://host?zzz", "missing key/value separator \"=\" in URI query parameter: \"zzz\"", 19);
	check_error("postgresql://host?foo=1", "invalid URI query parameter: \"foo\"", 19);
	check_error("postgresql://a%00b", "forbidden value %00 in percent-encoded value: \"a%00b\"", 15);
	check_error("postgres://[::1]z",
		    "unexpected character \"z\" at position 17 in URI (expected \":\" or \"/\")", 17);
	/* an error inside a password quotes none of it */
	check_error("postgresql://u:50%off@h/db", "invalid percent-encoded token in a password", 18);
	check_error("postgresql://u:a%00b@h/db", "forbidden value %00 in a password", 17);
	check_error("postgresql://u@h/db?password=50%of", "invalid percent-encoded token in a password", 32);
	check_error("postgresql://u@h/db?password=a&secret", "missing key/value separator \"=\" in URI query parameter", 32);
	check_error("postgresql://u@h/db?password=a&se=cret", "invalid URI query parameter", 32);
	check_error("postgresql://u@h/db?password=a&b=c=d", "extra key/value separator \"=\" in URI query parameter", 35);
	check_error("host=x port=5432",
		    "not a connection URI: expected \"postgresql://\" or \"postgres://\"", 1);

	check_exact_edit("postgresql://u@host/db", "port", "5433", "postgresql://u@host:5433/db");
	check_exact_edit("postgresql://u@[::1]/db", "port", "5433", "postgresql://u@[::1]:5433/db");
	check_exact_edit("postgresql:///db", "port", "5433", "postgresql://:5433/db");
	check_exact_edit("postgresql://h1,h2:7/db", "port", "5433", "postgresql://h1:5433,h2:5433/db");
	check_exact_edit("postgresql://h1,h2/db", "port", "1,2", "postgresql://h1:1,h2:2/db");
	check_exact_edit("postgresql://u@h/db?port=1", "port", "5433", "postgresql://u@h/db?port=5433");
	check_exact_edit("postgresql://host/db", "user", "ckan", "postgresql://ckan@host/db");
	check_exact_edit("postgresql://ckan@host/db", "password", "p@ss:w/rd?#%; x",
			 "postgresql://ckan:p%40ss%3Aw%2Frd%3F%23%25%3B%20x@host/db");
	check_exact_edit("postgresql://host/db", "password", "pw", "postgresql://:pw@host/db");
	check_exact_edit("postgresql://u:pw@host/db", "password", "", "postgresql://u@host/db");
	check_exact_edit("postgresql://u@host", "dbname", "ckan", "postgresql://u@host/ckan");
	check_exact_edit("postgresql://u@host?sslmode=require", "dbname", "ckan",
			 "postgresql://u@host/ckan?sslmode=require");
	check_exact_edit("postgresql://u@host/db", "host", "::1", "postgresql://u@[::1]/db");
	check_exact_edit("postgresql://u@[::1]:5/db", "host", "db", "postgresql://u@db:5/db");
	check_exact_edit("postgresql://u@/db?host=/tmp", "host", "/var/run/postgresql",
			 "postgresql://u@/db?host=/var/run/postgresql");
	check_exact_edit("postgresql://u:p%41@h/db", "password", "pA", "postgresql://u:p%41@h/db");

	check_bad_edit("postgresql://h/db", "port", "0", "port must be a number from 1 to 65535");
	check_bad_edit("postgresql://h/db", "port", "65536", "port must be a number from 1 to 65535");
	check_bad_edit("postgresql://h/db", "port", "54x", "port must be a number from 1 to 65535");
	check_bad_edit("postgresql://h/db", "port", "", "port must be a number from 1 to 65535");
	check_bad_edit("postgresql://h/db", "port", "\t5432", "port must be a number from 1 to 65535");
	check_bad_edit("postgresql://h/db", "port", "1,2", "port list has 2 entries but the URL has 1 host");
	check_bad_edit("postgresql://a,b,c/db", "host", "x,y", "host list has 2 entries but the URL has 3 hosts");
	check_bad_edit("postgresql://h/db", "sslmode", "require",
		       "cannot edit \"sslmode\" (expected user, password, host, port or dbname)");

	/* a '/' in [..] or in a query value hides a later '@' from libpq's
	 * look-ahead for "user@"; an edit that removes it must be refused */
	check_bad_edit("postgresql://[a/b],x@y", "host", "c,x@y",
		       "cannot edit host: the URL would also change user (a '/' hides an '@' from libpq)");
	check_bad_edit("postgresql://h?host=/x&user=a@b", "host", "db",
		       "cannot edit host: the URL would also change user (a '/' hides an '@' from libpq)");

	check_local("postgresql://", 1);
	check_local("postgresql://localhost/ckan", 1);
	check_local("postgresql://u:p@127.0.0.1:5432/ckan", 1);
	check_local("postgresql://[::1]/ckan", 1);
	check_local("postgresql:///ckan?host=/var/run/postgresql", 1);
	check_local("postgresql://%2Ftmp/ckan", 1);
	check_local("postgresql://localhost,127.0.0.1/ckan", 1);
	check_local("postgresql://db.example.org/ckan", 0);
	check_local("postgresql://localhost,db/ckan", 0);
	check_local("postgresql://localhost/ckan?host=db", 0);
	check_local("postgresql://db/ckan?host=/tmp", 1);

	check_masked("postgresql://u:secret@h/db", "postgresql://u:****@h/db");
	check_masked("postgresql://u@h/db", "postgresql://u@h/db");
	check_masked("postgresql://u:@h/db", "postgresql://u:@h/db");
	check_masked("postgresql://u:p%40w@h/db?password=x&sslmode=require",
		     "postgresql://u:****@h/db?password=****&sslmode=require");
	check_masked("postgresql://u:pw@h1:5432,h2:5433/db?password=a&sslpassword=k&password=b",
		     "postgresql://u:****@h1:5432,h2:5433/db?password=****&sslpassword=****&password=****");
	check_masked("postgresql://u@h/db?pass%77ord=x", "postgresql://u@h/db?pass%77ord=****");

	check_ports_ok("5432", 1);
	check_ports_ok("1,65535", 1);
	check_ports_ok("", 0);
	check_ports_ok("0", 0);
	check_ports_ok("65536", 0);
	check_ports_ok(" 5432", 0);
	check_ports_ok("5432,", 0);
	check_ports_ok(",5432", 0);
	check_ports_ok("5432,,5433", 0);
	check_ports_ok("+5432", 0);

	check_without_driver("postgresql+psycopg2://u:p@h/db", "postgresql://u:p@h/db");
	check_without_driver("postgresql://u:p+q@h/db", "postgresql://u:p+q@h/db");
	check_without_driver("postgres://h/a+b", "postgres://h/a+b");
	check_without_driver("host=x port=1", "host=x port=1");

	return done_testing();
}
