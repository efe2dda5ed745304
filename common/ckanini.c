/*
 * ckanini: the model of a CKAN ini file (common/ckanini.h) and its index.
 * Entries and section headers are kept in file order, their strings in one
 * arena, and a hash index maps (section, key) to the entry CKAN reads;
 * the same index finds the duplicates strict configparser raises.  The
 * lines come from common/ckanini_read.c (libinih and configparser's line
 * rules), values are interpolated by common/ckanini_interp.c.
 */
#include "ckanini_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"

/* configparser's optionxform: str.lower() for CKAN 2.9 (ASCII only here:
 * a gap for non-ASCII capitals, which no CKAN key has), str for the rest. */
static void
fold_key(const struct ckanini_file *f, char *k)
{
	if (f->dialect == INI_CKAN_29)
		ascii_lower(k, strlen(k));
}

/* ---- indexes (duplicates, as strict configparser raises them) ---- */

/* The hash of a section name, onto which its keys' hashes are chained. */
static uint64_t
section_hash(const void *name, size_t n)
{
	return hashidx_hash(HASHIDX_SEED, name, n);
}

/* Entry id has the same section and key as entry *key (hashidx_eq). */
static int
same_key(const void *ctx, uint32_t id, const void *key)
{
	const struct parser *ps = ctx;
	const struct ckanini_entry *x = &ps->f->entries[id];
	const struct ckanini_entry *y = &ps->f->entries[*(const size_t *)key];

	return strcmp(x->key, y->key) == 0 &&
	       (x->section == y->section || strcmp(x->section, y->section) == 0);
}

/* Section id has the name of section *key (hashidx_eq). */
static int
same_section(const void *ctx, uint32_t id, const void *key)
{
	const struct parser *ps = ctx;

	return strcmp(ps->f->sections[id].name, ps->f->sections[*(const size_t *)key].name) == 0;
}

/* ---- the model ---- */

static void
store_free(struct ckanini_store *st)
{
	if (!st)
		return;
	arena_free(&st->strings);
	hashidx_free(&st->index);
	free(st);
}

void
ckanini_close_open(struct parser *ps)
{
	struct ckanini_entry *e;

	if (ps->open == NONE)
		return;
	e = &ps->f->entries[ps->open];
	/* Empty lines still pending are the ones '\n'.join(...).rstrip()
	 * drops. */
	if (e->multiline)
		e->raw = arena_strndup(&ps->st->strings, ps->val.data, ps->val.len);
	ps->open = NONE;
	ps->blanks = 0;
}

/* A header [a, b) is the name between the brackets.  Python 3 keeps
 * [DEFAULT] apart from _sections, so only other names may not repeat. */
void
ckanini_add_section(struct parser *ps, size_t a, size_t b, int line)
{
	struct ckanini_file *f = ps->f;
	struct ckanini_section *s;
	uint32_t dup;

	ckanini_close_open(ps);
	if (f->nsections == ps->scap) {
		ps->scap = ps->scap ? 2 * ps->scap : 8;
		f->sections = xrealloc(f->sections, ps->scap * sizeof *f->sections);
	}
	s = &f->sections[f->nsections];
	s->name = arena_strndup(&ps->st->strings, ps->d + a, b - a);
	s->line = line;
	ps->cur = f->nsections++;
	ps->cur_hash = section_hash(ps->d + a, b - a);
	if (!ps->py3 || strcmp(s->name, "DEFAULT") == 0)
		return;
	dup = hashidx_put(&ps->sects, hashidx_fold(ps->cur_hash), (uint32_t)ps->cur, 0,
			  same_section, ps, &ps->cur);
	if (dup != HASHIDX_NONE && parser_fatal(ps))
		diag_set(&ps->fatal, f->path, line, "duplicate section [%s] (first at line %d)",
			 s->name, f->sections[dup].line);
}

/* A key line: name [ka, kb), value span [va, vb); raw_empty for Python
 * 2's quirk that reads a value written "" as empty.  A value that goes on
 * over several lines is stored again when it ends (ckanini_close_open). */
void
ckanini_add_entry(struct parser *ps, size_t ka, size_t kb, size_t va, size_t vb, int raw_empty)
{
	struct ckanini_file *f = ps->f;
	struct ckanini_entry *e;
	size_t klen = kb - ka, rlen = raw_empty ? 0 : vb - va;
	uint32_t dup, h;
	char *block;

	ckanini_close_open(ps);
	if (f->n == ps->ecap) {
		ps->ecap = ps->ecap ? 2 * ps->ecap : 16;
		f->entries = xrealloc(f->entries, ps->ecap * sizeof *f->entries);
	}
	block = arena_alloc(&ps->st->strings, klen + rlen + 2);
	memcpy(block, ps->d + ka, klen);
	block[klen] = '\0';
	fold_key(f, block);
	memcpy(block + klen + 1, ps->d + va, rlen);
	block[klen + 1 + rlen] = '\0';
	e = &f->entries[f->n];
	e->section = f->sections[ps->cur].name;	/* shared with the header */
	e->key = block;
	e->raw = block + klen + 1;
	e->line = e->last_line = ps->line;
	e->val_off = va;
	e->val_len = vb - va;
	e->multiline = 0;
	ps->open = f->n++;
	ps->blanks = 0;
	/* Python 2: the last one wins; strict Python 3: an error. */
	h = hashidx_fold(hashidx_hash(ps->cur_hash, block, klen));
	dup = hashidx_put(&ps->st->index, h, (uint32_t)ps->open, !ps->py3, same_key, ps, &ps->open);
	if (dup != HASHIDX_NONE && ps->py3 && parser_fatal(ps))
		diag_set(&ps->fatal, f->path, ps->line,
			 "duplicate key \"%s\" in [%s] (first at line %d)",
			 e->key, e->section, f->entries[dup].line);
}

