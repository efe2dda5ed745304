/*
 * ckanini_interp: a value of the CKAN ini model (common/ckanini.h) as CKAN
 * reads it, interpolated as each Python does: Python 3's
 * BasicInterpolation (CKAN >= 2.9) or Python 2's ConfigParser._interpolate
 * (CKAN 2.6-2.8), with %(name)s taken from the section, [DEFAULT] and the
 * "here" and "__file__" defaults CKAN passes to the parser.
 */
#include "ckanini_int.h"

#include <stdlib.h>
#include <string.h>

/* configparser.MAX_INTERPOLATION_DEPTH, in Python 2 and 3 alike. */
#define MAX_INTERPOLATION_DEPTH 10

/* A value that references another many times, nested ten deep, expands
 * exponentially; Python would run out of memory.  These bounds keep us
 * alive on such files and are far beyond any real configuration. */
#define INTERP_MAX_OUT ((size_t)16 << 20)
#define INTERP_MAX_STEPS 1000000L

struct interp {
	const struct ckanini_file *f;
	const char *section;
	const char *here, *file;
	const char *key;	/* for messages */
	int line;
	long steps;
	struct buf out;
	struct diag_err *err;
};

/* The raw value %(name)s stands for: the section, Python 2's implicit
 * __name__, [DEFAULT], then the defaults CKAN passes to the parser.  NULL
 * when unknown. */
static const char *
var_value(const struct interp *ip, const char *name, size_t n)
{
	const struct ckanini_entry *e = ckanini_find(ip->f, ip->section, name, n);

	if (e)
		return e->raw;
	if (ip->f->dialect == INI_CKAN_26 && ckanini_key_is(ip->f, "__name__", name, n))
		return ip->section;
	if ((e = ckanini_find(ip->f, "DEFAULT", name, n)) != NULL)
		return e->raw;
	if (ckanini_key_is(ip->f, "here", name, n))
		return ip->here;
	if (ckanini_key_is(ip->f, "__file__", name, n))
		return ip->file;
	return NULL;
}

static int
interp_fail(struct interp *ip, const char *what)
{
	return diag_set(ip->err, ip->f->path, ip->line, "value of \"%s\": %s", ip->key, what);
}

static int
interp_unknown(struct interp *ip, const char *name, size_t n)
{
	return diag_set(ip->err, ip->f->path, ip->line,
			"value of \"%s\": %%(%.*s)s names no key in [%s] or [DEFAULT]",
			ip->key, (int)n, name, ip->section);
}

/* Reads "%(name)s" at p: the name is p[2..2+*n), the text goes on at
 * *after.  0, or -1 when p is not a valid reference ("%\(([^)]+)\)s"). */
static int
var_ref(const char *p, size_t *n, const char **after)
{
	const char *close = strchr(p + 2, ')');

	if (!close || close == p + 2 || close[1] != 's')
		return -1;
	*n = (size_t)(close - p - 2);
	*after = close + 2;
	return 0;
}

static int
interp_budget(struct interp *ip)
{
	if (++ip->steps > INTERP_MAX_STEPS || ip->out.len > INTERP_MAX_OUT)
		return interp_fail(ip,
				   "interpolation expands beyond 16 MiB or a million references");
	return 0;
}

/*
 * Copy *v to ip->out up to its next '%' that is not "%%" ("%%" copied as
 * '%', as both Pythons do).  1 with *v at that '%', 0 at the end of *v, -1
 * past the budget.
 */
static int
copy_to_ref(struct interp *ip, const char **v)
{
	const char *s = *v, *p;

	while ((p = strchr(s, '%'))) {
		buf_add(&ip->out, s, (size_t)(p - s));
		if (interp_budget(ip) < 0)
			return -1;
		if (p[1] != '%') {
			*v = p;
			return 1;
		}
		buf_addc(&ip->out, '%');
		s = p + 2;
	}
	buf_adds(&ip->out, s);
	return 0;
}

/* Python 3's BasicInterpolation._interpolate_some: "%%" is '%', "%(name)s"
 * is name's value, itself interpolated when it holds a '%'. */
