/*
 * libFuzzer target for common/ckanini*.c: ckanini_parse, then ckanini_lookup and ckanini_get
 * of every key, in the dialect the first byte picks.  Besides the
 * sanitizers' checks (no crash, leak or out-of-bounds read), the model must
 * hold its promises to editors: every span lies inside the file, is what
 * the first line of the raw value came from, and its lines are in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "ckanini.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

/* The span holds exactly the raw value's first line, except for Python 2's
 * quirk that reads a value written "" as empty. */
static void check_entry(const struct ckanini_file *f, const struct ckanini_entry *e)
{
	const char *nl = strchr(e->raw, '\n');
	size_t first = nl ? (size_t)(nl - e->raw) : strlen(e->raw);
	int quoted_empty = f->dialect == INI_CKAN_26 && e->val_len == 2 &&
			   memcmp(f->data + e->val_off, "\"\"", 2) == 0 && first == 0;

	check(e->val_off <= f->len && e->val_len <= f->len - e->val_off);
	check(e->line >= 1 && e->last_line >= e->line);
	check(e->multiline || e->last_line == e->line);
	if (!quoted_empty)
		check(first == e->val_len && memcmp(f->data + e->val_off, e->raw, first) == 0);
	check(ckanini_lookup(f, e->section, e->key) != NULL);
}

/* The first byte picks the dialect: byte % 3, 0 = CKAN 2.10, 1 = 2.9,
 * 2 = 2.6 (the seeds start with the digits "0", "1" or "2"). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ckanini_dialect dialects[] = { INI_CKAN_210, INI_CKAN_29, INI_CKAN_26 };
	struct ckanini_file f;
	struct diag_err err;
	enum ckanini_dialect d;
	char *copy;
	size_t i;

	if (size < 1)
		return 0;
	d = dialects[data[0] % 3];
	/* An exact-size copy, so that ASan catches a read past the end. */
	copy = xmalloc(size - 1);
	memcpy(copy, data + 1, size - 1);
	if (ckanini_parse("fuzz.ini", copy, size - 1, d, &f, &err) == 0) {
		for (i = 0; i < f.n; i++) {
			const struct ckanini_entry *e = &f.entries[i], *where = NULL;
			char *v = NULL;
			int rc;

			check_entry(&f, e);
			rc = ckanini_get(&f, e->section, e->key, "/srv/here", "/srv/here/ckan.ini", &v, &where, &err);
			check(rc == 0 || rc == -1);
			check((rc == 0) == (v != NULL));
			if (rc == 0)
				check(where != NULL && strcmp(where->key, e->key) == 0);
			free(v);
		}
		for (i = 0; i < f.nsections; i++)
			check(ckanini_has_section(&f, f.sections[i].name));
	} else {
		check(f.n == 0 && f.entries == NULL && err.msg[0] != '\0');
	}
	ckanini_free(&f);
	free(copy);
	return 0;
}
