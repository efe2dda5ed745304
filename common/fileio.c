/*
 * fileio: atomic, link-safe replacement of a user's file, and the unified
 * diff that previews it.  Every return value is checked; any failure unlinks
 * the temp file and leaves the original as it was.
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int fileio_read(const char *path, struct fileio_src *src, struct diag_err *err)
{
	char *target;
	int rc;

	memset(src, 0, sizeof *src);
	buf_init(&src->data);
	src->path = xstrdup(path);
	target = realpath(path, NULL);
	if (!target)
		return diag_set(err, path, 0, "cannot open: %s", strerror(errno));
	src->target = target;
	/* Refuse a FIFO or device before opening it: opening a FIFO blocks. */
	if (stat(target, &src->st) < 0)
		return diag_set(err, path, 0, "cannot open: %s", strerror(errno));
	if (!S_ISREG(src->st.st_mode) && !S_ISDIR(src->st.st_mode))
		return diag_set(err, path, 0, "not a regular file");
	rc = buf_read_file(&src->data, target, &src->st);
	if (rc < 0)
		return diag_set(err, path, 0, "cannot read: %s", strerror(-rc));
	if (!S_ISREG(src->st.st_mode))
		return diag_set(err, path, 0, "not a regular file");
	return 0;
}

void fileio_src_free(struct fileio_src *src)
{
	free(src->path);
	free(src->target);
	buf_free(&src->data);
	memset(src, 0, sizeof *src);
}

