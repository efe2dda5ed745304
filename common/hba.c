/*
 * hba: pg_hba.conf read the way a given PostgreSQL version reads it.  The
 * tokenizer is a port of next_token / next_field_expand / tokenize_auth_file
 * of src/backend/libpq/hba.c, the rule checks follow parse_hba_line and
 * parse_hba_auth_opt, with the differences between versions that matter to
 * someone carrying a file from an old cluster to a new one: methods and
 * options that appeared or went away, the PostgreSQL 16 additions (regular
 * expressions, include lines, backslash continuation) and the token length
 * limit before 16.  The checks are proven against pg_hba_file_rules by
 * tests/server/hba-oracle.t; where the server rejects a line without an
 * error text (an all-NULL row), the rule says so (silent), so that a tool
 * still refuses it.  Never prints, never exits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "hba.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "conffiles.h"
#include "hashidx.h"

#define OLD_MAX_TOKEN 10240	/* next_token's buffer before PostgreSQL 16 */

static const char *const type_names[] = {
	"local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"
};

/* One field of a line: a comma list of tokens, @files expanded. */
struct field {
	struct hba_token *tok;
	size_t n, cap;
};

/*
 * f[0..n) are the line's fields.  parse_file reuses one line for the whole
 * file: every slot of f[0..cap) keeps its token array between lines, so a
 * rule costs no allocation for its arrays but those it keeps.
 */
struct line {
	struct field *f;
	size_t n, cap;
	char *err;
};

struct loader {
	struct hba_model *m;
	struct diag_err *err;
	int follow;		/* read @files and include lines */
	int depth;		/* files open: included ones and @files */
	struct conf_stack open;	/* the included files being read, to name a loop */
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Whether c ends a run of ordinary unquoted token characters: NUL, a
 * blank, a quote, # or a comma.  All are below 64: one bit test.
 */
#define BIT(c) (1ULL << (c))
#define RUN_END (BIT('\0') | BIT(' ') | BIT('\t') | BIT('\r') | BIT('"') | BIT('#') | BIT(','))

static int ends_run(int c)
{
	return c < 64 && (RUN_END >> c) & 1;
}

/* ends_run as a table: one load a character in the common scan. */
static const unsigned char run_end[256] = {
	['\0'] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['"'] = 1, ['#'] = 1, [','] = 1
};

static char *
skip_run(char *q)
{
	/* four at a time: the NUL that ends every line stops each step */
	while (!run_end[(unsigned char)q[0]] && !run_end[(unsigned char)q[1]] &&
	       !run_end[(unsigned char)q[2]] && !run_end[(unsigned char)q[3]])
		q += 4;
	while (!run_end[(unsigned char)*q])
		q++;
	return q;
}

/* ---------------------------------------------------------------- tokens */

/* Token texts live in the model's arena: a rule keeps them, a dropped line wastes a few bytes. */
static void field_add(struct arena *ar, struct field *f, const char *text, size_t len, int quoted)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1;
		f->tok = xrealloc(f->tok, f->cap * sizeof *f->tok);
	}
	f->tok[f->n].text = arena_strndup(ar, text, len);
	f->tok[f->n].quoted = quoted;
	f->n++;
}

static void field_free(struct field *f)
{
	free(f->tok);
	f->tok = NULL;
	f->n = f->cap = 0;
}

/* Empty the line for the next one, keeping its arrays (fields past l->n hold no tokens). */
static void line_clear(struct line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->f[i].n = 0;
	l->n = 0;
	free(l->err);
	l->err = NULL;
}

static void line_free(struct line *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		field_free(&l->f[i]);
	free(l->f);
	free(l->err);
	memset(l, 0, sizeof *l);
}

/*
 * next_token of hba.c: blanks and commas before the token are skipped, a
 * token ends at an unquoted blank or comma (the comma is reported, not
 * eaten), "" inside quotes is a quote, an unquoted # ends the line, and an
 * unterminated quote runs to the end of the line.  Before 16 a token longer
 * than the server's buffer is an error for the whole line.
 */
static int next_token(char **lp, struct buf *b, int *initial_quote, int *comma,
		      size_t maxlen, int *toolong)
{
	char *p = *lp;
	int c, in_quote = 0, was_quote = 0, saw_quote = 0;

	buf_reset(b);
	if (!b->data)
		buf_adds(b, "");	/* b->data is a string even for an empty token */
	*initial_quote = 0;
	*comma = 0;
	while ((c = (unsigned char)*p) != '\0' && (is_blank(c) || c == ','))
		p++;
	while ((c = (unsigned char)*p) != '\0' && (!is_blank(c) || in_quote)) {
		/*
		 * A run of ordinary characters goes in at once: what the loop
		 * below would do one character at a time (add it, clear
		 * was_quote).  A run that crosses the length limit goes in up
		 * to it, and its next character is the one too many.
		 */
		if (c != '"' && (in_quote || (c != '#' && c != ','))) {
			char *q = p;
			size_t k;

			if (in_quote)
				while (*q != '\0' && *q != '"')
					q++;
			else
				while (!ends_run((unsigned char)*q))
					q++;
			k = (size_t)(q - p);
			if (maxlen && b->len + k > maxlen)
				k = maxlen > b->len ? maxlen - b->len : 0;
			if (k) {
				buf_add(b, p, k);
				was_quote = 0;
				p += k;
				if (p == q)
					continue;
			}
			c = (unsigned char)*p;	/* past the limit: the check below says so */
		}
		if (c == '#' && !in_quote) {
			p += strlen(p);
			break;
		}
		if (maxlen && b->len >= maxlen) {
			*toolong = 1;
			p += strlen(p);
			*lp = p;
			return 0;
		}
		if (c == ',' && !in_quote) {
			*comma = 1;
			break;
		}
		if (c != '"' || was_quote)
			buf_addc(b, (char)c);
		if (in_quote && c == '"')
			was_quote = !was_quote;
		else
			was_quote = 0;
		if (c == '"') {
			in_quote = !in_quote;
			saw_quote = 1;
			if (b->len == 0)
				*initial_quote = 1;
		}
		p++;
	}
	*lp = p;
	return saw_quote || b->len > 0;
}

/*
 * Most tokens are a plain run of characters: no quote, not an @file, not
 * at the length limit.  Such a token goes from the line into f as it
 * stands, with what next_token would report (the comma after it; a #
 * after it ends the line).  Returns 0, having moved nothing, for any other
 * token: next_token reads it.  tests/unit/hba.c compares both ways.
 * keep: the line lives as long as the model, so the token stays where it
 * is, cut off by a NUL over the blank, comma or # after it (skipping the
 * blank or comma is what the next call would do first).
 */
static int plain_token(struct arena *ar, char **lp, struct field *f, size_t maxlen, int *comma,
		       int keep)
{
	char *p = *lp, *q;

	while (is_blank((unsigned char)*p) || *p == ',')
		p++;
	q = skip_run(p);
	if (q == p || *q == '"' || *p == '@' || (maxlen && (size_t)(q - p) >= maxlen))
		return 0;
	*comma = *q == ',';
	if (!keep) {
		field_add(ar, f, p, (size_t)(q - p), 0);
		*lp = *q == '#' ? q + strlen(q) : q;
		return 1;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1;
		f->tok = xrealloc(f->tok, f->cap * sizeof *f->tok);
	}
	f->tok[f->n].text = p;
	f->tok[f->n].quoted = 0;
	f->n++;
	if (*q == '#')
		*q = '\0';
	else if (*q != '\0')
		*q++ = '\0';
	*lp = q;
	return 1;
}

static int tokenize_data(struct loader *ld, const char *path, const char *data, size_t len,
			 struct line **lines, size_t *nlines);

/* An @file: every token of every line, appended to f. */
static int expand_at(struct loader *ld, const char *outer, int lineno, const char *name,
		     struct field *f, char **lerr)
{
	struct buf b;
	struct line *lines = NULL;
	size_t n = 0, i, j, k;
	char *full = conf_location(name, outer);
	int rc;

	/*
	 * From 16 on, open_auth_file flags the line and the server loads the
	 * other rules; before, nothing stops the recursion and the server
	 * fails to read the whole file (12 crashes, 15 runs out of files).
	 */
	if (ld->depth > CONF_FILE_MAX_DEPTH) {
		if (ld->m->version >= 160000) {
			if (!*lerr)
				*lerr = xasprintf("could not open file \"%s\": maximum nesting depth exceeded", full);
			free(full);
			return 0;
		}
		diag_set(ld->err, outer, lineno, "could not open file \"%s\": maximum nesting depth exceeded (an @file that includes itself?)", full);
		free(full);
		return -1;
	}
	buf_init(&b);
	rc = buf_read_file(&b, full, NULL);
	if (rc < 0) {
		/* Every version flags the line and loads the other rules. */
		if (!*lerr)
			*lerr = ld->m->version >= 160000 ?
				xasprintf("could not open file \"%s\": %s", full, strerror(-rc)) :
				xasprintf("could not open secondary authentication file \"@%s\" as \"%s\": %s",
					  name, full, strerror(-rc));
		buf_free(&b);
		free(full);
		return 0;
	}
	if (b.len && memchr(b.data, '\0', b.len)) {
		diag_set(ld->err, full, 0, "binary data (a NUL byte) in an authentication file");
		buf_free(&b);
		free(full);
		return -1;
	}
	ld->depth++;
	rc = tokenize_data(ld, full, b.data ? b.data : "", b.len, &lines, &n);
	ld->depth--;
	for (i = 0; rc == 0 && i < n; i++) {
		if (lines[i].err) {
			if (!*lerr)
				*lerr = xstrdup(lines[i].err);
			break;
		}
		for (j = 0; j < lines[i].n; j++)
			for (k = 0; k < lines[i].f[j].n; k++)
				field_add(&ld->m->arena, f, lines[i].f[j].tok[k].text, strlen(lines[i].f[j].tok[k].text),
					  lines[i].f[j].tok[k].quoted);
	}
	for (i = 0; i < n; i++)
		line_free(&lines[i]);
	free(lines);
	buf_free(&b);
	free(full);
	return rc;
}

/*
 * Fields of one logical line (next_field_expand in a loop), into out, which
 * is empty (new or line_clear'ed).  text is cut into tokens in place when
 * keep says it lives as long as the model (see plain_token).  b is the
 * caller's scratch buffer.  On -1 (an @file stops everything) out is freed.
 */
static int tokenize_line(struct loader *ld, const char *path, int lineno, char *text, int keep,
			 struct line *out, struct buf *b)
{
	char *p = text;
	size_t maxlen = ld->m->version < 160000 ? OLD_MAX_TOKEN - 1 : 0;
	int iq, comma, toolong = 0;

	while (*p && !out->err) {
		struct field *f;

		if (out->n == out->cap) {
			/* a rule has some 5 fields: one allocation */
			size_t cap = out->cap ? 2 * out->cap : 8;

			out->f = xrealloc(out->f, cap * sizeof *out->f);
			memset(out->f + out->cap, 0, (cap - out->cap) * sizeof *out->f);
			out->cap = cap;
		}
		f = &out->f[out->n];
		do {
			if (!ld->m->general &&
			    plain_token(&ld->m->arena, &p, f, maxlen, &comma, keep))
				continue;
			if (!next_token(&p, b, &iq, &comma, maxlen, &toolong)) {
				if (toolong)
					out->err = xstrdup("authentication file token too long");
				break;
			}
			if (!iq && b->data[0] == '@' && b->data[1] != '\0' && ld->follow) {
				if (expand_at(ld, path, lineno, b->data + 1, f, &out->err) < 0) {
					line_free(out);
					return -1;
				}
			} else {
				field_add(&ld->m->arena, f, b->data, b->len, iq);
			}
		} while (comma && !out->err);
		if (f->n)
			out->n++;
	}
	return 0;
}

