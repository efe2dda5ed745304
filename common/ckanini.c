/*
 * ini: reads a CKAN ini file the way CKAN reads it and remembers where
 * every value sits in the original bytes.  CKAN >= 2.9 read the file with
 * Python 3's configparser (Lib/configparser.py, RawConfigParser._read and
 * _join_multiline_values, BasicInterpolation); CKAN 2.6-2.8 with Python 2's
 * ConfigParser under paste.deploy.
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
 *  - The handler builds the entries from libinih's name and value: it maps
 *    them back to byte spans (libinih only trims their ends), strips what
 *    Python 3 counts as whitespace and C does not (\x1c-\x1f, U+00A0, ...),
 *    applies Python 2's " ;" comment and '""' rules, lower-cases keys for
 *    CKAN 2.9, and finds duplicates as strict configparser raises them.
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
 * libinih's knobs are process globals (Debian builds it with
 * INI_RUNTIME_OPTIONS): they are set before every parse (set_inih_options),
 * the same for every dialect, so one process may parse in all three.  Not
 * thread-safe, like libinih itself with those globals.
 */
#include "ckanini.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "arena.h"
#include "ascii.h"
#include "buf.h"
#include "hashidx.h"

#define NONE SIZE_MAX

/* configparser.MAX_INTERPOLATION_DEPTH, in Python 2 and 3 alike. */
#define MAX_INTERPOLATION_DEPTH 10

/* A value that references another many times, nested ten deep, expands
 * exponentially; Python would run out of memory.  These bounds keep us
 * alive on such files and are far beyond any real configuration. */
#define INTERP_MAX_OUT ((size_t)16 << 20)
#define INTERP_MAX_STEPS 1000000L

/* The strings of a model (section names, keys, raw values) live in an
 * arena, and the lookup index maps (section, key) to the entry CKAN
 * reads: the last one. */
struct ckanini_store {
	struct arena strings;
	struct hashidx index;	/* (section, key) -> the entry CKAN reads */
};

/* What the reader made of the line it handed libinih last. */
enum line_kind {
	L_OTHER,		/* libinih calls no handler for it */
	L_KEY,			/* a key line */
	L_CONT,			/* a continuation line of the open key */
};

struct parser {
	struct ckanini_file *f;
	const unsigned char *d;
	int py3;
	size_t ecap, scap;
	size_t cur;		/* index in f->sections of the current header */
	uint64_t cur_hash;	/* section_hash of its name */
	size_t open;		/* the entry the next lines may continue */
	size_t indent_level;	/* Python 3: indentation of the last key/header line */
	struct buf val;		/* the open entry's value, once it spans lines */
	size_t blanks;		/* Python 3: empty lines that may still be inside it */
	struct ckanini_store *st;	/* f->store */
	struct hashidx sects;	/* Python 3: every section name but DEFAULT */

	/* the reader */
	size_t pos;		/* where the next physical line starts */
	int line;		/* the line handed to libinih last (1-based) */
	enum line_kind kind;	/* ... and what it is */
	size_t a, b;		/* its text in the file, as handed (after the guard) */
	size_t eol;		/* Python 2 key line: where the line ends ("\r" kept) */
	size_t guard;		/* 1 when a guard byte precedes the text */
	const char *piece[3];	/* what libinih gets: prefix, text, "\n" */
	size_t plen[3];
	int pi;			/* the piece being handed; 3: all handed */
	size_t poff;

