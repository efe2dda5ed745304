/*
 * pgconf-dump: prints what common/pgconf.c reads from a postgresql.conf, in
 * a form tests/server/pgconf-oracle.t compares line for line with
 * pg_file_settings.
 *
 *   pgconf-dump [-a] [-x] FILE
 *
 * Without -a: each effective setting, sorted by name (bytes), as
 * "name<TAB>value<TAB>file<TAB>line".  With -a: every setting in reading
 * order, names as written.  Values are escaped (\\ and \xHH for bytes
 * outside printable ASCII), or with -x written in hex, as SQL's
 * encode(convert_to(setting, 'UTF8'), 'hex') does.  A file the server
 * would refuse prints "error<TAB>file<TAB>line<TAB>message" and exits 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "pgconf.h"

static int hex;

static void put_value(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (hex)
			printf("%02x", *p);
		else if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p >= 0x20 && *p < 0x7f)
			putchar(*p);
		else
			printf("\\x%02x", *p);
	}
}

static void put_setting(const struct pgconf_model *m, const struct pgconf_setting *s, const char *name)
{
	printf("%s\t", name);
	put_value(s->value);
	printf("\t%s\t%d\n", m->files[s->file].path, s->line);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct pgconf_setting *const *)a)->name,
		      (*(const struct pgconf_setting *const *)b)->name);
}

int main(int argc, char **argv)
{
	struct pgconf_model m;
	struct diag_err err;
	const struct pgconf_setting **eff;
	int all = 0, c;
	size_t i, n;

	diag_init(argv[0]);
	while ((c = getopt(argc, argv, "ax")) != -1) {
		if (c == 'a')
			all = 1;
		else if (c == 'x')
			hex = 1;
		else
			return EXIT_TROUBLE;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pgconf-dump [-a] [-x] FILE\n");
		return EXIT_TROUBLE;
	}
	pgconf_init(&m);
	if (pgconf_load(&m, argv[optind], 0, &err) < 0) {
		printf("error\t%s\t%d\t%s\n", err.file, err.line, err.msg);
		pgconf_free(&m);
		return diag_finish(EXIT_TROUBLE);
	}
	if (all) {
		for (i = 0; i < m.n; i++)
			put_setting(&m, &m.set[i], m.set[i].name_raw);
	} else {
		n = pgconf_effective_all(&m, &eff);
		qsort(eff, n, sizeof *eff, cmp_name);
		for (i = 0; i < n; i++)
			put_setting(&m, eff[i], eff[i]->name);
		free(eff);
	}
	pgconf_free(&m);
	return diag_finish(EXIT_SAME);
}
