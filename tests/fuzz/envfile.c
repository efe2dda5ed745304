/*
 * libFuzzer target for common/envfile.c: envfile_parse on any bytes.
 * Besides the sanitizers' checks (no crash, leak or out-of-bounds read),
 * the model must keep the promises an editor relies on
 * (tests/lib/envfile-check.h), lookups must find the last definition, and
 * a failed parse must leave an empty model and a message with a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "envfile.h"
#include "envfile-check.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envfile f;
	struct diag_err err;
	char *copy = xmalloc(size ? size : 1);
	size_t i;

	memcpy(copy, data, size);	/* exact size: ASan sees a read past the end */
	if (envfile_parse("fuzz.env", copy, size, &f, &err) == 0) {
		check(envfile_check(&f) == NULL);
		for (i = 0; i < f.n; i++) {
			const struct envfile_entry *e = envfile_lookup(&f, f.entries[i].key);

			if (e)
				check(envfile_index(&f, e) >= i || !f.entries[i].value);
		}
	} else {
		check(f.n == 0 && f.entries == NULL && err.msg[0] != '\0' && err.line >= 1);
	}
	envfile_free(&f);
	free(copy);
	return 0;
}
