/*
 * Unit tests for common/hashidx: the one hash index (ckanini's keys,
 * pgconf's names and hba's shadow buckets use it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashidx.h"
#include "tap.h"

#define N 5000

static char names[N][16];

static int
name_is(const void *ctx, uint32_t id, const void *key)
{
	(void)ctx;
	return strcmp(names[id], key) == 0;
}

/* Every id compares equal: only the stored hash tells keys apart. */
static int
any(const void *ctx, uint32_t id, const void *key)
{
	(void)ctx;
	(void)id;
	(void)key;
	return 1;
}

int
main(void)
{
	struct hashidx x;
	uint32_t id;
	size_t i, bad;

	hashidx_init(&x);
	is_int(hashidx_find(&x, 7, name_is, NULL, "a"), HASHIDX_NONE,
	       "an empty index finds nothing");

	for (i = 0; i < N; i++)
		snprintf(names[i], sizeof names[i], "name%zu", i);
	for (i = bad = 0; i < N; i++)
		if (hashidx_put(&x, hashidx_hash_str(names[i]), (uint32_t)i, 0, name_is, NULL,
				names[i]) != HASHIDX_NONE)
			bad++;
	is_int((long)bad, 0, "5000 distinct names are added");
	is_int((long)x.n, N, "and counted");
	ok(x.cap >= 2 * x.n && (x.cap & (x.cap - 1)) == 0, "at most half full, a power of two");
	for (i = bad = 0; i < N; i++)
		if (hashidx_find(&x, hashidx_hash_str(names[i]), name_is, NULL, names[i]) != i)
			bad++;
	is_int((long)bad, 0, "each is found after growing");
	id = hashidx_find(&x, hashidx_hash_str("name5000"), name_is, NULL, "name5000");
	is_int(id, HASHIDX_NONE, "a name not added is not found");

	id = hashidx_put(&x, hashidx_hash_str("name42"), 9999, 0, name_is, NULL, "name42");
	is_int(id, 42, "put of a present key returns the id found");
	id = hashidx_find(&x, hashidx_hash_str("name42"), name_is, NULL, "name42");
	is_int(id, 42, "and keeps it");
	id = hashidx_put(&x, hashidx_hash_str("name42"), 43, 1, name_is, NULL, "name42");
	is_int(id, 42, "put with replace returns the old id");
	is_int(hashidx_find(&x, hashidx_hash_str("name42"), any, NULL, NULL), 43,
	       "and stores the new one");
	is_int((long)x.n, N, "replacing adds nothing");
	hashidx_free(&x);
	ok(x.slot == NULL && x.cap == 0 && x.n == 0, "free leaves it empty");

	/* Colliding homes: ids 0..99 under hashes that share their low bits. */
	hashidx_reserve(&x, 100);
	ok(x.cap >= 200, "reserve makes room for 100 at half load");
	for (i = 0; i < 100; i++)
		hashidx_put(&x, (uint32_t)(i << 20), (uint32_t)i, 0, any, NULL, NULL);
	for (i = bad = 0; i < 100; i++)
		if (hashidx_find(&x, (uint32_t)(i << 20), any, NULL, NULL) != i)
			bad++;
	is_int((long)bad, 0, "keys with one home are told apart by their stored hash");
	hashidx_free(&x);

	ok(hashidx_hash(HASHIDX_SEED, "abc", 3) == hashidx_hash(HASHIDX_SEED, "abc", 3),
	   "the hash is stable");
	ok(hashidx_hash(hashidx_hash(HASHIDX_SEED, "ab", 2), "c", 1) !=
	   hashidx_hash(hashidx_hash(HASHIDX_SEED, "a", 1), "bc", 2), "chained: ab+c is not a+bc");
	ok(hashidx_hash(HASHIDX_SEED, "", 0) != hashidx_hash(HASHIDX_SEED, "\0", 1),
	   "a NUL byte counts");
	id = hashidx_fold(hashidx_hash(HASHIDX_SEED, "work_mem", 8));
	is_int(hashidx_hash_str("work_mem"), id, "hash_str is the folded hash of the string");
	return done_testing();
}
