/*
 * faultinject: an LD_PRELOAD object that makes one libc call fail, so that
 * tests/cli/fileio-faults.t can prove every failure path of common/fileio.c
 * leaves the user's file as it was.  Not built by the Makefile; the test
 * compiles it itself:
 *
 *	cc -shared -fPIC -o faultinject.so tests/lib/faultinject.c -ldl
 *
 * CKP_FAIL names the call that fails:
 *	renameat     every renameat() fails with EIO
 *	fsync        every fsync() fails with EIO
 *	write        write() fails with ENOSPC on any regular file beyond
 *	             stdin, stdout and stderr (a full disk, as fileio sees it)
 *	openat_excl  an exclusive create (O_CREAT|O_EXCL) fails with EACCES
 *	fchown       every fchown() fails with EPERM
 *	linkat       every linkat() fails with EPERM
 * CKP_FAIL_SKIP=N lets the first N matching calls succeed (e.g. fsync with
 * N=1 passes the temp file's fsync and fails the directory's).  With
 * CKP_FAIL unset every call goes straight to libc.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* The real function, looked up once; abort if libc does not have it. */
#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (!real_##name) { \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
		if (!real_##name) \
			abort(); \
	}

/* Should this call of `what` fail?  Counts matching calls for CKP_FAIL_SKIP. */
static int fail_now(const char *what)
{
	static long skipped;
	const char *want = getenv("CKP_FAIL");
	const char *skip = getenv("CKP_FAIL_SKIP");

	if (!want || strcmp(want, what) != 0)
		return 0;
	if (skip && skipped < strtol(skip, NULL, 10)) {
		skipped++;
		return 0;
	}
	return 1;
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	REAL(renameat);
	if (fail_now("renameat")) {
		errno = EIO;
		return -1;
	}
	return real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

int fsync(int fd)
{
	REAL(fsync);
	if (fail_now("fsync")) {
		errno = EIO;
		return -1;
	}
	return real_fsync(fd);
}

ssize_t write(int fd, const void *p, size_t n)
{
	struct stat st;

	REAL(write);
	if (fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fail_now("write")) {
		errno = ENOSPC;
		return -1;
	}
	return real_write(fd, p, n);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	REAL(fchown);
	if (fail_now("fchown")) {
		errno = EPERM;
		return -1;
	}
	return real_fchown(fd, uid, gid);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	REAL(linkat);
	if (fail_now("linkat")) {
		errno = EPERM;
		return -1;
	}
	return real_linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* open and openat, under both names glibc may bind them to. */
static int excl_fails(int flags)
{
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && fail_now("openat_excl")) {
		errno = EACCES;
		return 1;
	}
	return 0;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(openat);
	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (excl_fails(flags))
		return -1;
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(openat64);
	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (excl_fails(flags))
		return -1;
	return real_openat64(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(open);
	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (excl_fails(flags))
		return -1;
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	REAL(open64);
	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (excl_fails(flags))
		return -1;
	return real_open64(path, flags, mode);
}
