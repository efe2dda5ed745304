/*
 * envfile: Docker Compose's .env reader (see envfile.h), rule for rule
 * after compose-go v2's dotenv/parser.go and template/template.go:
 *
 * - A statement starts at the first byte that is not white space (any
 *   Unicode space, line ends included); "#" there makes the rest of the
 *   line a comment.
 * - "export" followed by white space is dropped.  The key runs to the first
 *   '=', ':' or line end; it may hold letters, digits, '_', '.', '[' and ']'
 *   (a space inside it is an error).  A line end first makes it a bare
 *   "KEY", which Compose takes from its own environment.
 * - After the separator, spaces and tabs (not line ends) are skipped.  A
 *   value starting with ' or " is quoted: it runs to the matching unescaped
 *   quote, over line ends; a backslash before the quote escapes it, any
 *   other backslash stays.  In double quotes the escapes \a \b \f \n \r \t
 *   \v \\ \$ and \0NNN (octal) are then replaced; \c and unknown ones stay.
 *   Whatever follows the closing quote on the line starts the next
 *   statement (a "# comment" is skipped as any comment).
 * - An unquoted value runs to the line end, is cut at the first " #" and
 *   loses its trailing white space.
 * - Unquoted and double-quoted values are interpolated: $$ is '$', $NAME
 *   and ${NAME} the value of NAME, ${NAME:-x} ${NAME-x} ${NAME:?x}
 *   ${NAME?x} ${NAME:+x} ${NAME+x} as in the shell (x is interpolated in
 *   turn; a '}' closes the innermost "${"); a '$' before anything else stays.
 *   A "${" that is none of these is an error.  Names are
 *   [_A-Za-z][_A-Za-z0-9]* and resolve from earlier lines: unset is "".
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "envfile.h"

/* One byte of a value before interpolation: where it came from. */
struct tb {
	char c;
	size_t src, srclen;	/* the file bytes it stands for */
	int plain;		/* one for one with file byte src */
};

struct tbuf {
	struct tb *v;
	size_t n, cap;
};

struct parser {
	const char *path;
	const char *d;
	size_t len;
	struct envfile *f;
	struct diag_err *err;
	size_t line_off;	/* cache for line_at */
	int line_no;
	struct envfile_entry *cur;	/* the entry being read (refs, parts) */
	size_t cur_index;
	struct buf out;		/* the value being built */
	int depth;		/* ${...} nesting, bounded so a hostile file cannot exhaust the stack */
};

static void tb_add(struct tbuf *t, char c, size_t src, size_t srclen, int plain)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	t->v[t->n].c = c;
	t->v[t->n].src = src;
	t->v[t->n].srclen = srclen;
	t->v[t->n].plain = plain;
	t->n++;
}

/* 1-based line of byte off (offsets asked in rising order are cheap). */
static int line_at(struct parser *p, size_t off)
{
	if (off < p->line_off) {
		p->line_off = 0;
		p->line_no = 1;
	}
	for (; p->line_off < off && p->line_off < p->len; p->line_off++)
		if (p->d[p->line_off] == '\n')
			p->line_no++;
	return p->line_no;
}

static int fail(struct parser *p, size_t off, const char *msg, const char *arg)
{
	int line = line_at(p, off);
	size_t bol = off;

	while (bol > 0 && p->d[bol - 1] != '\n')
		bol--;
	if (arg)
		diag_set(p->err, p->path, line, "%s \"%s\"", msg, arg);
	else
		diag_set(p->err, p->path, line, "%s", msg);
	p->err->col = (int)(off - bol) + 1;
	return -1;
}

