/*
 * libFuzzer target for common/hba.c: hba_parse_buf on any bytes for a few
 * target versions, then hba_validate, the rule keys and the view helpers.
 * Besides the sanitizers' checks (no crash, leak or out-of-bounds read),
 * the model must keep its promises to editors: every rule's span lies
 * inside the file and ends before a line end, the comment block above a
 * rule starts at or before it, rules never go backwards, and a rule that
 * is not an include line has an error or a type.  And the shortcuts for
 * comment lines and plain tokens must read the bytes as the general path
 * does (hba_model.general): the same model, field by field.  The bytes
 * are read as a pg_ident.conf too (hba_init_ident).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "hba.h"
#include "hba-model-dump.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static void one(const uint8_t *data, size_t size, int version)
{
	static const char maps[] = "ckan www-data ckan_default\n";
	struct hba_model ident;
	struct hba_context ctx = { 1, &ident };
	struct hba_model m;
	struct diag_err err;
	struct buf key;
	char *copy;
	size_t i, prev_end = 0;
	int rc;

	copy = xmalloc(size ? size : 1);
	memcpy(copy, data, size);
	hba_init(&m, version);
	memset(&err, 0, sizeof err);
	rc = hba_parse_buf(&m, "fuzz.conf", copy, size, &err);
	check(rc == 0 || rc == -1);
	if (rc < 0)
		check(err.msg[0] != '\0' && memchr(data, '\0', size) != NULL);
	else
		check(m.nfiles == 1 && m.files[0].len == size && memcmp(m.files[0].data, data, size) == 0);
	hba_init_ident(&ident, version);
	check(hba_parse_buf(&ident, "pg_ident.conf", maps, sizeof maps - 1, &err) == 0);
	hba_validate(&m, &ctx);
	hba_free(&ident);
	buf_init(&key);
	for (i = 0; i < m.n; i++) {
		const struct hba_rule *r = &m.rules[i];
		char addr[1100], mask[1100];
		char **opts;
		size_t n, k;

		check(r->file == 0);
		check(r->off <= size && r->len <= size - r->off);
		check(r->lead_off <= r->off && r->lead_off >= prev_end);
		check(r->line >= 1 && r->last_line >= r->line);
		check(r->off + r->len == size || data[r->off + r->len] == '\n' || data[r->off + r->len] == '\r');
		check(r->error || r->include_kind || (r->type >= 0 && r->method));
		check(!r->silent || r->error);
		prev_end = r->off + r->len;
		hba_rule_key(r, &key);
		(void)hba_rule_catch_all(r);
		(void)hba_rule_map(r);
		(void)hba_rule_view_method(r);
		hba_rule_view_address(r, addr, sizeof addr, mask, sizeof mask);
		n = hba_rule_view_options(r, &opts);
		for (k = 0; k < n; k++)
			free(opts[k]);
		free(opts);
	}
	check(hba_errors(&m) <= m.n);
	buf_free(&key);
	hba_free(&m);
	free(copy);
}

/* The same bytes read as a pg_ident.conf: a mapping line has all three fields, or an error. */
static void one_ident(const uint8_t *data, size_t size, int version)
{
	struct hba_model m;
	struct diag_err err;
	size_t i;

	hba_init_ident(&m, version);
	memset(&err, 0, sizeof err);
	if (hba_parse_buf(&m, "pg_ident.conf", (const char *)data, size, &err) == 0) {
		for (i = 0; i < m.n; i++) {
			const struct hba_rule *r = &m.rules[i];

			check(r->off <= size && r->len <= size - r->off);
			check(r->error || r->include_kind || (r->map && r->system_user.text && r->pg_user.text));
			check(!r->map || !r->error);
			if (r->map)
				check(hba_ident_find(&m, r->map) != NULL);
		}
	}
	hba_validate(&m, NULL);
	hba_free(&m);
}

static void same_as_general(const uint8_t *data, size_t size, int version)
{
	struct buf fast, general;

	buf_init(&fast);
	buf_init(&general);
	hba_dump_parse(version, 0, (const char *)data, size, &fast);
	hba_dump_parse(version, 1, (const char *)data, size, &general);
	check(fast.len == general.len && memcmp(fast.data, general.data, fast.len) == 0);
	buf_free(&fast);
	buf_free(&general);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, 150000);
	one(data, size, 160000);
	one(data, size, 90100);
	one_ident(data, size, 150000);
	one_ident(data, size, 160000);
	same_as_general(data, size, 150000);
	same_as_general(data, size, 90100);
	return 0;
}
