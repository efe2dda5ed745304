/*
 * fileio: the only code that writes a user's file.  A write is atomic and
 * link-safe (design.md, "How fileio writes"): temp file in the same
 * directory, owner and mode copied, fsync, optional backup, rename over the
 * original, fsync of the directory.  A crash leaves the old file or the new
 * one, never a mix; a failure leaves the original byte-identical.
 */
#ifndef CKP_FILEIO_H
#define CKP_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"

/* A file as read, remembered so that a later write can tell if it changed. */
struct fileio_src {
	char *path;		/* as the user named it, for messages */
	char *target;		/* the regular file it resolves to (symlinks followed) */
	struct stat st;		/* of target when read */
	struct buf data;	/* its bytes */
};

struct fileio_opts {
	const char *backup_suffix;	/* keep the old file as target+suffix; NULL: no backup */
	int break_hardlink;		/* allow replacing a file with several hard links */
};

/* Read path (following symlinks) into src.  0, or -1 with err. */
int fileio_read(const char *path, struct fileio_src *src, struct diag_err *err);
void fileio_src_free(struct fileio_src *src);

/*
 * Replace src's target with data[0..len).  Returns 1 when the bytes are the
 * same (nothing written, mtime kept), 0 when written, -1 with err on any
 * failure (the original is then untouched and no temp file is left) -- with
 * one exception: when only the final fsync of the directory fails, the new
 * file is already in place and err says so.
 * Refuses when the file changed on disk since fileio_read.
 */
int fileio_replace(const struct fileio_src *src, const char *data, size_t len,
		   const struct fileio_opts *opts, struct diag_err *err);

/*
 * fileio_replace in two steps, so that a caller can check something slow
 * while the new bytes reach the disk: fileio_stage takes the lock, refuses
 * a changed file and writes and syncs the temp file (1: same bytes, nothing
 * staged; 0: staged; -1 with err: nothing left behind); then either
 * fileio_commit (the backup, the rename, the directory sync; 0, or -1 with
 * err as fileio_replace) or fileio_discard (the temp file goes; the
 * original was never touched).  Either ends the stage.
 */
struct fileio_stage {
	const struct fileio_src *src;
	struct fileio_opts opts;
	int lockfd, dirfd;
	char *base, *tmpname;
};

int fileio_stage(const struct fileio_src *src, const char *data, size_t len, const struct fileio_opts *opts,
		 struct fileio_stage *stg, struct diag_err *err);
int fileio_commit(struct fileio_stage *stg, struct diag_err *err);
void fileio_discard(struct fileio_stage *stg);

/*
 * Write data to path: through fileio_replace when path exists (same rules),
 * else as a new file with the given mode, created atomically (temp file,
 * fsync, link into place so that a file someone created meanwhile is never
 * overwritten, directory fsync).  Returns 1 unchanged, 0 written, -1 with err.
 */
int fileio_write(const char *path, const char *data, size_t len, mode_t mode,
		 const struct fileio_opts *opts, struct diag_err *err);

/*
 * fileio_write, and a file it creates gets owner uid:gid (fchown before
 * the data is written; (uid_t)-1 keeps the creator's).  An existing file
 * keeps its own owner and mode, as fileio_replace keeps them.
 */
int fileio_write_owned(const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		       const struct fileio_opts *opts, struct diag_err *err);

/*
 * Remove path (a symlink itself, not its target) and sync its directory,
 * so that the removal survives a crash.  Returns 1 when there was nothing
 * to remove, 0 when removed, -1 with err (then path is still there, or
 * only the directory sync failed and err says so).
 */
int fileio_remove(const char *path, struct diag_err *err);

/*
 * A unified diff (3 lines of context) of a -> b, labelled like diff -u;
 * nothing when they are equal.  Lines keep their own line ends ("\r\n"
 * stays); a missing final newline is marked as diff(1) marks it.
 */
void fileio_diff(const char *label_a, const char *label_b, const char *a, size_t alen,
		 const char *b, size_t blen, struct buf *out);

/*
 * A tool's output file: data written to path (fileio_write, mode for a new
 * file), or with dry_run the change shown on stdout as fileio_diff of old
 * (NULL: the file's bytes now, none when there is no file) -> data, and
 * nothing written.  Returns as fileio_write (0 after a dry run).
 */
int fileio_put(const char *path, const char *old, size_t oldlen, const char *data, size_t len, mode_t mode,
	       int dry_run, const struct fileio_opts *opts, struct diag_err *err);

#endif