/* compose-go's isSpace: white space that is not a line end (width, or 0). */
static size_t space_at(const char *d, size_t len, size_t i)
{
	unsigned char c = (unsigned char)d[i];

	if (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ')
		return 1;
	if (c == 0xc2 && i + 1 < len && ((unsigned char)d[i + 1] == 0x85 || (unsigned char)d[i + 1] == 0xa0))
		return 2;
	return 0;
}

/* Go's unicode.IsSpace (width, or 0). */
static size_t uspace_at(const char *d, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)d + i;
	size_t left = len - i;

	if (*u == '\n')
		return 1;
	if (space_at(d, len, i))
		return space_at(d, len, i);
	if (left >= 3 && u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;	/* U+1680 */
	if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf) &&
	    u[2] >= 0x80)
		return 3;	/* U+2000-U+200A, U+2028, U+2029, U+202F */
	if (left >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;	/* U+205F */
	if (left >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;	/* U+3000 */
	return 0;
}

static int is_name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void add_ref(struct envfile_entry *e, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < e->nrefs; i++)
		if (strlen(e->refs[i]) == n && memcmp(e->refs[i], name, n) == 0)
			return;
	e->refs = xrealloc(e->refs, (e->nrefs + 1) * sizeof *e->refs);
	e->refs[e->nrefs++] = xstrndup(name, n);
}

/* Record that value bytes [off, off+len) came from src as kind; TEXT runs
 * and the bytes of one escape merge. */
static void add_part(struct parser *p, enum envfile_part_kind kind, size_t off, size_t len, size_t src, size_t srclen,
		     const char *name, size_t namelen, long entry)
{
	struct envfile_entry *e = p->cur;
	struct envfile_part *last = e->nparts ? &e->parts[e->nparts - 1] : NULL;

	if (last && kind == ENVFILE_TEXT && last->kind == ENVFILE_TEXT && last->off + last->len == off &&
	    last->src_off + last->src_len == src) {
		last->len += len;
		last->src_len += srclen;
		return;
	}
	if (last && kind == ENVFILE_ESCAPE && last->kind == ENVFILE_ESCAPE && last->off + last->len == off &&
	    last->src_off == src && last->src_len == srclen) {
		last->len += len;
		return;
	}
	e->parts = xrealloc(e->parts, (e->nparts + 1) * sizeof *e->parts);
	last = &e->parts[e->nparts++];
	last->kind = kind;
	last->off = off;
	last->len = len;
	last->src_off = src;
	last->src_len = srclen;
	last->name = name ? xstrndup(name, namelen) : NULL;
	last->entry = entry;
}

/* The entry that defines name[0..n) before the current one; -1: unset. */
static long lookup_before(struct parser *p, const char *name, size_t n)
{
	size_t i = p->cur_index;

	while (i-- > 0) {
		const struct envfile_entry *e = &p->f->entries[i];

		if (e->value && strlen(e->key) == n && memcmp(e->key, name, n) == 0)
			return (long)i;
	}
	return -1;
}

/* Where the "${" at t[j] closes: compose-go counts "${" up and '}' down. */
static size_t closing_brace(const struct tbuf *t, size_t j, size_t end)
{
	int depth = 0;
	size_t i;

	for (i = j; i < end; i++) {
		if (t->v[i].c == '}' && --depth == 0)
			return i;
		if (t->v[i].c == '$' && i + 1 < end && t->v[i + 1].c == '{') {
			depth++;
			i++;
		}
	}
	return (size_t)-1;
}

static char *tb_string(const struct tbuf *t, size_t a, size_t b)
{
	char *s = xmalloc(b - a + 1);
	size_t i;

	for (i = a; i < b; i++)
		s[i - a] = t->v[i].c;
	s[b - a] = '\0';
	return s;
}

/*
 * Interpolate t[a..b) into out.  top: record parts for the current entry
 * (nested defaults only add refs).  eval 0 only checks the syntax (an
 * alternative that is not taken).
 */