/*
 * Logical lines: tokenize_auth_file reads a line, strips the trailing CR/LF
 * and, from 16 on, joins lines that end in a backslash.  The callback gets
 * the text, the first and last physical line, and the byte span.
 */
struct span {
	int line, last_line;
	size_t off, end;	/* end: before the final line end */
	size_t next;		/* start of the next logical line */
};

static int next_logical(const char *data, size_t len, size_t pos, int lineno, int version,
			struct buf *text, struct span *sp)
{
	size_t last_bs = 0;

	if (pos >= len)
		return 0;
	buf_reset(text);
	buf_adds(text, "");
	sp->line = lineno;
	sp->off = pos;
	for (;;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t e = end;

		buf_add(text, data + pos, end - pos);
		/* pg_strip_crlf */
		while (text->len > 0 && (text->data[text->len - 1] == '\r' || text->data[text->len - 1] == '\n'))
			text->data[--text->len] = '\0';
		while (e > pos && data[e - 1] == '\r')
			e--;
		sp->last_line = lineno;
		sp->end = e;
		pos = nl ? end + 1 : len;
		if (version >= 150000 && text->len > last_bs && text->data[text->len - 1] == '\\' && nl && pos < len) {
			text->data[--text->len] = '\0';
			last_bs = text->len;
			lineno++;
			continue;
		}
		if (version >= 150000 && text->len > last_bs && text->data[text->len - 1] == '\\') {
			/* a continuation at the end of the file: the server keeps what it has */
			text->data[--text->len] = '\0';
		}
		break;
	}
	sp->next = pos;
	return 1;
}

/*
 * Most lines of a big file are comments.  A physical line that holds only
 * blanks, or blanks and then a # comment, and does not end in a backslash
 * (which could join the next line to it), reads as no fields whatever the
 * version: say so without copying and tokenizing it.  Returns LINE_COMMENT
 * or LINE_BLANK and fills sp as next_logical would, or 0: read it the
 * general way (sp then holds the physical line, for kept_line).
 * tests/unit/hba.c compares both ways (hba_model.general).
 */
enum { LINE_COMMENT = 1, LINE_BLANK };

static int quiet_line(const char *data, size_t len, size_t pos, int lineno, struct span *sp)
{
	const char *nl, *p, *end;
	size_t e;

	if (pos >= len)
		return 0;
	p = data + pos;
	nl = memchr(p, '\n', len - pos);
	end = nl ? nl : data + len;
	e = (size_t)(end - data);
	while (e > pos && data[e - 1] == '\r')
		e--;
	sp->line = sp->last_line = lineno;
	sp->off = pos;
	sp->end = e;
	sp->next = nl ? (size_t)(nl - data) + 1 : len;
	if (e > pos && data[e - 1] == '\\')
		return 0;
	while (p < end && is_blank((unsigned char)*p))
		p++;
	if (p < end && *p != '#')
		return 0;
	return p < end ? LINE_COMMENT : LINE_BLANK;
}

/*
 * A logical line that is one physical line (nothing to join), sp as
 * quiet_line found it, copied to its place in the file's token copy and
 * ended there by a NUL, so that its tokens can stay where they are.  NULL
 * at the end of the data and for a line ending in a backslash from 15 on:
 * next_logical reads those.
 */
static char *kept_line(const struct hba_file *f, size_t pos, int version, const struct span *sp)
{
	if (pos >= f->len || (version >= 150000 && sp->end > pos && f->data[sp->end - 1] == '\\'))
		return NULL;
	memcpy(f->tokens + pos, f->data + pos, sp->end - pos);
	f->tokens[sp->end] = '\0';
	return f->tokens + pos;
}

static int tokenize_data(struct loader *ld, const char *path, const char *data, size_t len,
			 struct line **lines, size_t *nlines)
{
	struct buf text, tok;
	struct span sp;
	size_t pos = 0;
	int lineno = 1;

	buf_init(&text);
	buf_init(&tok);
	for (;;) {
		struct line l = { NULL, 0, 0, NULL };

		if (!ld->m->general && quiet_line(data, len, pos, lineno, &sp)) {
			pos = sp.next;
			lineno++;
			continue;
		}
		if (!next_logical(data, len, pos, lineno, ld->m->version, &text, &sp))
			break;
		if (tokenize_line(ld, path, sp.line, text.data, 0, &l, &tok) < 0) {
			buf_free(&text);
			buf_free(&tok);
			return -1;
		}
		if (l.n || l.err) {
			*lines = xrealloc(*lines, (*nlines + 1) * sizeof **lines);
			(*lines)[(*nlines)++] = l;
		} else {
			line_free(&l);
		}
		pos = sp.next;
		lineno = sp.last_line + 1;
	}
	buf_free(&text);
	buf_free(&tok);
	return 0;
}

/* ----------------------------------------------------------------- model */

void hba_init(struct hba_model *m, int version)
{
	memset(m, 0, sizeof *m);
	arena_init(&m->arena);
	m->version = version > 0 ? version : 150000;
}

void hba_init_ident(struct hba_model *m, int version)
{
	hba_init(m, version);
	m->ident = 1;
}

/* The array and its texts are in the model's arena. */
static void list_free(struct hba_list *l)
{
	l->tok = NULL;
	l->n = 0;
}

static void warnings_free(struct hba_rule *r)
{
	size_t i;

	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	r->warnings = NULL;
	r->nwarnings = 0;
}

static void rule_free(struct hba_rule *r)
{
	size_t i;

	free(r->include_kind);
	list_free(&r->databases);
	list_free(&r->users);
	for (i = 0; i < r->nopts; i++) {
		free(r->opts[i].name);
		free(r->opts[i].value);
	}
	free(r->opts);
	free(r->error);
	free(r->map);
	free(r->system_user.text);
	free(r->pg_user.text);
	warnings_free(r);
}

void hba_free(struct hba_model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		rule_free(&m->rules[i]);
	free(m->rules);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].data);
		free(m->files[i].tokens);
	}
	free(m->files);
	arena_free(&m->arena);
	if (m->ident)
		hba_init_ident(m, m->version);
	else
		hba_init(m, m->version);
}

const char *hba_type_name(int type)
{
	if (type < 0 || type > HBA_HOSTNOGSSENC)
		return "";
	return type_names[type];
}

/* ----------------------------------------------------- methods, options */

enum { M_TRUST, M_REJECT, M_MD5, M_PASSWORD, M_SCRAM, M_IDENT, M_PEER, M_GSS, M_SSPI,
       M_PAM, M_BSD, M_LDAP, M_CERT, M_RADIUS, M_CRYPT, M_KRB5, M_OAUTH, M_NONE };

static const struct method {
	const char *name;
	int since, until;	/* valid for since <= version < until (0: no bound) */
	int unsupported;	/* not built into Debian's (Linux) server */
} methods[] = {
	[M_TRUST] = { "trust", 0, 0, 0 },
	[M_REJECT] = { "reject", 0, 0, 0 },
	[M_MD5] = { "md5", 0, 0, 0 },
	[M_PASSWORD] = { "password", 0, 0, 0 },
	[M_SCRAM] = { "scram-sha-256", 100000, 0, 0 },
	[M_IDENT] = { "ident", 0, 0, 0 },
	[M_PEER] = { "peer", 90100, 0, 0 },
	[M_GSS] = { "gss", 80300, 0, 0 },
	[M_SSPI] = { "sspi", 80300, 0, 1 },
	[M_PAM] = { "pam", 0, 0, 0 },
	[M_BSD] = { "bsd", 90600, 0, 1 },
	[M_LDAP] = { "ldap", 80200, 0, 0 },
	[M_CERT] = { "cert", 80400, 0, 0 },
	[M_RADIUS] = { "radius", 90000, 0, 0 },
	[M_CRYPT] = { "crypt", 0, 80400, 0 },
	[M_KRB5] = { "krb5", 0, 90400, 0 },
	[M_OAUTH] = { "oauth", 180000, 0, 0 },
};

static int in_range(int v, int since, int until)
{
	return v >= since && (until == 0 || v < until);
}

static int method_id(const char *name, int version)
{
	int i;

	for (i = 0; i < M_NONE; i++)
		if (methods[i].name[0] == name[0] && strcmp(methods[i].name, name) == 0 &&
		    in_range(version, methods[i].since, methods[i].until))
			return i;
	return M_NONE;
}

#define B(m) (1u << (m))

/*
 * The options parse_hba_auth_opt knows, for which methods, since and until
 * which version.  valid == 0: any method (clientcert and clientname are
 * checked against the connection type instead).
 */
static const struct option {
	const char *name;
	unsigned valid;
	int since, until;
} options[] = {
	{ "map", B(M_IDENT) | B(M_PEER) | B(M_GSS) | B(M_SSPI) | B(M_CERT) | B(M_KRB5) | B(M_OAUTH), 80400, 0 },
	{ "clientcert", 0, 80400, 0 },
	{ "clientname", 0, 140000, 0 },
	{ "pamservice", B(M_PAM), 80400, 0 },
	{ "pam_use_hostname", B(M_PAM), 110000, 0 },
	{ "ldapurl", B(M_LDAP), 90000, 0 },
	{ "ldaptls", B(M_LDAP), 80400, 0 },
	{ "ldapscheme", B(M_LDAP), 110000, 0 },
	{ "ldapserver", B(M_LDAP), 80400, 0 },
	{ "ldapport", B(M_LDAP), 80400, 0 },
	{ "ldapbinddn", B(M_LDAP), 90000, 0 },
	{ "ldapbindpasswd", B(M_LDAP), 90000, 0 },
	{ "ldapsearchattribute", B(M_LDAP), 90000, 0 },
	{ "ldapsearchfilter", B(M_LDAP), 110000, 0 },
	{ "ldapbasedn", B(M_LDAP), 90000, 0 },
	{ "ldapprefix", B(M_LDAP), 80400, 0 },
	{ "ldapsuffix", B(M_LDAP), 80400, 0 },
	{ "krb_realm", B(M_GSS) | B(M_SSPI) | B(M_KRB5), 80400, 0 },
	{ "include_realm", B(M_GSS) | B(M_SSPI) | B(M_KRB5), 90000, 0 },
	{ "compat_realm", B(M_SSPI), 90500, 0 },
	{ "upn_username", B(M_SSPI), 90500, 0 },
	{ "krb_server_hostname", B(M_KRB5), 80400, 90400 },
	{ "radiusserver", B(M_RADIUS), 90000, 100000 },
	{ "radiussecret", B(M_RADIUS), 90000, 100000 },
	{ "radiusport", B(M_RADIUS), 90000, 100000 },
	{ "radiusidentifier", B(M_RADIUS), 90000, 100000 },
	{ "radiusservers", B(M_RADIUS), 100000, 0 },
	{ "radiussecrets", B(M_RADIUS), 100000, 0 },
	{ "radiusports", B(M_RADIUS), 100000, 0 },
	{ "radiusidentifiers", B(M_RADIUS), 100000, 0 },
	{ "issuer", B(M_OAUTH), 180000, 0 },
	{ "scope", B(M_OAUTH), 180000, 0 },
	{ "validator", B(M_OAUTH), 180000, 0 },
	{ "delegate_ident_mapping", B(M_OAUTH), 180000, 0 },
};

/* The method list the server names in "only valid for authentication methods %s". */
static const char *valid_methods_text(const char *opt, int version)
{
	if (strcmp(opt, "map") == 0)
		return version >= 180000 ? "ident, peer, gssapi, sspi, cert, and oauth" : "ident, peer, gssapi, sspi, and cert";
	if (strcmp(opt, "krb_realm") == 0 || strcmp(opt, "include_realm") == 0)
		return "gssapi and sspi";
	if (strcmp(opt, "compat_realm") == 0 || strcmp(opt, "upn_username") == 0)
		return "sspi";
	if (strncmp(opt, "pam", 3) == 0)
		return "pam";
	if (strncmp(opt, "ldap", 4) == 0)
		return "ldap";
	if (strncmp(opt, "radius", 6) == 0)
		return "radius";
	return "oauth";
}

