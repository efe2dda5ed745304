/*
 * ini: reads a CKAN ini file the way CKAN reads it and remembers where
 * every value sits in the original bytes.  CKAN >= 2.9 read the file with
 * Python 3's configparser (Lib/configparser.py, RawConfigParser._read and
 * _join_multiline_values, BasicInterpolation); CKAN 2.6-2.8 with Python 2's
 * ConfigParser under paste.deploy.  This file restates their rules line by
 * line, in bytes, with the offsets an editor needs.
 *
 * Why not libinih, which the design first suggested: even with Debian's
 * runtime knobs (ini_max_line, ini_allow_inline_comments, ...) it disagrees
 * with configparser on rules that change values: a line is a continuation
 * when it starts with whitespace (configparser: when it is indented deeper
 * than its key line), a section header ends at the first ']' (Python 3: the
 * last), section names are cut at 49 bytes and continuation key names at 49,
 * whitespace is C's isspace() (Python 3 also strips \x1c-\x1f and Unicode
 * spaces, and counts indentation in characters), "= value" gives an empty
 * name (configparser: an error), a BOM is skipped (Python: text), and its
 * handler sees neither comments, blank lines nor headers, which decide both
 * values and errors.  Every one of these would have had to be undone
 * around it; scanning the line here is shorter and is what the differential
 * test against Python proves.  (Our ckanini_parse also shadows libinih's symbol
 * of the same name, so a program cannot use both.)
 */
#include "ckanini.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define NONE SIZE_MAX

/* configparser.MAX_INTERPOLATION_DEPTH, in Python 2 and 3 alike. */
#define MAX_INTERPOLATION_DEPTH 10

/* A value that references another many times, nested ten deep, expands
 * exponentially; Python would run out of memory.  These bounds keep us
 * alive on such files and are far beyond any real configuration. */
#define INTERP_MAX_OUT ((size_t)16 << 20)
#define INTERP_MAX_STEPS 1000000L

struct parser {
	struct ckanini_file *f;
	const unsigned char *d;
	int py3;
	size_t ecap, scap;
	size_t cur;		/* index in f->sections of the current header */
	size_t open;		/* the entry the next lines may continue */
	size_t indent_level;	/* Python 3: indentation of the last key/header line */
	struct buf val;		/* the open entry's value so far */
	size_t blanks;		/* Python 3: empty lines that may still be inside it */
	struct diag_err perr;	/* first non-fatal error (configparser raises it last) */
	int has_perr;
};

/* ---- whitespace, as each Python strips it ---- */

/* Python 2 strips byte strings with C isspace(): " \t\n\v\f\r". */
static int py2_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Length of the Python 3 whitespace character at p (str.isspace(), which is
 * also what re's \s matches), 0 when p does not start one.  Beyond ASCII's
 * \t\n\v\f\r, \x1c-\x1f and space: U+0085, U+00A0, U+1680, U+2000-U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000.
 */
static size_t py3_space(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return (p[0] >= 0x09 && p[0] <= 0x0d) || (p[0] >= 0x1c && p[0] <= 0x20);
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/* Length of the whitespace character starting at i (before end), or 0. */
static size_t space_at(const struct parser *ps, size_t i, size_t end)
{
	if (i >= end)
		return 0;
	if (!ps->py3)
		return py2_space(ps->d[i]);
	return py3_space(ps->d + i, end - i);
}

/* Length of the whitespace character ending just before i (not before
 * start), or 0.  The text is valid UTF-8 (checked first), so a character
 * ending at i has one possible start. */
static size_t space_before(const struct parser *ps, size_t start, size_t i)
{
	size_t k;

	if (i <= start)
		return 0;
	if (!ps->py3 || ps->d[i - 1] < 0x80)
		return space_at(ps, i - 1, i);
	for (k = 2; k <= 3 && k <= i - start; k++)
		if (py3_space(ps->d + i - k, k) == k)
			return k;
	return 0;
}

/* Skip leading whitespace of [a, b); *chars counts the characters skipped
 * (Python 3 measures indentation in characters, not bytes). */
static size_t lstrip(const struct parser *ps, size_t a, size_t b, size_t *chars)
{
	size_t k, n = 0;

	while ((k = space_at(ps, a, b)) != 0) {
		a += k;
		n++;
	}
	if (chars)
		*chars = n;
	return a;
}

static size_t rstrip(const struct parser *ps, size_t a, size_t b)
{
	size_t k;

	while ((k = space_before(ps, a, b)) != 0)
		b -= k;
	return b;
}

/* ---- checks on the whole file ---- */

/* Length of the valid UTF-8 sequence at p (as Python's strict decoder
 * accepts it: no overlongs, surrogates or code points past U+10FFFF), 0 if
 * invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* 1-based line of byte off, counting line ends as the dialect's reader does. */
static int line_of(const unsigned char *d, size_t len, size_t off, int universal)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++) {
		if (d[i] == '\n')
			line++;
		else if (universal && d[i] == '\r' && (i + 1 == len || d[i + 1] != '\n'))
			line++;
	}
	return line;
}