static int subst(struct parser *p, const struct tbuf *t, size_t a, size_t b, struct buf *out, int top, int eval)
{
	size_t j = a;

	while (j < b) {
		const struct tb *c = &t->v[j];
		size_t start = out->len;

		if (c->c != '$' || j + 1 >= b) {
			if (eval)
				buf_addc(out, c->c);
			if (top && eval)
				add_part(p, c->plain ? ENVFILE_TEXT : ENVFILE_ESCAPE, start, 1, c->src, c->srclen, NULL, 0, -1);
			j++;
			continue;
		}
		if (t->v[j + 1].c == '$') {
			size_t s0 = c->src, s1 = t->v[j + 1].src + t->v[j + 1].srclen;

			if (eval)
				buf_addc(out, '$');
			if (top && eval)
				add_part(p, ENVFILE_ESCAPE, start, 1, s0, s1 - s0, NULL, 0, -1);
			j += 2;
			continue;
		}
		if (is_name_start(t->v[j + 1].c)) {
			size_t k = j + 1;
			char *name;
			long ent;

			while (k < b && is_name_char(t->v[k].c))
				k++;
			name = tb_string(t, j + 1, k);
			add_ref(p->cur, name, k - j - 1);
			ent = lookup_before(p, name, k - j - 1);
			if (eval && ent >= 0)
				buf_add(out, p->f->entries[ent].value, p->f->entries[ent].value_len);
			if (top && eval)
				add_part(p, ENVFILE_VAR, start, out->len - start, c->src,
					 t->v[k - 1].src + t->v[k - 1].srclen - c->src, name, k - j - 1, ent);
			free(name);
			j = k;
			continue;
		}
		if (t->v[j + 1].c == '{') {
			size_t close = closing_brace(t, j, b), k = j + 2, nlen;
			char *name;
			long ent;
			int colon = 0;
			char op = 0;
			const struct envfile_entry *v;

			if (close == (size_t)-1)
				return fail(p, c->src, "invalid interpolation: no closing '}'", NULL);
			if (p->depth >= 64)
				return fail(p, c->src, "interpolation nested more than 64 deep", NULL);
			while (k < close && is_name_char(t->v[k].c))
				k++;
			nlen = k - (j + 2);
			if (nlen == 0 || !is_name_start(t->v[j + 2].c))
				return fail(p, c->src, "invalid interpolation: \"${\" takes a name", NULL);
			if (k < close) {
				if (t->v[k].c == ':') {
					colon = 1;
					k++;
				}
				if (k >= close || !strchr("-+?", t->v[k].c))
					return fail(p, t->v[k < close ? k : close].src,
						    "invalid interpolation: after ${NAME expected '}', ':-', '-', ':?', '?', ':+' or '+'",
						    NULL);
				op = t->v[k].c;
				k++;
			}
			name = tb_string(t, j + 2, j + 2 + nlen);
			add_ref(p->cur, name, nlen);
			ent = lookup_before(p, name, nlen);
			v = ent >= 0 ? &p->f->entries[ent] : NULL;
			if (!op) {
				if (eval && v)
					buf_add(out, v->value, v->value_len);
			} else {
				int set = v != NULL, full = v && v->value_len > 0;
				int cond = colon ? full : set;	/* VAR "counts" */
				int use_arg = op == '+' ? cond : !cond;

				if (op == '?' && !cond && eval) {
					struct buf m, msg;
					int rc = -1;

					buf_init(&m);
					buf_init(&msg);
					p->depth++;
					if (subst(p, t, k, close, &m, 0, 1) == 0) {
						buf_printf(&msg, "required variable %s is missing a value%s%s", name,
							   m.len ? ": " : "", m.len ? m.data : "");
						rc = fail(p, c->src, msg.data, NULL);
					}
					p->depth--;
					buf_free(&m);
					buf_free(&msg);
					free(name);
					return rc;
				}
				if (op != '+' && cond && eval && v)
					buf_add(out, v->value, v->value_len);
				if (op == '?')
					use_arg = 0;
				p->depth++;
				if (subst(p, t, k, close, out, 0, eval && use_arg) < 0) {
					free(name);
					return -1;
				}
				p->depth--;
			}
			if (top && eval)
				add_part(p, op ? ENVFILE_EXPR : ENVFILE_VAR, start, out->len - start, c->src,
					 t->v[close].src + t->v[close].srclen - c->src, name, nlen, ent);
			free(name);
			j = close + 1;
			continue;
		}
		/* '$' before anything else stays. */
		if (eval)
			buf_addc(out, '$');
		if (top && eval)
			add_part(p, c->plain ? ENVFILE_TEXT : ENVFILE_ESCAPE, start, 1, c->src, c->srclen, NULL, 0, -1);
		j++;
	}
	return 0;
}

