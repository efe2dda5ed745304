/*
 * ini-dump: prints what common/ini.c reads from a CKAN ini file, in a form a
 * test can compare byte for byte with what Python's configparser reads
 * (tests/unit/ini-python.t prints the same form from Python).
 *
 *   ini-dump [--dialect 2.6|2.9|2.10] FILE
 *
 * For every key [app:main] sees (its own, [DEFAULT]'s, "here" and
 * "__file__", as configparser's options() lists them), sorted by bytes:
 * "KEY<TAB>=VALUE", or "KEY<TAB>!" when interpolating the value fails.
 * Bytes outside printable ASCII and the backslash are written as \xHH and
 * \\, so tabs and newlines in values stay unambiguous.  A file CKAN cannot
 * read prints "error: LINE: message" and exits 2; a file without [app:main]
 * prints "no section".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "ckanini.h"

static void put_escaped(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p >= 0x20 && *p < 0x7f)
			putchar(*p);
		else
			printf("\\x%02x", *p);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(void)
{
	fprintf(stderr, "usage: ini-dump [--dialect 2.6|2.9|2.10] FILE\n");
	exit(EXIT_TROUBLE);
}

static enum ckanini_dialect parse_dialect(const char *s)
{
	if (strcmp(s, "2.6") == 0)
		return INI_CKAN_26;
	if (strcmp(s, "2.9") == 0)
		return INI_CKAN_29;
	if (strcmp(s, "2.10") != 0)
		usage();
	return INI_CKAN_210;
}

/* os.path.abspath for the paths the tests pass (absolute, or relative
 * without "..": no normalisation needed). */
static char *abs_path(const char *path)
{
	char cwd[PATH_MAX];
	struct buf b;

	if (path[0] == '/')
		return xstrdup(path);
	if (!getcwd(cwd, sizeof cwd))
		return xstrdup(path);
	buf_init(&b);
	buf_printf(&b, "%s/%s", cwd, path);
	return buf_steal(&b);
}

/* The keys [app:main] sees, transformed, sorted and unique. */
static size_t section_keys(const struct ckanini_file *f, char ***out)
{
	char **k = xmalloc((f->n + 2) * sizeof *k);
	size_t i, n = 0, u = 0;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->entries[i].section, "app:main") == 0 ||
		    strcmp(f->entries[i].section, "DEFAULT") == 0)
			k[n++] = f->entries[i].key;
	k[n++] = "here";
	k[n++] = "__file__";
	qsort(k, n, sizeof *k, cmp_str);
	for (i = 0; i < n; i++)
		if (u == 0 || strcmp(k[u - 1], k[i]) != 0)
			k[u++] = k[i];
	*out = k;
	return u;
}

int main(int argc, char **argv)
{
	enum ckanini_dialect dialect = INI_CKAN_210;
	struct ckanini_file f;
	struct diag_err err;
	struct buf data;
	char **keys, *file, *here, *slash;
	size_t i, n;
	int argi = 1, rc;

	diag_init(argv[0]);
	if (argc > 2 && strcmp(argv[1], "--dialect") == 0) {
		dialect = parse_dialect(argv[2]);
		argi = 3;
	}
	if (argc != argi + 1)
		usage();
	buf_init(&data);
	if (buf_read_file(&data, argv[argi], NULL) < 0) {
		diag_error(argv[argi], 0, "cannot read");
		return EXIT_TROUBLE;
	}
	if (ckanini_parse(argv[argi], data.data ? data.data : "", data.len, dialect, &f, &err) < 0) {
		printf("error: %d: %s\n", err.line, err.msg);
		buf_free(&data);
		return diag_finish(EXIT_TROUBLE);
	}
	file = abs_path(argv[argi]);
	here = xstrdup(file);
	slash = strrchr(here, '/');
	if (slash)
		*(slash == here ? slash + 1 : slash) = '\0';
	if (!ckanini_has_section(&f, "app:main")) {
		puts("no section");
		n = 0;
		keys = NULL;
	} else {
		n = section_keys(&f, &keys);
	}
	for (i = 0; i < n; i++) {
		char *value;

		put_escaped(keys[i]);
		rc = ckanini_get(&f, "app:main", keys[i], here, file, &value, NULL, &err);
		if (rc == 0) {
			fputs("\t=", stdout);
			put_escaped(value);
			free(value);
		} else {
			fputs("\t!", stdout);
			if (rc < 0)
				fprintf(stderr, "ini-dump: %d: %s\n", err.line, err.msg);
		}
		putchar('\n');
	}
	free(keys);
	free(file);
	free(here);
	ckanini_free(&f);
	buf_free(&data);
	return diag_finish(EXIT_SAME);
}