/* What the options add up to, as the server's HbaLine holds them. */
struct optstate {
	int include_realm;
	const char *krb_realm, *map, *pamservice;
	int clientcert;		/* 0 off, 1 verify-ca, 2 verify-full */
	const char *ldapserver, *ldapscheme, *ldapprefix, *ldapsuffix, *ldapbasedn, *ldapbinddn;
	const char *ldapbindpasswd, *ldapsearchattribute, *ldapsearchfilter;
	int ldapport, ldaptls, ldapscope;
	char *url_server, *url_scheme, *url_basedn, *url_attr, *url_filter;
	const char *radiusservers, *radiussecrets, *radiusidentifiers, *radiusports;
	int nservers, nsecrets, nidentifiers, nports;
	const char *issuer, *scope;
	int delegate;
};

static void optstate_free(struct optstate *s)
{
	free(s->url_server);
	free(s->url_scheme);
	free(s->url_basedn);
	free(s->url_attr);
	free(s->url_filter);
}

static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1 && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/*
 * ldapurl as OpenLDAP's ldap_url_parse reads it, as far as the server uses
 * it: scheme://host:port/basedn?attributes?scope?filter.
 */
static int parse_ldap_url(const char *url, struct optstate *s, char **err)
{
	const char *p = strstr(url, "://"), *h, *q;
	size_t sl;

	if (!p || p == url) {
		*err = xasprintf("could not parse LDAP URL \"%s\": %s", url, "Bad parameter to an ldap routine");
		return -1;
	}
	sl = (size_t)(p - url);
	free(s->url_scheme);
	s->url_scheme = xstrndup(url, sl);
	if (strcmp(s->url_scheme, "ldap") && strcmp(s->url_scheme, "ldaps") &&
	    strcmp(s->url_scheme, "ldapi") && strcmp(s->url_scheme, "cldap")) {
		*err = xasprintf("could not parse LDAP URL \"%s\": %s", url, "Bad parameter to an ldap routine");
		return -1;
	}
	if (strcmp(s->url_scheme, "ldap") && strcmp(s->url_scheme, "ldaps")) {
		*err = xasprintf("unsupported LDAP URL scheme: %s", s->url_scheme);
		return -1;
	}
	h = p + 3;
	q = h + strcspn(h, "/?");
	{
		const char *colon = memchr(h, ':', (size_t)(q - h));

		free(s->url_server);
		s->url_server = NULL;
		if (colon) {
			if (colon > h)
				s->url_server = pct_decode(h, (size_t)(colon - h));
			s->ldapport = atoi(colon + 1);
		} else {
			if (q > h)
				s->url_server = pct_decode(h, (size_t)(q - h));
			s->ldapport = strcmp(s->url_scheme, "ldaps") == 0 ? 636 : 389;
		}
	}
	s->ldapscheme = s->url_scheme;
	s->ldapserver = s->url_server;
	s->ldapscope = 0;
	if (*q == '/') {
		const char *e = q + 1 + strcspn(q + 1, "?");

		free(s->url_basedn);
		s->url_basedn = pct_decode(q + 1, (size_t)(e - q - 1));
		s->ldapbasedn = s->url_basedn;
		q = e;
	}
	if (*q == '?') {	/* attributes */
		const char *e = q + 1 + strcspn(q + 1, "?");
		size_t al = strcspn(q + 1, ",?");

		if (e > q + 1) {
			free(s->url_attr);
			s->url_attr = pct_decode(q + 1, al);
			s->ldapsearchattribute = s->url_attr;
		}
		q = e;
	}
	if (*q == '?') {	/* scope */
		const char *e = q + 1 + strcspn(q + 1, "?");
		size_t n = (size_t)(e - q - 1);

		if (n == 4 && strncmp(q + 1, "base", 4) == 0)
			s->ldapscope = 0;
		else if (n == 3 && strncmp(q + 1, "one", 3) == 0)
			s->ldapscope = 1;
		else if (n == 3 && strncmp(q + 1, "sub", 3) == 0)
			s->ldapscope = 2;
		else if (n != 0) {
			*err = xasprintf("could not parse LDAP URL \"%s\": %s", url, "Bad parameter to an ldap routine");
			return -1;
		}
		q = e;
	}
	if (*q == '?') {	/* filter */
		const char *e = q + 1 + strcspn(q + 1, "?");

		if (e > q + 1) {
			free(s->url_filter);
			s->url_filter = pct_decode(q + 1, (size_t)(e - q - 1));
			s->ldapsearchfilter = s->url_filter;
		}
	}
	return 0;
}

/*
 * One name=value option, as parse_hba_auth_opt takes it.  Returns 0, or -1
 * with *err (the server's text) or *silent (the server gives no text).
 */
static int apply_option(const char *name, const char *val, int method, int type, int version,
			struct optstate *s, char **err, int *silent)
{
	size_t i;
	const struct option *o = NULL;

	s->ldapscope = 2;	/* parse_hba_auth_opt sets LDAP_SCOPE_SUBTREE on every call */
	for (i = 0; i < sizeof options / sizeof options[0]; i++)
		if (strcmp(options[i].name, name) == 0 && in_range(version, options[i].since, options[i].until))
			o = &options[i];
	if (!o) {
		*err = xasprintf("unrecognized authentication option name: \"%s\"", name);
		return -1;
	}
	if (o->valid && !(o->valid & B(method))) {
		*err = xasprintf("authentication option \"%s\" is only valid for authentication methods %s",
				 name, valid_methods_text(name, version));
		return -1;
	}
	if (strcmp(name, "map") == 0) {
		s->map = val;
	} else if (strcmp(name, "clientcert") == 0) {
		if (type != HBA_HOSTSSL) {
			*err = xstrdup("clientcert can only be configured for \"hostssl\" rows");
			return -1;
		}
		if (version < 120000) {
			s->clientcert = strcmp(val, "1") == 0 ? 1 : 0;
		} else if (strcmp(val, "verify-full") == 0) {
			s->clientcert = 2;
		} else if (strcmp(val, "verify-ca") == 0 || (version < 140000 && strcmp(val, "1") == 0)) {
			if (method == M_CERT) {
				*err = xstrdup("clientcert can only be set to \"verify-full\" when using \"cert\" authentication");
				return -1;
			}
			s->clientcert = 1;
		} else if (version < 140000 && (strcmp(val, "0") == 0 || strcmp(val, "no-verify") == 0)) {
			if (method == M_CERT) {
				*err = xstrdup("clientcert cannot be set to \"no-verify\" when using \"cert\" authentication");
				return -1;
			}
			s->clientcert = 0;
		} else {
			*err = xasprintf("invalid value for clientcert: \"%s\"", val);
			*silent = 1;
			return -1;
		}
	} else if (strcmp(name, "clientname") == 0) {
		if (type != HBA_HOSTSSL) {
			*err = xstrdup("clientname can only be configured for \"hostssl\" rows");
			return -1;
		}
		if (strcmp(val, "CN") && strcmp(val, "DN")) {
			*err = xasprintf("invalid value for clientname: \"%s\"", val);
			*silent = 1;
			return -1;
		}
	} else if (strcmp(name, "pamservice") == 0) {
		s->pamservice = val;
	} else if (strcmp(name, "ldapurl") == 0) {
		if (parse_ldap_url(val, s, err) < 0)
			return -1;
	} else if (strcmp(name, "ldaptls") == 0) {
		s->ldaptls = strcmp(val, "1") == 0;
	} else if (strcmp(name, "ldapscheme") == 0) {
		/* the server logs a bad value and keeps it */
		s->ldapscheme = val;
	} else if (strcmp(name, "ldapserver") == 0) {
		s->ldapserver = val;
	} else if (strcmp(name, "ldapport") == 0) {
		s->ldapport = atoi(val);
		if (s->ldapport == 0) {
			*err = xasprintf("invalid LDAP port number: \"%s\"", val);
			return -1;
		}
	} else if (strcmp(name, "ldapbinddn") == 0) {
		s->ldapbinddn = val;
	} else if (strcmp(name, "ldapbindpasswd") == 0) {
		s->ldapbindpasswd = val;
	} else if (strcmp(name, "ldapsearchattribute") == 0) {
		s->ldapsearchattribute = val;
	} else if (strcmp(name, "ldapsearchfilter") == 0) {
		s->ldapsearchfilter = val;
	} else if (strcmp(name, "ldapbasedn") == 0) {
		s->ldapbasedn = val;
	} else if (strcmp(name, "ldapprefix") == 0) {
		s->ldapprefix = val;
	} else if (strcmp(name, "ldapsuffix") == 0) {
		s->ldapsuffix = val;
	} else if (strcmp(name, "krb_realm") == 0) {
		s->krb_realm = val;
	} else if (strcmp(name, "include_realm") == 0) {
		s->include_realm = strcmp(val, "1") == 0;
	} else if (strcmp(name, "radiusservers") == 0 || strcmp(name, "radiusserver") == 0) {
		char **names;
		int n = conf_split_list(val, &names), k;

		if (n < 0) {
			*err = xasprintf("could not parse RADIUS server list \"%s\"", val);
			*silent = 1;
			return -1;
		}
		for (k = 0; k < n; k++) {
			struct addrinfo hints, *res = NULL;
			int ret;

			memset(&hints, 0, sizeof hints);
			hints.ai_socktype = SOCK_DGRAM;
			hints.ai_family = AF_UNSPEC;
			ret = getaddrinfo(names[k], NULL, &hints, &res);
			if (res)
				freeaddrinfo(res);
			if (ret || !res) {
				*err = xasprintf("could not translate RADIUS server name \"%s\" to address: %s",
						 names[k], gai_strerror(ret));
				*silent = 1;
				conf_split_list_free(names, n);
				return -1;
			}
		}
		conf_split_list_free(names, n);
		s->radiusservers = val;
		s->nservers = n;
	} else if (strcmp(name, "radiusports") == 0 || strcmp(name, "radiusport") == 0) {
		char **names;
		int n = conf_split_list(val, &names), k;

		if (n < 0) {
			*err = xasprintf("invalid RADIUS port number: \"%s\"", val);
			return -1;
		}
		for (k = 0; k < n; k++)
			if (atoi(names[k]) == 0) {
				*err = xasprintf("invalid RADIUS port number: \"%s\"", val);
				*silent = 1;
				conf_split_list_free(names, n);
				return -1;
			}
		conf_split_list_free(names, n);
		s->radiusports = val;
		s->nports = n;
	} else if (strcmp(name, "radiussecrets") == 0 || strcmp(name, "radiussecret") == 0 ||
		   strcmp(name, "radiusidentifiers") == 0 || strcmp(name, "radiusidentifier") == 0) {
		int n = conf_split_list(val, NULL);
		int secrets = strncmp(name, "radiussecret", 12) == 0;

		if (n < 0) {
			*err = xasprintf("could not parse RADIUS %s list \"%s\"", secrets ? "secret" : "identifiers", val);
			*silent = 1;
			return -1;
		}
		if (secrets) {
			s->radiussecrets = val;
			s->nsecrets = n;
		} else {
			s->radiusidentifiers = val;
			s->nidentifiers = n;
		}
	} else if (strcmp(name, "issuer") == 0) {
		s->issuer = val;
	} else if (strcmp(name, "scope") == 0) {
		s->scope = val;
	} else if (strcmp(name, "delegate_ident_mapping") == 0) {
		s->delegate = strcmp(val, "1") == 0;
	}
	/* pam_use_hostname, compat_realm, upn_username, validator: any value */
	return 0;
}

