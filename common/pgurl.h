/*
 * pgurl: libpq connection URIs (postgresql://...) with the byte span of every
 * component, so that an edit can replace exactly the bytes of one component.
 * The scanner follows libpq's URI rules (fe-connect.c, conninfo_uri_parse and
 * conninfo_uri_parse_params) and is proven equal to PQconninfoParse by
 * tests/unit/pgurl.c and tests/fuzz/pgurl.c.  It never loads libpq.
 */
#ifndef CKP_PGURL_H
#define CKP_PGURL_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

/* A run of bytes in the URL text.  For an absent component, len is 0 and off
 * is where it would be inserted. */
struct pgurl_span {
	size_t off;
	size_t len;
};

struct pgurl_host {
	char *host;			/* decoded; "" when empty */
	char *port;			/* decoded; NULL when no ":port" */
	struct pgurl_span host_span;	/* raw bytes, without IPv6 brackets */
	struct pgurl_span port_span;	/* raw bytes after ':'; absent: insertion point */
	int ipv6;			/* written as [addr] */
};

struct pgurl_param {
	char *key;			/* decoded, as written (e.g. "ssl", "sslmode") */
	char *val;			/* decoded */
	struct pgurl_span key_span, val_span;
};

struct pgurl_stored;

struct pgurl {
	const char *text;		/* the URL as given; not owned */
	size_t len;
	char *scheme;			/* "postgresql" or "postgres" */
	char *driver;			/* "psycopg2" of "postgresql+psycopg2://", else NULL */
	char *user;			/* decoded; NULL when absent or empty (libpq skips empty) */
	char *password;			/* decoded; NULL when absent or empty */
	char *dbname;			/* decoded; NULL when absent or empty */
	struct pgurl_span user_span;	/* raw; absent: insertion point after "://" */
	struct pgurl_span password_span;/* raw, after ':'; has_password_sep says if ':' exists */
	struct pgurl_span dbname_span;	/* raw, after '/'; has_slash says if '/' exists */
	int has_userinfo;		/* an '@' ends a user[:password] part */
	int has_password_sep;
	int has_slash;
	struct pgurl_host *hosts;	/* at least one entry, possibly with host "" */
	size_t nhosts;
	struct pgurl_param *params;	/* query parameters in order */
	size_t nparams;
	struct pgurl_stored *stored;	/* pgurl.c's own: what libpq stores per keyword (pgurl_get) */
};

/*
 * Scan text[0..len) as libpq would.  Returns 0 and fills u, or -1 with err
 * (err->col = 1-based byte position where known) when libpq would reject it.
 * A "postgresql+DRIVER://" scheme (SQLAlchemy; DRIVER is [A-Za-z0-9_]+) is
 * accepted and recorded in u->driver; everything after "://" is read by
 * libpq's rules.  Query keywords are checked against libpq 15's list (the
 * version the differential tests run against).  A NUL byte is an error: libpq
 * would silently stop reading there.  On -1, u is left empty (pgurl_free is
 * still safe).
 */
int pgurl_parse(const char *text, size_t len, struct pgurl *u, struct diag_err *err);
void pgurl_free(struct pgurl *u);

/*
 * The value libpq's PQconninfoParse would report for keyword ("host",
 * "port", "user", "password", "dbname", "sslmode", "options", ...): hosts
 * and ports joined with ',' as libpq joins them, query parameters overriding
 * the netloc, "ssl=true" as sslmode "require".  NULL when libpq leaves the
 * keyword unset.  The string lives as long as u.
 */
const char *pgurl_get(const struct pgurl *u, const char *keyword);

/* Whether every host is local: empty, "localhost", "127.0.0.1", "::1", or a
 * socket directory (starts with '/' or '@'); hosts from ?host= count. */
int pgurl_is_local(const struct pgurl *u);

/*
 * Write into out the URL text with one field changed: "user", "password",
 * "host", "port" or "dbname".  Only the bytes of that component change; a
 * missing component is inserted where libpq expects it (":port" after each
 * host, "user@" or ":password" in the userinfo, "/dbname" after the
 * netloc).  When the effective value comes from a query parameter
 * (?port=..., ?host=...), that parameter is edited instead.  user, password,
 * host and dbname are percent-encoded as needed (every byte outside RFC 3986
 * unreserved characters; in a query value '/', ':' and ',' stay raw, and an
 * IPv6 host is written as [addr]).  A component whose decoded value already
 * equals value is left byte for byte.  Ports must be numbers from 1 to
 * 65535.  For host and port with several hosts, a value with no ',' applies
 * to each host; a ',' list with one item per host assigns them in order.  An
 * empty value for password removes it (and its ':').  Returns 0, or -1 with
 * err when the edit is impossible.
 */
int pgurl_edit(const struct pgurl *u, const char *field, const char *value,
	       struct buf *out, struct diag_err *err);

/*
 * Whether value is what pgurl_edit takes for "port": a number from 1 to
 * 65535 (digits only), or a ',' list of them with no empty item.
 */
int pgurl_ports_ok(const char *value);

/*
 * What PQconninfoParse reports for field once pgurl_edit(u, field, value)
 * succeeded: value, or for host and port a value without ',' once per host
 * of the netloc ("5433" over two hosts reads "5433,5433") unless a query
 * parameter sets the field.  The one "value once per host" rule; malloc'd.
 */
char *pgurl_intended(const struct pgurl *u, const char *field, const char *value);

/*
 * The URL text as libpq takes it: a "+DRIVER" of SQLAlchemy's scheme
 * ("postgresql+psycopg2://") dropped, everything else as given.  Works on
 * any text (a '+' counts only before the first "://"); malloc'd.
 */
char *pgurl_without_driver(const char *url);

/* Whether libpq keyword holds a secret ("password", "sslpassword"): its
 * value is masked wherever it is shown, and never quoted in an error. */
int pgurl_is_secret(const char *keyword);

/*
 * Where the secrets are in the URL text: the userinfo password and every
 * non-empty ?password= and ?sslpassword= value, in text order.  Returns the
 * count with *out malloc'd (free it even when the count is 0).  The one
 * definition of "a password" every masker is built on.
 */
size_t pgurl_secrets(const struct pgurl *u, struct pgurl_span **out);

/* The URL text with every secret (pgurl_secrets) replaced by "****";
 * unchanged when it has none. */
void pgurl_masked(const struct pgurl *u, struct buf *out);

/*
 * The URL text with every password removed: the userinfo ":password" (with
 * its ':'; "user@" stays) and each password= and sslpassword= query
 * parameter (with its '&', and the '?' when no parameter is left).  libpq
 * reads the result as the URL with those keywords unset.
 */
void pgurl_without_password(const struct pgurl *u, struct buf *out);

#endif