static int check_bytes(const struct ckanini_file *f, int py3, struct diag_err *err)
{
	const unsigned char *d = (const unsigned char *)f->data;
	size_t i, k;

	if (f->len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		return diag_set(err, f->path, 1, py3 ?
				"UTF-8 byte order mark: CKAN >= 2.9 cannot read this file" :
				"UTF-8 byte order mark: CKAN 2.6-2.8 cannot read this file");
	for (i = 0; i < f->len; i += k) {
		k = 1;
		if (d[i] == '\0')
			return diag_set(err, f->path, line_of(d, f->len, i, py3), "NUL byte");
		if (py3 && (k = utf8_len(d + i, f->len - i)) == 0)
			return diag_set(err, f->path, line_of(d, f->len, i, py3),
					"invalid UTF-8: CKAN >= 2.9 cannot read this file");
	}
	return 0;
}

/* ---- building the model ---- */

/* The end of the line starting at pos goes to *end (its terminator
 * excluded); returns where the next line starts.  Python 3 reads in text
 * mode with universal newlines: "\n", "\r\n" and a lone "\r" end a line.
 * Python 2 reads with open(): only "\n" does, "\r" stays in the line. */
static size_t next_line(const unsigned char *d, size_t len, size_t pos, int universal, size_t *end)
{
	size_t i = pos;

	if (universal) {
		while (i < len && d[i] != '\n' && d[i] != '\r')
			i++;
	} else {
		const unsigned char *nl = memchr(d + pos, '\n', len - pos);

		i = nl ? (size_t)(nl - d) : len;
	}
	*end = i;
	if (i == len)
		return len;
	if (d[i] == '\r' && i + 1 < len && d[i + 1] == '\n')
		return i + 2;
	return i + 1;
}

/* configparser's optionxform: str.lower() for CKAN 2.9 (ASCII only here:
 * a gap for non-ASCII capitals, which no CKAN key has), str for the rest. */
static void fold_key(const struct ckanini_file *f, char *k)
{
	if (f->dialect != INI_CKAN_29)
		return;
	for (; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a');
}

static char *dup_key(const struct parser *ps, size_t a, size_t b)
{
	char *k = xstrndup((const char *)ps->d + a, b - a);

	fold_key(ps->f, k);
	return k;
}

static void close_open(struct parser *ps)
{
	if (ps->open == NONE)
		return;
	/* Empty lines still pending are the ones '\n'.join(...).rstrip()
	 * drops. */
	ps->f->entries[ps->open].raw = buf_steal(&ps->val);
	ps->open = NONE;
	ps->blanks = 0;
}

static void add_section(struct parser *ps, size_t a, size_t b, int line)
{
	struct ckanini_file *f = ps->f;

	close_open(ps);
	if (f->nsections == ps->scap) {
		ps->scap = ps->scap ? 2 * ps->scap : 8;
		f->sections = xrealloc(f->sections, ps->scap * sizeof *f->sections);
	}
	f->sections[f->nsections].name = xstrndup((const char *)ps->d + a, b - a);
	f->sections[f->nsections].line = line;
	ps->cur = f->nsections++;
}

/* A key line: name [ka, kb), value span [va, vb); raw_empty for Python
 * 2's quirk that reads a value written "" as empty. */
static void add_entry(struct parser *ps, size_t ka, size_t kb, size_t va, size_t vb,
		      int raw_empty, int line)
{
	struct ckanini_file *f = ps->f;
	struct ckanini_entry *e;

	close_open(ps);
	if (f->n == ps->ecap) {
		ps->ecap = ps->ecap ? 2 * ps->ecap : 16;
		f->entries = xrealloc(f->entries, ps->ecap * sizeof *f->entries);
	}
	e = &f->entries[f->n];
	e->section = xstrdup(f->sections[ps->cur].name);
	e->key = dup_key(ps, ka, kb);
	e->raw = NULL;
	e->line = e->last_line = line;
	e->val_off = va;
	e->val_len = vb - va;
	e->multiline = 0;
	buf_reset(&ps->val);
	buf_add(&ps->val, ps->d + va, raw_empty ? 0 : vb - va);
	ps->open = f->n++;
	ps->blanks = 0;
}

/* A continuation line [a, b) of the open entry (never empty). */
static void add_piece(struct parser *ps, size_t a, size_t b, int line)
{
	struct ckanini_entry *e = &ps->f->entries[ps->open];

	while (ps->blanks > 0) {
		buf_addc(&ps->val, '\n');
		ps->blanks--;
	}
	buf_addc(&ps->val, '\n');
	buf_add(&ps->val, ps->d + a, b - a);
	e->last_line = line;
	e->multiline = 1;
}

static void parse_error(struct parser *ps, int line, const char *msg)
{
	if (ps->has_perr)
		return;
	diag_set(&ps->perr, ps->f->path, line, "%s", msg);
	ps->has_perr = 1;
}

static const unsigned char *find_delim(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '=' || p[i] == ':')
			return p + i;
	return NULL;
}

/* Does the open entry take more lines?  configparser: "cursect is not None
 * and optname", and an empty name is false. */
static int open_continues(const struct parser *ps)
{
	return ps->cur != NONE && ps->open != NONE && ps->f->entries[ps->open].key[0] != '\0';
}

/* One line [a0, b0) as Python 3's RawConfigParser._read sees it (strict,
 * empty_lines_in_values, comment prefixes '#' ';' on the stripped line, no
 * inline comments, delimiters '=' ':'). */
static int line_py3(struct parser *ps, size_t a0, size_t b0, int line, struct diag_err *err)
{
	const unsigned char *d = ps->d;
	size_t indent, a, b, k, va;
	const unsigned char *dl;

	a = lstrip(ps, a0, b0, &indent);
	b = rstrip(ps, a, b0);
	if (a == b) {
		if (open_continues(ps))
			ps->blanks++;
		return 0;
	}
	if (d[a] == '#' || d[a] == ';')
		return 0;	/* a comment neither ends nor extends a value */
	if (open_continues(ps) && indent > ps->indent_level) {
		add_piece(ps, a, b, line);
		return 0;
	}
	ps->indent_level = indent;
	/* SECTCRE "\[(?P<header>.+)\]" matched at the start: greedy, so the
	 * header runs to the last ']' and anything after it is ignored. */
	if (d[a] == '[') {
		for (k = b; k > a + 2 && d[k - 1] != ']'; k--)
			;
		if (k > a + 2) {
			add_section(ps, a + 1, k - 1, line);
			return 0;
		}
	}
	if (ps->cur == NONE)
		return diag_set(err, ps->f->path, line, "text before the first [section] header");
	dl = find_delim(d + a, b - a);
	if (!dl) {
		parse_error(ps, line, "neither a [section] header nor a key = value line");
		return 0;
	}
	k = (size_t)(dl - d);
	va = lstrip(ps, k + 1, b, NULL);
	if (k == a)
		parse_error(ps, line, "no key name before the '=' or ':'");
	add_entry(ps, a, rstrip(ps, a, k), va, b, 0, line);
	return 0;
}

/* Python 2's "rem" comment: the first word is "rem" in any case, at the
 * very start of the line. */
static int is_rem(const unsigned char *p, size_t n)
{
	if (n < 3 || (p[0] != 'r' && p[0] != 'R') || (p[1] != 'e' && p[1] != 'E') ||
	    (p[2] != 'm' && p[2] != 'M'))
		return 0;
	return n == 3 || py2_space(p[3]);
}

/* One line [a0, b0) as Python 2's ConfigParser._read sees it (paste.deploy
 * keeps keys as written).  The line is not stripped before matching, so
 * leading whitespace matters; the value may end in "\r" (no universal
 * newlines), which the final strip removes. */
static int line_py2(struct parser *ps, size_t a0, size_t b0, int line, struct diag_err *err)
{
	const unsigned char *d = ps->d;
	const unsigned char *dl, *semi;
	size_t a, b, k, va, vb;
	int quirk;

	a = lstrip(ps, a0, b0, NULL);
	b = rstrip(ps, a, b0);
	if (a == b || d[a0] == '#' || d[a0] == ';' || is_rem(d + a0, b0 - a0))
		return 0;
	if (py2_space(d[a0]) && ps->cur != NONE && ps->open != NONE) {
		add_piece(ps, a, b, line);
		return 0;
	}
	/* SECTCRE "\[(?P<header>[^]]+)\]": up to the first ']'. */
	if (d[a0] == '[' && a0 + 1 < b0 && d[a0 + 1] != ']') {
		const unsigned char *rb = memchr(d + a0 + 1, ']', b0 - a0 - 1);

		if (rb) {
			add_section(ps, a0 + 1, (size_t)(rb - d), line);
			return 0;
		}
	}
	if (ps->cur == NONE)
		return diag_set(err, ps->f->path, line, "text before the first [section] header");
	/* OPTCRE "(?P<option>[^:=\s][^:=]*)\s*(?P<vi>[:=])\s*(?P<value>.*)$" */
	dl = find_delim(d + a0, b0 - a0);
	if (!dl || dl == d + a0 || py2_space(d[a0])) {
		parse_error(ps, line, "neither a [section] header nor a key = value line");
		return 0;
	}
	k = (size_t)(dl - d);
	va = lstrip(ps, k + 1, b0, NULL);
	vb = b0;
	/* ';' starts a comment only when whitespace precedes it, and only the
	 * first ';' is looked at.  At the value's start, Python indexes
	 * optval[-1]: the value's last byte decides. */
	semi = memchr(d + va, ';', vb - va);
	if (semi) {
		size_t p = (size_t)(semi - d);

		if (py2_space(p == va ? d[vb - 1] : d[p - 1]))
			vb = p;
	}
	vb = rstrip(ps, va, vb);
	quirk = vb - va == 2 && d[va] == '"' && d[va + 1] == '"';	/* optval == '""' -> '' */
	add_entry(ps, a0, rstrip(ps, a0, k), va, vb, quirk, line);
	return 0;
}

/* ---- duplicates (strict configparser) ---- */

struct dup_item {
	const char *sect;
	const char *key;	/* NULL for a section header */
	int line;
};

static int dup_cmp(const void *pa, const void *pb)
{
	const struct dup_item *a = pa, *b = pb;
	int c = strcmp(a->sect, b->sect);

	if (c == 0 && a->key && b->key)
		c = strcmp(a->key, b->key);
	if (c == 0)
		return (a->line > b->line) - (a->line < b->line);
	return c;
}

/* configparser raises on the first duplicate it reaches, i.e. the smallest
 * line that repeats an earlier header or (section, key).  Sorting finds it
 * without quadratic work.  Returns 0 or -1 with err. */
static int find_dup(const struct parser *ps, size_t n, struct dup_item *it, int keys,
		    struct diag_err *err)
{
	size_t i, best = NONE;

	qsort(it, n, sizeof *it, dup_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(it[i].sect, it[i - 1].sect) != 0 ||
		    (keys && strcmp(it[i].key, it[i - 1].key) != 0))
			continue;
		if (best == NONE || it[i].line < it[best].line)
			best = i;
	}
	if (best == NONE)
		return 0;
	if (keys)
		return diag_set(err, ps->f->path, it[best].line,
				"duplicate key \"%s\" in [%s] (first at line %d)",
				it[best].key, it[best].sect, it[best - 1].line);
	return diag_set(err, ps->f->path, it[best].line,
			"duplicate section [%s] (first at line %d)", it[best].sect, it[best - 1].line);
}