/* The checks parse_hba_line makes once all options are read. */
static int check_mandatory(int method, int version, struct optstate *s, char **err, int *silent)
{
	if (method == M_LDAP) {
		if (s->ldapprefix || s->ldapsuffix) {
			if (s->ldapbasedn || s->ldapbinddn || s->ldapbindpasswd || s->ldapsearchattribute ||
			    s->ldapsearchfilter) {
				*err = xstrdup("cannot mix options for simple bind and search+bind modes");
				return -1;
			}
		} else if (!s->ldapbasedn) {
			*err = xstrdup("authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set");
			return -1;
		}
		if (s->ldapsearchattribute && s->ldapsearchfilter) {
			*err = xstrdup("cannot use ldapsearchattribute together with ldapsearchfilter");
			return -1;
		}
	}
	if (method == M_RADIUS) {
		const char *what[3] = { "secrets", "ports", "identifiers" };
		int counts[3] = { s->nsecrets, s->nports, s->nidentifiers };
		int k;

		if (!s->nservers) {
			*err = xstrdup("authentication method \"radius\" requires argument \"radiusservers\" to be set");
			return -1;
		}
		if (!s->nsecrets) {
			*err = xstrdup("authentication method \"radius\" requires argument \"radiussecrets\" to be set");
			return -1;
		}
		for (k = 0; k < 3; k++)
			if (!(counts[k] == 0 || counts[k] == 1 || counts[k] == s->nservers)) {
				*err = xasprintf("the number of RADIUS %s (%d) must be 1 or the same as the number of RADIUS servers (%d)",
						 what[k], counts[k], s->nservers);
				/* before 16 the server said so only in its log */
				if (version < 160000)
					*silent = 1;
				return -1;
			}
	}
	if (method == M_OAUTH) {
		if (!s->scope) {
			*err = xstrdup("authentication method \"oauth\" requires argument \"scope\" to be set");
			return -1;
		}
		if (!s->issuer) {
			*err = xstrdup("authentication method \"oauth\" requires argument \"issuer\" to be set");
			return -1;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- parsing */

static void rule_error(struct hba_rule *r, char *msg)
{
	if (!msg)
		return;
	free(r->error);
	r->error = msg;
	r->parsed = 0;
}

/*
 * The field's tokens become the list's: a lone one in the rule (one), more
 * copied into the model's arena.  The line keeps its array for the next
 * line.
 */
static void list_from_field(struct arena *ar, struct hba_list *l, struct hba_token *one,
			    struct field *f)
{
	/* the arena cuts bytes: align the array by hand */
	size_t al = _Alignof(struct hba_token), sz = f->n * sizeof *f->tok;
	char *p;

	l->n = f->n;
	f->n = 0;
	if (l->n == 1) {
		*one = f->tok[0];
		l->tok = one;
		return;
	}
	p = arena_alloc(ar, sz + al - 1);
	p += (al - (uintptr_t)p % al) % al;
	memcpy(p, f->tok, sz);
	l->tok = (struct hba_token *)(void *)p;
}

static int tok_is_keyword(const struct hba_token *t, const char *k)
{
	/* most tokens are names: the first character tells, without a call */
	return !t->quoted && t->text[0] == k[0] && strcmp(t->text, k) == 0;
}

/*
 * Where the server's engine (Spencer's AREs) is stricter than PCRE2: a '{'
 * followed by a digit must be a bound {m}, {m,} or {m,n} with m <= n <=
 * 255 (PCRE2 takes "a{2" as literal text).
 */
static int are_bad_bound(const char *re)
{
	const char *p;
	int in_bracket = 0;

	for (p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (in_bracket) {
			if (*p == ']')
				in_bracket = 0;
			continue;
		}
		if (*p == '[') {
			in_bracket = 1;
			if (p[1] == '^')
				p++;
			if (p[1] == ']')
				p++;
			continue;
		}
		if (*p == '{' && isdigit((unsigned char)p[1])) {
			char *end;
			long m = strtol(p + 1, &end, 10), n = m;

			if (*end == ',') {
				if (isdigit((unsigned char)end[1]))
					n = strtol(end + 1, &end, 10);
				else {
					n = 255;
					end++;
				}
			}
			if (*end != '}' || m > n || n > 255)
				return 1;
			p = end;
		}
	}
	return 0;
}

/*
 * Why the server's regcomp_auth_token refuses re (the text after the /),
 * or NULL.  Compiled with PCRE2 (the server has its own engine).
 */
static char *regex_error(const char *re)
{
	pcre2_code *code;
	int ec;
	PCRE2_SIZE eo;

	if (are_bad_bound(re))
		return xasprintf("invalid regular expression \"%s\": invalid repetition count(s)", re);
	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
	if (!code && ec == PCRE2_ERROR_HEAP_FAILED)
		diag_oom();
	if (!code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof msg);
		return xasprintf("invalid regular expression \"%s\": %s", re, (char *)msg);
	}
	pcre2_code_free(code);
	return NULL;
}

/* PostgreSQL 16's /regex tokens in a database or user list. */
static char *check_regex(const struct hba_list *l, int version)
{
	size_t i;
	char *err;

	if (version < 160000)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (l->tok[i].quoted || l->tok[i].text[0] != '/')
			continue;
		if ((err = regex_error(l->tok[i].text + 1)) != NULL)
			return err;
	}
	return NULL;
}

/* pg_sockaddr_cidr_mask's reading of the bits after the slash. */
static int cidr_bits(const char *s, int family)
{
	char *end;
	long bits;

	if (*s == '\0')
		return -1;
	if (isdigit((unsigned char)s[0]) && (s[1] == '\0' || (isdigit((unsigned char)s[1]) && s[2] == '\0'))) {
		/* "24": what strtol reads, without its cost */
		bits = s[1] ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
		return bits > (family == AF_INET ? 32 : 128) ? -1 : (int)bits;
	}
	errno = 0;
	bits = strtol(s, &end, 10);
	if (*end != '\0' || errno)
		return -1;
	if (bits < 0 || bits > (family == AF_INET ? 32 : 128))
		return -1;
	return (int)bits;
}

/*
 * What getaddrinfo makes of a plain dotted quad: four decimal numbers of
 * 0..255 without leading zeros (inet_aton would read those as octal).
 * Returns 0 when s is not one; the caller then asks getaddrinfo.  Most
 * addresses in a pg_hba.conf are written so, and getaddrinfo costs some
 * 1500 instructions each.  tests/unit/hba.c compares both.
 */
static int dotted_quad(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	unsigned char a[4];
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = 0;
		int nd = 0;

		while (*s >= '0' && *s <= '9' && nd < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[-nd] == '0'))
			return 0;
		a[i] = (unsigned char)v;
		if (*s++ != (i < 3 ? '.' : '\0'))
			return 0;
	}
	memset(ss, 0, sizeof *ss);
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, a, 4);
	*sl = sizeof *sin;
	return 1;
}

static int numeric_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct addrinfo hints, *res = NULL;
	int ret;

	if (dotted_quad(s, ss, sl))
		return 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	ret = getaddrinfo(s, NULL, &hints, &res);
	if (ret == 0 && res) {
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*sl = res->ai_addrlen;
	}
	if (res)
		freeaddrinfo(res);
	if (ret == 0 && !res)
		ret = EAI_FAIL;
	return ret;
}

static int addr_bytes(const struct sockaddr_storage *ss, unsigned char *out)
{
	if (ss->ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return 4;
	}
	memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	return 16;
}

/* The prefix mask of bits bits: its byte i. */
static unsigned char prefix_byte(int bits, int i)
{
	int b = bits - i * 8;

	return b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
}

/*
 * The net of address ss: with a /bits prefix when bits >= 0 (at most the
 * address's length), else with the netmask ms, else the address alone.
 */
static void net_fill(struct hba_net *n, const struct sockaddr_storage *ss, int bits,
		     const struct sockaddr_storage *ms)
{
	int len, i;

	memset(n, 0, sizeof *n);
	n->family = (unsigned char)ss->ss_family;
	len = addr_bytes(ss, n->a);
	if (bits >= 0) {
		/* a prefix: the mask is contiguous, nothing to count */
		for (i = 0; i < len; i++) {
			n->m[i] = prefix_byte(bits, i);
			n->a[i] &= n->m[i];
		}
		n->bits = (unsigned char)bits;
		n->contiguous = 1;
		return;
	}
	if (ms)
		addr_bytes(ms, n->m);
	else
		memset(n->m, 0xff, (size_t)len);
	/* bits counts the mask's set bits; contiguous: they are all in front */
	bits = 0;
	for (i = 0; i < len; i++)
		bits += __builtin_popcount(n->m[i]);
	n->bits = (unsigned char)bits;
	n->contiguous = 1;
	for (i = 0; i < len; i++)
		if (n->m[i] != prefix_byte(bits, i))
			n->contiguous = 0;
	for (i = 0; i < len; i++)
		n->a[i] &= n->m[i];
}

/*
 * The part of an address before its "/bits", as a string: in tmp when it
 * fits (a usual address costs no allocation), else malloc'd.  *bits is what
 * follows the first slash, or NULL.
 */
static char *addr_part(const char *s, char *tmp, size_t tmpsz, const char **bits)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *out = n < tmpsz ? tmp : xmalloc(n + 1);

	memcpy(out, s, n);
	out[n] = '\0';
	*bits = slash ? slash + 1 : NULL;
	return out;
}

/*
 * The address field of a host rule, and its netmask field when the address
 * has no /bits, from l->f[*fi] on.  The strings move from the line to the
 * rule.  Returns 0, or -1 with the rule's error set.
 */
static int parse_address(struct hba_rule *r, struct line *l, size_t *fi, int version)
{
	struct field *f;
	struct hba_token a;
	char tmp[64], *str = NULL, *msg = NULL;
	const char *bits;
	struct sockaddr_storage ss, ms;
	socklen_t sl = 0, msl = 0;
	int ret, hostname = 0, nbits = -1;

	if (*fi >= l->n) {
		rule_error(r, xstrdup("end-of-line before IP address specification"));
		return -1;
	}
	f = &l->f[(*fi)++];
	if (f->n > 1) {
		rule_error(r, xstrdup("multiple values specified for host address"));
		return -1;
	}
	a = f->tok[0];
	f->tok[0].text = NULL;
	r->address = a.text;
	if (version >= 90000 && (tok_is_keyword(&a, "all") || tok_is_keyword(&a, "samehost") ||
				 tok_is_keyword(&a, "samenet"))) {
		r->net_read = 2;
		return 0;	/* keywords */
	}
	str = addr_part(a.text, tmp, sizeof tmp, &bits);
	ret = numeric_addr(str, &ss, &sl);
	if (ret == EAI_NONAME && version >= 90100) {
		hostname = 1;
	} else if (ret != 0) {
		msg = xasprintf("invalid IP address \"%s\": %s", str, gai_strerror(ret));
		goto out;
	}
	if (bits) {
		if (hostname)
			msg = xasprintf("specifying both host name and CIDR mask is invalid: \"%s\"", a.text);
		else if ((nbits = cidr_bits(bits, ss.ss_family)) < 0)
			msg = xasprintf("invalid CIDR mask in address \"%s\"", a.text);
	} else if (!hostname) {
		if (*fi >= l->n) {
			msg = xstrdup("end-of-line before netmask specification");
			goto out;
		}
		f = &l->f[(*fi)++];
		if (f->n > 1) {
			msg = xstrdup("multiple values specified for netmask");
			goto out;
		}
		r->mask = f->tok[0].text;
		f->tok[0].text = NULL;
		ret = numeric_addr(r->mask, &ms, &msl);
		if (ret != 0)
			msg = xasprintf("invalid IP mask \"%s\": %s", r->mask, gai_strerror(ret));
		else if (ms.ss_family != ss.ss_family)
			msg = xstrdup("IP address and mask do not match");
	}
out:
	if (str != tmp)
		free(str);
	if (msg) {
		rule_error(r, msg);
		return -1;
	}
	if (hostname) {
		r->net_read = 2;
	} else {
		net_fill(&r->net, &ss, nbits, r->mask ? &ms : NULL);
		r->net_read = 1;
	}
	return 0;
}