static int
interp_py3(struct interp *ip, const char *v, int depth)
{
	const char *after, *val;
	size_t n;
	int rc;

	if (depth > MAX_INTERPOLATION_DEPTH)
		return interp_fail(ip, "%(name)s references nest deeper than 10 levels");
	while ((rc = copy_to_ref(ip, &v)) > 0) {
		if (v[1] != '(')
			return interp_fail(ip, "'%' must be followed by '%' or '(' "
					   "(write \"%%\" for a literal '%')");
		if (var_ref(v, &n, &after) < 0)
			return interp_fail(ip, "bad %(name)s reference");
		if (!(val = var_value(ip, v + 2, n)))
			return interp_unknown(ip, v + 2, n);
		if (strchr(val, '%')) {
			if (interp_py3(ip, val, depth + 1) < 0)
				return -1;
		} else {
			buf_adds(&ip->out, val);
		}
		v = after;
	}
	return rc;
}

/* One pass of Python 2's "value % vars" (after its _KEYCRE rewrite): only
 * "%%" and "%(name)s" are supported; Python 2 would also format other
 * conversions ("%(x)r", "%s" of the whole dict), which we report as errors. */
static int
interp_py2_pass(struct interp *ip, const char *v)
{
	const char *after, *val;
	size_t n;
	int rc;

	while ((rc = copy_to_ref(ip, &v)) > 0) {
		if (v[1] != '(' || var_ref(v, &n, &after) < 0)
			return interp_fail(ip, "a value holding \"%(\" may only use "
					   "\"%(name)s\" and \"%%\"");
		if (!(val = var_value(ip, v + 2, n)))
			return interp_unknown(ip, v + 2, n);
		buf_adds(&ip->out, val);
		v = after;
	}
	return rc;
}

/* Python 2's ConfigParser._interpolate: repeat the % pass while the value
 * holds "%(", at most MAX_INTERPOLATION_DEPTH times; a value without "%("
 * is returned as written (a lone '%' is fine). */
static int
interp_py2(struct interp *ip, const char *raw, char **value)
{
	char *v;
	int depth;

	v = xstrdup(raw);
	for (depth = 0; depth < MAX_INTERPOLATION_DEPTH && strstr(v, "%("); depth++) {
		buf_reset(&ip->out);
		if (interp_py2_pass(ip, v) < 0) {
			free(v);
			return -1;
		}
		free(v);
		v = buf_steal(&ip->out);
	}
	if (strstr(v, "%(")) {
		free(v);
		return interp_fail(ip, "%(name)s references nest deeper than 10 levels");
	}
	*value = v;
	return 0;
}

int
ckanini_get(const struct ckanini_file *f, const char *section, const char *key,
	    const char *here, const char *file, char **value,
	    const struct ckanini_entry **where, struct diag_err *err)
{
	struct interp ip;
	char *k;
	const char *raw;
	const struct ckanini_entry *e;
	int rc;

	*value = NULL;
	if (where)
		*where = NULL;
	if (!ckanini_has_section(f, section))
		return 1;
	k = ckanini_xform(f, key);
	memset(&ip, 0, sizeof ip);
	ip.f = f;
	ip.section = section;
	ip.here = here ? here : "";
	ip.file = file ? file : "";
	ip.err = err;
	e = ckanini_lookup(f, section, k);
	if (!e)
		e = ckanini_lookup(f, "DEFAULT", k);
	if (e)
		raw = e->raw;
	else if (strcmp(k, "here") == 0)
		raw = ip.here;
	else if (strcmp(k, "__file__") == 0)
		raw = ip.file;
	else
		raw = NULL;
	ip.key = k;
	ip.line = e ? e->line : 0;
	if (!raw) {
		free(k);
		return 1;
	}
	buf_init(&ip.out);
	if (f->dialect == INI_CKAN_26) {
		rc = interp_py2(&ip, raw, value);
	} else {
		rc = interp_py3(&ip, raw, 1);
		if (rc == 0)
			*value = buf_steal(&ip.out);
	}
	buf_free(&ip.out);
	free(k);
	if (rc < 0)
		return -1;
	if (where)
		*where = e;
	return 0;
}