/* Double quotes: the shell escapes compose-go replaces after unquoting. */
static void expand_escapes(const struct tbuf *in, struct tbuf *out)
{
	size_t j = 0;

	while (j < in->n) {
		const struct tb *c = &in->v[j];
		const char *ctl = "a\ab\bf\fn\nr\rt\tv\v";
		const char *hit;

		if (c->c != '\\' || j + 1 >= in->n) {
			tb_add(out, c->c, c->src, c->srclen, c->plain);
			j++;
			continue;
		}
		{
			char n = in->v[j + 1].c;
			size_t s0 = c->src, s1 = in->v[j + 1].src + in->v[j + 1].srclen;

			hit = n ? strchr(ctl, n) : NULL;
			if (hit && (hit - ctl) % 2 == 0) {
				tb_add(out, hit[1], s0, s1 - s0, 0);
				j += 2;
			} else if (n == '$') {
				tb_add(out, '$', s0, s1 - s0, 0);	/* read as "$$" by interpolation */
				tb_add(out, '$', s0, s1 - s0, 0);
				j += 2;
			} else if (n == '\\' || n == '"') {
				tb_add(out, n, s0, s1 - s0, 0);
				j += 2;
			} else if (n == '0') {
				size_t k = j + 2, nd = 0;
				int val = 0, octal = 1;

				while (k < in->n && nd < 3 && in->v[k].c >= '0' && in->v[k].c <= '9') {
					octal &= in->v[k].c <= '7';
					val = val * 8 + (in->v[k].c - '0');
					k++;
					nd++;
				}
				if (nd == 3 && octal && val <= 255) {
					tb_add(out, (char)val, s0, in->v[k - 1].src + in->v[k - 1].srclen - s0, 0);
				} else {
					size_t m;

					for (m = j; m < k; m++)
						tb_add(out, in->v[m].c, in->v[m].src, in->v[m].srclen, in->v[m].plain);
				}
				j = k;
			} else if (n == 'c') {
				tb_add(out, '\\', c->src, c->srclen, c->plain);
				tb_add(out, 'c', in->v[j + 1].src, in->v[j + 1].srclen, in->v[j + 1].plain);
				j += 2;
			} else {
				tb_add(out, '\\', c->src, c->srclen, c->plain);
				j++;
			}
		}
	}
}

static int finish_value(struct parser *p, const struct tbuf *t)
{
	struct envfile_entry *e = p->cur;

	buf_reset(&p->out);
	buf_add(&p->out, "", 0);
	if (e->quote == '\'') {
		size_t i;

		for (i = 0; i < t->n; i++) {
			buf_addc(&p->out, t->v[i].c);
			add_part(p, t->v[i].plain ? ENVFILE_TEXT : ENVFILE_ESCAPE, i, 1, t->v[i].src, t->v[i].srclen,
				 NULL, 0, -1);
		}
	} else if (subst(p, t, 0, t->n, &p->out, 1, 1) < 0) {
		return -1;
	}
	if (memchr(p->out.data, '\0', p->out.len))
		return fail(p, e->val_off, "a NUL byte in the value of", e->key);
	e->value_len = p->out.len;
	e->value = xstrndup(p->out.data, p->out.len);
	return 0;
}