/* parse_hba_line for one tokenized line; fills r and its error. */
static void parse_rule(struct arena *ar, struct hba_rule *r, struct line *l, int version)
{
	size_t fi = 0, i;
	struct field *f;
	const char *t;
	int method;
	struct optstate st;
	char *err = NULL;
	int silent = 0;

	r->parsed = 1;
	r->type = -1;
	f = &l->f[fi++];
	if (f->n > 1) {
		rule_error(r, xstrdup("multiple values specified for connection type"));
		return;
	}
	t = f->tok[0].text;
	for (i = 0; i <= HBA_HOSTNOGSSENC; i++)
		if (t[0] == type_names[i][0] && strcmp(t, type_names[i]) == 0) {
			r->type = (int)i;
			break;
		}
	if ((r->type == HBA_HOSTGSSENC || r->type == HBA_HOSTNOGSSENC) && version < 120000)
		r->type = -1;
	if (r->type < 0) {
		rule_error(r, xasprintf("invalid connection type \"%s\"", t));
		return;
	}
	if (fi >= l->n) {
		rule_error(r, xstrdup("end-of-line before database specification"));
		return;
	}
	list_from_field(ar, &r->databases, &r->one_db, &l->f[fi++]);
	if (fi >= l->n) {
		rule_error(r, xstrdup("end-of-line before role specification"));
		return;
	}
	list_from_field(ar, &r->users, &r->one_user, &l->f[fi++]);
	if ((err = check_regex(&r->databases, version)) || (err = check_regex(&r->users, version))) {
		rule_error(r, err);
		return;
	}
	if (r->type != HBA_LOCAL && parse_address(r, l, &fi, version) < 0)
		return;
	if (fi >= l->n) {
		rule_error(r, xstrdup("end-of-line before authentication method"));
		return;
	}
	f = &l->f[fi++];
	if (f->n > 1) {
		rule_error(r, xstrdup("multiple values specified for authentication type"));
		return;
	}
	r->method = f->tok[0].text;	/* the line gives it up */
	f->tok[0].text = NULL;
	method = method_id(r->method, version);
	if (method == M_NONE) {
		if (strcmp(r->method, "crypt") == 0 && version >= 80400)
			rule_error(r, xstrdup("invalid authentication method \"crypt\" (removed in PostgreSQL 8.4: use md5 or scram-sha-256)"));
		else if (strcmp(r->method, "krb5") == 0 && version >= 90400)
			rule_error(r, xstrdup("invalid authentication method \"krb5\" (removed in PostgreSQL 9.4: use gss)"));
		else if (strcmp(r->method, "scram-sha-256") == 0)
			rule_error(r, xstrdup("invalid authentication method \"scram-sha-256\" (added in PostgreSQL 10)"));
		else
			rule_error(r, xasprintf("invalid authentication method \"%s\"", r->method));
		return;
	}
	if (methods[method].unsupported) {
		rule_error(r, xasprintf("invalid authentication method \"%s\": not supported by this build", r->method));
		return;
	}
	if (r->type == HBA_LOCAL && method == M_IDENT && version >= 90100)
		method = M_PEER;
	if (r->type == HBA_LOCAL && method == M_GSS) {
		rule_error(r, xstrdup("gssapi authentication is not supported on local sockets"));
		return;
	}
	if (r->type != HBA_LOCAL && method == M_PEER) {
		rule_error(r, xstrdup("peer authentication is only supported on local sockets"));
		return;
	}
	if (r->type != HBA_HOSTSSL && method == M_CERT) {
		rule_error(r, xstrdup("cert authentication is only supported on hostssl connections"));
		return;
	}
	/* most rules: no options, and a method that requires none */
	if (fi == l->n && method != M_LDAP && method != M_RADIUS && method != M_OAUTH)
		return;
	/*
	 * The remaining fields: name=value options, taken in order; the first
	 * bad one is the server's reason.  Before 8.4 a method took one bare
	 * argument ("ident sameuser", "pam servicename").
	 */
	memset(&st, 0, sizeof st);
	for (; fi < l->n; fi++) {
		f = &l->f[fi];
		for (i = 0; i < f->n; i++) {
			const char *tok = f->tok[i].text, *eq = strchr(tok, '=');

			r->opts = xrealloc(r->opts, (r->nopts + 1) * sizeof *r->opts);
			if (version < 80400 || !eq) {
				r->opts[r->nopts].name = xstrdup("");
				r->opts[r->nopts].value = xstrdup(tok);
			} else {
				r->opts[r->nopts].name = xstrndup(tok, (size_t)(eq - tok));
				r->opts[r->nopts].value = xstrdup(eq + 1);
			}
			r->nopts++;
			if (err || version < 80400)
				continue;
			if (!eq)
				err = xasprintf("authentication option not in name=value format: %s", tok);
			else
				apply_option(r->opts[r->nopts - 1].name, r->opts[r->nopts - 1].value, method, r->type,
					     version, &st, &err, &silent);
		}
	}
	if (version < 80400) {
		if (r->nopts > 1)
			err = xstrdup("too many authentication arguments (before 8.4 a method takes one)");
	} else if (!err) {
		check_mandatory(method, version, &st, &err, &silent);
	}
	optstate_free(&st);
	if (err) {
		rule_error(r, err);
		r->silent = silent;
	}
}

/*
 * A pg_ident.conf line, as parse_ident_line reads it: three fields of one
 * token each (a fourth is ignored), the system user a regular expression
 * when it starts with / (quoted or not), from 16 on the database user too.
 */
static void parse_ident(struct hba_rule *r, struct line *l, int version)
{
	const char *why = NULL;
	char *err;
	size_t i;

	for (i = 0; i < 3 && !why; i++) {
		if (i >= l->n)
			why = "missing entry at end of line";
		else if (l->f[i].n > 1)
			why = "multiple values in ident field";
	}
	if (why) {
		rule_error(r, xstrdup(why));
		return;
	}
	err = l->f[1].tok[0].text[0] == '/' ? regex_error(l->f[1].tok[0].text + 1) : NULL;
	if (!err && version >= 160000 && l->f[2].tok[0].text[0] == '/')
		err = regex_error(l->f[2].tok[0].text + 1);
	if (err) {
		rule_error(r, err);
		return;
	}
	r->map = xstrdup(l->f[0].tok[0].text);
	r->system_user.text = xstrdup(l->f[1].tok[0].text);
	r->system_user.quoted = l->f[1].tok[0].quoted;
	r->pg_user.text = xstrdup(l->f[2].tok[0].text);
	r->pg_user.quoted = l->f[2].tok[0].quoted;
	r->parsed = 1;
}

const struct hba_rule *hba_ident_find(const struct hba_model *ident, const char *map)
{
	size_t i;

	for (i = 0; i < ident->n; i++)
		if (ident->rules[i].map && strcmp(ident->rules[i].map, map) == 0)
			return &ident->rules[i];
	return NULL;
}

/* ----------------------------------------------------------- file reading */

static size_t add_file(struct hba_model *m, const char *path, char *data, size_t len)
{
	m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof *m->files);
	m->files[m->nfiles].path = xstrdup(path);
	m->files[m->nfiles].data = data;
	m->files[m->nfiles].len = len;
	m->files[m->nfiles].tokens = NULL;
	return m->nfiles++;
}

/*
 * Room for want more rules.  A file holds no more rules than lines: the
 * array is sized once before reading it, in pages that only the rules
 * written touch, instead of doubling and copying as it fills.
 */
static void reserve_rules(struct hba_model *m, size_t want)
{
	size_t cap = m->n + want, i;
	struct hba_rule *v;

	if (cap <= m->cap)
		return;
	if (cap < m->n || cap > SIZE_MAX / sizeof *v)
		diag_oom();
	v = arena_pages(cap * sizeof *v);
	if (m->n)
		memcpy(v, m->rules, m->n * sizeof *v);
	for (i = 0; i < m->n; i++) {
		/* a lone token moves with its rule */
		if (m->rules[i].databases.tok == &m->rules[i].one_db)
			v[i].databases.tok = &v[i].one_db;
		if (m->rules[i].users.tok == &m->rules[i].one_user)
			v[i].users.tok = &v[i].one_user;
	}
	free(m->rules);
	m->rules = v;
	m->cap = cap;
}

static struct hba_rule *new_rule(struct hba_model *m, size_t file, const struct span *sp, size_t lead)
{
	struct hba_rule *r;

	/* an include line's file took the room its outer file reserved */
	if (m->n == m->cap)
		reserve_rules(m, m->n > 16 ? m->n : 16);
	r = &m->rules[m->n++];
	memset(r, 0, sizeof *r);
	r->file = file;
	r->line = sp->line;
	r->last_line = sp->last_line;
	r->off = sp->off;
	r->len = sp->end - sp->off;
	r->lead_off = lead;
	r->type = -1;
	return r;
}

static int load_file(struct loader *ld, const char *path, int from_line, const char *from_file);
static int parse_file(struct loader *ld, size_t fidx);

/*
 * An include / include_if_exists / include_dir line (PostgreSQL >= 16).
 * A file or directory that cannot be opened flags the line (*lerr), as
 * the server does, and the other rules are read.
 */
static int do_include(struct loader *ld, size_t fidx, const char *kind, const char *name, int lineno, char **lerr)
{
	char *full = conf_location(name, ld->m->files[fidx].path);
	char *outer = xstrdup(ld->m->files[fidx].path);
	int rc = 0;

	if (strcmp(kind, "include_dir") == 0) {
		char **names, *failed;
		size_t n, i;

		if (conf_dir_files(full, &names, &n, &failed) < 0) {
			if (failed)
				*lerr = xasprintf("could not stat file \"%s\": %s", failed,
						  strerror(errno));
			else
				*lerr = xasprintf("could not open directory \"%s\": %s", full,
						  strerror(errno));
			free(failed);
			goto out;
		}
		for (i = 0; i < n && rc == 0; i++)
			rc = load_file(ld, names[i], lineno, outer);
		conf_dir_files_free(names, n);
	} else {
		FILE *fp = fopen(full, "r");

		if (!fp && errno == ENOENT && strcmp(kind, "include_if_exists") == 0)
			goto out;
		if (!fp) {
			*lerr = xasprintf("could not open file \"%s\": %s", full, strerror(errno));
			goto out;
		}
		fclose(fp);
		rc = load_file(ld, full, lineno, outer);
	}
out:
	free(full);
	free(outer);
	return rc;
}

