/*
 * pgconf: postgresql.conf read the way the server reads it.  The scanner is
 * a hand-written copy of the flex rules in PostgreSQL's guc-file.l (longest
 * match wins, ties go to the earlier rule), and the grammar is
 * ParseConfigFp's: a name (ID or QUALIFIED_ID), an optional '=', one value
 * token (ID, STRING, INTEGER, REAL or UNQUOTED_STRING), then the end of the
 * line.  include, include_if_exists and include_dir are followed like
 * ParseConfigFile and ParseConfigDirectory do, paths made absolute and
 * canonicalised like AbsoluteConfigLocation (PostgreSQL 15's
 * canonicalize_path), so that the file names we report are the ones
 * pg_file_settings shows.  tests/server/pgconf-oracle.t compares the two.
 */
#include "pgconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "ascii.h"
#include "buf.h"
#include "conffiles.h"
#include "hashidx.h"
#include "pgconf_int.h"

/* Files of this many bytes or more are read by read_big. */
#define BIG_FILE ((size_t)1 << 20)

enum tok { T_EOF, T_EOL, T_ID, T_QID, T_STRING, T_UNQ, T_INT, T_REAL, T_EQ, T_ERR };

struct token {
	enum tok t;
	size_t off, len;
};

struct lexer {
	const char *s;	/* s[len] is '\0' */
	size_t len, pos;
	int line;	/* the line pos is on */
};

/* The whitespace guc-file.l eats between tokens: [ \t\r]+ (a newline is a token). */
static const unsigned char is_blank[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1 };

/*
 * Byte classes for the parser's fast path over a plain setting line (see
 * fast_line): LETTER and DIGIT as guc-file.l has them, the blanks, and the
 * capitals a name is lower-cased for.
 */
enum { C_LETTER = 1, C_DIGIT = 2, C_BLANK = 4, C_UPPER = 8, C_WORD = C_LETTER | C_DIGIT };

static const unsigned char cls[256] = {
	['a' ... 'z'] = C_LETTER, ['A' ... 'Z'] = C_LETTER | C_UPPER, ['_'] = C_LETTER,
	[0x80 ... 0xff] = C_LETTER, ['0' ... '9'] = C_DIGIT,
	[' '] = C_BLANK, ['\t'] = C_BLANK, ['\r'] = C_BLANK,
};

