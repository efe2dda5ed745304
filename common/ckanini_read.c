/*
 * ckanini_read: the libinih glue of the CKAN ini reader (common/ckanini.h).
 * CKAN >= 2.9 read the file with Python 3's configparser
 * (Lib/configparser.py, RawConfigParser._read and _join_multiline_values);
 * CKAN 2.6-2.8 with Python 2's ConfigParser under paste.deploy.  This file
 * decides, line by line, what each of them makes of the file, and hands
 * the result to common/ckanini.c's model.
 *
 * libinih reads the file: ini_parse_stream() runs over our own line reader
 * (read_line) and calls our handler (on_pair) with each name and value.
 * The work is split like this:
 *
 *  - libinih decides, for the line it is handed: comment or blank (skipped),
 *    section header (ends the open key), continuation of the open key
 *    (leading whitespace) or "name = value" split at the first '=' or ':'
 *    with both sides stripped, and a line that is none of these (its
 *    return value: the first such line).
 *
 *  - The reader sees the physical lines and decides what libinih cannot
 *    know.  It cuts the lines as each Python does (universal newlines for
 *    Python 3, '\n' for Python 2), so libinih's line number is the file's.
 *    It classifies each line by configparser's rules and hands libinih
 *    the line in a form that makes libinih give configparser's answer:
 *    Python 3 strips a line by Unicode whitespace (libinih: C isspace())
 *    and continues a key only on lines indented deeper than the key line
 *    (libinih: on any indented line), so the reader hands a continuation
 *    line as " " + its stripped text and every other line stripped, with
 *    no indentation; Python 2 continues on any indented line but reads an
 *    indented line as nothing else.  The reader also records what libinih
 *    never reports to a handler: blank lines inside a value (Python 3 keeps
 *    them), section headers and their lines (configparser's header rules
 *    differ from libinih's, below), and the line and byte offsets the
 *    handler turns libinih's strings back into spans with.
 *
 *  - The handler turns libinih's name and value into spans: their lengths
 *    are all it needs (libinih only trims their ends, and the reader knows
 *    where the text it handed sits in the file).  It strips what Python 3
 *    counts as whitespace and C does not (\x1c-\x1f, U+00A0, ...), applies
 *    Python 2's " ;" comment and '""' rules, and hands the spans to the
 *    model (common/ckanini.c), which lower-cases keys for CKAN 2.9 and
 *    finds duplicates as strict configparser raises them.
 *
 * Where libinih cannot be made to agree, the reader handles the line
 * itself, and says why where it does:
 *  - section headers: Python 3's run to the last ']' ("[a]b]" is "a]b"),
 *    libinih's to the first, and libinih cuts names at 49 bytes; "[]" is no
 *    header for configparser.  The reader records the header; libinih is
 *    still handed it, only so that it ends the open key as configparser
 *    does, and the handler ignores libinih's section argument;
 *  - a line starting with '[' that is not a configparser header ("[k = v",
 *    "[]") would be a header, or a broken one, to libinih: it is handed
 *    with a one-byte guard in front, which the handler drops again; so is
 *    a Python 2 continuation line starting with '#' or ';' (libinih checks
 *    comments before continuations);
 *  - lines Python 2 refuses but libinih would read as a key ("= v",
 *    indented lines with no key open) are handed as a line libinih refuses
 *    too, so that neither its open key nor the error line differ;
 *  - Python 2's "rem" comments are handed as a comment;
 *  - a key before the first header (libinih: section "") and duplicates are
 *    errors configparser raises at once: the reader stops there;
 *  - "= v" (an empty name) is a key to libinih and an error to Python 3:
 *    the handler refuses it (so libinih reports its line) after recording
 *    it as configparser does.
 *
 * libinih's knobs are process globals in Debian's build (see ckanini.h):
 * they are set before every parse (set_inih_options), the same for every
 * dialect, so one process may parse in all three.  Not thread-safe, like
 * libinih itself with those globals.
 */
#include "ckanini_int.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