static int parse_file(struct loader *ld, size_t fidx)
{
	struct buf text, tok;
	struct line l = { NULL, 0, 0, NULL };
	struct span sp;
	size_t pos = 0, lead = (size_t)-1;
	int lineno = 1, rc = 0;
	int version = ld->m->version;

	reserve_rules(ld->m, buf_count_lines(ld->m->files[fidx].data, ld->m->files[fidx].len));
	if (!ld->m->files[fidx].tokens)
		ld->m->files[fidx].tokens = arena_pages(ld->m->files[fidx].len + 1);
	buf_init(&text);
	buf_init(&tok);
	for (;;) {
		const char *path = ld->m->files[fidx].path;
		char *line;
		const char *p;
		struct hba_rule *r;
		int quiet = ld->m->general ? 0 : quiet_line(ld->m->files[fidx].data, ld->m->files[fidx].len, pos,
							     lineno, &sp);

		if (quiet) {
			pos = sp.next;
			lineno++;
			if (quiet == LINE_BLANK)
				lead = (size_t)-1;
			else if (lead == (size_t)-1)
				lead = sp.off;
			continue;
		}
		line = ld->m->general ? NULL : kept_line(&ld->m->files[fidx], pos, version, &sp);
		if (!line) {
			const struct hba_file *hf = &ld->m->files[fidx];

			if (!next_logical(hf->data, hf->len, pos, lineno, version, &text, &sp))
				break;
			line = text.data;
		}
		p = line;
		line_clear(&l);
		if (tokenize_line(ld, path, sp.line, line, line != text.data, &l, &tok) < 0) {
			rc = -1;
			break;
		}
		pos = sp.next;
		lineno = sp.last_line + 1;
		if (!l.n && !l.err) {
			while (is_blank((unsigned char)*p))
				p++;
			if (*p == '#') {
				if (lead == (size_t)-1)
					lead = sp.off;
			} else {
				lead = (size_t)-1;
			}
			continue;
		}
		r = new_rule(ld->m, fidx, &sp, lead == (size_t)-1 ? sp.off : lead);
		lead = (size_t)-1;
		if (l.err) {
			r->error = l.err;
			l.err = NULL;
			continue;
		}
		if (version >= 160000 && l.n == 2 &&
		    (strcmp(l.f[0].tok[0].text, "include") == 0 ||
		     strcmp(l.f[0].tok[0].text, "include_if_exists") == 0 ||
		     strcmp(l.f[0].tok[0].text, "include_dir") == 0)) {
			r->include_kind = xstrdup(l.f[0].tok[0].text);
			r->address = arena_strndup(&ld->m->arena, l.f[1].tok[0].text,
						   strlen(l.f[1].tok[0].text));
			/* r moves when the included file's rules are added: pass what it holds */
			if (ld->follow) {
				size_t ri = (size_t)(r - ld->m->rules);
				char *lerr = NULL;

				if (do_include(ld, fidx, r->include_kind, r->address, sp.line, &lerr) < 0) {
					free(lerr);
					rc = -1;
					break;
				}
				ld->m->rules[ri].error = lerr;
			}
			continue;
		}
		if (ld->m->ident)
			parse_ident(r, &l, version);
		else
			parse_rule(&ld->m->arena, r, &l, version);
	}
	line_free(&l);
	buf_free(&text);
	buf_free(&tok);
	return rc;
}

static int load_file(struct loader *ld, const char *path, int from_line, const char *from_file)
{
	struct buf b;
	struct stat st;
	size_t fidx;
	int rc;

	if (conf_stack_has(&ld->open, path))
		return diag_set(ld->err, from_file, from_line, "\"%s\" includes itself", path);
	if (ld->depth > CONF_FILE_MAX_DEPTH)
		return diag_set(ld->err, from_file, from_line,
				"could not open file \"%s\": maximum nesting depth exceeded", path);
	buf_init(&b);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)2 << 20 &&
	    (size_t)st.st_size < SIZE_MAX - 2) {
		/* in whole huge pages: conf_read_file keeps a buffer large enough */
		b.cap = (size_t)st.st_size + 2;
		b.data = arena_pages(b.cap);
		b.data[0] = '\0';
	}
	rc = conf_read_file(&b, path, &st);
	if (rc < 0) {
		buf_free(&b);
		return diag_set(ld->err, from_file ? from_file : path, from_line,
				"could not open file \"%s\": %s", path, strerror(-rc));
	}
	if (b.len && memchr(b.data, '\0', b.len)) {
		buf_free(&b);
		return diag_set(ld->err, path, 0, "binary data (a NUL byte): not an authentication file");
	}
	if (!b.data)
		buf_adds(&b, "");
	{
		size_t len = b.len;

		fidx = add_file(ld->m, path, buf_steal(&b), len);
	}
	conf_stack_push(&ld->open, &st);
	ld->depth++;
	rc = parse_file(ld, fidx);
	ld->depth--;
	conf_stack_pop(&ld->open);
	return rc;
}

int hba_load(struct hba_model *m, const char *path, struct diag_err *err)
{
	struct loader ld = { .m = m, .err = err, .follow = 1 };

	return load_file(&ld, path, 0, NULL);
}

int hba_parse_buf(struct hba_model *m, const char *path, const char *data, size_t len, struct diag_err *err)
{
	struct loader ld = { .m = m, .err = err, .follow = 0 };
	char *copy;
	size_t fidx;

	if (len && memchr(data, '\0', len))
		return diag_set(err, path, 0, "binary data (a NUL byte): not an authentication file");
	copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	fidx = add_file(m, path, copy, len);
	return parse_file(&ld, fidx);
}

/* ------------------------------------------------------------ validation */

static void warn(struct hba_rule *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct hba_rule *r, const char *fmt, ...)
{
	va_list ap;
	struct buf msg;

	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	r->warnings = xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
	r->warnings[r->nwarnings++] = buf_steal(&msg);
}

/*
 * A rule's address as a net; 0 when it has none that is numeric.  The
 * parser read it already unless the rule has an error.
 */
static int rule_net(const struct hba_rule *r, struct hba_net *n)
{
	char tmp[64], *str;
	const char *slash;
	struct sockaddr_storage ss, ms;
	socklen_t sl, msl;
	int bits = -1, ok;

	if (r->net_read == 1) {
		*n = r->net;
		return 1;
	}
	memset(n, 0, sizeof *n);
	if (r->net_read || !r->address || r->include_kind)
		return 0;
	str = addr_part(r->address, tmp, sizeof tmp, &slash);
	ok = numeric_addr(str, &ss, &sl) == 0;
	if (str != tmp)
		free(str);
	if (!ok)
		return 0;
	if (slash) {
		int len = ss.ss_family == AF_INET ? 4 : 16;

		bits = cidr_bits(slash, ss.ss_family);
		if (bits < 0 || bits > len * 8)
			bits = len * 8;
	}
	ok = !slash && r->mask && numeric_addr(r->mask, &ms, &msl) == 0 &&
	     ms.ss_family == ss.ss_family;
	net_fill(n, &ss, bits, ok ? &ms : NULL);
	return 1;
}

static int is_password_method(const char *m)
{
	if (!m)
		return 0;
	switch (m[0]) {
	case 'm':
		return strcmp(m, "md5") == 0;
	case 'p':
		return strcmp(m, "password") == 0;
	case 's':
		return strcmp(m, "scram-sha-256") == 0;
	case 'c':
		return strcmp(m, "crypt") == 0;
	default:
		return 0;
	}
}

static int list_has_kw(const struct hba_list *l, const char *k)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (tok_is_keyword(&l->tok[i], k))
			return 1;
	return 0;
}

static int tok_special(const struct hba_token *t)
{
	return !t->quoted && (t->text[0] == '+' || t->text[0] == '/' || t->text[0] == '@' ||
			      strcmp(t->text, "all") == 0 || strcmp(t->text, "sameuser") == 0 ||
			      strcmp(t->text, "samerole") == 0 || strcmp(t->text, "samegroup") == 0 ||
			      strcmp(t->text, "replication") == 0);
}

/* Does every name in b also appear in a (or does a say "all")? */
static int list_covers(const struct hba_list *a, const struct hba_list *b, int databases)
{
	size_t i, j;

	if (list_has_kw(a, "all") && !(databases && list_has_kw(b, "replication")))
		return 1;
	for (i = 0; i < b->n; i++) {
		int found = 0;

		for (j = 0; j < a->n && !found; j++)
			found = a->tok[j].quoted == b->tok[i].quoted && strcmp(a->tok[j].text, b->tok[i].text) == 0 &&
				(!tok_special(&b->tok[i]) || !databases || strcmp(b->tok[i].text, "replication") == 0 ||
				 b->tok[i].text[0] != '+');
		if (!found)
			return 0;
	}
	return b->n > 0;
}

static int type_covers(int a, int b)
{
	if (a == b)
		return 1;
	if (a == HBA_HOST)
		return b != HBA_LOCAL;
	return 0;
}

static int addr_covers(const struct hba_rule *a, const struct hba_rule *b)
{
	struct hba_net na, nb;
	int i, len;

	if (a->type == HBA_LOCAL)
		return 1;
	if (a->address && strcmp(a->address, "all") == 0)
		return 1;
	if (!rule_net(a, &na) || !rule_net(b, &nb))
		return a->address && b->address && strcasecmp(a->address, b->address) == 0 &&
		       !a->mask && !b->mask;
	if (na.family != nb.family)
		return 0;
	len = na.family == AF_INET ? 4 : 16;
	for (i = 0; i < len; i++) {
		if ((na.m[i] & nb.m[i]) != na.m[i])
			return 0;	/* a is narrower somewhere */
		if ((nb.a[i] & na.m[i]) != na.a[i])
			return 0;
	}
	return 1;
}

/*
 * Finding rules that can never match.  Comparing each rule with every
 * earlier one is quadratic (10 000 rules took seconds), so earlier rules are
 * indexed: a rule can only be covered by one whose database list says all
 * or holds the rule's first database, and likewise for users.  Buckets:
 * "all all" rules in a list; "all" databases with named users by user
 * name; named databases by database name.  Candidates are checked exactly.
 */
struct bucket {
	const char *key;
	size_t *idx;		/* the rules, ascending; &one while there is one */
	size_t n, cap, one;
};

/*
 * The buckets in a dense array, in the order their keys first appear, and
 * the shared hash index over them (ids are bucket numbers): a big file
 * touches few pages.
 */
struct table {
	struct hashidx ix;
	struct bucket *b;	/* room for as many keys as the tokens that can be keys */
	size_t nb;
};

struct shadow_index {
	size_t *all;			/* rules that say all databases and all users */
	size_t nall, capall;
	struct table by_user, by_db;
};

static void push_index(size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = x;
}

/* Bucket id of table ctx has the key key (hashidx_eq). */
static int
bucket_is(const void *ctx, uint32_t id, const void *key)
{
	const struct table *t = ctx;

	return strcmp(t->b[id].key, key) == 0;
}

/* The bucket of key, whose hashidx_hash_str is h. */
static struct bucket *bucket_of(struct table *t, const char *key, uint32_t h, int create)
{
	uint32_t id;
	struct bucket *b;

	if (!create) {
		id = hashidx_find(&t->ix, h, bucket_is, t, key);
		return id == HASHIDX_NONE ? NULL : &t->b[id];
	}
	id = hashidx_put(&t->ix, h, (uint32_t)t->nb, 0, bucket_is, t, key);
	if (id != HASHIDX_NONE)
		return &t->b[id];
	b = &t->b[t->nb++];
	memset(b, 0, sizeof *b);
	b->key = key;
	return b;
}

/* Add rule x to the bucket (the buckets never move: idx may point into one). */
static void bucket_push(struct bucket *b, size_t x)
{
	if (b->n == 0) {
		b->one = x;
		b->idx = &b->one;
		b->cap = 1;
	} else if (b->n == b->cap) {
		size_t *v = xmalloc(2 * b->cap * sizeof *v);

		memcpy(v, b->idx, b->n * sizeof *v);
		if (b->idx != &b->one)
			free(b->idx);
		b->idx = v;
		b->cap *= 2;
	}
	b->idx[b->n++] = x;
}

static void table_init(struct table *t, size_t keys)
{
	hashidx_init(&t->ix);
	if (keys)
		hashidx_reserve(&t->ix, keys);
	t->b = keys ? arena_pages(keys * sizeof *t->b) : NULL;
	t->nb = 0;
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nb; i++)
		if (t->b[i].idx != &t->b[i].one)
			free(t->b[i].idx);
	free(t->b);
	hashidx_free(&t->ix);
}

static int can_shadow(const struct hba_rule *e)
{
	return !e->error && !e->include_kind && e->type >= 0;
}

