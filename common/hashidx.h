/*
 * hashidx: the one hash index of the suite.  Open addressing over 8-byte
 * slots, each a 32-bit hash and a 32-bit id the caller gives meaning to
 * (an index into its own array); at most half full.  The index holds no
 * keys: the caller says whether an id is the key it looks for, and the
 * stored hash skips that call for nearly every other id.  Models of
 * 100 000-line files are indexed once per read, so the slots are small and
 * the hash reads eight bytes at a time.
 */
#ifndef CKP_HASHIDX_H
#define CKP_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

#define HASHIDX_NONE UINT32_MAX
#define HASHIDX_SEED 0xcbf29ce484222325ULL

struct hashidx_slot {
	uint32_t hash;
	uint32_t id;		/* HASHIDX_NONE: empty */
};

struct hashidx {
	struct hashidx_slot *slot;
	size_t cap, n;		/* cap: a power of two, or 0 before the first use */
};

/*
 * Whether id is the key the caller asks about; ctx and key are what the
 * caller passed to hashidx_find or hashidx_put.
 */
typedef int (*hashidx_eq)(const void *ctx, uint32_t id, const void *key);

/* An empty index: no memory until the first put or reserve. */
void
hashidx_init(struct hashidx *x);

/* Room for want ids without growing (a file's line count, known before reading it). */
void
hashidx_reserve(struct hashidx *x, size_t want);

void
hashidx_free(struct hashidx *x);

/*
 * A hash of n bytes chained onto h (HASHIDX_SEED to start): the length goes
 * into the last word, so "ab" + "c" and "a" + "bc" differ when chained.
 */
uint64_t
hashidx_hash(uint64_t h, const void *p, size_t n);

/* hashidx_hash of a string from the seed, folded to the 32 bits a slot keeps. */
uint32_t
hashidx_hash_str(const char *s);

/* A 64-bit hash folded to the 32 bits a slot keeps. */
uint32_t
hashidx_fold(uint64_t h);

/*
 * Start loading the slot where a search for hash h begins: a caller that
 * knows the next hashes ahead (a model's names, hashed when read) hides
 * the cache miss of a large index behind its work on the current one.
 */
static inline void
hashidx_prefetch(const struct hashidx *x, uint32_t h)
{
	if (x->cap)
		__builtin_prefetch(&x->slot[h & (x->cap - 1)]);
}

/* The id whose hash is h and that eq says is key, or HASHIDX_NONE. */
uint32_t
hashidx_find(const struct hashidx *x, uint32_t h, hashidx_eq eq, const void *ctx, const void *key);

/*
 * Add id under hash h unless eq finds key there already.  Returns the id
 * found (then replaced by id when replace is set, else kept), or
 * HASHIDX_NONE when id was added.  id must not be HASHIDX_NONE.
 */
uint32_t
hashidx_put(struct hashidx *x, uint32_t h, uint32_t id, int replace, hashidx_eq eq, const void *ctx,
	    const void *key);

#endif