	/* errors */
	int stop;		/* fatal: the reader hands no more lines */
	struct diag_err fatal;
	int empty_name_line;	/* first "= v" line (Python 3) */
	int has_cr;		/* the file has a '\r' somewhere */
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
static size_t next_line(const unsigned char *d, size_t len, size_t pos, int universal, size_t *end)
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

/* configparser's optionxform: str.lower() for CKAN 2.9 (ASCII only here:
 * a gap for non-ASCII capitals, which no CKAN key has), str for the rest. */
static void fold_key(const struct ckanini_file *f, char *k)
{
	if (f->dialect == INI_CKAN_29)
		ascii_lower(k, strlen(k));
}

/* ---- indexes (duplicates, as strict configparser raises them) ---- */

/* The hash of a section name, onto which its keys' hashes are chained. */
static uint64_t
section_hash(const void *name, size_t n)
{
	return hashidx_hash(HASHIDX_SEED, name, n);
}

/* Entry id has the same section and key as entry *key (hashidx_eq). */
static int
same_key(const void *ctx, uint32_t id, const void *key)
{
	const struct parser *ps = ctx;
	const struct ckanini_entry *x = &ps->f->entries[id];
	const struct ckanini_entry *y = &ps->f->entries[*(const size_t *)key];

	return strcmp(x->key, y->key) == 0 &&
	       (x->section == y->section || strcmp(x->section, y->section) == 0);
}

/* Section id has the name of section *key (hashidx_eq). */
static int
same_section(const void *ctx, uint32_t id, const void *key)
{
	const struct parser *ps = ctx;

	return strcmp(ps->f->sections[id].name, ps->f->sections[*(const size_t *)key].name) == 0;
}

/* A fatal error: configparser raises it at once, so the reader hands
 * libinih no more lines.  Nonzero when the caller should fill ps->fatal
 * (the first fatal error is the one raised). */
static int fatal(struct parser *ps)
{
	if (ps->stop)
		return 0;
	ps->stop = 1;
	return 1;
}

/* ---- the model ---- */

static void store_free(struct ckanini_store *st)
{
	if (!st)
		return;
	arena_free(&st->strings);
	hashidx_free(&st->index);
	free(st);
}

static void close_open(struct parser *ps)
{
	if (ps->open == NONE)
		return;
	/* Empty lines still pending are the ones '\n'.join(...).rstrip()
	 * drops. */
	if (ps->f->entries[ps->open].multiline)
		ps->f->entries[ps->open].raw = arena_strndup(&ps->st->strings, ps->val.data, ps->val.len);
	ps->open = NONE;
	ps->blanks = 0;
}

/* A header [a, b) is the name between the brackets.  Python 3 keeps
 * [DEFAULT] apart from _sections, so only other names may not repeat. */
static void add_section(struct parser *ps, size_t a, size_t b, int line)
{
	struct ckanini_file *f = ps->f;
	struct ckanini_section *s;
	uint32_t dup;

	close_open(ps);
	if (f->nsections == ps->scap) {
		ps->scap = ps->scap ? 2 * ps->scap : 8;
		f->sections = xrealloc(f->sections, ps->scap * sizeof *f->sections);
	}
	s = &f->sections[f->nsections];
	s->name = arena_strndup(&ps->st->strings, ps->d + a, b - a);
	s->line = line;
	ps->cur = f->nsections++;
	ps->cur_hash = section_hash(ps->d + a, b - a);
	if (!ps->py3 || strcmp(s->name, "DEFAULT") == 0)
		return;
	dup = hashidx_put(&ps->sects, hashidx_fold(ps->cur_hash), (uint32_t)ps->cur, 0, same_section,
			  ps, &ps->cur);
	if (dup != HASHIDX_NONE && fatal(ps))
		diag_set(&ps->fatal, f->path, line, "duplicate section [%s] (first at line %d)", s->name,
			 f->sections[dup].line);
}

/* A key line: name [ka, kb), value span [va, vb); raw_empty for Python
 * 2's quirk that reads a value written "" as empty.  A value that goes on
 * over several lines is stored again when it ends (close_open). */
static void add_entry(struct parser *ps, size_t ka, size_t kb, size_t va, size_t vb, int raw_empty)
{
	struct ckanini_file *f = ps->f;
	struct ckanini_entry *e;
	size_t klen = kb - ka, rlen = raw_empty ? 0 : vb - va;
	uint32_t dup, h;
	char *block;

	close_open(ps);
	if (f->n == ps->ecap) {
		ps->ecap = ps->ecap ? 2 * ps->ecap : 16;
		f->entries = xrealloc(f->entries, ps->ecap * sizeof *f->entries);
	}
	block = arena_alloc(&ps->st->strings, klen + rlen + 2);
	memcpy(block, ps->d + ka, klen);
	block[klen] = '\0';
	fold_key(f, block);
	memcpy(block + klen + 1, ps->d + va, rlen);
	block[klen + 1 + rlen] = '\0';
	e = &f->entries[f->n];
	e->section = f->sections[ps->cur].name;	/* shared with the header */
	e->key = block;
	e->raw = block + klen + 1;
	e->line = e->last_line = ps->line;
	e->val_off = va;
	e->val_len = vb - va;
	e->multiline = 0;
	ps->open = f->n++;
	ps->blanks = 0;
	/* Python 2: the last one wins; strict Python 3: an error. */
	h = hashidx_fold(hashidx_hash(ps->cur_hash, block, klen));
	dup = hashidx_put(&ps->st->index, h, (uint32_t)ps->open, !ps->py3, same_key, ps, &ps->open);
	if (dup != HASHIDX_NONE && ps->py3 && fatal(ps))
		diag_set(&ps->fatal, f->path, ps->line, "duplicate key \"%s\" in [%s] (first at line %d)",
			 e->key, e->section, f->entries[dup].line);
}

/* A continuation line [a, b) of the open entry (never empty). */
static void add_piece(struct parser *ps, size_t a, size_t b)
{
	struct ckanini_entry *e = &ps->f->entries[ps->open];

	if (!e->multiline) {
		buf_reset(&ps->val);
		buf_adds(&ps->val, e->raw);
		e->multiline = 1;
	}
	while (ps->blanks > 0) {
		buf_addc(&ps->val, '\n');
		ps->blanks--;
	}
	buf_addc(&ps->val, '\n');
	buf_add(&ps->val, ps->d + a, b - a);
	e->last_line = ps->line;
}

/* Does the open entry take more lines?  configparser: "cursect is not None
 * and optname", and an empty name is false. */
static int open_continues(const struct parser *ps)
{
	return ps->cur != NONE && ps->open != NONE && ps->f->entries[ps->open].key[0] != '\0';
}

/* ---- the reader: configparser's view of each line, handed to libinih ---- */

/* The guard byte: put in front of a line whose first byte libinih would
 * misread ('[' of a key line, '#' or ';' of a Python 2 continuation);
 * libinih keeps it in the name or value and the handler drops it.  Any
 * byte but whitespace, '[', '#', ';', '=' and ':' would do. */
#define GUARD "!"

/* Hand libinih prefix + the file's bytes [a, b) + "\n" as the next line. */
static void hand(struct parser *ps, enum line_kind kind, const char *prefix, size_t a, size_t b)
{
	ps->kind = kind;
	ps->a = a;
	ps->b = b;
	ps->eol = b;
	/* the guard, if any, is the prefix's last byte */
	ps->guard = kind != L_OTHER && prefix[0] != '\0' && prefix[strlen(prefix) - 1] == GUARD[0];
	ps->piece[0] = prefix;
	ps->plen[0] = strlen(prefix);
	ps->piece[1] = (const char *)ps->d + a;
	ps->plen[1] = b - a;
	ps->piece[2] = "\n";
	ps->plen[2] = 1;
	ps->pi = 0;
	ps->poff = 0;
}

static int missing_header(struct parser *ps)
{
	if (fatal(ps))
		diag_set(&ps->fatal, ps->f->path, ps->line, "text before the first [section] header");
	return -1;
}

/* Line [a0, b0) as Python 3's RawConfigParser._read sees it (strict,
 * empty_lines_in_values, comment prefixes '#' ';' on the stripped line, no
 * inline comments, delimiters '=' ':').  Python strips Unicode whitespace
 * and libinih only C's, so every line is handed stripped; indentation is
 * compared here and handed on as libinih's sign of a continuation. */
static int classify_py3(struct parser *ps, size_t a0, size_t b0)
{
	const unsigned char *d = ps->d;
	size_t indent, a, b, k;

	a = lstrip(ps, a0, b0, &indent);
	b = rstrip(ps, a, b0);
	if (a == b) {
		/* libinih skips it and keeps its key open; Python 3 keeps an
		 * empty line inside a value if more of the value follows. */
		if (open_continues(ps))
			ps->blanks++;
		hand(ps, L_OTHER, "", a, b);
		return 0;
	}
	if (d[a] == '#' || d[a] == ';') {
		hand(ps, L_OTHER, "", a, b);	/* a comment to both */
		return 0;
	}
	if (open_continues(ps) && indent > ps->indent_level) {
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
			add_section(ps, a + 1, k - 1, ps->line);
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
static int is_rem(const unsigned char *p, size_t n)
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
static int classify_py2(struct parser *ps, size_t a0, size_t b0)
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
		add_section(ps, a0 + 1, (size_t)(rb - d), ps->line);
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
static int next_for_inih(struct parser *ps)
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
static char *read_line(char *str, int num, void *stream)
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

static int disagree(struct parser *ps)
{
	if (fatal(ps))
		diag_set(&ps->fatal, ps->f->path, ps->line,
			 "internal error: libinih read this line unlike configparser");
	return 0;
}

/* Does libinih's string s of n bytes equal the file's bytes at off? */
static int is_file_text(const struct parser *ps, const char *s, size_t n, size_t off, size_t end)
{
	return off <= end && n <= end - off && memcmp(s, ps->d + off, n) == 0;
}

/* A continuation line: libinih's value is the text handed, guard and all. */
static int on_piece(struct parser *ps, const char *value)
{
	size_t n = strlen(value);

	if (n != ps->guard + (ps->b - ps->a) || !is_file_text(ps, value + ps->guard, n - ps->guard, ps->a, ps->b))
		return disagree(ps);
	add_piece(ps, ps->a, ps->b);
	return 1;
}

/* A key line.  libinih's name starts the handed text (after the guard)
 * and its value ends it: both only lose C whitespace at their ends, so
 * their lengths give their spans. */
static int on_key(struct parser *ps, const char *name, const char *value)
{
	const unsigned char *d = ps->d;
	const unsigned char *semi;
	size_t nlen = strlen(name), vlen = strlen(value), ka = ps->a, kb, va, vb, vend;
	int quirk;

	if (nlen < ps->guard)
		return disagree(ps);
	kb = ka + nlen - ps->guard;
	vend = rstrip(ps, ps->a, ps->eol);
	if (!is_file_text(ps, name + ps->guard, kb - ka, ka, vend) || vlen > vend - kb ||
	    !is_file_text(ps, value, vlen, vend - vlen, vend))
		return disagree(ps);
	va = vend - vlen;
	if (ps->py3) {
		/* Python 3 also strips \x1c-\x1f and Unicode spaces:
		 * OPTCRE's \s around the delimiter, then optname.rstrip(). */
		add_entry(ps, ka, rstrip(ps, ka, kb), lstrip(ps, va, vend, NULL), vend, 0);
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
	 * "\r" included (an empty one starts there).  ';' starts a comment
	 * only when whitespace precedes it, and only the first ';' is looked
	 * at; at the value's start, Python indexes optval[-1]: the value's
	 * last byte decides. */
	vb = ps->eol;
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
	add_entry(ps, ka, kb, va, vb, quirk);
	return 1;
}

/* libinih's ini_handler.  Its section is not used: cut at 49 bytes and
 * ended at the first ']', it is not configparser's (the reader keeps the
 * sections).  The reader's kind tells a continuation from a key line that
 * repeats the same name. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;

	(void)section;
	if (ps->stop)
		return 1;
	if (ps->kind == L_CONT)
		return on_piece(ps, value);
	if (ps->kind == L_KEY)
		return on_key(ps, name, value);
	return disagree(ps);
}

/* libinih's knobs, as configparser needs them, before every parse. */
static char comment_prefixes[] = "#;";
static char inline_prefixes[] = ";";

static void set_inih_options(void)
{
	ini_allow_multiline = true;		/* continuation lines */
	ini_allow_bom = false;			/* check_bytes refuses a BOM: every CKAN fails on it */
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

static int read_all(struct parser *ps, struct diag_err *err)
{
	int rc;

	set_inih_options();
	rc = ini_parse_stream(read_line, ps, on_pair, ps);
	close_open(ps);
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

/* ---- the API ---- */

void ckanini_free(struct ckanini_file *f)
{
	if (!f)
		return;
	store_free(f->store);	/* every name, key and value */
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

/* About how many lines (so at most how many keys): the '\n's, plus one. */
static size_t count_lines(const char *d, size_t len)
{
	const char *p = d, *end = d + len;
	size_t n = 1;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
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
	/* Lines are handed to libinih with up to three bytes more. */
	if (len >= INT_MAX - 16) {
		diag_set(err, path, 0, "file too large");
		ckanini_free(f);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.f = f;
	ps.d = (const unsigned char *)data;
	ps.py3 = dialect != INI_CKAN_26;
	ps.has_cr = memchr(data, '\r', len) != NULL;
	ps.cur = ps.open = NONE;
	ps.pi = 3;
	ps.st = f->store = xmalloc(sizeof *f->store);
	memset(ps.st, 0, sizeof *ps.st);
	arena_init(&ps.st->strings);
	hashidx_init(&ps.st->index);
	hashidx_reserve(&ps.st->index, count_lines(data, len));	/* no rehashing on the way */
	hashidx_init(&ps.sects);
	buf_init(&ps.val);
	rc = check_bytes(f, ps.py3, err);
	if (rc == 0)
		rc = read_all(&ps, err);
	close_open(&ps);
	buf_free(&ps.val);
	hashidx_free(&ps.sects);
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

static int key_is(const struct ckanini_file *f, const char *key, const char *name, size_t n);

/* What find_entry_n looks for. */
struct entry_key {
	const struct ckanini_file *f;
	const char *section, *name;
	size_t n;
};

/* Entry id is the one entry_key *key names (hashidx_eq). */
static int
entry_is(const void *ctx, uint32_t id, const void *key)
{
	const struct entry_key *k = key;
	const struct ckanini_entry *e = &k->f->entries[id];

	(void)ctx;
	return key_is(k->f, e->key, k->name, k->n) && strcmp(e->section, k->section) == 0;
}

/* The last entry for name[0..n) in section (name transformed by the
 * dialect's optionxform as it is hashed and compared), from the index. */
static const struct ckanini_entry *find_entry_n(const struct ckanini_file *f, const char *section,
					    const char *name, size_t n)
{
	struct entry_key k = { f, section, name, n };
	char small[128], *folded;
	uint32_t h, id;

	if (!f->store)
		return NULL;
	folded = n < sizeof small ? small : xmalloc(n + 1);
	/* hashed as add_entry hashes the stored key: optionxform first */
	memcpy(folded, name, n);
	folded[n] = '\0';
	fold_key(f, folded);
	h = hashidx_fold(hashidx_hash(section_hash(section, strlen(section)), folded, n));
	if (folded != small)
		free(folded);
	id = hashidx_find(&f->store->index, h, entry_is, NULL, &k);
	return id == HASHIDX_NONE ? NULL : &f->entries[id];
}

/* The last entry for an already transformed key. */
static const struct ckanini_entry *find_entry(const struct ckanini_file *f, const char *section,
					  const char *key)
{
	return find_entry_n(f, section, key, strlen(key));
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

		if (f->dialect == INI_CKAN_29)
			c = (char)ascii_tolower((unsigned char)c);

		if (key[i] != c)	/* also stops at key's NUL */
			return 0;
	}
	return key[n] == '\0';
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
static int interp_py3(struct interp *ip, const char *v, int depth)
{
	const char *after, *val;
	size_t n;
	int rc;

	if (depth > MAX_INTERPOLATION_DEPTH)
		return interp_fail(ip, "%(name)s references nest deeper than 10 levels");
	while ((rc = copy_to_ref(ip, &v)) > 0) {
		if (v[1] != '(')
			return interp_fail(ip, "'%' must be followed by '%' or '(' (write \"%%\" for a literal '%')");
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
static int interp_py2_pass(struct interp *ip, const char *v)
{
	const char *after, *val;
	size_t n;
	int rc;

	while ((rc = copy_to_ref(ip, &v)) > 0) {
		if (v[1] != '(' || var_ref(v, &n, &after) < 0)
			return interp_fail(ip, "a value holding \"%(\" may only use \"%(name)s\" and \"%%\"");
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