static int check_dups(const struct parser *ps, struct diag_err *err)
{
	const struct ckanini_file *f = ps->f;
	struct dup_item *keys = xmalloc((f->n + 1) * sizeof *keys);
	struct dup_item *sects = xmalloc((f->nsections + 1) * sizeof *sects);
	struct diag_err ek, es;
	size_t i, ns = 0;
	int rk, rs;

	for (i = 0; i < f->n; i++) {
		keys[i].sect = f->entries[i].section;
		keys[i].key = f->entries[i].key;
		keys[i].line = f->entries[i].line;
	}
	/* [DEFAULT] may be repeated: configparser checks only sections it
	 * keeps in _sections, and DEFAULT is not one of them. */
	for (i = 0; i < f->nsections; i++) {
		if (strcmp(f->sections[i].name, "DEFAULT") == 0)
			continue;
		sects[ns].sect = f->sections[i].name;
		sects[ns].key = NULL;
		sects[ns++].line = f->sections[i].line;
	}
	rk = find_dup(ps, f->n, keys, 1, &ek);
	rs = find_dup(ps, ns, sects, 0, &es);
	free(keys);
	free(sects);
	if (rk == 0 && rs == 0)
		return 0;
	if (err)
		*err = (rs != 0 && (rk == 0 || es.line < ek.line)) ? es : ek;
	return -1;
}

