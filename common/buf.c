/*
 * buf: growable byte buffer and whole-file reads.  Everything the parsers
 * look at comes through here, so a file is read once and kept whole.
 */
#include "buf.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		diag_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		diag_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		diag_oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->len)
		diag_oom();	/* size_t wrapped: no memory could hold it */
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need) {
		if (b->cap > (size_t)-1 / 2)
			diag_oom();
		b->cap *= 2;
	}
	b->data = xrealloc(b->data, b->cap);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		diag_oom();	/* glibc fails with ENOMEM (or the text passes INT_MAX) */
	grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

char *buf_steal(struct buf *b)
{
	char *p;

	if (!b->data)
		buf_add(b, "", 0);
	p = b->data;
	buf_init(b);
	return p;
}

int buf_read_file(struct buf *b, const char *path, struct stat *st)
{
	struct stat sb;
	int fd, saved;
	ssize_t n;

	buf_reset(b);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	/* Room for the whole file and one byte more, so that the read that
	 * finds its end needs no larger buffer (a copy into fresh pages). */
	grow(b, S_ISREG(sb.st_mode) ? (size_t)sb.st_size + 1 : 4096);
	for (;;) {
		if (b->cap - b->len - 1 == 0)
			grow(b, 4096);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	b->data[b->len] = '\0';
	close(fd);
	if (st)
		*st = sb;
	return 0;
fail:
	saved = errno;
	close(fd);
	return -saved;
}

size_t
buf_count_lines(const char *d, size_t len)
{
	const char *p = d, *end = d + len;
	size_t n = 1;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}