/* Split "/a/b/c" into a directory fd and the last component. */
static int open_dir(const char *target, char **base, struct diag_err *err, const char *label)
{
	const char *slash = strrchr(target, '/');
	char *dir;
	int fd;

	if (!slash)
		return diag_set(err, label, 0, "internal error: unresolved path");
	dir = slash == target ? xstrdup("/") : xstrndup(target, (size_t)(slash - target));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		diag_set(err, label, 0, "cannot open directory \"%s\": %s", dir, strerror(errno));
	free(dir);
	*base = xstrdup(slash + 1);
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Create ".BASE.XXXXXX" next to the original, exclusively, mode 0600. */
static int make_temp(int dirfd, const char *base, char **name)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct buf b;
	struct timespec ts;
	unsigned long seed;
	int tries, fd, i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
	buf_init(&b);
	for (tries = 0; tries < 100; tries++) {
		buf_reset(&b);
		buf_printf(&b, ".%s.", base);
		for (i = 0; i < 6; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf_addc(&b, set[(seed >> 33) % (sizeof set - 1)]);
		}
		fd = openat(dirfd, b.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*name = buf_steal(&b);
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	buf_free(&b);
	return -1;
}

/* Keep the current original as BASE+suffix, replacing an older backup atomically. */
static int make_backup(int dirfd, const char *base, const char *suffix)
{
	struct buf tmp, bak;
	int rc = -1, saved;

	buf_init(&tmp);
	buf_init(&bak);
	buf_printf(&bak, "%s%s", base, suffix);
	buf_printf(&tmp, ".%s%s.%ld", base, suffix, (long)getpid());
	unlinkat(dirfd, tmp.data, 0);
	if (linkat(dirfd, base, dirfd, tmp.data, 0) == 0) {
		if (renameat(dirfd, tmp.data, dirfd, bak.data) == 0)
			rc = 0;
		else {
			saved = errno;
			unlinkat(dirfd, tmp.data, 0);
			errno = saved;
		}
	}
	buf_free(&tmp);
	buf_free(&bak);
	return rc;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void stage_close(struct fileio_stage *stg)
{
	if (stg->tmpname && stg->dirfd >= 0)
		unlinkat(stg->dirfd, stg->tmpname, 0);
	free(stg->tmpname);
	free(stg->base);
	if (stg->dirfd >= 0)
		close(stg->dirfd);
	if (stg->lockfd >= 0)
		close(stg->lockfd);
	memset(stg, 0, sizeof *stg);
	stg->lockfd = stg->dirfd = -1;
}

int fileio_stage(const struct fileio_src *src, const char *data, size_t len, const struct fileio_opts *opts,
		 struct fileio_stage *stg, struct diag_err *err)
{
	const char *label = src->path;
	struct buf now;
	struct stat st;
	int fd = -1, rr;

	memset(stg, 0, sizeof *stg);
	stg->lockfd = stg->dirfd = -1;
	stg->src = src;
	if (opts)
		stg->opts = *opts;
	if (len == src->data.len && memcmp(data, src->data.data, len) == 0)
		return 1;
	if (src->st.st_nlink > 1 && !stg->opts.break_hardlink)
		return diag_set(err, label, 0, "has %lu hard links; refusing to break them (--break-hardlink)",
				(unsigned long)src->st.st_nlink);

	/* Hold a lock on the original from this check until it is swapped. */
	stg->lockfd = open(src->target, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (stg->lockfd < 0) {
		diag_set(err, label, 0, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (flock(stg->lockfd, LOCK_EX) < 0) {
		diag_set(err, label, 0, "cannot lock: %s", strerror(errno));
		goto fail;
	}
	buf_init(&now);
	rr = buf_read_file(&now, src->target, &st);
	if (rr < 0 || !same_file(&st, &src->st) || now.len != src->data.len ||
	    memcmp(now.data, src->data.data, now.len) != 0) {
		buf_free(&now);
		diag_set(err, label, 0, "changed on disk since it was read; nothing written");
		goto fail;
	}
	buf_free(&now);

	stg->dirfd = open_dir(src->target, &stg->base, err, label);
	if (stg->dirfd < 0)
		goto fail;
	fd = make_temp(stg->dirfd, stg->base, &stg->tmpname);
	if (fd < 0) {
		diag_set(err, label, 0, "cannot create a temporary file beside it: %s", strerror(errno));
		goto fail;
	}
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && (st.st_uid != geteuid() || st.st_gid != getegid())) {
		diag_set(err, label, 0, "cannot keep owner %lu:%lu: %s", (unsigned long)st.st_uid,
			 (unsigned long)st.st_gid, strerror(errno));
		goto fail;
	}
	if (fchmod(fd, st.st_mode & 07777) < 0) {
		diag_set(err, label, 0, "cannot keep mode %04o: %s", (unsigned)(st.st_mode & 07777), strerror(errno));
		goto fail;
	}
	if (write_all(fd, data, len) < 0) {
		diag_set(err, label, 0, "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (fsync(fd) < 0) {
		diag_set(err, label, 0, "cannot sync: %s", strerror(errno));
		goto fail;
	}
	rr = close(fd);
	fd = -1;
	if (rr < 0) {
		diag_set(err, label, 0, "cannot write: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	stage_close(stg);
	return -1;
}

int fileio_commit(struct fileio_stage *stg, struct diag_err *err)
{
	const struct fileio_src *src = stg->src;
	const char *label = src->path;
	int rc = -1;

	if (stg->opts.backup_suffix && make_backup(stg->dirfd, stg->base, stg->opts.backup_suffix) < 0) {
		diag_set(err, label, 0, "cannot keep a backup \"%s%s\": %s", src->target, stg->opts.backup_suffix,
			 strerror(errno));
		goto out;
	}
	if (renameat(stg->dirfd, stg->tmpname, stg->dirfd, stg->base) < 0) {
		diag_set(err, label, 0, "cannot replace: %s", strerror(errno));
		goto out;
	}
	free(stg->tmpname);
	stg->tmpname = NULL;
	if (fsync(stg->dirfd) < 0) {
		/* The new file is in place; only its durability is in doubt. */
		diag_set(err, label, 0, "written, but the directory could not be synced: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	stage_close(stg);
	return rc;
}

void fileio_discard(struct fileio_stage *stg)
{
	stage_close(stg);
}

int fileio_replace(const struct fileio_src *src, const char *data, size_t len,
		   const struct fileio_opts *opts, struct diag_err *err)
{
	struct fileio_stage stg;
	int rc = fileio_stage(src, data, len, opts, &stg, err);

	return rc == 0 ? fileio_commit(&stg, err) : rc;
}

int fileio_write(const char *path, const char *data, size_t len, mode_t mode,
		 const struct fileio_opts *opts, struct diag_err *err)
{
	return fileio_write_owned(path, data, len, mode, (uid_t)-1, (gid_t)-1, opts, err);
}

int fileio_write_owned(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		       const struct fileio_opts *opts, struct diag_err *err)
{
	struct fileio_src src;
	char *dir, *base, *tmpname = NULL;
	const char *slash;
	int dirfd, fd, rc = -1;

	if (access(path, F_OK) == 0) {
		if (fileio_read(path, &src, err) < 0) {
			fileio_src_free(&src);
			return -1;
		}
		rc = fileio_replace(&src, data, len, opts, err);
		fileio_src_free(&src);
		return rc;
	}
	slash = strrchr(path, '/');
	dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path))) : xstrdup(".");
	base = xstrdup(slash ? slash + 1 : path);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		diag_set(err, path, 0, "cannot open directory \"%s\": %s", dir, strerror(errno));
		goto out;
	}
	fd = make_temp(dirfd, base, &tmpname);
	if (fd < 0) {
		diag_set(err, path, 0, "cannot create a temporary file beside it: %s", strerror(errno));
		goto out;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0) {
		diag_set(err, path, 0, "cannot give it owner %ld:%ld: %s", uid == (uid_t)-1 ? -1L : (long)uid,
			 gid == (gid_t)-1 ? -1L : (long)gid, strerror(errno));
		close(fd);
		goto fail;
	}
	if (fchmod(fd, mode & 07777) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		diag_set(err, path, 0, "cannot write: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		diag_set(err, path, 0, "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (linkat(dirfd, tmpname, dirfd, base, 0) < 0) {
		diag_set(err, path, 0, "cannot create: %s", strerror(errno));
		goto fail;
	}
	unlinkat(dirfd, tmpname, 0);
	if (fsync(dirfd) < 0) {
		diag_set(err, path, 0, "written, but the directory could not be synced: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
fail:
	unlinkat(dirfd, tmpname, 0);
out:
	if (dirfd >= 0)
		close(dirfd);
	free(tmpname);
	free(dir);
	free(base);
	return rc;
}

int fileio_remove(const char *path, struct diag_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path))) : xstrdup(".");
	const char *base = slash ? slash + 1 : path;
	int dirfd, rc = -1;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = errno == ENOENT ? 1 : diag_set(err, path, 0, "cannot open directory \"%s\": %s", dir,
						     strerror(errno));
		goto out;
	}
	if (unlinkat(dirfd, base, 0) < 0) {
		rc = errno == ENOENT ? 1 : diag_set(err, path, 0, "cannot remove: %s", strerror(errno));
		goto out;
	}
	if (fsync(dirfd) < 0) {
		diag_set(err, path, 0, "removed, but the directory could not be synced: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	return rc;
}

/* ---- unified diff ---------------------------------------------------- */

struct lines {
	const char **start;
	size_t *len;
	size_t n;
};

static void split_lines(const char *p, size_t n, struct lines *l)
{
	size_t i, cap = 16, begin = 0;

	l->start = xmalloc(cap * sizeof *l->start);
	l->len = xmalloc(cap * sizeof *l->len);
	l->n = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\n')
			continue;
		if (i == n && begin == n)
			break;
		if (l->n == cap) {
			cap *= 2;
			l->start = xrealloc(l->start, cap * sizeof *l->start);
			l->len = xrealloc(l->len, cap * sizeof *l->len);
		}
		l->start[l->n] = p + begin;
		l->len[l->n] = (i < n ? i + 1 : i) - begin;
		l->n++;
		begin = i + 1;
	}
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

static void emit(struct buf *out, char mark, const char *s, size_t n)
{
	buf_addc(out, mark);
	buf_add(out, s, n);
	if (n == 0 || s[n - 1] != '\n')
		buf_adds(out, "\n\\ No newline at end of file\n");
}

/*
 * A hunk range as POSIX diff -u writes it: "START" for one line,
 * "START,COUNT" otherwise, and an empty range starts at the line before it.
 */
static void range(struct buf *out, size_t from, size_t to)
{
	if (to - from == 1)
		buf_printf(out, "%zu", from + 1);
	else
		buf_printf(out, "%zu,%zu", to > from ? from + 1 : from, to - from);
}

/* One hunk covering a[a0..a1) and b[b0..b1), where only [ca,cb) differ as a block. */
static void hunk(struct buf *out, const struct lines *a, const struct lines *b, size_t a0, size_t a1,
		 size_t b0, size_t b1, const unsigned char *diff_a, const unsigned char *diff_b)
{
	size_t i = a0, j = b0;

	buf_adds(out, "@@ -");
	range(out, a0, a1);
	buf_adds(out, " +");
	range(out, b0, b1);
	buf_adds(out, " @@\n");
	while (i < a1 || j < b1) {
		if (i < a1 && diff_a[i]) {
			emit(out, '-', a->start[i], a->len[i]);
			i++;
		} else if (j < b1 && diff_b[j]) {
			emit(out, '+', b->start[j], b->len[j]);
			j++;
		} else {
			emit(out, ' ', a->start[i], a->len[i]);
			i++;
			j++;
		}
	}
}

void fileio_diff(const char *label_a, const char *label_b, const char *a, size_t alen,
		 const char *b, size_t blen, struct buf *out)
{
	struct lines la, lb;
	unsigned char *da, *db;
	size_t pre = 0, suf = 0, i, j, k;
	const size_t ctx = 3;

	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	split_lines(a, alen, &la);
	split_lines(b, blen, &lb);
	while (pre < la.n && pre < lb.n && line_eq(&la, pre, &lb, pre))
		pre++;
	while (suf < la.n - pre && suf < lb.n - pre && line_eq(&la, la.n - 1 - suf, &lb, lb.n - 1 - suf))
		suf++;
	/* Mark changed lines: line by line when the middle keeps its line count
	 * (our edits replace bytes inside lines), else the whole middle. */
	da = xcalloc(la.n + 1, 1);
	db = xcalloc(lb.n + 1, 1);
	if (la.n == lb.n) {
		for (i = pre; i < la.n - suf; i++)
			da[i] = db[i] = !line_eq(&la, i, &lb, i);
	} else {
		for (i = pre; i < la.n - suf; i++)
			da[i] = 1;
		for (j = pre; j < lb.n - suf; j++)
			db[j] = 1;
	}
	buf_printf(out, "--- %s\n+++ %s\n", label_a, label_b);
	/* Walk aligned positions; offsets differ only after the unequal middle. */
	i = 0;
	while (i < la.n || i < lb.n) {
		size_t start, end, last, ai, bi;
		if (!(i < la.n && da[i]) && !(i < lb.n && db[i])) {
			i++;
			continue;
		}
		if (la.n != lb.n) {	/* one block */
			start = pre > ctx ? pre - ctx : 0;
			hunk(out, &la, &lb, start, (la.n - suf + ctx < la.n ? la.n - suf + ctx : la.n), start,
			     (lb.n - suf + ctx < lb.n ? lb.n - suf + ctx : lb.n), da, db);
			break;
		}
		start = i > ctx ? i - ctx : 0;
		last = i;
		for (k = i; k < la.n; k++) {
			if (da[k])
				last = k;
			else if (k - last > 2 * ctx)
				break;
		}
		end = last + 1 + ctx < la.n ? last + 1 + ctx : la.n;
		ai = start;
		bi = start;
		hunk(out, &la, &lb, ai, end, bi, end, da, db);
		i = end;
	}
	free(da);
	free(db);
	free(la.start);
	free(la.len);
	free(lb.start);
	free(lb.len);
}

int fileio_put(const char *path, const char *old, size_t oldlen, const char *data, size_t len, mode_t mode,
	       int dry_run, const struct fileio_opts *opts, struct diag_err *err)
{
	struct buf now, diff;

	if (!dry_run)
		return fileio_write(path, data, len, mode, opts, err);
	buf_init(&now);
	buf_init(&diff);
	if (!old) {
		buf_read_file(&now, path, NULL);	/* none: the diff adds every line */
		old = now.data ? now.data : "";
		oldlen = now.len;
	}
	fileio_diff(path, path, old, oldlen, data, len, &diff);
	fwrite(diff.data ? diff.data : "", 1, diff.len, stdout);
	buf_free(&now);
	buf_free(&diff);
	return 0;
}