/* ---- the API ---- */

void ckanini_free(struct ckanini_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->entries[i].section);
		free(f->entries[i].key);
		free(f->entries[i].raw);
	}
	for (i = 0; i < f->nsections; i++)
		free(f->sections[i].name);
	free(f->entries);
	free(f->sections);
	free(f->path);
	memset(f, 0, sizeof *f);
}

static int first_eol_is_crlf(const char *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (d[i] == '\n' || d[i] == '\r')
			return d[i] == '\r' && i + 1 < len && d[i + 1] == '\n';
	return 0;
}

static int parse_lines(struct parser *ps, struct diag_err *err)
{
	const struct ckanini_file *f = ps->f;
	size_t pos = 0, end, next;
	int line = 0;

	while (pos < f->len) {
		next = next_line(ps->d, f->len, pos, ps->py3, &end);
		line++;
		if ((ps->py3 ? line_py3 : line_py2)(ps, pos, end, line, err) < 0)
			return -1;
		pos = next;
	}
	close_open(ps);
	if (ps->py3 && check_dups(ps, err) < 0)
		return -1;
	if (ps->has_perr) {
		if (err)
			*err = ps->perr;
		return -1;
	}
	return 0;
}

int ckanini_parse(const char *path, const char *data, size_t len, enum ckanini_dialect dialect,
	      struct ckanini_file *f, struct diag_err *err)
{
	struct parser ps;
	int rc;

