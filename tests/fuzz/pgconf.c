/*
 * libFuzzer target for common/pgconf.c: pgconf_parse_buf on any bytes, then
 * pgconf_effective and pgconf_effective_all.  Besides the sanitizers' checks
 * (no crash, leak or out-of-bounds read), the model must keep its promises
 * to editors: every span lies inside the file, the raw value is exactly the
 * bytes of its span, names are lower-cased and lines never go backwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "diag.h"
#include "pgconf.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgconf_model m;
	struct diag_err err;
	const struct pgconf_setting **all;
	char *copy;
	size_t i, n;
	int rc, last_line = 0;

	/* An exact-size copy, so that ASan catches a read past the end. */
	copy = xmalloc(size);
	memcpy(copy, data, size);
	pgconf_init(&m);
	memset(&err, 0, sizeof err);
	rc = pgconf_parse_buf(&m, "fuzz.conf", copy, size, &err);
	check(rc == 0 || rc == -1);
	check(m.nfiles == 1 && m.files[0].len == size && memcmp(m.files[0].data, data, size) == 0);
	if (rc < 0)
		check(err.msg[0] != '\0' && err.line >= 1 && strcmp(err.file, "fuzz.conf") == 0);
	for (i = 0; i < m.n; i++) {
		const struct pgconf_setting *s = &m.set[i];
		size_t nlen = strlen(s->name_raw);

		check(s->file == 0);
		check(s->line > last_line);
		last_line = s->line;
		check(s->name_off < size && nlen <= size - s->name_off);
		check(memcmp(data + s->name_off, s->name_raw, nlen) == 0);
		check(strlen(s->name) == nlen && strcasecmp(s->name, s->name_raw) == 0);
		check(s->val_off <= size && s->val_len <= size - s->val_off);
		check(s->val_off > s->name_off);
		check(strlen(s->value_raw) == s->val_len);
		check(memcmp(data + s->val_off, s->value_raw, s->val_len) == 0);
		check(s->quoted == (s->value_raw[0] == '\''));
		check(s->quoted || strcmp(s->value, s->value_raw) == 0);
		check(!s->quoted || strlen(s->value) <= s->val_len - 2);
		check(memchr(data + s->name_off, '\n', s->val_off + s->val_len - s->name_off) == NULL);
		if (strcmp(s->name, "include") && strcmp(s->name, "include_dir") &&
		    strcmp(s->name, "include_if_exists"))
			check(pgconf_effective(&m, s->name_raw) != NULL);
	}
	n = pgconf_effective_all(&m, &all);
	check(n <= m.n);
	for (i = 0; i < n; i++)
		check(pgconf_effective(&m, all[i]->name) == all[i]);
	free(all);
	pgconf_free(&m);
	free(copy);
	return 0;
}