/*
 * Debian's libinih (libinih-dev 55) is the one this reader is written for:
 * its ini.h declares each option as a process global (ini_max_line,
 * ini_use_stack, ...) next to the compile-time default, and
 * set_inih_options sets them.  Another build of inih fixes them when it is
 * compiled: lines cut at 199 bytes and their rest read as a new line,
 * inline " ;" comments, a 200-byte stack buffer.  The preprocessor sees
 * only the macros, which upstream inih defines too; so the #if checks
 * refuse what they can tell apart (another ini.h, one without the option
 * macros of Debian's 55, a handler with line numbers), and the
 * _Static_assert names the Debian build when the globals are missing.
 */
#if !defined(INI_H) || !defined(INI_MAX_LINE) || !defined(INI_ALLOW_NO_VALUE) || \
	!defined(INI_CUSTOM_ALLOCATOR) || !defined(INI_STOP_ON_FIRST_ERROR)
#error "common/ckanini_read.c needs Debian's libinih-dev (inih 55, options as runtime globals)"
#endif
#if INI_HANDLER_LINENO
#error "common/ckanini_read.c needs libinih's handler without line numbers (INI_HANDLER_LINENO 0)"
#endif
/* On one line, so that the compiler's "undeclared" error shows the reason. */
_Static_assert(sizeof ini_max_line > 0, "needs Debian's libinih-dev: options as runtime globals");

/* ---- whitespace, as each Python strips it ---- */