	memset(f, 0, sizeof *f);
	f->path = xstrdup(path ? path : "");
	f->data = data;
	f->len = len;
	f->dialect = dialect;
	f->has_bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0;
	f->crlf = first_eol_is_crlf(data, len);
	if (len >= INT_MAX) {
		diag_set(err, path, 0, "file too large");
		ckanini_free(f);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.f = f;
	ps.d = (const unsigned char *)data;
	ps.py3 = dialect != INI_CKAN_26;
	ps.cur = ps.open = NONE;
	buf_init(&ps.val);
	rc = check_bytes(f, ps.py3, err);
	if (rc == 0)
		rc = parse_lines(&ps, err);
	close_open(&ps);
	buf_free(&ps.val);
	if (rc < 0)
		ckanini_free(f);
	return rc;
}

int ckanini_has_section(const struct ckanini_file *f, const char *section)
{
	size_t i;

	if (strcmp(section, "DEFAULT") == 0)
		return 1;
	for (i = 0; i < f->nsections; i++)
		if (strcmp(f->sections[i].name, section) == 0)
			return 1;
	return 0;
}

/* The key as the dialect stores it (lower-cased for CKAN 2.9). */
static char *xform(const struct ckanini_file *f, const char *key)
{
	char *k = xstrdup(key);

	fold_key(f, k);
	return k;
}

/* The last entry for an already transformed key. */
static const struct ckanini_entry *find_entry(const struct ckanini_file *f, const char *section,
					  const char *key)
{
	size_t i;

	for (i = f->n; i-- > 0;)
		if (strcmp(f->entries[i].key, key) == 0 && strcmp(f->entries[i].section, section) == 0)
			return &f->entries[i];
	return NULL;
}

const struct ckanini_entry *ckanini_lookup(const struct ckanini_file *f, const char *section, const char *key)
{
	char *k = xform(f, key);
	const struct ckanini_entry *e = find_entry(f, section, k);

	free(k);
	return e;
}

size_t ckanini_lookup_all(const struct ckanini_file *f, const char *section, const char *key,
		      const struct ckanini_entry **out, size_t max)
{
	char *k = xform(f, key);
	size_t i, n = 0;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->entries[i].key, k) != 0 || strcmp(f->entries[i].section, section) != 0)
			continue;
		if (n < max)
			out[n] = &f->entries[i];
		n++;
	}
	free(k);
	return n;
}

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

