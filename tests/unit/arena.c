/*
 * Unit tests for common/arena: the strings of pgconf's, ckanini's and
 * hba's models.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tap.h"

static const char xs[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

int
main(void)
{
	struct arena a;
	char *s[3000], *big, *t, *p, *prev;
	size_t i, bad, blocks;

	arena_init(&a);
	ok(a.head == NULL, "an empty arena holds no block");
	t = arena_strndup(&a, "abc", 2);
	is_str(t, "ab", "strndup copies n bytes and ends them");
	t = arena_strndup(&a, "", 0);
	is_str(t, "", "an empty string");

	/* Many strings over many blocks: each keeps its bytes. */
	for (i = 0; i < 3000; i++) {
		char tmp[64];
		int n = snprintf(tmp, sizeof tmp, "string %zu %.*s", i, (int)(i % 40), xs);

		s[i] = arena_strndup(&a, tmp, (size_t)n);
	}
	for (i = bad = 0; i < 3000; i++) {
		char tmp[64];

		snprintf(tmp, sizeof tmp, "string %zu %.*s", i, (int)(i % 40), xs);
		if (strcmp(s[i], tmp) != 0)
			bad++;
	}
	is_int((long)bad, 0, "3000 strings over several blocks keep their bytes");

	/* A string larger than any block gets its own; the others stay. */
	big = arena_alloc(&a, (size_t)3 << 20);
	memset(big, 'b', (size_t)3 << 20);
	t = arena_strndup(&a, "after", 5);
	ok(big[0] == 'b' && big[((size_t)3 << 20) - 1] == 'b' && strcmp(t, "after") == 0 &&
	   strcmp(s[0], "string 0 ") == 0, "a 3 MB allocation, and strings after it");
	arena_free(&a);
	ok(a.head == NULL, "free empties it");

	/*
	 * A large allocation gets a block of its own behind the one being
	 * cut: the next small one follows the last small one.
	 */
	prev = arena_alloc(&a, 16);
	big = arena_alloc(&a, (size_t)1 << 20);
	p = arena_alloc(&a, 16);
	ok((uintptr_t)p == (uintptr_t)prev + 16 &&
	   ((uintptr_t)big + ((size_t)1 << 20) <= (uintptr_t)prev || (uintptr_t)big >= (uintptr_t)p + 16),
	   "a large allocation leaves the block being cut alone");

	/*
	 * Blocks double up to 32 MB: 256 MB in 64-byte pieces take some 20
	 * blocks (they stopped at 1 MB, which took 260).
	 */
	prev = NULL;
	blocks = 0;
	for (i = 0; i < ((size_t)256 << 20) / 64; i++) {
		p = arena_alloc(&a, 64);
		if ((uintptr_t)p != (uintptr_t)prev + 64)
			blocks++;
		prev = p;
	}
	ok(blocks >= 14 && blocks <= 24, "256 MB in 64-byte pieces take 14 to 24 blocks");
	arena_free(&a);
	ok(a.head == NULL, "free empties it again");
	p = arena_alloc(&a, 64);
	prev = arena_alloc(&a, 8192);
	t = arena_alloc(&a, 64);
	ok((uintptr_t)t == (uintptr_t)p + 64, "after free the first block is small again: 8 kB get their own");
	t = arena_strndup(&a, "again", 5);
	is_str(t, "again", "and it can be used again");
	arena_free(&a);

	/* A reserve of 5 MB: 5 MB in 64-byte pieces are cut from one block. */
	arena_reserve(&a, (size_t)5 << 20);
	prev = arena_alloc(&a, 64);
	for (i = 1, blocks = 1; i < ((size_t)5 << 20) / 64; i++) {
		p = arena_alloc(&a, 64);
		if ((uintptr_t)p != (uintptr_t)prev + 64)
			blocks++;
		prev = p;
	}
	is_int(blocks, 1, "after arena_reserve, 5 MB come from one block");
	arena_reserve(&a, 16);
	p = arena_alloc(&a, 16);
	ok((uintptr_t)p == (uintptr_t)prev + 64, "a reserve that fits changes nothing");
	arena_free(&a);

	/* Large arrays are whole huge pages on their boundary; small ones plain malloc. */
	big = arena_pages((size_t)3 << 20);
	ok((uintptr_t)big % ((size_t)2 << 20) == 0, "arena_pages of 3 MB starts on a 2 MB boundary");
	memset(big, 'x', (size_t)4 << 20);	/* rounded up to whole huge pages */
	free(big);
	big = arena_pages((size_t)1 << 20);
	ok((uintptr_t)big % ((size_t)2 << 20) == 0, "so does one of 1 MB");
	free(big);
	big = arena_pages(100);
	memset(big, 'x', 100);
	ok(big != NULL, "arena_pages of 100 bytes");
	free(big);
	return done_testing();
}