/* A continuation line [a, b) of the open entry (never empty). */
void
ckanini_add_piece(struct parser *ps, size_t a, size_t b)
{
	struct ckanini_entry *e = &ps->f->entries[ps->open];

	if (!e->multiline) {
		buf_reset(&ps->val);
		buf_adds(&ps->val, e->raw);
		e->multiline = 1;
	}
	while (ps->blanks > 0) {
		buf_addc(&ps->val, '\n');
		ps->blanks--;
	}
	buf_addc(&ps->val, '\n');
	buf_add(&ps->val, ps->d + a, b - a);
	e->last_line = ps->line;
}

int
ckanini_open_continues(const struct parser *ps)
{
	return ps->cur != NONE && ps->open != NONE && ps->f->entries[ps->open].key[0] != '\0';
}

/* ---- the API ---- */

void
ckanini_free(struct ckanini_file *f)
{
	if (!f)
		return;
	store_free(f->store);	/* every name, key and value */
	free(f->entries);
	free(f->sections);
	free(f->path);
	memset(f, 0, sizeof *f);
}

static int
first_eol_is_crlf(const char *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (d[i] == '\n' || d[i] == '\r')
			return d[i] == '\r' && i + 1 < len && d[i + 1] == '\n';
	return 0;
}

int
ckanini_parse(const char *path, const char *data, size_t len, enum ckanini_dialect dialect,
	      struct ckanini_file *f, struct diag_err *err)
{
	struct parser ps;
	int rc;

	memset(f, 0, sizeof *f);
	f->path = xstrdup(path ? path : "");
	f->data = data;
	f->len = len;
	f->dialect = dialect;
	f->crlf = first_eol_is_crlf(data, len);
	/* Lines are handed to libinih with up to three bytes more. */
	if (len >= INT_MAX - 16) {
		diag_set(err, path, 0, "file too large");
		ckanini_free(f);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.f = f;
	ps.d = (const unsigned char *)data;
	ps.py3 = dialect != INI_CKAN_26;
	ps.has_cr = memchr(data, '\r', len) != NULL;
	ps.cur = ps.open = NONE;
	ps.pi = 3;
	f->store = xmalloc(sizeof *f->store);
	ps.st = f->store;
	memset(ps.st, 0, sizeof *ps.st);
	arena_init(&ps.st->strings);
	hashidx_init(&ps.st->index);
	hashidx_reserve(&ps.st->index, buf_count_lines(data, len));	/* no rehashing on the way */
	hashidx_init(&ps.sects);
	buf_init(&ps.val);
	rc = ckanini_read(&ps, err);
	buf_free(&ps.val);
	hashidx_free(&ps.sects);
	if (rc < 0)
		ckanini_free(f);
	return rc;
}

int
ckanini_has_section(const struct ckanini_file *f, const char *section)
{
	size_t i;

	if (strcmp(section, "DEFAULT") == 0)
		return 1;
	for (i = 0; i < f->nsections; i++)
		if (strcmp(f->sections[i].name, section) == 0)
			return 1;
	return 0;
}

char *
ckanini_xform(const struct ckanini_file *f, const char *key)
{
	char *k;

	k = xstrdup(key);
	fold_key(f, k);
	return k;
}

/* What ckanini_find looks for. */
struct entry_key {
	const struct ckanini_file *f;
	const char *section, *name;
	size_t n;
};

/* Entry id is the one entry_key *key names (hashidx_eq). */
static int
entry_is(const void *ctx, uint32_t id, const void *key)
{
	const struct entry_key *k = key;
	const struct ckanini_entry *e = &k->f->entries[id];

	(void)ctx;
	return ckanini_key_is(k->f, e->key, k->name, k->n) && strcmp(e->section, k->section) == 0;
}

/* The name is transformed by the dialect's optionxform as it is hashed
 * and compared. */
const struct ckanini_entry *
ckanini_find(const struct ckanini_file *f, const char *section, const char *name, size_t n)
{
	struct entry_key k = { f, section, name, n };
	char small[128], *folded;
	uint32_t h, id;

	if (!f->store)
		return NULL;
	folded = n < sizeof small ? small : xmalloc(n + 1);
	/* hashed as add_entry hashes the stored key: optionxform first */
	memcpy(folded, name, n);
	folded[n] = '\0';
	fold_key(f, folded);
	h = hashidx_fold(hashidx_hash(section_hash(section, strlen(section)), folded, n));
	if (folded != small)
		free(folded);
	id = hashidx_find(&f->store->index, h, entry_is, NULL, &k);
	return id == HASHIDX_NONE ? NULL : &f->entries[id];
}

/* ckanini_find folds the key as the dialect does: no copy to fold first. */
const struct ckanini_entry *
ckanini_lookup(const struct ckanini_file *f, const char *section, const char *key)
{
	return ckanini_find(f, section, key, strlen(key));
}

size_t
ckanini_lookup_all(const struct ckanini_file *f, const char *section, const char *key,
		   const struct ckanini_entry **out, size_t max)
{
	size_t i, n = 0, klen = strlen(key);

	for (i = 0; i < f->n; i++) {
		const struct ckanini_entry *e = &f->entries[i];

		if (!ckanini_key_is(f, e->key, key, klen) || strcmp(e->section, section) != 0)
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

int
ckanini_key_is(const struct ckanini_file *f, const char *key, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = name[i];

		if (f->dialect == INI_CKAN_29)
			c = (char)ascii_tolower((unsigned char)c);

		if (key[i] != c)	/* also stops at key's NUL */
			return 0;
	}
	return key[n] == '\0';
}