static void shadow_init(struct shadow_index *x, const struct hba_model *m)
{
	size_t i, users = 0, dbs = 0;

	/*
	 * No more keys than the tokens shadow_add keys: most files name
	 * databases, and an index sized for users too would be zeroed for
	 * nothing.
	 */
	for (i = 0; i < m->n; i++) {
		const struct hba_rule *e = &m->rules[i];

		if (!can_shadow(e))
			continue;
		if (!list_has_kw(&e->databases, "all"))
			dbs += e->databases.n;
		else if (!list_has_kw(&e->users, "all"))
			users += e->users.n;
	}
	memset(x, 0, sizeof *x);
	table_init(&x->by_user, users);
	table_init(&x->by_db, dbs);
}

static void shadow_free(struct shadow_index *x)
{
	table_free(&x->by_user);
	table_free(&x->by_db);
	free(x->all);
}

/* db_hash: the hash of the rule's first database, which shadow_check looked up. */
static void shadow_add(const struct hba_model *m, struct shadow_index *x, size_t i,
		       uint32_t db_hash)
{
	const struct hba_rule *e = &m->rules[i];
	size_t k;

	if (!can_shadow(e))
		return;
	if (list_has_kw(&e->databases, "all")) {
		if (list_has_kw(&e->users, "all")) {
			push_index(&x->all, &x->nall, &x->capall, i);
			return;
		}
		for (k = 0; k < e->users.n; k++) {
			const char *key = e->users.tok[k].text;
			struct bucket *b = bucket_of(&x->by_user, key, hashidx_hash_str(key), 1);

			if (!b->n || b->idx[b->n - 1] != i)
				bucket_push(b, i);
		}
		return;
	}
	for (k = 0; k < e->databases.n; k++) {
		const char *key = e->databases.tok[k].text;
		struct bucket *b = bucket_of(&x->by_db, key, k ? hashidx_hash_str(key) : db_hash, 1);

		if (!b->n || b->idx[b->n - 1] != i)
			bucket_push(b, i);
	}
}

static int covers(const struct hba_rule *e, const struct hba_rule *r)
{
	return type_covers(e->type, r->type) && list_covers(&e->databases, &r->databases, 1) &&
	       list_covers(&e->users, &r->users, 0) && addr_covers(e, r);
}

/* The earliest covering rule among the candidates of one bucket list (ascending). */
static size_t first_cover(const struct hba_model *m, const size_t *v, size_t n, size_t r, size_t best)
{
	size_t k;

	for (k = 0; k < n && v[k] < best; k++)
		if (covers(&m->rules[v[k]], &m->rules[r]))
			return v[k];
	return best;
}

static void shadow_check(struct hba_model *m, struct shadow_index *x, size_t i, uint32_t db_hash)
{
	struct hba_rule *r = &m->rules[i];
	const struct bucket *b;
	const char *user;
	size_t best = i;

	if (!r->databases.n || !r->users.n)
		return;
	best = first_cover(m, x->all, x->nall, i, best);
	/* most files key no rule by user: no hash to compute then */
	user = r->users.tok[0].text;
	if (x->by_user.nb && (b = bucket_of(&x->by_user, user, hashidx_hash_str(user), 0)))
		best = first_cover(m, b->idx, b->n, i, best);
	if ((b = bucket_of(&x->by_db, r->databases.tok[0].text, db_hash, 0)))
		best = first_cover(m, b->idx, b->n, i, best);
	if (best < i) {
		const struct hba_rule *e = &m->rules[best];

		warn(r, "never matches: line %d%s%s already matches every connection it would", e->line,
		     e->file != r->file ? " of " : "", e->file != r->file ? m->files[e->file].path : "");
	}
}

void hba_validate(struct hba_model *m, const struct hba_context *ctx)
{
	struct shadow_index idx;
	size_t i;

	if (m->ident)
		return;		/* parse_ident said all there is to say */
	shadow_init(&idx, m);
	for (i = 0; i < m->n; i++) {
		struct hba_rule *r = &m->rules[i];
		struct hba_net n;
		int has_net;
		uint32_t db_hash;

		warnings_free(r);
		if (r->include_kind)
			continue;
		if (ctx && ctx->ssl_off && r->type == HBA_HOSTSSL) {
			/* the server sets this error first and keeps parsing */
			if (!r->error) {
				r->error = xstrdup("hostssl record cannot match because SSL is disabled");
			} else if (r->silent) {
				free(r->error);
				r->error = xstrdup("hostssl record cannot match because SSL is disabled");
				r->silent = 0;
			}
		}
		if (r->error && !r->parsed)
			continue;
		if (r->error)
			continue;
		if (ctx && ctx->ident) {
			const char *map = hba_rule_map(r);

			if (map && !hba_ident_find(ctx->ident, map)) {
				/* not a server error: the server only fails at login */
				warn(r, "map \"%s\" is not defined in pg_ident.conf", map);
			}
		}
		has_net = rule_net(r, &n);
		if (r->method && r->method[0] == 't' && strcmp(r->method, "trust") == 0 &&
		    r->type != HBA_LOCAL)
			warn(r, "trust on a %s rule: anyone who can reach the server connects without a password",
			     hba_type_name(r->type));
		if (r->method && r->method[0] == 'p' && strcmp(r->method, "password") == 0)
			warn(r, "\"password\" sends passwords in clear text: use scram-sha-256");
		if (is_password_method(r->method) && r->type != HBA_HOSTSSL && r->type != HBA_LOCAL && r->type != HBA_HOSTGSSENC) {
			int open = r->address && strcmp(r->address, "all") == 0;

			if (!open && has_net && n.bits == 0)
				open = 1;
			if (open)
				warn(r, "%s from any address without SSL: passwords cross the network in the open",
				     r->method);
		}
		if (r->type >= 0 && has_net && !n.contiguous)
			warn(r, "netmask \"%s\" is not contiguous", r->mask ? r->mask : "");
		db_hash = r->databases.n ? hashidx_hash_str(r->databases.tok[0].text) : 0;
		shadow_check(m, &idx, i, db_hash);
		shadow_add(m, &idx, i, db_hash);
	}
	shadow_free(&idx);
}

size_t hba_errors(const struct hba_model *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->n; i++)
		if (m->rules[i].error)
			n++;
	return n;
}

/* ---------------------------------------------------------------- keys */

static int cmp_tok(const void *a, const void *b)
{
	const struct hba_token *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	return c ? c : x->quoted - y->quoted;
}

static void key_list(struct buf *out, const struct hba_list *l)
{
	struct hba_token *t = xmalloc((l->n ? l->n : 1) * sizeof *t);
	size_t i;

	memcpy(t, l->tok, l->n * sizeof *t);
	qsort(t, l->n, sizeof *t, cmp_tok);
	for (i = 0; i < l->n; i++) {
		if (i && cmp_tok(&t[i], &t[i - 1]) == 0)
			continue;
		/* a quoted keyword is a plain name: keep the difference */
		buf_printf(out, "%s%s%s", i ? "," : "", t[i].quoted && tok_special(&(struct hba_token){ t[i].text, 0 }) ? "\"" : "",
			   t[i].text);
	}
	free(t);
}

