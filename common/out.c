/*
 * out: quoting for --shell and --json, and the JSON writer every --json
 * goes through, so that no tool hand-rolls escaping or commas.
 */
#include "out.h"

#include <ctype.h>
#include <string.h>

void
out_shell_quote(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("'\\''", fp);
		else
			fputc(*s, fp);
	}
	fputc('\'', fp);
}

void
out_shell_assign(FILE *fp, const char *name, const char *value)
{
	/* "1X=v" or "=v" is not an assignment: sh would run it as a command. */
	if (!*name || isdigit((unsigned char)*name))
		fputc('_', fp);
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		fputc(isalnum(c) && c < 128 ? toupper(c) : '_', fp);
	}
	fputc('=', fp);
	out_shell_quote(fp, value);
	fputc('\n', fp);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static int
utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
out_json_quote(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (*p) {
		int n;

		switch (*p) {
		case '"': fputs("\\\"", fp); p++; continue;
		case '\\': fputs("\\\\", fp); p++; continue;
		case '\n': fputs("\\n", fp); p++; continue;
		case '\r': fputs("\\r", fp); p++; continue;
		case '\t': fputs("\\t", fp); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", fp);
			p++;
			continue;
		}
		fwrite(p, 1, (size_t)n, fp);
		p += n;
	}
	fputc('"', fp);
}

void
out_json_init(struct out_json *j, FILE *fp, int compact)
{
	memset(j, 0, sizeof *j);
	j->fp = fp;
	j->compact = compact;
}

/* Before a value or a key: the comma, unless it is the first or a key's value. */
static void
json_sep(struct out_json *j)
{
	uint64_t bit;

	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth == 0 || j->depth > OUT_JSON_MAXDEPTH)
		return;
	bit = (uint64_t)1 << (j->depth - 1);
	if (j->members & bit) {
		fputc(',', j->fp);
		if (j->newline)
			fputs("\n ", j->fp);
		else if (!j->compact)
			fputc(' ', j->fp);
	}
	j->members |= bit;
	j->newline = 0;
}

static void
json_begin(struct out_json *j, int c)
{
	json_sep(j);
	fputc(c, j->fp);
	j->depth++;
	if (j->depth <= OUT_JSON_MAXDEPTH)
		j->members &= ~((uint64_t)1 << (j->depth - 1));
}

static void
json_end(struct out_json *j, int c)
{
	fputc(c, j->fp);
	j->after_key = 0;
	j->newline = 0;
	if (j->depth > 0 && --j->depth == 0)
		fputc('\n', j->fp);
}

void
out_json_begin_object(struct out_json *j)
{
	json_begin(j, '{');
}

void
out_json_end_object(struct out_json *j)
{
	json_end(j, '}');
}

void
out_json_begin_array(struct out_json *j)
{
	json_begin(j, '[');
}

void
out_json_end_array(struct out_json *j)
{
	json_end(j, ']');
}

void
out_json_key(struct out_json *j, const char *key)
{
	json_sep(j);
	out_json_quote(j->fp, key);
	fputs(j->compact ? ":" : ": ", j->fp);
	j->after_key = 1;
}

void
out_json_string(struct out_json *j, const char *s)
{
	json_sep(j);
	out_json_quote(j->fp, s);
}

void
out_json_int(struct out_json *j, long long v)
{
	json_sep(j);
	fprintf(j->fp, "%lld", v);
}

void
out_json_bool(struct out_json *j, int v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->fp);
}

void
out_json_null(struct out_json *j)
{
	json_sep(j);
	fputs("null", j->fp);
}

void
out_json_field(struct out_json *j, const char *key, const char *s)
{
	out_json_key(j, key);
	out_json_string(j, s);
}

void
out_json_int_field(struct out_json *j, const char *key, long long v)
{
	out_json_key(j, key);
	out_json_int(j, v);
}

void
out_json_bool_field(struct out_json *j, const char *key, int v)
{
	out_json_key(j, key);
	out_json_bool(j, v);
}

void
out_json_int_or_null(struct out_json *j, const char *key, long long v, int known)
{
	out_json_key(j, key);
	if (known)
		out_json_int(j, v);
	else
		out_json_null(j);
}

void
out_json_break(struct out_json *j)
{
	j->newline = 1;
}