/* Read the value starting at p->d[pos]; returns where the next statement may start. */
static int read_value(struct parser *p, size_t pos, size_t *next)
{
	struct envfile_entry *e = p->cur;
	struct tbuf t = { NULL, 0, 0 }, t2 = { NULL, 0, 0 };
	const char *d = p->d;
	int rc = -1;

	if (pos < p->len && (d[pos] == '"' || d[pos] == '\'')) {
		char q = d[pos];
		size_t i, esc_at = 0;
		int esc = 0;

		e->quote = q;
		for (i = pos + 1; i < p->len; i++) {
			char c = d[i];

			if (c != q) {
				if (!esc && c == '\\') {
					esc = 1;
					esc_at = i;
					continue;
				}
				if (esc) {
					esc = 0;
					tb_add(&t, '\\', esc_at, 1, 1);
				}
				tb_add(&t, c, i, 1, 1);
				continue;
			}
			if (esc) {
				esc = 0;
				tb_add(&t, c, esc_at, 2, 0);
				continue;
			}
			break;
		}
		if (i >= p->len) {
			fail(p, pos, "unterminated quoted value of", e->key);
			goto out;
		}
		e->val_off = pos;
		e->val_len = i + 1 - pos;
		e->last_line = line_at(p, i);
		*next = i + 1;
		if (q == '"') {
			expand_escapes(&t, &t2);
			rc = finish_value(p, &t2);
		} else {
			rc = finish_value(p, &t);
		}
	} else {
		const char *nl = pos < p->len ? memchr(d + pos, '\n', p->len - pos) : NULL;
		size_t end = nl ? (size_t)(nl - d) : p->len, cut = end, i, vend = pos;

		for (i = pos; i + 1 < end; i++)
			if (d[i] == ' ' && d[i + 1] == '#') {
				cut = i;
				break;
			}
		for (i = pos; i < cut;) {
			size_t w = uspace_at(d, cut, i);

			if (w) {
				i += w;
			} else {
				i++;
				vend = i;
			}
		}
		/* a multi-byte character's continuation bytes follow its lead byte */
		while (vend < cut && ((unsigned char)d[vend] & 0xc0) == 0x80)
			vend++;
		e->val_off = pos;
		e->val_len = vend - pos;
		e->last_line = line_at(p, pos);
		*next = end;
		for (i = pos; i < vend; i++)
			tb_add(&t, d[i], i, 1, 1);
		rc = finish_value(p, &t);
	}
out:
	free(t.v);
	free(t2.v);
	return rc;
}

static void entry_free(struct envfile_entry *e)
{
	size_t i;

	free(e->key);
	free(e->value);
	for (i = 0; i < e->nparts; i++)
		free(e->parts[i].name);
	free(e->parts);
	for (i = 0; i < e->nrefs; i++)
		free(e->refs[i]);
	free(e->refs);
}

void envfile_free(struct envfile *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		entry_free(&f->entries[i]);
	free(f->entries);
	free(f->path);
	memset(f, 0, sizeof *f);
}

