/*
 * buf: a growable byte buffer, always NUL-terminated, and whole-file reads.
 * Allocation failure prints "prog: out of memory" and exits 2 (diag_oom):
 * the tools have nothing sensible to do then, but must not dump core.
 */
#ifndef CKP_BUF_H
#define CKP_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hand the bytes to the caller (never NULL) and reset b. */
char *buf_steal(struct buf *b);

/* Read a whole file into b (replacing its contents); 0 or -errno. st may be NULL. */
int buf_read_file(struct buf *b, const char *path, struct stat *st);

/* The '\n's in d[0..len), plus one: at most the lines (keys, rules) of a file. */
size_t buf_count_lines(const char *d, size_t len);

/* malloc/calloc/realloc/strdup that never return NULL: diag_oom on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* The formatted text in a new string (buf_printf into an empty buffer, stolen). */
char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
