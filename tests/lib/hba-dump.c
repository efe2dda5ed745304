/*
 * hba-dump: prints what common/hba.c reads from a pg_hba.conf in the shape
 * of
 *   psql -AtF '<TAB>' -c 'SELECT line_number, type, database, user_name,
 *       address, netmask, auth_method, options, error FROM pg_hba_file_rules'
 * so that tests/server/hba-oracle.t can compare the two line by line:
 * arrays as array_out writes them ({a,"b c"}), NULL as an empty field, the
 * address and netmask as the server normalises them, "ident" on a local
 * line as "peer", and the all-NULL row the server shows for a line it
 * rejects without saying why.
 *
 *   hba-dump [--version V] [--ssl-off] [--files] [--ident] FILE
 *
 * --ssl-off validates as for a cluster with ssl = off (hostssl rejected);
 * --files starts each row with the base name of the rule's file (the view's
 * file_name, PostgreSQL >= 16).  --ident reads FILE as a pg_ident.conf and
 * prints what
 *   SELECT line_number, map_name, sys_name, pg_username, error IS NOT NULL
 *       FROM pg_ident_file_mappings
 * shows (tests/server/ident-oracle.t).  A file that cannot be read at all prints
 * "prog: file:line: message" on stderr and exits 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "hba.h"
#include "pgversion.h"

/* One array element as array_out quotes it. */
static void put_elem(const char *s)
{
	const char *p;
	int quote = *s == '\0' || strcasecmp(s, "NULL") == 0;

	for (p = s; *p && !quote; p++)
		if (strchr("{},\"\\ \t\n\r\v\f", *p))
			quote = 1;
	if (!quote) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		putchar(*p);
	}
	putchar('"');
}

static void put_list(const struct hba_list *l)
{
	size_t i;

	putchar('{');
	for (i = 0; i < l->n; i++) {
		if (i)
			putchar(',');
		put_elem(l->tok[i].text);
	}
	putchar('}');
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	struct hba_model m;
	struct hba_context ctx = { 0, NULL };
	struct diag_err err;
	const char *file = NULL;
	int version = 150000, files = 0, ident = 0, i;
	size_t r;

	diag_init(argv[0]);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0 && i + 1 < argc) {
			version = pgversion_major(pgversion_parse(argv[++i]));
			if (version < 0)
				diag_usage("bad version \"%s\"", argv[i]);
		} else if (strcmp(argv[i], "--ssl-off") == 0) {
			ctx.ssl_off = 1;
		} else if (strcmp(argv[i], "--files") == 0) {
			files = 1;
		} else if (strcmp(argv[i], "--ident") == 0) {
			ident = 1;
		} else if (argv[i][0] == '-' || file) {
			diag_usage("usage: hba-dump [--version V] [--ssl-off] [--files] [--ident] FILE");
		} else {
			file = argv[i];
		}
	}
	if (!file)
		diag_usage("usage: hba-dump [--version V] [--ssl-off] [--files] [--ident] FILE");
	if (ident)
		hba_init_ident(&m, version);
	else
		hba_init(&m, version);
	memset(&err, 0, sizeof err);
	if (hba_load(&m, file, &err) < 0) {
		diag_report(&err);
		hba_free(&m);
		return diag_finish(EXIT_TROUBLE);
	}
	hba_validate(&m, &ctx);
	for (r = 0; r < m.n; r++) {
		const struct hba_rule *h = &m.rules[r];
		char addr[1100], mask[1100];
		char **opts;
		size_t n, k;

		if (h->include_kind && !h->error)
			continue;
		if (files)
			printf("%s\t", base(m.files[h->file].path));
		printf("%d\t", h->line);
		if (ident) {
			printf("%s\t%s\t%s\t%s\n", h->map ? h->map : "", h->map ? h->system_user.text : "",
			       h->map ? h->pg_user.text : "", h->error ? "t" : "f");
			continue;
		}
		if (h->error && !h->parsed) {
			printf("\t\t\t\t\t\t\t%s\n", h->silent ? "" : h->error);
			continue;
		}
		printf("%s\t", hba_type_name(h->type));
		put_list(&h->databases);
		putchar('\t');
		put_list(&h->users);
		hba_rule_view_address(h, addr, sizeof addr, mask, sizeof mask);
		printf("\t%s\t%s\t%s\t", addr, mask, hba_rule_view_method(h));
		n = hba_rule_view_options(h, &opts);
		if (n) {
			putchar('{');
			for (k = 0; k < n; k++) {
				if (k)
					putchar(',');
				put_elem(opts[k]);
				free(opts[k]);
			}
			putchar('}');
		}
		free(opts);
		printf("\t%s\n", h->error ? h->error : "");
	}
	hba_free(&m);
	return diag_finish(EXIT_SAME);
}