/* Does the stored key equal name[0..n) after the dialect's optionxform? */
static int key_is(const struct ckanini_file *f, const char *key, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (f->dialect == INI_CKAN_29 && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (key[i] != c)	/* also stops at key's NUL */
			return 0;
	}
	return key[n] == '\0';
}

static const struct ckanini_entry *find_entry_n(const struct ckanini_file *f, const char *section,
					    const char *name, size_t n)
{
	size_t i;

	for (i = f->n; i-- > 0;)
		if (key_is(f, f->entries[i].key, name, n) && strcmp(f->entries[i].section, section) == 0)
			return &f->entries[i];
	return NULL;
}

/* The raw value %(name)s stands for: the section, Python 2's implicit
 * __name__, [DEFAULT], then the defaults CKAN passes to the parser.  NULL
 * when unknown. */
static const char *var_value(const struct interp *ip, const char *name, size_t n)
{
	const struct ckanini_entry *e = find_entry_n(ip->f, ip->section, name, n);

	if (e)
		return e->raw;
	if (ip->f->dialect == INI_CKAN_26 && key_is(ip->f, "__name__", name, n))
		return ip->section;
	if ((e = find_entry_n(ip->f, "DEFAULT", name, n)) != NULL)
		return e->raw;
	if (key_is(ip->f, "here", name, n))
		return ip->here;
	if (key_is(ip->f, "__file__", name, n))
		return ip->file;
	return NULL;
}

static int interp_fail(struct interp *ip, const char *what)
{
	return diag_set(ip->err, ip->f->path, ip->line, "value of \"%s\": %s", ip->key, what);
}

static int interp_unknown(struct interp *ip, const char *name, size_t n)
{
	return diag_set(ip->err, ip->f->path, ip->line,
			"value of \"%s\": %%(%.*s)s names no key in [%s] or [DEFAULT]",
			ip->key, (int)n, name, ip->section);
}

