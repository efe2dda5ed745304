/*
 * out: quoting for --shell and --json, so that no tool hand-rolls escaping.
 */
#include "out.h"

#include <ctype.h>
#include <string.h>

void out_shell_quote(FILE *fp, const char *s)
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

void out_shell_assign(FILE *fp, const char *name, const char *value)
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
static int utf8_len(const unsigned char *s)
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

void out_json_string(FILE *fp, const char *s)
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