static int parse(struct parser *p)
{
	const char *d = p->d;
	size_t pos = 0, len = p->len;

	if (memchr(d, '\0', len))
		return fail(p, (size_t)((const char *)memchr(d, '\0', len) - d), "a NUL byte", NULL);
	for (;;) {
		size_t w, kstart, i, kend, stmt;
		int exported = 0;
		struct envfile_entry *e;

		/* the start of a statement: skip white space and comment lines */
		while (pos < len) {
			if ((w = uspace_at(d, len, pos)) != 0) {
				pos += w;
			} else if (d[pos] == '#') {
				const char *nl = memchr(d + pos, '\n', len - pos);

				pos = nl ? (size_t)(nl - d) : len;
			} else {
				break;
			}
		}
		if (pos >= len)
			return 0;
		stmt = pos;
		if (len - pos > 6 && memcmp(d + pos, "export", 6) == 0 && strchr("\t\n\f\r ", d[pos + 6])) {
			exported = 1;
			pos += 6;
			while (pos < len && (w = space_at(d, len, pos)) != 0)
				pos += w;
		}
		kstart = pos;
		for (i = pos; i < len;) {
			char c = d[i];

			if ((w = space_at(d, len, i)) != 0) {
				i += w;
				continue;
			}
			if (c == '=' || c == ':' || c == '\n')
				break;
			if (c == '_' || c == '.' || c == '[' || c == ']' || is_name_char(c)) {
				i++;
				continue;
			}
			if ((unsigned char)c >= 0x80)
				return fail(p, i, "a non-ASCII character in a variable name (not supported)", NULL);
			{
				char s[2] = { c, '\0' };

				return fail(p, i, "unexpected character in a variable name:", s);
			}
		}
		if (i >= len)
			return fail(p, kstart, "no '=' after the variable name at the end of the file", NULL);
		kend = i;
		while (kend > kstart && (w = uspace_at(d, len, kend - 1)) != 0)
			kend--;
		/* trailing two-byte spaces (U+0085, U+00A0) */
		while (kend >= kstart + 2 && (unsigned char)d[kend - 2] == 0xc2 &&
		       ((unsigned char)d[kend - 1] == 0x85 || (unsigned char)d[kend - 1] == 0xa0))
			kend -= 2;
		if (d[i] == '\n' && kend == kstart) {
			pos = i + 1;	/* a lone "export": Compose reads nothing */
			continue;
		}
		if (kend == kstart)
			return fail(p, stmt, "a value without a variable name", NULL);
		{
			size_t k;

			for (k = kstart; k < kend; k++)
				if (space_at(d, len, k)) {
					char *key = xstrndup(d + kstart, kend - kstart);

					fail(p, k, "a variable name cannot contain a space:", key);
					free(key);
					return -1;
				}
		}
		p->f->entries = xrealloc(p->f->entries, (p->f->n + 1) * sizeof *p->f->entries);
		e = &p->f->entries[p->f->n];
		memset(e, 0, sizeof *e);
		p->f->n++;
		p->cur = e;
		p->cur_index = p->f->n - 1;
		e->key = xstrndup(d + kstart, kend - kstart);
		e->key_off = kstart;
		e->line = line_at(p, stmt);
		e->last_line = e->line;
		e->exported = exported;
		if (d[i] == '\n') {
			e->inherited = 1;
			e->val_off = kend;
			pos = i + 1;
			continue;
		}
		pos = i + 1;
		while (pos < len && (w = space_at(d, len, pos)) != 0)
			pos += w;
		if (read_value(p, pos, &pos) < 0)
			return -1;
	}
}

int envfile_parse(const char *path, const char *data, size_t len, struct envfile *f, struct diag_err *err)
{
	struct parser p;
	int rc;

	memset(f, 0, sizeof *f);
	memset(&p, 0, sizeof p);
	memset(err, 0, sizeof *err);
	f->path = xstrdup(path ? path : "");
	f->data = data;
	f->len = len;
	p.path = path;
	p.d = data;
	p.len = len;
	p.f = f;
	p.err = err;
	p.line_no = 1;
	buf_init(&p.out);
	rc = parse(&p);
	buf_free(&p.out);
	if (rc < 0) {
		envfile_free(f);
		return -1;
	}
	return 0;
}

const struct envfile_entry *envfile_lookup(const struct envfile *f, const char *key)
{
	size_t i = f->n;

	while (i-- > 0)
		if (f->entries[i].value && strcmp(f->entries[i].key, key) == 0)
			return &f->entries[i];
	return NULL;
}

size_t envfile_index(const struct envfile *f, const struct envfile_entry *e)
{
	return (size_t)(e - f->entries);
}
