/*
 * arena: blocks that double from 4 kB up to 32 MB, so that a small file
 * costs one small block and a big one few large ones; blocks of 2 MB and
 * more are advised huge pages, since a million-line file's strings fault
 * in tens of megabytes.  A string larger than the next block gets a block
 * of its own, kept behind the one being cut so that its room is not lost.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "hashidx.h"

#define FIRST_BLOCK ((size_t)4096)
#define LAST_BLOCK ((size_t)32 << 20)

struct arena_block {
	struct arena_block *next;
	char data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->cut = NULL;
	a->end = NULL;
	a->next = FIRST_BLOCK - sizeof(struct arena_block);
}

char *
arena_grow(struct arena *a, size_t n)
{
	size_t cap = a->next;
	struct arena_block *b;

	if (n > cap) {
		if (n > SIZE_MAX - sizeof *b)
			diag_oom();
		b = xmalloc(sizeof *b + n);
		hashidx_advise_huge(b, sizeof *b + n);
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = NULL;
			a->head = b;
		}
		return b->data;
	}
	if (sizeof *b + cap < LAST_BLOCK)
		a->next = 2 * cap + sizeof *b;	/* the block with its header doubles */
	b = xmalloc(sizeof *b + cap);
	hashidx_advise_huge(b, sizeof *b + cap);
	b->next = a->head;
	a->head = b;
	a->cut = b->data + n;
	a->end = b->data + cap;
	return b->data;
}

char *
arena_strndup(struct arena *a, const void *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
	arena_init(a);
}