/* Reads "%(name)s" at p: the name is p[2..2+*n), the text goes on at
 * *after.  0, or -1 when p is not a valid reference ("%\(([^)]+)\)s"). */
static int var_ref(const char *p, size_t *n, const char **after)
{
	const char *close = strchr(p + 2, ')');

	if (!close || close == p + 2 || close[1] != 's')
		return -1;
	*n = (size_t)(close - p - 2);
	*after = close + 2;
	return 0;
}

static int interp_budget(struct interp *ip)
{
	if (++ip->steps > INTERP_MAX_STEPS || ip->out.len > INTERP_MAX_OUT)
		return interp_fail(ip, "interpolation expands beyond 16 MiB or a million references");
	return 0;
}

/* Python 3's BasicInterpolation._interpolate_some: "%%" is '%', "%(name)s"
 * is name's value, itself interpolated when it holds a '%'. */
static int interp_py3(struct interp *ip, const char *v, int depth)
{
	if (depth > MAX_INTERPOLATION_DEPTH)
		return interp_fail(ip, "%(name)s references nest deeper than 10 levels");
	while (*v) {
		const char *p = strchr(v, '%'), *after, *val;
		size_t n;

		if (!p) {
			buf_adds(&ip->out, v);
			return 0;
		}
		buf_add(&ip->out, v, (size_t)(p - v));
		if (interp_budget(ip) < 0)
			return -1;
		if (p[1] == '%') {
			buf_addc(&ip->out, '%');
			v = p + 2;
			continue;
		}
		if (p[1] != '(')
			return interp_fail(ip, "'%' must be followed by '%' or '(' (write \"%%\" for a literal '%')");
		if (var_ref(p, &n, &after) < 0)
			return interp_fail(ip, "bad %(name)s reference");
		if (!(val = var_value(ip, p + 2, n)))
			return interp_unknown(ip, p + 2, n);
		if (strchr(val, '%')) {
			if (interp_py3(ip, val, depth + 1) < 0)
				return -1;
		} else {
			buf_adds(&ip->out, val);
		}
		v = after;
	}
	return 0;
}

/* One pass of Python 2's "value % vars" (after its _KEYCRE rewrite): only
 * "%%" and "%(name)s" are supported; Python 2 would also format other
 * conversions ("%(x)r", "%s" of the whole dict), which we report as errors. */
static int interp_py2_pass(struct interp *ip, const char *v)
{
	while (*v) {
		const char *p = strchr(v, '%'), *after, *val;
		size_t n;

		if (!p) {
			buf_adds(&ip->out, v);
			return 0;
		}
		buf_add(&ip->out, v, (size_t)(p - v));
		if (interp_budget(ip) < 0)
			return -1;
		if (p[1] == '%') {
			buf_addc(&ip->out, '%');
			v = p + 2;
			continue;
		}
		if (p[1] != '(' || var_ref(p, &n, &after) < 0)
			return interp_fail(ip, "a value holding \"%(\" may only use \"%(name)s\" and \"%%\"");
		if (!(val = var_value(ip, p + 2, n)))
			return interp_unknown(ip, p + 2, n);
		buf_adds(&ip->out, val);
		v = after;
	}
	return 0;
}

/* Python 2's ConfigParser._interpolate: repeat the % pass while the value
 * holds "%(", at most MAX_INTERPOLATION_DEPTH times; a value without "%("
 * is returned as written (a lone '%' is fine). */
static int interp_py2(struct interp *ip, const char *raw, char **value)
{
	char *v = xstrdup(raw);
	int depth;

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

int ckanini_get(const struct ckanini_file *f, const char *section, const char *key,
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
	k = xform(f, key);
	memset(&ip, 0, sizeof ip);
	ip.f = f;
	ip.section = section;
	ip.here = here ? here : "";
	ip.file = file ? file : "";
	ip.err = err;
	e = find_entry(f, section, k);
	if (!e)
		e = find_entry(f, "DEFAULT", k);
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