/* Python 2 strips byte strings with C isspace(): " \t\n\v\f\r". */
static int
py2_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Length of the Python 3 whitespace character at p (str.isspace(), which is
 * also what re's \s matches), 0 when p does not start one.  Beyond ASCII's
 * \t\n\v\f\r, \x1c-\x1f and space: U+0085, U+00A0, U+1680, U+2000-U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000.
 */
static size_t
py3_space(const unsigned char *p, size_t n)
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
static size_t
space_at(const struct parser *ps, size_t i, size_t end)
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
static size_t
space_before(const struct parser *ps, size_t start, size_t i)
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
static size_t
lstrip(const struct parser *ps, size_t a, size_t b, size_t *chars)
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

static size_t
rstrip(const struct parser *ps, size_t a, size_t b)
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
static size_t
utf8_len(const unsigned char *p, size_t n)
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
static int
line_of(const unsigned char *d, size_t len, size_t off, int universal)
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

static int
check_bytes(const struct ckanini_file *f, int py3, struct diag_err *err)
{
	const unsigned char *d = (const unsigned char *)f->data;
	size_t i, k;

	if (f->len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
		return diag_set(err, f->path, 1, py3 ?
				"UTF-8 byte order mark: CKAN >= 2.9 cannot read this file" :
				"UTF-8 byte order mark: CKAN 2.6-2.8 cannot read this file");
	for (i = 0; i < f->len; i += k) {
		uint64_t w;

		/* eight bytes at a time while they are ASCII without NUL */
		k = 8;
		if (f->len - i >= 8) {
			memcpy(&w, d + i, 8);
			if (((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL) == 0)
				continue;
		}
		k = 1;
		if (d[i] >= 0x01 && d[i] < 0x80)
			continue;
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
static size_t
next_line(const unsigned char *d, size_t len, size_t pos, int universal, size_t *end)
{
	size_t i = pos;

	if (universal == 1) {
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

/* ---- the reader: configparser's view of each line, handed to libinih ---- */

/* The guard byte: put in front of a line whose first byte libinih would
 * misread ('[' of a key line, '#' or ';' of a Python 2 continuation).
 * libinih keeps it in the name or value: on_key takes it off the name's
 * length, and a continuation's value is never read.  Any byte but
 * whitespace, '[', '#', ';', '=' and ':' would do. */
#define GUARD "!"

/* Hand libinih prefix + the file's bytes [a, b) + "\n" as the next line. */
static void
hand(struct parser *ps, enum line_kind kind, const char *prefix, size_t a, size_t b)
{
	ps->kind = kind;
	ps->a = a;
	ps->b = b;
	/* the guard, if any, is the prefix's last byte */
	ps->guard = kind == L_KEY && prefix[0] == GUARD[0];
	ps->piece[0] = prefix;
	ps->plen[0] = strlen(prefix);
	ps->piece[1] = (const char *)ps->d + a;
	ps->plen[1] = b - a;
	ps->piece[2] = "\n";
	ps->plen[2] = 1;
	ps->pi = 0;
	ps->poff = 0;
}

static int
missing_header(struct parser *ps)
{
	if (parser_fatal(ps))
		diag_set(&ps->fatal, ps->f->path, ps->line,
			 "text before the first [section] header");
	return -1;
}

/* Line [a0, b0) as Python 3's RawConfigParser._read sees it (strict,
 * empty_lines_in_values, comment prefixes '#' ';' on the stripped line, no
 * inline comments, delimiters '=' ':').  Python strips Unicode whitespace
 * and libinih only C's, so every line is handed stripped; indentation is
 * compared here and handed on as libinih's sign of a continuation. */
static int
classify_py3(struct parser *ps, size_t a0, size_t b0)
{
	const unsigned char *d = ps->d;
	size_t indent, a, b, k;

	a = lstrip(ps, a0, b0, &indent);
	b = rstrip(ps, a, b0);
	if (a == b) {
		/* libinih skips it and keeps its key open; Python 3 keeps an
		 * empty line inside a value if more of the value follows. */
		if (ckanini_open_continues(ps))
			ps->blanks++;
		hand(ps, L_OTHER, "", a, b);
		return 0;
	}
	if (d[a] == '#' || d[a] == ';') {
		hand(ps, L_OTHER, "", a, b);	/* a comment to both */
		return 0;
	}
	if (ckanini_open_continues(ps) && indent > ps->indent_level) {
		hand(ps, L_CONT, " ", a, b);
		return 0;
	}
	ps->indent_level = indent;
	/* SECTCRE "\[(?P<header>.+)\]" matched at the start: greedy, so the
	 * header runs to the last ']' and anything after it is ignored.
	 * libinih would cut it at the first ']' and at 49 bytes: the header
	 * is recorded here, and handed only to end libinih's open key. */
	if (d[a] == '[') {
		for (k = b; k > a + 2 && d[k - 1] != ']'; k--)
			;
		if (k > a + 2) {
			ckanini_add_section(ps, a + 1, k - 1, ps->line);
			hand(ps, L_OTHER, "", a, b);
			return 0;
		}
	}
	if (ps->cur == NONE)
		return missing_header(ps);
	/* A key line, or a line without delimiter that libinih refuses as
	 * configparser does.  One starting with '[' is no header here
	 * ("[k = v", "[]"), but would be to libinih: guard it. */
	hand(ps, L_KEY, d[a] == '[' ? GUARD : "", a, b);
	return 0;
}

/* Python 2's "rem" comment: the first word is "rem" in any case, at the
 * very start of the line. */
static int
is_rem(const unsigned char *p, size_t n)
{
	if (n < 3 || (p[0] != 'r' && p[0] != 'R') || (p[1] != 'e' && p[1] != 'E') ||
	    (p[2] != 'm' && p[2] != 'M'))
		return 0;
	return n == 3 || py2_space(p[3]);
}

/* Line [a0, b0) as Python 2's ConfigParser._read sees it (paste.deploy
 * keeps keys as written).  The line is not stripped before matching, so
 * leading whitespace matters: a continuation when a key is open, else an
 * error.  A key line is handed whole: its value may end in "\r" (no
 * universal newlines) and trailing blanks, which decide Python 2's " ;"
 * rule (the handler's). */
static int
classify_py2(struct parser *ps, size_t a0, size_t b0)
{
	const unsigned char *d = ps->d;
	const unsigned char *rb;
	size_t a, b;

	a = lstrip(ps, a0, b0, NULL);
	b = rstrip(ps, a, b0);
	if (a == b || d[a0] == '#' || d[a0] == ';') {
		hand(ps, L_OTHER, "", a0, b0);	/* blank or comment to both */
		return 0;
	}
	if (is_rem(d + a0, b0 - a0)) {
		hand(ps, L_OTHER, "#", a0, a0);	/* a comment libinih does not know */
		return 0;
	}
	if (py2_space(d[a0]) && ps->cur != NONE && ps->open != NONE) {
		/* libinih looks for comments before continuations; Python 2
		 * does not on an indented line. */
		hand(ps, L_CONT, d[a] == '#' || d[a] == ';' ? " " GUARD : " ", a, b);
		return 0;
	}
	/* SECTCRE "\[(?P<header>[^]]+)\]": up to the first ']', like
	 * libinih's, but libinih's is cut at 49 bytes and may be empty. */
	if (d[a0] == '[' && a0 + 1 < b0 && d[a0 + 1] != ']' &&
	    (rb = memchr(d + a0 + 1, ']', b0 - a0 - 1)) != NULL) {
		ckanini_add_section(ps, a0 + 1, (size_t)(rb - d), ps->line);
		hand(ps, L_OTHER, "", a0, b0);
		return 0;
	}
	if (ps->cur == NONE)
		return missing_header(ps);
	/* OPTCRE "(?P<option>[^:=\s][^:=]*)\s*(?P<vi>[:=])\s*(?P<value>.*)$"
	 * wants a name at the very start.  libinih would read "= v" as an
	 * empty name and "  k = v" as a key, and forget its open key either
	 * way; Python 2 keeps optname.  Hand a line libinih refuses too. */
	if (py2_space(d[a0]) || d[a0] == '=' || d[a0] == ':') {
		hand(ps, L_OTHER, GUARD, a0, a0);
		return 0;
	}
	hand(ps, L_KEY, d[a0] == '[' ? GUARD : "", a0, b0);
	return 0;
}

/* Classify the next physical line and make it the one to hand; -1 at the
 * end of the file or after a fatal error. */
static int
next_for_inih(struct parser *ps)
{
	size_t end, next;
	int rc;

	if (ps->stop || ps->pos >= ps->f->len)
		return -1;
	/* Without a '\r' in the file, universal newlines are just '\n'. */
	next = next_line(ps->d, ps->f->len, ps->pos, ps->py3 && ps->has_cr, &end);
	ps->line++;
	rc = (ps->py3 ? classify_py3 : classify_py2)(ps, ps->pos, end);
	ps->pos = next;
	return rc;
}

/* libinih's ini_reader, fgets() style: at most num - 1 bytes of the line
 * being handed, the rest on the next call (libinih grows its buffer and
 * asks again until it has the "\n"). */
static char *
read_line(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	size_t room, n = 0, k;

	if (num < 2)
		return NULL;
	if (ps->pi == 3 && next_for_inih(ps) < 0)
		return NULL;
	room = (size_t)num - 1;
	while (ps->pi < 3 && n < room) {
		k = ps->plen[ps->pi] - ps->poff;
		if (k > room - n)
			k = room - n;
		memcpy(str + n, ps->piece[ps->pi] + ps->poff, k);
		n += k;
		ps->poff += k;
		if (ps->poff == ps->plen[ps->pi]) {
			ps->pi++;
			ps->poff = 0;
		}
	}
	str[n] = '\0';
	return str;
}

/* ---- the handler: libinih's name and value, made into entries ---- */

/*
 * A key line.  libinih's name starts the handed text (after the guard)
 * and its value ends it: both only lose C whitespace at their ends, so
 * their lengths give their spans.  The reader handed the text from
 * [ps->a, ps->b) of the file, so no byte of libinih's strings needs
 * reading again.
 */
static int
on_key(struct parser *ps, size_t nlen, size_t vlen)
{
	const unsigned char *d = ps->d;
	const unsigned char *semi;
	size_t ka = ps->a, kb = ka + nlen - ps->guard, va, vb, vend;
	int quirk;

	vend = rstrip(ps, ka, ps->b);
	va = vend - vlen;
	if (ps->py3) {
		/* Python 3 also strips \x1c-\x1f and Unicode spaces:
		 * OPTCRE's \s around the delimiter, then optname.rstrip(). */
		ckanini_add_entry(ps, ka, rstrip(ps, ka, kb), lstrip(ps, va, vend, NULL), vend, 0);
		if (kb != ka)
			return 1;
		/* "= v": an empty name is a parsing error (raised at the end),
		 * yet configparser stores it; refusing it makes libinih
		 * report the line. */
		if (!ps->empty_name_line)
			ps->empty_name_line = ps->line;
		return 0;
	}
	/* Python 2's optval runs to the end of the line, trailing blanks and
	 * "\r" included (an empty one starts there): the reader handed the
	 * whole line.  ';' starts a comment only when whitespace precedes it,
	 * and only the first ';' is looked at; at the value's start, Python
	 * indexes optval[-1]: the value's last byte decides. */
	vb = ps->b;
	if (vlen == 0)
		va = vb;
	semi = memchr(d + va, ';', vb - va);
	if (semi) {
		size_t p = (size_t)(semi - d);

		if (py2_space(p == va ? d[vb - 1] : d[p - 1]))
			vb = p;
	}
	vb = rstrip(ps, va, vb);
	quirk = vb - va == 2 && d[va] == '"' && d[va + 1] == '"';	/* optval == '""' -> '' */
	ckanini_add_entry(ps, ka, kb, va, vb, quirk);
	return 1;
}

/*
 * libinih's ini_handler.  Its section is not used: cut at 49 bytes and
 * ended at the first ']', it is not configparser's (the reader keeps the
 * sections).  The reader's kind tells a continuation from a key line that
 * repeats the same name.  A continuation's value is the text the reader
 * handed, [ps->a, ps->b) of the file; libinih calls no handler for the
 * other lines.
 */
static int
on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;

	(void)section;
	if (ps->stop)
		return 1;
	if (ps->kind == L_CONT)
		ckanini_add_piece(ps, ps->a, ps->b);
	else if (ps->kind == L_KEY)
		return on_key(ps, strlen(name), strlen(value));
	return 1;
}

/* libinih's knobs, as configparser needs them, before every parse. */
static char comment_prefixes[] = "#;";
static char inline_prefixes[] = ";";

static void
set_inih_options(void)
{
	ini_allow_multiline = true;		/* continuation lines */
	ini_allow_bom = false;			/* check_bytes refuses it: every CKAN fails on it */
	ini_start_comment_prefixes = comment_prefixes;
	ini_allow_inline_comments = false;	/* none in Python 3; Python 2's " ;" is on_key's */
	ini_inline_comment_prefixes = inline_prefixes;
	ini_use_stack = false;			/* a heap line buffer ... */
	ini_allow_realloc = true;		/* ... that grows ... */
	ini_initial_alloc = 256;
	ini_max_line = INT_MAX;			/* ... without bound: no line is cut */
	ini_stop_on_first_error = false;	/* configparser reads on, then raises */
	ini_allow_no_value = false;		/* allow_no_value=False */
}

int
ckanini_read(struct parser *ps, struct diag_err *err)
{
	int rc;

	if (check_bytes(ps->f, ps->py3, err) < 0)
		return -1;
	set_inih_options();
	rc = ini_parse_stream(read_line, ps, on_pair, ps);
	ckanini_close_open(ps);
	if (ps->stop) {
		if (err)
			*err = ps->fatal;
		return -1;
	}
	if (rc == -2)
		return diag_set(err, ps->f->path, 0, "out of memory");
	if (rc > 0)
		return diag_set(err, ps->f->path, rc, "%s", rc == ps->empty_name_line ?
				"no key name before the '=' or ':'" :
				"neither a [section] header nor a key = value line");
	return rc == 0 ? 0 : diag_set(err, ps->f->path, 0, "libinih failed (%d)", rc);
}
