/*
 * arena: strings that live and die with a model.  A 100 000-line file
 * holds some 400 000 of them, a million-line one millions; cut from a few
 * large blocks they cost a few mallocs and frees, not one each, and the
 * common cut is inline: a parser cuts a string or two per line.  Bytes
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

/*
 * About n bytes are to be cut soon (a large file's strings): the block
 * cut next holds them, or the largest block does, so that they do not
 * start in many small blocks.  Only a hint: arena_alloc gives the same bytes.
 */
void
arena_reserve(struct arena *a, size_t n);

/* A NUL-terminated copy of s[0..n) in the arena. */
char *
arena_strndup(struct arena *a, const void *s, size_t n);

/* Free every block at once; a is empty again. */
void
arena_free(struct arena *a);

/*
 * n bytes for a large array that grows with a file (diag_oom when out of
 * memory), released by free.  From 1 MB on they are whole 2 MB pages on a
 * 2 MB boundary, advised huge: on a virtual machine a 4 kB page fault costs
 * more than zeroing the page, and a block that malloc places anywhere
 * keeps its first and last partial 2 MB in 4 kB pages.
 */
void *
arena_pages(size_t n);

/*
 * Ask the kernel to back the whole 2 MB pages inside p[0..n) with huge
 * pages: a model of a million-line file fills tens of megabytes, and on a
 * virtual machine the page faults of 4 kB pages cost more than reading the
 * file.  Only a hint: memory and contents are unchanged.
 */
void
arena_advise_huge(void *p, size_t n);

#endif