/* LETTER in guc-file.l: [A-Za-z_\200-\377] */
static int is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static int is_letter_or_digit(unsigned char c)
{
	return is_letter(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the ID starting at p (0 when p does not start one). */
static size_t match_id(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0 || !is_letter(p[0]))
		return 0;
	for (i = 1; i < n && is_letter_or_digit(p[i]); i++)
		;
	return i;
}

/*
 * STRING: \'([^'\\\n]|\\.|\'\')*\' — the longest match.  At a quote we may
 * either close or, when another quote follows, read the pair as one quote;
 * the match is the last place where closing was possible.
 */
static size_t match_string(const unsigned char *p, size_t n)
{
	size_t i = 1, end = 0;

	while (i < n) {
		if (p[i] == '\n')
			break;
		if (p[i] == '\\') {
			if (i + 1 >= n || p[i + 1] == '\n')
				break;
			i += 2;
		} else if (p[i] == '\'') {
			end = i + 1;
			if (i + 1 < n && p[i + 1] == '\'')
				i += 2;
			else
				break;
		} else {
			i++;
		}
	}
	return end;
}

/* INTEGER: {SIGN}?({DIGIT}+|0x{HEXDIGIT}+){UNIT_LETTER}* */
static size_t match_integer(const unsigned char *p, size_t n)
{
	size_t i = 0, a = 0, b = 0, j;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	/* decimal digits, then unit letters */
	for (j = i; j < n && is_digit(p[j]); j++)
		;
	if (j > i) {
		while (j < n && is_alpha(p[j]))
			j++;
		a = j;
	}
	/* 0x and hex digits, then unit letters */
	if (i + 2 < n && p[i] == '0' && p[i + 1] == 'x' && is_hex(p[i + 2])) {
		for (j = i + 2; j < n && is_hex(p[j]); j++)
			;
		while (j < n && is_alpha(p[j]))
			j++;
		b = j;
	}
	return a > b ? a : b;
}

/* REAL: {SIGN}?{DIGIT}*"."{DIGIT}*([Ee]{SIGN}?{DIGIT}+)? */
static size_t match_real(const unsigned char *p, size_t n)
{
	size_t i = 0, j;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	while (i < n && is_digit(p[i]))
		i++;
	if (i >= n || p[i] != '.')
		return 0;
	i++;
	while (i < n && is_digit(p[i]))
		i++;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		j = i + 1;
		if (j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j < n && is_digit(p[j])) {
			while (j < n && is_digit(p[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/*
 * The next token; whitespace and comments are skipped as the lexer eats
 * them.  pos and len are kept in locals: a stored token may alias the
 * lexer, and most of a stock postgresql.conf is blanks and comments.
 */
static void lex(struct lexer *lx, struct token *t)
{
	const unsigned char *s = (const unsigned char *)lx->s;
	const unsigned char *p;
	size_t pos = lx->pos, len = lx->len, n;

	for (;;) {
		while (is_blank[s[pos]])	/* s[len] is '\0', which ends the scan */
			pos++;
		if (s[pos] == '#') {
			/* "#.*": flex's '.' is anything but a newline, NUL included. */
			const void *nl = memchr(s + pos, '\n', len - pos);

			pos = nl ? (size_t)((const unsigned char *)nl - s) : len;
			continue;
		}
		break;
	}
	lx->pos = pos;
	t->off = pos;
	t->len = 0;
	if (pos >= len) {
		t->t = T_EOF;
		return;
	}
	p = s + pos;
	n = len - pos;
	if (p[0] == '\n') {
		t->t = T_EOL;
		t->len = 1;
	} else if (is_letter(p[0])) {
		/*
		 * ID, QUALIFIED_ID or UNQUOTED_STRING, whichever is longest.  The
		 * other two are made of UNQUOTED_STRING's bytes, so when its run
		 * holds none of - . : / all three are the same length: an ID.
		 */
		size_t id, qid = 0, unq = 1;
		int plain = 1;

		for (; unq < n; unq++) {
			unsigned char c = p[unq];

			if (is_letter_or_digit(c))
				continue;
			if (c != '-' && c != '.' && c != ':' && c != '/')
				break;
			plain = 0;
		}
		id = plain ? unq : match_id(p, n);
		if (!plain && id < n && p[id] == '.' && match_id(p + id + 1, n - id - 1) > 0)
			qid = id + 1 + match_id(p + id + 1, n - id - 1);
		if (id >= qid && id >= unq) {
			t->t = T_ID;
			t->len = id;
		} else if (qid >= unq) {
			t->t = T_QID;
			t->len = qid;
		} else {
			t->t = T_UNQ;
			t->len = unq;
		}
	} else if (p[0] == '\'') {
		t->len = match_string(p, n);
		t->t = t->len ? T_STRING : T_ERR;
	} else if (p[0] == '=') {
		t->t = T_EQ;
		t->len = 1;
	} else {
		size_t in = match_integer(p, n), re = match_real(p, n);

		if (in == 0 && re == 0)
			t->t = T_ERR;
		else if (in >= re) {
			t->t = T_INT;
			t->len = in;
		} else {
			t->t = T_REAL;
			t->len = re;
		}
	}
	if (t->t == T_ERR)
		t->len = 1;
	lx->pos += t->len;
	if (t->t == T_EOL)
		lx->line++;
}

/*
 * Where the lexer would go from pos, the start of a line: past every line
 * that holds only blanks and a comment, to the first byte of a line's first
 * token (or len).  This is lex()'s own skip loop plus its T_EOL, without a
 * call and a token per line: a stock postgresql.conf is four fifths
 * comments and blank lines.  A '#' inside a quoted string is never reached
 * here, since the quote starts a token first.  s[len] must be '\0' (as
 * pgconf_file.data is): that byte stops each scan, so no length checks.
 * *line counts the lines passed.
 */
static inline size_t
skip_empty_lines(const unsigned char *s, size_t len, size_t pos, int *line)
{
	for (;;) {
		while (is_blank[s[pos]])
			pos++;
		if (s[pos] == '#') {
			/* "#.*": flex's '.' is anything but a newline, NUL included. */
			const void *nl = memchr(s + pos, '\n', len - pos);

			if (!nl)
				return len;
			pos = (size_t)((const unsigned char *)nl - s);
		}
		if (s[pos] != '\n')
			return pos;
		pos++;
		(*line)++;
	}
}

size_t pgconf_skip_lines(const char *s, size_t len, size_t pos, int fast, int *line)
{
	struct lexer lx;
	struct token t;

	if (fast)
		return skip_empty_lines((const unsigned char *)s, len, pos, line);
	lx.s = s;
	lx.len = len;
	lx.pos = pos;
	lx.line = *line;
	do
		lex(&lx, &t);
	while (t.t == T_EOL);
	*line = lx.line;
	return t.off;
}

/*
 * Eight bytes at a time: the runs of a setting line are short, but a
 * byte-class loop pays a load, a lookup and a branch for every byte.  A
 * word is loaded from memory as it lies, whatever the byte order; the
 * helpers answer for each byte in that byte's high bit.
 */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t
load8(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* The high bit of each byte of w that is in [lo, hi], for 0 < lo <= hi < 0x7f. */
static inline uint64_t
bytes_in(uint64_t w, unsigned lo, unsigned hi)
{
	uint64_t w7 = w & ~HIGHS;	/* no byte's sum below carries into the next */

	return (w7 + ONES * (0x80 - lo)) & ~(w7 + ONES * (0x7f - hi)) & ~w & HIGHS;
}

/* Where in memory the first byte flagged in m lies (m != 0). */
static inline size_t
first_flagged(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) / 8;
#else
	return (size_t)__builtin_ctzll(m) / 8;
#endif
}

/* w with the bytes at and after the first r in memory cleared (r < 8). */
static inline uint64_t
first_bytes(uint64_t w, size_t r)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return w & ~(~UINT64_C(0) >> (8 * r));
#else
	return w & ((UINT64_C(1) << (8 * r)) - 1);
#endif
}

/*
 * Past the run of bytes of class run (C_DIGIT, or C_WORD: LETTER or
 * DIGIT) that goes on at s + q, where s[0..end) may be read and s[end - 1]
 * is '\0'.
 */
static inline size_t
skip_run(const unsigned char *s, size_t q, size_t end, unsigned char run)
{
	for (; q + 8 <= end; q += 8) {
		uint64_t w = load8(s + q), in = bytes_in(w, '0', '9');

		if (run == C_WORD)	/* A-Z as a-z, '_', and every byte from 0x80 */
			in |= bytes_in(w | ONES * 0x20, 'a', 'z') | bytes_in(w, '_', '_') |
			      (w & HIGHS);
		if (in != HIGHS)
			return q + first_flagged(~in & HIGHS);
	}
	while (cls[s[q]] & run)
		q++;
	return q;
}

/*
 * The usual setting line, read without the lexer: a name of letters and
 * digits, blanks, an optional '=', a value that is a run of letters and
 * digits, a run of digits or a quoted string, then only blanks and a
 * comment up to the end of the line.  On such a line every token is the
 * one lex() would give: a run of letters and digits that a blank, a '#' or
 * the line's end stops is an ID (a QUALIFIED_ID or UNQUOTED_STRING needs a
 * - . : / in it), and a run of digits so stopped is an INTEGER (no unit
 * letters, no hex, no '.', so no REAL).  A run stopped by any other byte
 * fails one of the checks below: a name's run is then followed by no
 * value, a value's by more than blanks and a comment.  Such a line returns
 * 0 with lx untouched, and the lexer reads it instead, errors included.
 * On success lx is past the line (and its newline), and *eof says whether
 * the file ended there.
 */
static int fast_line(struct lexer *lx, struct token *name, struct token *val, int *eof)
{
	const unsigned char *s = (const unsigned char *)lx->s;
	size_t p = lx->pos, q = p + 1;
	unsigned char c;

	if (!(cls[s[p]] & C_LETTER))
		return 0;
	q = skip_run(s, q, lx->len + 1, C_WORD);
	name->t = T_ID;
	name->off = p;
	name->len = q - p;
	if (s[q] == ' ' && s[q + 1] == '=' && s[q + 2] == ' ' && !(cls[s[q + 3]] & C_BLANK)) {
		q += 3;		/* the usual " = " */
	} else {
		while (cls[s[q]] & C_BLANK)
			q++;
		if (s[q] == '=') {
			q++;
			while (cls[s[q]] & C_BLANK)
				q++;
		}
	}
	p = q;
	c = cls[s[q]];
	if (c & C_WORD) {
		unsigned char run = c & C_DIGIT ? C_DIGIT : C_WORD;

		q = skip_run(s, q + 1, lx->len + 1, run);
		val->t = run == C_DIGIT ? T_INT : T_ID;
	} else if (s[q] == '\'') {
		size_t n = match_string(s + q, lx->len - q);

		if (n == 0 || memchr(s + q, '\0', n))
			return 0;
		q += n;
		val->t = T_STRING;
	} else {
		return 0;
	}
	val->off = p;
	val->len = q - p;
	while (cls[s[q]] & C_BLANK)
		q++;
	if (s[q] == '#') {
		const void *nl = memchr(s + q, '\n', lx->len - q);

		q = nl ? (size_t)((const unsigned char *)nl - s) : lx->len;
	}
	if (s[q] == '\n') {
		lx->pos = q + 1;
		lx->line++;
		*eof = 0;
	} else if (q == lx->len) {
		lx->pos = q;
		*eof = 1;
	} else {
		return 0;
	}
	return 1;
}

/*
 * GUC_scanstr: strip the quotes, turn '' into ' and apply the backslash
 * escapes \b \f \n \r \t and \ooo; any other escaped byte stands for
 * itself.  Like the server's C string, the value ends at a \0 escape.
 * out has room for len bytes.
 */
static char *unquote_into(char *out, const char *s, size_t len)
{
	size_t i, j = 0;

	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '\\') {
			i++;
			switch (s[i]) {
			case 'b': out[j++] = '\b'; break;
			case 'f': out[j++] = '\f'; break;
			case 'n': out[j++] = '\n'; break;
			case 'r': out[j++] = '\r'; break;
			case 't': out[j++] = '\t'; break;
			case '0': case '1': case '2': case '3':
			case '4': case '5': case '6': case '7': {
				unsigned v = 0;
				int k;

				for (k = 0; k < 3 && i + 1 < len && s[i] >= '0' && s[i] <= '7'; k++, i++)
					v = (v << 3) + (unsigned)(s[i] - '0');
				i--;
				out[j++] = (char)(unsigned char)v;
				break;
			}
			default:
				out[j++] = s[i];
				break;
			}
		} else if (s[i] == '\'' && s[i + 1] == '\'') {
			out[j++] = '\'';
			i++;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

void pgconf_quote(struct buf *b, const char *v)
{
	buf_addc(b, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			buf_adds(b, "''");
		else if (*v == '\\')
			buf_adds(b, "\\\\");
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *v);
	}
	buf_addc(b, '\'');
}

/* Bytes to hold a name of n bytes, its NUL and zeros up to a whole word (name_hash_padded). */
static inline size_t
padded_size(size_t n)
{
	return (n + 8) & ~(size_t)7;
}

/*
 * pgconf_name_hash of the n-byte name at p, which is followed by zero
 * bytes up to a whole word: hashidx_hash reads the last partial word as
 * those zeros, so it is read whole here, without a copy of its bytes.
 * This is hashidx_hash's mixing, step for step; tests/unit/pgconf.c
 * proves the two equal on names of every length up to 40.
 */
static inline uint32_t
name_hash_padded(const char *p, size_t n)
{
	uint64_t h = HASHIDX_SEED, w;
	size_t k = n;

	for (; k >= 8; p += 8, k -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	memcpy(&w, p, 8);
	h = (h ^ w ^ ((uint64_t)k << 59)) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	return (uint32_t)(h ^ (h >> 32));	/* hashidx_fold */
}

/*
 * Copy the n bytes at src to d and zeros after them up to padded_size(n)
 * (name_hash_padded reads a name so); src[0..room) may be read.  Returns
 * whether the bytes hold an ASCII capital.
 */
static inline int
copy_padded(char *d, const char *src, size_t n, size_t room)
{
	size_t size = padded_size(n), k;
	uint64_t w, caps = 0;

	if (size > room) {	/* near the end of the file: byte by byte */
		memset(d + size - 8, 0, 8);
		for (k = 0; k < n; k++) {
			d[k] = src[k];
			caps |= cls[(unsigned char)src[k]] & C_UPPER;
		}
		return caps != 0;
	}
	for (k = 0; k + 8 <= n; k += 8) {
		w = load8(src + k);
		caps |= bytes_in(w, 'A', 'Z');
		memcpy(d + k, &w, 8);
	}
	w = first_bytes(load8(src + k), n - k);
	caps |= bytes_in(w, 'A', 'Z');
	memcpy(d + k, &w, 8);
	return caps != 0;
}

/* guc_name_compare lower-cases ASCII letters only: a second copy, lower-cased. */
static char *lower_copy(struct pgconf_model *m, const char *raw, size_t n)
{
	size_t size = padded_size(n);
	char *d = arena_alloc(&m->mem, size);

	memcpy(d, raw, size);
	ascii_lower(d, n);
	return d;
}

static inline int is_directive(const char *lname)
{
	return lname[0] == 'i' && strncmp(lname, "include", 7) == 0 && (lname[7] == '\0' ||
	       strcmp(lname + 7, "_if_exists") == 0 || strcmp(lname + 7, "_dir") == 0);
}

void pgconf_init(struct pgconf_model *m)
{
	m->set = NULL;
	m->n = 0;
	m->files = NULL;
	m->nfiles = 0;
	arena_init(&m->mem);
	m->hash_of = NULL;
	m->cap = 0;
}

void pgconf_free(struct pgconf_model *m)
{
	size_t i;

	arena_free(&m->mem);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].data);
	}
	free(m->set);
	free(m->hash_of);
	free(m->files);
	pgconf_init(m);
}

size_t pgconf_forget_file(struct pgconf_model *m, const char *path)
{
	char *target = realpath(path, NULL);
	unsigned char *same;
	size_t i, k = 0, dropped = 0;

	if (!target)
		return 0;
	/* One realpath per file, not per setting. */
	same = xmalloc(m->nfiles + 1);
	for (i = 0; i < m->nfiles; i++) {
		char *f = realpath(m->files[i].path, NULL);

		same[i] = f && strcmp(f, target) == 0;
		free(f);
	}
	for (i = 0; i < m->n; i++) {
		if (same[m->set[i].file]) {
			dropped++;	/* its strings stay in m's memory until pgconf_free */
			continue;
		}
		m->hash_of[k] = m->hash_of[i];
		m->set[k++] = m->set[i];
	}
	m->n = k;
	free(same);
	free(target);
	return dropped;
}

static size_t add_file(struct pgconf_model *m, const char *path, char *data, size_t len)
{
	struct pgconf_file *f;

	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof *m->files);
	f = &m->files[m->nfiles];
	f->path = xstrdup(path);
	f->data = data;
	f->len = len;
	return m->nfiles++;
}

/*
 * Room for cap settings.  The arrays move to new pages (arena_pages) rather
 * than grow by realloc: mremap keeps the pages they had and places the
 * rest off the huge-page boundaries.
 */
static void
reserve_settings(struct pgconf_model *m, size_t cap)
{
	struct pgconf_setting *set;
	unsigned int *hash_of;

	if (cap <= m->cap)
		return;
	if (cap > SIZE_MAX / sizeof *set)
		diag_oom();
	set = arena_pages(cap * sizeof *set);
	hash_of = arena_pages(cap * sizeof *hash_of);
	if (m->n) {
		memcpy(set, m->set, m->n * sizeof *set);
		memcpy(hash_of, m->hash_of, m->n * sizeof *hash_of);
	}
	free(m->set);
	free(m->hash_of);
	m->set = set;
	m->hash_of = hash_of;
	m->cap = cap;
}

/*
 * A new setting at the end of m, its fields for the caller to fill, every
 * one, and name_hash in m->hash_of too.
 */
static struct pgconf_setting *add_setting(struct pgconf_model *m)
{
	struct pgconf_setting *s;

	if (m->n == m->cap)
		reserve_settings(m, m->n ? 2 * m->n : 16);
	s = &m->set[m->n++];
	return s;
}

/* A token quoted for a message: at most 40 bytes, unprintable ones as \xHH. */
static void token_text(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < len && i < 40 && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
	}
	if (i < len && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Why the token t cannot stand where it is. */
static int token_error(struct diag_err *err, const char *path, int line, const char *s,
		       const struct token *t)
{
	char text[200];

	if (t->t == T_EOL || t->t == T_EOF)
		return diag_set(err, path, line, "missing value");
	if (t->t == T_ERR && s[t->off] == '\'')
		return diag_set(err, path, line, "unterminated quoted string");
	if (t->t == T_ERR && s[t->off] == '\0')
		return diag_set(err, path, line, "NUL byte");
	token_text(s + t->off, t->len, text, sizeof text);
	return diag_set(err, path, line, "syntax error near \"%s\"", text);
}

/* A directive found while parsing, for the loader to follow. */
struct loader;
static int follow(struct loader *L, size_t file, int line, const char *directive, const char *value,
		  int depth);

/*
 * ParseConfigFp over file index fi of m.  With L == NULL the include
 * directives are kept as settings; otherwise they are followed at once, so
 * that included settings land in reading order.  fast: read plain setting
 * lines by fast_line, else every line by the lexer (the test seam).
 */
static int parse_file(struct pgconf_model *m, size_t fi, struct loader *L, int depth, int fast,
		      struct diag_err *err)
{
	struct lexer lx;
	struct token name, val, t;

	lx.s = m->files[fi].data;
	lx.len = m->files[fi].len;
	lx.pos = 0;
	lx.line = 1;
	/* guesses at a large file's settings and strings: the arrays then need not move */
	if (lx.len >= BIG_FILE) {
		reserve_settings(m, m->n + lx.len / 32);
		arena_reserve(&m->mem, lx.len / 4);
	}
	for (;;) {
		const char *path = m->files[fi].path;
		const char *lname;
		char *raw;
		int line, eof, upper;

		/* A line that starts with a name (the common setting line) has nothing to skip. */
		if (!(cls[(unsigned char)lx.s[lx.pos]] & C_LETTER))
			lx.pos = skip_empty_lines((const unsigned char *)lx.s, lx.len, lx.pos, &lx.line);
		line = lx.line;
		if (!fast || !fast_line(&lx, &name, &val, &eof)) {
			lex(&lx, &name);
			if (name.t == T_EOF)
				return 0;
			if (name.t == T_EOL)
				continue;
			if (name.t != T_ID && name.t != T_QID)
				return token_error(err, path, line, lx.s, &name);
			lex(&lx, &val);
			if (val.t == T_EQ)
				lex(&lx, &val);
			if (val.t != T_ID && val.t != T_STRING && val.t != T_INT &&
			    val.t != T_REAL && val.t != T_UNQ)
				return token_error(err, path, line, lx.s, &val);
			if (val.t == T_STRING && memchr(lx.s + val.off, '\0', val.len))
				return diag_set(err, path, line, "NUL byte");
			lex(&lx, &t);
			if (t.t != T_EOL && t.t != T_EOF)
				return token_error(err, path, line, lx.s, &t);
			eof = t.t == T_EOF;
		}

		/* name and value in one piece, each zero-padded to whole words */
		raw = arena_alloc(&m->mem, padded_size(name.len) + padded_size(val.len));
		upper = copy_padded(raw, lx.s + name.off, name.len, lx.len + 1 - name.off);
		lname = upper ? lower_copy(m, raw, name.len) : raw;
		if (L && is_directive(lname)) {
			const char *vs = lx.s + val.off;
			char *v = val.t == T_STRING ? unquote_into(xmalloc(val.len), vs, val.len)
						    : xstrndup(vs, val.len);
			int rc = follow(L, fi, line, lname, v, depth);

			free(v);
			if (rc < 0)
				return -1;
		} else {
			struct pgconf_setting *s = add_setting(m);
			char *v = raw + padded_size(name.len);

			copy_padded(v, lx.s + val.off, val.len, lx.len + 1 - val.off);
			s->name = lname;
			s->name_raw = raw;
			s->value_raw = v;
			s->quoted = val.t == T_STRING;
			s->value = v;
			if (s->quoted)
				s->value = unquote_into(arena_alloc(&m->mem, val.len), v, val.len);
			s->file = (unsigned int)fi;
			s->name_hash = name_hash_padded(lname, name.len);
			m->hash_of[m->n - 1] = s->name_hash;
			s->line = line;
			s->name_off = name.off;
			s->val_off = val.off;
			s->val_len = val.len;
		}
		if (eof)
			return 0;
	}
}

int pgconf_parse_buf_by(struct pgconf_model *m, const char *path, const char *data, size_t len,
			int fast, struct diag_err *err)
{
	char *copy = xmalloc(len + 1);
	size_t fi;

	memcpy(copy, data, len);
	copy[len] = '\0';
	fi = add_file(m, path, copy, len);
	return parse_file(m, fi, NULL, 0, fast, err);
}

int pgconf_parse_buf(struct pgconf_model *m, const char *path, const char *data, size_t len,
		     struct diag_err *err)
{
	return pgconf_parse_buf_by(m, path, data, len, 1, err);
}

struct loader {
	struct pgconf_model *m;
	struct diag_err *err;
	struct conf_stack open;		/* the files being read, to name a loop */
};

/*
 * A regular file of BIG_FILE bytes or more, read into whole huge pages
 * (arena_pages), or NULL: read it as any file, and leave any error to that
 * read to report.  Fresh 4 kB pages under a large file cost more than
 * parsing it, and so do the TLB misses of a mapping of the page cache.
 * A file that grows while read is also left to the other read.
 */
static char *
read_big(const char *path, struct stat *st, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t size, got = 0;
	char *p = NULL;
	ssize_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || (uintmax_t)st->st_size < BIG_FILE ||
	    (uintmax_t)st->st_size >= SIZE_MAX / 2)
		goto out;
	size = (size_t)st->st_size;
	p = arena_pages(size + 1);
	/* one byte more than the size: a read that fills it finds a grown file */
	while (got <= size) {
		n = read(fd, p + got, size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (n < 0 || got > size) {
		free(p);
		p = NULL;
		goto out;
	}
	p[got] = '\0';
	*len = got;
out:
	close(fd);
	return p;
}

/*
 * ParseConfigFile: path is already a conf_location.  Errors that concern
 * the include itself are reported at the including file and line
 * (calling), as the server records them; for the top file calling is NULL.
 */
static int load_file(struct loader *L, const char *path, int strict, const char *calling,
		     int calling_line, int depth)
{
	struct buf b;
	struct stat st;
	size_t fi, len;
	char *data;
	int rc;

	if (depth > CONF_FILE_MAX_DEPTH) {
		/* The server only counts; a loop is what usually gets that deep. */
		if (conf_stack_has(&L->open, path))
			return diag_set(L->err, calling, calling_line, "include loop: \"%s\" includes itself",
					path);
		return diag_set(L->err, calling, calling_line, "nesting depth exceeds %d",
				CONF_FILE_MAX_DEPTH);
	}
	data = read_big(path, &st, &len);
	if (data) {
		fi = add_file(L->m, path, data, len);
		goto parse;
	}
	buf_init(&b);
	rc = conf_read_file(&b, path, &st);
	if (rc < 0) {
		buf_free(&b);
		/* fopen() succeeds on a directory and reading it fails, even for include_if_exists */
		if (!strict && rc != -EISDIR)
			return 0;
		return diag_set(L->err, calling ? calling : path, calling ? calling_line : 0,
				"cannot open \"%s\": %s", path, strerror(-rc));
	}
	if (!b.data)
		buf_add(&b, "", 0);
	len = b.len;
	fi = add_file(L->m, path, buf_steal(&b), len);
parse:
	conf_stack_push(&L->open, &st);
	rc = parse_file(L->m, fi, L, depth, 1, L->err);
	conf_stack_pop(&L->open);
	return rc;
}

/* ParseConfigDirectory: the files conf_dir_files names, each as an include. */
static int load_dir(struct loader *L, const char *dir, const char *calling, int calling_line,
		    int depth)
{
	char **names, *failed;
	size_t n, i;
	int rc = 0;

	if (conf_dir_files(dir, &names, &n, &failed) < 0) {
		if (!failed)
			return diag_set(L->err, calling, calling_line,
					"cannot open directory \"%s\": %s", dir, strerror(errno));
		rc = diag_set(L->err, calling, calling_line, "cannot stat \"%s\": %s", failed,
			      strerror(errno));
		free(failed);
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = load_file(L, names[i], 1, calling, calling_line, depth);
	conf_dir_files_free(names, n);
	return rc;
}

static int follow(struct loader *L, size_t file, int line, const char *directive, const char *value,
		  int depth)
{
	char *calling, *loc;
	int rc;

	/*
	 * An all-blank name would name the including file's directory; the
	 * server refuses it before looking at the nesting depth.
	 */
	if (strspn(value, " \t\r\n") == strlen(value))
		return diag_set(L->err, L->m->files[file].path, line, "empty configuration %s name",
				strcmp(directive, "include_dir") == 0 ? "directory" : "file");
	/* Copy: loading appends to L->m->files and may move it. */
	calling = xstrdup(L->m->files[file].path);
	loc = conf_location(value, calling);
	if (strcmp(directive, "include_dir") == 0)
		rc = load_dir(L, loc, calling, line, depth + 1);
	else
		rc = load_file(L, loc, strcmp(directive, "include") == 0, calling, line, depth + 1);
	free(loc);
	free(calling);
	return rc;
}

int pgconf_load(struct pgconf_model *m, const char *path, int missing_ok, struct diag_err *err)
{
	struct loader L;

	L.m = m;
	L.err = err;
	L.open.n = 0;
	return load_file(&L, path, !missing_ok, NULL, 0, 0);
}

/*
 * From the last setting back: a name asked for is usually set at most a
 * few times, so a miss walks every setting, and each step must cost a hash
 * compare, not a case-folding one.  Settings hold lower-cased names: fold
 * the question once.  The walk reads the packed hashes, 4 bytes a setting,
 * not the settings themselves: on a 500 000-setting file the 72-byte
 * strides missed the cache at every step.
 */
const struct pgconf_setting *pgconf_effective(const struct pgconf_model *m, const char *name)
{
	char small[64], *lname = strlen(name) < sizeof small ? small : xstrdup(name);
	const struct pgconf_setting *found = NULL;
	unsigned int h;
	size_t i;

	if (lname == small)
		memcpy(small, name, strlen(name) + 1);
	ascii_lower(lname, strlen(lname));
	h = pgconf_name_hash(lname);
	if (!is_directive(lname))
		for (i = m->n; i-- > 0;)
			if (m->hash_of[i] == h && strcmp(m->set[i].name, lname) == 0) {
				found = &m->set[i];
				break;
			}
	if (lname != small)
		free(lname);
	return found;
}

unsigned int
pgconf_name_hash(const char *name)
{
	return hashidx_hash_str(name);
}

/*
 * Whether name id of the index ctx is the name key (hashidx_eq).  The
 * index keeps each name's first word (head): most names end in it, and
 * then the answer needs neither the setting nor its name, two places in
 * memory far apart that a large file's index finds in no cache.
 */
static int
index_has(const void *ctx, uint32_t id, const void *key)
{
	const struct pgconf_index *ix = ctx;
	const char *k = key;
	uint64_t w = 0;
	size_t n = 0;

	while (n < 8 && k[n])
		n++;
	memcpy(&w, k, n < 8 ? n + 1 : 8);	/* as head holds it: zeros after the NUL */
	if (ix->head[id] != w)
		return 0;
	return n < 8 || strcmp(ix->eff[id]->name + 8, k + 8) == 0;
}

/*
 * The same for a key that is a setting's name of a model: both names are
 * zero-padded to whole words (parse_file makes every one so), and they are
 * equal when their words are, up to the word that holds the NUL.
 */
static int
index_has_padded(const void *ctx, uint32_t id, const void *key)
{
	const struct pgconf_index *ix = ctx;
	const char *a = ix->eff[id]->name, *b = key;
	uint64_t w = load8(b);

	if (ix->head[id] != w)
		return 0;
	for (;;) {
		if ((w - ONES) & ~w & HIGHS)	/* a zero byte: the name ended */
			return 1;
		a += 8;
		b += 8;
		w = load8(b);
		if (load8(a) != w)
			return 0;
	}
}

/*
 * One pass over the settings with a hash table of the names seen so far:
 * a 100 000-line file has as many names, and sorting them by strcmp cost
 * more than reading the file.  The first appearance gives a name its slot,
 * the last its value.
 */
void
pgconf_index_init(struct pgconf_index *ix, const struct pgconf_model *m)
{
	size_t i;

	size_t cap = m->n ? m->n : 1;

	ix->eff = arena_pages(cap * sizeof *ix->eff);
	ix->hash = arena_pages(cap * sizeof *ix->hash);
	ix->head = arena_pages(cap * sizeof *ix->head);
	hashidx_init(&ix->idx);
	hashidx_reserve(&ix->idx, m->n);
	ix->n = 0;
	for (i = 0; i < m->n; i++) {
		const char *name = m->set[i].name;
		unsigned int h = m->hash_of[i];
		uint32_t x;

		/* the slot a few settings on, fetched while this one is put */
		if (i + 8 < m->n)
			hashidx_prefetch(&ix->idx, m->hash_of[i + 8]);
		if (is_directive(name))
			continue;
		x = hashidx_put(&ix->idx, h, (uint32_t)ix->n, 0, index_has_padded, ix, name);
		if (x == HASHIDX_NONE) {
			x = (uint32_t)ix->n++;
			ix->hash[x] = h;
			ix->head[x] = load8(name);
		}
		ix->eff[x] = &m->set[i];
	}
}

void
pgconf_index_free(struct pgconf_index *ix)
{
	free(ix->eff);
	free(ix->hash);
	free(ix->head);
	hashidx_free(&ix->idx);
	ix->eff = NULL;
	ix->hash = NULL;
	ix->head = NULL;
	ix->n = 0;
}

const struct pgconf_setting *
pgconf_index_find(const struct pgconf_index *ix, const char *name, unsigned int hash)
{
	uint32_t x = hashidx_find(&ix->idx, hash, index_has, ix, name);

	return x == HASHIDX_NONE ? NULL : ix->eff[x];
}

size_t
pgconf_index_pos(const struct pgconf_index *ix, const struct pgconf_setting *s)
{
	/* a setting's name is zero-padded, as parse_file makes them all */
	uint32_t x = hashidx_find(&ix->idx, s->name_hash, index_has_padded, ix, s->name);

	return x == HASHIDX_NONE ? (size_t)-1 : x;
}

size_t pgconf_effective_all(const struct pgconf_model *m, const struct pgconf_setting ***out)
{
	struct pgconf_index ix;
	size_t n;

	pgconf_index_init(&ix, m);
	*out = ix.eff;
	n = ix.n;
	ix.eff = NULL;
	pgconf_index_free(&ix);
	return n;
}
