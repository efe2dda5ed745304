/*
 * arena: blocks that double from 4 kB up to 32 MB, so that a small file
 * costs one small block and a big one few large ones; blocks of 1 MB and
 * more are whole huge pages (arena_pages), since a million-line file's
 * strings fill tens of megabytes.  A string larger than the next block
 * gets a block of its own, kept behind the one being cut so that the
 * rest of that one is not lost.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "buf.h"
#include "diag.h"

#define FIRST_BLOCK ((size_t)4096)
#define LAST_BLOCK ((size_t)32 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

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

/* A new block of a->next bytes at the head, to cut from; the next one doubles. */
static void
new_block(struct arena *a)
{
	size_t cap = a->next;
	struct arena_block *b = arena_pages(sizeof *b + cap);

	if (sizeof *b + cap < LAST_BLOCK)
		a->next = 2 * cap + sizeof *b;	/* the block with its header doubles */
	b->next = a->head;
	a->head = b;
	a->cut = b->data;
	a->end = b->data + cap;
}

char *
arena_grow(struct arena *a, size_t n)
{
	struct arena_block *b;

	if (n > a->next) {
		if (n > SIZE_MAX - sizeof *b)
			diag_oom();
		b = arena_pages(sizeof *b + n);
		if (a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = NULL;
			a->head = b;
		}
		return b->data;
	}
	new_block(a);
	a->cut += n;
	return a->cut - n;
}

void
arena_reserve(struct arena *a, size_t n)
{
	if ((size_t)(a->end - a->cut) >= n)
		return;
	while (a->next < n && sizeof(struct arena_block) + a->next < LAST_BLOCK)
		a->next = 2 * a->next + sizeof(struct arena_block);
	new_block(a);
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
arena_advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	/*
	 * The whole pages the block touches: malloc maps a block this large
	 * on its own, and advising all of that mapping keeps it one piece
	 * that realloc can still grow in place (mremap).
	 */
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + n + 4095) & ~(uintptr_t)4095;

	if (n >= HUGE_PAGE)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);	/* a hint: failure changes nothing */
#else
	(void)p;
	(void)n;
#endif
}

void *
arena_pages(size_t n)
{
	void *p;

	if (n < HUGE_PAGE / 2)
		return xmalloc(n);
	/* from 1 MB on a whole huge page costs less than the 4 kB faults */
	if (n > SIZE_MAX - HUGE_PAGE)
		diag_oom();
	n = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, n) != 0)
		diag_oom();
	arena_advise_huge(p, n);
	return p;
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
