/*
 * The promises common/envfile.h makes to an editor, checked on a parsed
 * model by tests/unit/envfile.c and tests/fuzz/envfile.c: spans lie inside
 * the file and in order, parts cover each value exactly, a TEXT part's
 * bytes are the file's own, a VAR part holds the value of the entry it
 * names (nothing when unset), every part's source lies inside the value's
 * source span.  Returns NULL, or what is broken.
 */
#ifndef CKP_ENVFILE_CHECK_H
#define CKP_ENVFILE_CHECK_H

#include <string.h>

#include "envfile.h"

static const char *envfile_check(const struct envfile *f)
{
	size_t i, k;
	int line = 0;

	for (i = 0; i < f->n; i++) {
		const struct envfile_entry *e = &f->entries[i];
		size_t pos = 0;

		if (e->line < line || e->last_line < e->line)
			return "lines out of order";
		line = e->line;
		if (e->key_off > f->len || e->val_off > f->len || e->val_len > f->len - e->val_off)
			return "span outside the file";
		if (memcmp(f->data + e->key_off, e->key, strlen(e->key)) != 0)
			return "key span";
		if (e->inherited) {
			if (e->value || e->nparts)
				return "inherited entry with a value";
			continue;
		}
		if (!e->value || strlen(e->value) != e->value_len)
			return "value length";
		if (e->quote && (e->val_len < 2 || f->data[e->val_off] != e->quote ||
				 f->data[e->val_off + e->val_len - 1] != e->quote))
			return "quoted span without its quotes";
		for (k = 0; k < e->nparts; k++) {
			const struct envfile_part *p = &e->parts[k];

			if (p->off != pos)
				return "parts do not follow each other";
			pos += p->len;
			if (pos > e->value_len)
				return "part beyond the value";
			if (p->src_off < e->val_off || p->src_off + p->src_len > e->val_off + e->val_len)
				return "part source outside the value's span";
			if (p->kind == ENVFILE_TEXT &&
			    (p->len != p->src_len || memcmp(f->data + p->src_off, e->value + p->off, p->len) != 0))
				return "TEXT part differs from the file";
			if (p->kind == ENVFILE_VAR || p->kind == ENVFILE_EXPR) {
				if (!p->name || p->entry >= (long)i)
					return "VAR part names a later entry";
				if (p->entry >= 0 && strcmp(f->entries[p->entry].key, p->name) != 0)
					return "VAR part entry has another key";
			}
			if (p->kind == ENVFILE_VAR) {
				const struct envfile_entry *v = p->entry >= 0 ? &f->entries[p->entry] : NULL;

				if (v ? (p->len != v->value_len || memcmp(v->value, e->value + p->off, p->len) != 0)
				      : p->len != 0)
					return "VAR part differs from the variable's value";
			}
		}
		if (pos != e->value_len)
			return "parts do not cover the value";
	}
	return NULL;
}

#endif
