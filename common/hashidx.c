/*
 * hashidx: open addressing with linear probing over (hash, id) slots; see
 * hashidx.h.  The ckanini index, pgconf's names and hba's shadow buckets
 * are all this one table.
 */
#include "hashidx.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"

#define HASH_MUL 0x9e3779b97f4a7c15ULL

void
hashidx_init(struct hashidx *x)
{
	x->slot = NULL;
	x->cap = 0;
	x->n = 0;
}

void
hashidx_free(struct hashidx *x)
{
	free(x->slot);
	hashidx_init(x);
}

void
hashidx_reserve(struct hashidx *x, size_t want)
{
	size_t cap = x->cap ? x->cap : 16, i, j;
	struct hashidx_slot *slot;

	while (cap < 2 * want)
		cap *= 2;
	if (cap == x->cap)
		return;
	/* ids are 32 bits: more than that many keys do not fit in memory anyway */
	if (cap / 2 >= HASHIDX_NONE || cap > SIZE_MAX / sizeof *slot)
		diag_oom();
	slot = arena_pages(cap * sizeof *slot);
	for (i = 0; i < cap; i++)
		slot[i].id = HASHIDX_NONE;
	for (i = 0; i < x->cap; i++) {
		if (x->slot[i].id == HASHIDX_NONE)
			continue;
		j = x->slot[i].hash & (cap - 1);
		while (slot[j].id != HASHIDX_NONE)
			j = (j + 1) & (cap - 1);
		slot[j] = x->slot[i];
	}
	free(x->slot);
	x->slot = slot;
	x->cap = cap;
}

uint64_t
hashidx_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w ^ ((uint64_t)n << 59)) * HASH_MUL;
	return h ^ (h >> 31);
}

uint32_t
hashidx_fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t
hashidx_hash_str(const char *s)
{
	return hashidx_fold(hashidx_hash(HASHIDX_SEED, s, strlen(s)));
}

uint32_t
hashidx_find(const struct hashidx *x, uint32_t h, hashidx_eq eq, const void *ctx, const void *key)
{
	size_t j;

	if (x->cap == 0)
		return HASHIDX_NONE;
	for (j = h & (x->cap - 1); x->slot[j].id != HASHIDX_NONE; j = (j + 1) & (x->cap - 1))
		if (x->slot[j].hash == h && eq(ctx, x->slot[j].id, key))
			return x->slot[j].id;
	return HASHIDX_NONE;
}

uint32_t
hashidx_put(struct hashidx *x, uint32_t h, uint32_t id, int replace, hashidx_eq eq, const void *ctx,
	    const void *key)
{
	size_t j;
	uint32_t old;

	if (2 * (x->n + 1) > x->cap)
		hashidx_reserve(x, x->n + 1);
	for (j = h & (x->cap - 1); x->slot[j].id != HASHIDX_NONE; j = (j + 1) & (x->cap - 1)) {
		if (x->slot[j].hash != h || !eq(ctx, x->slot[j].id, key))
			continue;
		old = x->slot[j].id;
		if (replace)
			x->slot[j].id = id;
		return old;
	}
	x->slot[j].hash = h;
	x->slot[j].id = id;
	x->n++;
	return HASHIDX_NONE;
}
