/*
 * arena: blocks that double from 4 kB up to 1 MB, so that a small file
 * costs one small block and a big one few large ones; a string larger
 * than the next block gets its own.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
}

char *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	char *p;

	if (!b || b->cap - b->used < n) {
		size_t cap = b ? (b->cap < (1u << 20) ? 2 * b->cap : b->cap) : 4096 - sizeof *b;

		if (cap < n)
			cap = n;
		if (cap > SIZE_MAX - sizeof *b)
			diag_oom();
		b = xmalloc(sizeof *b + cap);
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
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
}