static int cmp_opt(const void *a, const void *b)
{
	const struct hba_option *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

int hba_rule_match_address(const struct hba_rule *r, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned char a[16];
	struct hba_net n;
	int i, len;

	if (r->type == HBA_LOCAL || !r->address || strcmp(r->address, "all") == 0)
		return 1;
	if (numeric_addr(addr, &ss, &sl) != 0)
		return -1;
	if (strcmp(r->address, "samehost") == 0 || strcmp(r->address, "samenet") == 0) {
		/* only a loopback client is surely on this host */
		len = addr_bytes(&ss, a);
		if ((len == 4 && a[0] == 127) || (len == 16 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0))
			return 1;
		return -1;
	}
	if (!rule_net(r, &n))
		return -1;	/* a host name: it depends on DNS */
	if (n.family != ss.ss_family)
		return 0;
	len = addr_bytes(&ss, a);
	for (i = 0; i < len; i++)
		if ((a[i] & n.m[i]) != n.a[i])
			return 0;
	return 1;
}

/*
 * Does a database or user list take name?  1 yes, 0 no, -1 cannot tell
 * here: +group and samerole depend on role membership, a /regex is not
 * run.  user is the connection's user, for sameuser.
 */
static int
list_takes(const struct hba_list *l, const char *name, const char *user, int is_db)
{
	size_t i;
	int unsure = 0;

	for (i = 0; i < l->n; i++) {
		const struct hba_token *t = &l->tok[i];

		if (tok_is_keyword(t, "all"))
			return 1;
		if (is_db && tok_is_keyword(t, "sameuser") && strcmp(name, user) == 0)
			return 1;
		if (is_db && (tok_is_keyword(t, "samerole") || tok_is_keyword(t, "samegroup")))
			unsure = 1;
		else if (!t->quoted && (t->text[0] == '+' || t->text[0] == '/'))
			unsure = 1;
		else if (strcmp(t->text, name) == 0)
			return 1;
	}
	return unsure ? -1 : 0;
}

int
hba_match(const struct hba_rule *r, const struct hba_conn *c)
{
	int d, u, a = 1;

	if (r->error || r->include_kind || r->type < 0)
		return 0;
	if ((r->type == HBA_LOCAL) != c->local)
		return 0;
	/* libpq never asks for GSSAPI encryption unless built and told to. */
	if (r->type == HBA_HOSTGSSENC || (r->type == HBA_HOSTSSL && !c->ssl) ||
	    (r->type == HBA_HOSTNOSSL && c->ssl))
		return 0;
	d = list_takes(&r->databases, c->database, c->user, 1);
	u = list_takes(&r->users, c->user, c->user, 0);
	if (!c->local)
		a = hba_rule_match_address(r, c->addr);
	if (d == 0 || u == 0 || a == 0)
		return 0;
	return d < 0 || u < 0 || a < 0 ? -1 : 1;
}

const struct hba_rule *
hba_first_match(const struct hba_model *m, const struct hba_conn *c, int *uncertain)
{
	size_t i;

	*uncertain = 0;
	for (i = 0; i < m->n; i++) {
		int k = hba_match(&m->rules[i], c);

		if (k != 0) {
			*uncertain = k < 0;
			return &m->rules[i];
		}
	}
	return NULL;
}

/*
 * The names a list stands for when probing: its plain names, or for "all"
 * one name no rule of m mentions (a rule takes it only by "all" itself).
 * 0 when the list holds what a probe cannot stand for: keywords other than
 * all, +groups, /regexes.
 */
static int probe_names(const struct hba_list *l, const char *any, const char ***out, size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	for (i = 0; i < l->n; i++) {
		const struct hba_token *t = &l->tok[i];

		if (tok_is_keyword(t, "all")) {
			if (l->n != 1)
				break;
			*out = xmalloc(sizeof **out);
			(*out)[(*n)++] = any;
			return 1;
		}
		if (!t->quoted && (t->text[0] == '+' || t->text[0] == '/' || tok_is_keyword(t, "sameuser") ||
				   tok_is_keyword(t, "samerole") || tok_is_keyword(t, "samegroup") ||
				   tok_is_keyword(t, "replication")))
			break;
	}
	if (i < l->n || l->n == 0)
		return 0;
	*out = xmalloc(l->n * sizeof **out);
	for (i = 0; i < l->n; i++)
		(*out)[(*n)++] = l->tok[i].text;
	return 1;
}

/*
 * The addresses that stand for r's: the first and last of its network
 * (CIDR blocks nest or are apart, so a rule that takes both takes all of
 * it), of both families for "all".  Returns how many (even; pairs), 0 when
 * r's address cannot be probed (names, samehost, a non-contiguous mask).
 */
static int probe_addrs(const struct hba_rule *r, char addrs[4][INET6_ADDRSTRLEN])
{
	struct hba_net n;
	unsigned char lo[16], hi[16];
	int len, i;

	if (r->address && strcmp(r->address, "all") == 0) {
		strcpy(addrs[0], "0.0.0.0");
		strcpy(addrs[1], "255.255.255.255");
		strcpy(addrs[2], "::");
		strcpy(addrs[3], "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
		return 4;
	}
	if (!rule_net(r, &n) || !n.contiguous)
		return 0;
	len = n.family == AF_INET ? 4 : 16;
	for (i = 0; i < len; i++) {
		lo[i] = n.a[i];
		hi[i] = (unsigned char)(n.a[i] | (unsigned char)~n.m[i]);
	}
	if (!inet_ntop(n.family, lo, addrs[0], INET6_ADDRSTRLEN) ||
	    !inet_ntop(n.family, hi, addrs[1], INET6_ADDRSTRLEN))
		return 0;
	return 2;
}

/*
 * Every connection r takes is a database of its list, a user of its list,
 * with or without SSL as its type allows, and (host rules) an address of
 * its network: each is put to hba_first_match over m's first upto rules.
 * The rule that decides a probe must decide it surely, and the same rule
 * must decide both ends of a network.
 */
const struct hba_rule *
hba_shadowing_rule(const struct hba_model *m, size_t upto, const struct hba_rule *r)
{
	struct hba_model head = *m;
	const char **dbs = NULL, **users = NULL;
	/* two names: a database "sameuser" must not take the user's */
	const char *anydb = "\x01pghba-copy: no rule names this database";
	const char *anyuser = "\x01pghba-copy: no rule names this user";
	char addrs[4][INET6_ADDRSTRLEN];
	const struct hba_rule *first = NULL;
	size_t nd, nu, d, u;
	int naddr = 0, ssl, a, ok = 1;

	if (r->error || r->include_kind || r->type < 0 || r->type == HBA_HOSTGSSENC || upto == 0)
		return NULL;
	if (r->type != HBA_LOCAL && (naddr = probe_addrs(r, addrs)) == 0)
		return NULL;
	if (!probe_names(&r->databases, anydb, &dbs, &nd) || !probe_names(&r->users, anyuser, &users, &nu)) {
		free(dbs);
		return NULL;
	}
	head.n = upto < m->n ? upto : m->n;
	for (d = 0; d < nd && ok; d++)
		for (u = 0; u < nu && ok; u++)
			for (ssl = 0; ssl < 2 && ok; ssl++) {
				struct hba_conn c = { r->type == HBA_LOCAL, ssl, dbs[d], users[u], NULL };

				if ((r->type == HBA_HOSTSSL && !ssl) || (r->type == HBA_HOSTNOSSL && ssl) ||
				    (r->type == HBA_LOCAL && ssl))
					continue;
				for (a = 0; a < (naddr ? naddr : 1) && ok; a += 2) {
					const struct hba_rule *lo, *hi;
					int unsure = 0, unsure2 = 0;

					c.addr = naddr ? addrs[a] : NULL;
					lo = hba_first_match(&head, &c, &unsure);
					if (naddr) {
						c.addr = addrs[a + 1];
						hi = hba_first_match(&head, &c, &unsure2);
					} else {
						hi = lo;
					}
					if (!lo || lo != hi || unsure || unsure2)
						ok = 0;
					else if (!first)
						first = lo;
				}
			}
	free(dbs);
	free(users);
	return ok ? first : NULL;
}

void hba_rule_match_key(const struct hba_rule *r, struct buf *out)
{
	struct hba_net n;
	size_t i;

	buf_reset(out);
	if (r->include_kind) {
		buf_printf(out, "%s %s", r->include_kind, r->address ? r->address : "");
		return;
	}
	buf_printf(out, "%s ", hba_type_name(r->type));
	key_list(out, &r->databases);
	buf_addc(out, ' ');
	key_list(out, &r->users);
	buf_addc(out, ' ');
	if (r->type != HBA_LOCAL) {
		if (rule_net(r, &n)) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(n.family, n.a, a, sizeof a);
			if (n.contiguous) {
				buf_printf(out, "%s/%d", a, n.bits);
			} else {
				char mk[INET6_ADDRSTRLEN];

				inet_ntop(n.family, n.m, mk, sizeof mk);
				buf_printf(out, "%s/%s", a, mk);
			}
		} else if (r->address) {
			/* host names are case-insensitive */
			for (i = 0; r->address[i]; i++)
				buf_addc(out, (char)tolower((unsigned char)r->address[i]));
		}
		buf_addc(out, ' ');
	}
}

void hba_rule_key(const struct hba_rule *r, struct buf *out)
{
	size_t i;

	hba_rule_match_key(r, out);
	if (r->include_kind)
		return;
	buf_adds(out, hba_rule_view_method(r));
	if (r->nopts) {
		struct hba_option *o = xmalloc(r->nopts * sizeof *o);

		memcpy(o, r->opts, r->nopts * sizeof *o);
		qsort(o, r->nopts, sizeof *o, cmp_opt);
		for (i = 0; i < r->nopts; i++)
			buf_printf(out, " %s=%s", o[i].name, o[i].value);
		free(o);
	}
}

int hba_rule_catch_all(const struct hba_rule *r)
{
	return !r->include_kind && r->type >= 0 && list_has_kw(&r->databases, "all") &&
	       list_has_kw(&r->users, "all");
}

const char *hba_rule_map(const struct hba_rule *r)
{
	const char *map = NULL;
	size_t i;

	for (i = 0; i < r->nopts; i++)
		if (strcmp(r->opts[i].name, "map") == 0)
			map = r->opts[i].value;
	return map;
}

/* ------------------------------------------------------------ the view */

const char *hba_rule_view_method(const struct hba_rule *r)
{
	if (!r->method)
		return "";
	if (r->type == HBA_LOCAL && strcmp(r->method, "ident") == 0)
		return "peer";
	return r->method;
}

static void name_info(const struct sockaddr_storage *ss, socklen_t sl, char *out, size_t outsz)
{
	char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)ss, sl, host, sizeof host, NULL, 0, NI_NUMERICHOST) == 0) {
		char *pct = strchr(host, '%');

		if (ss->ss_family == AF_INET6 && pct)
			*pct = '\0';	/* clean_ipv6_addr */
		snprintf(out, outsz, "%s", host);
	} else {
		snprintf(out, outsz, "???");
	}
}

void hba_rule_view_address(const struct hba_rule *r, char *addr, size_t addrsz, char *mask, size_t masksz)
{
	char *str, *slash;
	struct sockaddr_storage ss, ms;
	socklen_t sl = 0, msl = 0;

	addr[0] = mask[0] = '\0';
	if (!r->address || r->type == HBA_LOCAL || r->include_kind)
		return;
	if (strcmp(r->address, "all") == 0 || strcmp(r->address, "samehost") == 0 ||
	    strcmp(r->address, "samenet") == 0) {
		snprintf(addr, addrsz, "%s", r->address);
		return;
	}
	str = xstrdup(r->address);
	slash = strchr(str, '/');
	if (slash)
		*slash = '\0';
	if (numeric_addr(str, &ss, &sl) != 0) {
		snprintf(addr, addrsz, "%s", str);
		free(str);
		return;
	}
	name_info(&ss, sl, addr, addrsz);
	if (slash) {
		int bits = cidr_bits(slash + 1, ss.ss_family), i;

		memset(&ms, 0, sizeof ms);
		ms.ss_family = ss.ss_family;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *m4 = (struct sockaddr_in *)&ms;

			m4->sin_addr.s_addr = bits <= 0 ? 0 : htonl(0xffffffffu << (32 - bits));
			msl = sizeof *m4;
		} else {
			struct sockaddr_in6 *m6 = (struct sockaddr_in6 *)&ms;

			for (i = 0; i < 16; i++) {
				int b = bits - i * 8;

				m6->sin6_addr.s6_addr[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
			}
			msl = sizeof *m6;
		}
		name_info(&ms, msl, mask, masksz);
	} else if (r->mask && numeric_addr(r->mask, &ms, &msl) == 0) {
		name_info(&ms, msl, mask, masksz);
	}
	free(str);
}

static void push(char ***out, size_t *n, char *s)
{
	*out = xrealloc(*out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = s;
}

size_t hba_rule_view_options(const struct hba_rule *r, char ***out)
{
	struct optstate s;
	int method;
	size_t i, n = 0;
	char *err = NULL;
	int silent = 0;

	*out = NULL;
	if (!r->method || r->include_kind)
		return 0;
	method = method_id(r->method, INT_MAX);
	if (method == M_NONE)
		return 0;
	if (r->type == HBA_LOCAL && method == M_IDENT)
		method = M_PEER;
	memset(&s, 0, sizeof s);
	s.include_realm = method == M_GSS || method == M_SSPI;
	for (i = 0; i < r->nopts && !err; i++)
		apply_option(r->opts[i].name, r->opts[i].value, method, r->type, INT_MAX, &s, &err, &silent);
	free(err);
	if (method == M_CERT)
		s.clientcert = 2;
	if (method == M_GSS || method == M_SSPI) {
		if (s.include_realm)
			push(out, &n, xstrdup("include_realm=true"));
		if (s.krb_realm)
			push(out, &n, xasprintf("krb_realm=%s", s.krb_realm));
	}
	if (s.map)
		push(out, &n, xasprintf("map=%s", s.map));
	if (s.clientcert)
		push(out, &n, xasprintf("clientcert=%s", s.clientcert == 1 ? "verify-ca" : "verify-full"));
	if (s.pamservice)
		push(out, &n, xasprintf("pamservice=%s", s.pamservice));
	if (method == M_LDAP) {
		if (s.ldapserver)
			push(out, &n, xasprintf("ldapserver=%s", s.ldapserver));
		if (s.ldapport)
			push(out, &n, xasprintf("ldapport=%d", s.ldapport));
		if (s.ldapscheme)
			push(out, &n, xasprintf("ldapscheme=%s", s.ldapscheme));
		if (s.ldaptls)
			push(out, &n, xstrdup("ldaptls=true"));
		if (s.ldapprefix)
			push(out, &n, xasprintf("ldapprefix=%s", s.ldapprefix));
		if (s.ldapsuffix)
			push(out, &n, xasprintf("ldapsuffix=%s", s.ldapsuffix));
		if (s.ldapbasedn)
			push(out, &n, xasprintf("ldapbasedn=%s", s.ldapbasedn));
		if (s.ldapbinddn)
			push(out, &n, xasprintf("ldapbinddn=%s", s.ldapbinddn));
		if (s.ldapbindpasswd)
			push(out, &n, xasprintf("ldapbindpasswd=%s", s.ldapbindpasswd));
		if (s.ldapsearchattribute)
			push(out, &n, xasprintf("ldapsearchattribute=%s", s.ldapsearchattribute));
		if (s.ldapsearchfilter)
			push(out, &n, xasprintf("ldapsearchfilter=%s", s.ldapsearchfilter));
		if (s.ldapscope)
			push(out, &n, xasprintf("ldapscope=%d", s.ldapscope));
	}
	if (method == M_RADIUS) {
		if (s.radiusservers)
			push(out, &n, xasprintf("radiusservers=%s", s.radiusservers));
		if (s.radiussecrets)
			push(out, &n, xasprintf("radiussecrets=%s", s.radiussecrets));
		if (s.radiusidentifiers)
			push(out, &n, xasprintf("radiusidentifiers=%s", s.radiusidentifiers));
		if (s.radiusports)
			push(out, &n, xasprintf("radiusports=%s", s.radiusports));
	}
	if (method == M_OAUTH) {
		if (s.issuer)
			push(out, &n, xasprintf("issuer=%s", s.issuer));
		if (s.scope)
			push(out, &n, xasprintf("scope=%s", s.scope));
		if (s.delegate)
			push(out, &n, xstrdup("delegate_ident_mapping=true"));
	}
	optstate_free(&s);
	return n;
}
