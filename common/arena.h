/*
 * arena: strings that live and die with a model.  A 100 000-line file
 * holds some 400 000 of them, a million-line one millions; cut from a few
 * large blocks they cost a few mallocs and frees, not one each, and the
 * cut itself is inline: a call per string was a tenth of a parse.  Bytes
 * only: nothing here is aligned for other types.
 */
#ifndef CKP_ARENA_H
#define CKP_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* the block being cut, then the older ones */
	char *cut, *end;		/* private: head's bytes not cut yet */
	size_t next;			/* private: the size of the next block */
};

/* An empty arena: no memory until the first allocation. */
void
arena_init(struct arena *a);

/* arena_alloc's slow path: a new block, n bytes cut from it.  Private. */
char *
arena_grow(struct arena *a, size_t n);

/* n bytes that live until arena_free (diag_oom when out of memory). */
static inline char *
arena_alloc(struct arena *a, size_t n)
{
	char *p = a->cut;

	if ((size_t)(a->end - p) < n)
		return arena_grow(a, n);
	a->cut = p + n;
	return p;
}

/* A NUL-terminated copy of s[0..n) in the arena. */
char *
arena_strndup(struct arena *a, const void *s, size_t n);

/* Free every block at once; a is empty again. */
void
arena_free(struct arena *a);

#endif
