/*
 * Unit test for common/fileio.c: the writer must keep what it promises in
 * design.md ("How fileio writes") -- same bytes leave the file alone, a
 * write keeps mode and owner, a symlink stays a symlink, a backup holds the
 * old bytes, a file changed since it was read or hard-linked elsewhere is
 * refused, and no ".NAME.*" temp file survives success or failure.  The
 * diff is checked against exact expected text, against GNU diff -u where
 * both must agree, and by applying it with patch(1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "tap.h"

static char dir[4096];

static void skip(const char *name, const char *why)
{
	tap_count++;
	printf("ok %d - %s # SKIP %s\n", tap_count, name, why);
}

/* dir/name in one of 16 rotating buffers: enough for any one call's arguments. */
static const char *path_of(const char *name)
{
	static char p[16][4200];
	static int k;

	k = (k + 1) % 16;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

/* A name that must outlive many path_of calls. */
#define LOCAL_PATH(var, name) \
	char var[4200]; \
	snprintf(var, sizeof var, "%s/%s", dir, (name))

static void put(const char *path, const char *s, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(s, 1, n, fp) != n || fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

static void puts_file(const char *path, const char *s)
{
	put(path, s, strlen(s));
}

/* The file's bytes, or NULL when it cannot be read.  Caller frees. */
static char *slurp(const char *path)
{
	struct buf b;

	buf_init(&b);
	if (buf_read_file(&b, path, NULL) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static int file_is(const char *path, const char *want)
{
	char *got = slurp(path);
	int same = got && strcmp(got, want) == 0;

	if (!same)
		diag("%s holds '%s', expected '%s'", path, got ? got : "(unreadable)", want);
	free(got);
	return same;
}

/* Set an old mtime so that "unchanged" cannot be luck of the clock. */
static void age(const char *path)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1000000000, 123456789 } };

	if (utimensat(AT_FDCWD, path, ts, 0) < 0) {
		perror(path);
		exit(2);
	}
}

/* Hidden entries left in the test directory (temp files would be ".NAME.*"). */
static int hidden_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			diag("left behind: %s", e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static struct stat stat_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		memset(&st, 0, sizeof st);
	return st;
}

static int same_mtime(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Read path and replace it with s; returns fileio_replace's result. */
static int edit(const char *path, const char *s, const struct fileio_opts *o, struct diag_err *err)
{
	struct fileio_src src;
	int rc;

	if (fileio_read(path, &src, err) < 0) {
		fileio_src_free(&src);
		return -2;
	}
	rc = fileio_replace(&src, s, strlen(s), o, err);
	fileio_src_free(&src);
	return rc;
}

static void test_read(void)
{
	struct fileio_src src;
	struct diag_err err;
	LOCAL_PATH(f, "r.ini");

	puts_file(f, "a = 1\n");
	is_int(fileio_read(f, &src, &err), 0, "fileio_read reads a file");
	is_str(src.data.data, "a = 1\n", "fileio_read keeps the bytes");
	is_str(src.path, f, "fileio_read keeps the name as given");
	ok(S_ISREG(src.st.st_mode) && src.st.st_size == 6, "fileio_read keeps the stat");
	fileio_src_free(&src);

	is_int(fileio_read(path_of("missing.ini"), &src, &err), -1, "a missing file is an error");
	ok(strstr(err.file, "missing.ini") != NULL, "the error names the missing file");
	ok(strstr(err.msg, "No such file") != NULL, "the error says why");
	fileio_src_free(&src);

	is_int(fileio_read(dir, &src, &err), -1, "a directory is refused");
	fileio_src_free(&src);

	/* Opening a FIFO with no writer would block: it must be refused first. */
	if (mkfifo(path_of("fifo"), 0600) == 0) {
		alarm(10);
		is_int(fileio_read(path_of("fifo"), &src, &err), -1, "a FIFO is refused without hanging");
		alarm(0);
		is_str(err.msg, "not a regular file", "a FIFO is not a regular file");
		fileio_src_free(&src);
		unlink(path_of("fifo"));
	}

	is_int(fileio_read("/dev/null", &src, &err), -1, "a device is refused");
	is_str(err.msg, "not a regular file", "a device is not a regular file");
	fileio_src_free(&src);
}

static void test_same_bytes(void)
{
	struct fileio_src src;
	struct diag_err err;
	LOCAL_PATH(f, "same.ini");
	struct stat before, after;

	puts_file(f, "[app:main]\nsqlalchemy.url = postgresql://u@h/db\n");
	age(f);
	before = stat_of(f);
	fileio_read(f, &src, &err);
	is_int(fileio_replace(&src, src.data.data, src.data.len, NULL, &err), 1, "same bytes: returns 1");
	fileio_src_free(&src);
	after = stat_of(f);
	ok(same_mtime(&before, &after), "same bytes: mtime unchanged");
	ok(before.st_ino == after.st_ino, "same bytes: same inode");
	is_int(hidden_entries(), 0, "same bytes: no temp file");

	/* Same bytes win over every refusal: nothing is to be written. */
	if (link(f, path_of("same2.ini")) == 0) {
		struct fileio_opts o = { ".bak", 0 };

		fileio_read(f, &src, &err);
		is_int(fileio_replace(&src, src.data.data, src.data.len, &o, &err), 1,
		       "same bytes on a hard-linked file: returns 1");
		fileio_src_free(&src);
		ok(access(path_of("same.ini.bak"), F_OK) < 0, "same bytes: no backup made");
		unlink(path_of("same2.ini"));
	}
}

static void test_mode_and_owner(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "mode.ini");
	struct stat before, after;
	static const mode_t modes[] = { 0640, 0600, 0604, 0755 };
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		char name[64], text[64];

		puts_file(f, "old\n");
		chmod(f, modes[i]);
		age(f);
		before = stat_of(f);
		snprintf(text, sizeof text, "new %zu\n", i);
		snprintf(name, sizeof name, "write returns 0 (mode %04o)", (unsigned)modes[i]);
		is_int(edit(f, text, NULL, &err), 0, name);
		after = stat_of(f);
		snprintf(name, sizeof name, "mode %04o kept", (unsigned)modes[i]);
		is_int(after.st_mode & 07777, modes[i], name);
		ok(file_is(f, text), "the new bytes are in place");
		ok(after.st_ino != before.st_ino, "the file was replaced by rename, not rewritten in place");
		ok(!same_mtime(&before, &after), "a write changes the mtime");
		ok(after.st_uid == before.st_uid && after.st_gid == before.st_gid, "owner kept");
	}
	is_int(hidden_entries(), 0, "writes leave no temp file");

	if (geteuid() != 0) {
		skip("another owner kept", "not root: cannot chown a file to another user");
		skip("another group kept", "not root: cannot chown a file to another user");
		skip("setgid bit kept", "not root: cannot chown a file to another user");
		return;
	}
	puts_file(f, "old\n");
	if (chown(f, 1234, 5678) < 0 || chmod(f, 02640) < 0) {
		skip("another owner kept", "chown failed here");
		skip("another group kept", "chown failed here");
		skip("setgid bit kept", "chown failed here");
		return;
	}
	is_int(edit(f, "new\n", NULL, &err), 0, "root writes a file owned by 1234:5678");
	after = stat_of(f);
	is_int(after.st_uid, 1234, "another owner kept");
	is_int(after.st_gid, 5678, "another group kept");
	is_int(after.st_mode & 07777, 02640, "setgid bit kept (fchmod after fchown)");
}

static void test_symlink(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "link.ini");
	char buf[256];
	ssize_t n;
	struct stat st;

	if (mkdir(path_of("real"), 0755) < 0 && errno != EEXIST)
		exit(2);
	puts_file(path_of("real/t.ini"), "port = 5432\n");
	chmod(path_of("real/t.ini"), 0640);
	if (symlink("real/t.ini", path_of("link.ini")) < 0) {
		perror("symlink");
		exit(2);
	}
	is_int(edit(f, "port = 5433\n", NULL, &err), 0, "write through a symlink");
	st = stat_of(f);
	ok(S_ISLNK(st.st_mode), "the symlink is still a symlink");
	n = readlink(f, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = '\0';
	is_str(buf, "real/t.ini", "the symlink points where it pointed");
	ok(file_is(path_of("real/t.ini"), "port = 5433\n"), "the target holds the new bytes");
	is_int(stat_of(path_of("real/t.ini")).st_mode & 07777, 0640, "the target keeps its mode");

	/* A chain of links, and a backup next to the target, not the link. */
	if (symlink("link.ini", path_of("link2.ini")) == 0) {
		struct fileio_opts o = { ".bak", 0 };

		is_int(edit(path_of("link2.ini"), "port = 5434\n", &o, &err), 0, "write through two symlinks");
		ok(S_ISLNK(stat_of(path_of("link2.ini")).st_mode) && S_ISLNK(stat_of(f).st_mode),
		   "both links stay links");
		ok(file_is(path_of("real/t.ini"), "port = 5434\n"), "the final target holds the new bytes");
		ok(file_is(path_of("real/t.ini.bak"), "port = 5433\n"), "the backup sits beside the target");
		ok(access(path_of("link2.ini.bak"), F_OK) < 0 && access(path_of("link.ini.bak"), F_OK) < 0,
		   "no backup beside the links");
	}

	/* A dangling link cannot be read. */
	symlink("nowhere.ini", path_of("dangling.ini"));
	is_int(edit(path_of("dangling.ini"), "x\n", NULL, &err), -2, "a dangling symlink is an error");
	ok(S_ISLNK(stat_of(path_of("dangling.ini")).st_mode) && access(path_of("nowhere.ini"), F_OK) < 0,
	   "a dangling symlink is left alone");
}

static void test_backup(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "b.ini");
	struct fileio_opts o = { ".bak", 0 }, o2 = { "~", 0 };

	puts_file(f, "one\n");
	chmod(f, 0640);
	is_int(edit(f, "two\n", &o, &err), 0, "write with a backup");
	ok(file_is(f, "two\n"), "the file holds the new bytes");
	ok(file_is(path_of("b.ini.bak"), "one\n"), "FILE.bak holds the old bytes");
	is_int(stat_of(path_of("b.ini.bak")).st_mode & 07777, 0640, "the backup keeps the old mode");
	is_int(stat_of(path_of("b.ini.bak")).st_nlink, 1, "the backup is no longer linked to the file");
	is_int(edit(f, "three\n", &o, &err), 0, "write again with a backup");
	ok(file_is(path_of("b.ini.bak"), "two\n"), "an older backup is replaced");
	ok(file_is(f, "three\n"), "the file holds the newest bytes");
	is_int(edit(f, "four\n", &o2, &err), 0, "write with another suffix");
	ok(file_is(path_of("b.ini~"), "three\n"), "FILE~ holds the old bytes");
	ok(file_is(path_of("b.ini.bak"), "two\n"), "the other backup is left alone");
	is_int(hidden_entries(), 0, "backups leave no temp file");

	/* A backup that cannot be made fails the whole write. */
	puts_file(f, "keep\n");
	unlink(path_of("b.ini.bak"));
	mkdir(path_of("b.ini.bak"), 0755);
	puts_file(path_of("b.ini.bak/x"), "x");
	is_int(edit(f, "lost\n", &o, &err), -1, "a backup that cannot be made is an error");
	ok(strstr(err.msg, "backup") != NULL, "the error says the backup failed");
	ok(file_is(f, "keep\n"), "the file is untouched when the backup fails");
	is_int(hidden_entries(), 0, "a failed backup leaves no temp file");
}

static void test_changed_on_disk(void)
{
	struct fileio_src src;
	struct diag_err err;
	LOCAL_PATH(f, "c.ini");
	struct stat before, after;

	/* Changed in place between read and replace. */
	puts_file(f, "v = 1\n");
	fileio_read(f, &src, &err);
	puts_file(f, "v = 2\n");
	age(f);
	before = stat_of(f);
	is_int(fileio_replace(&src, "v = 3\n", 6, NULL, &err), -1, "a file changed since read is refused");
	ok(strstr(err.msg, "changed on disk") != NULL, "the error says it changed");
	is_str(err.file, f, "the error names the file");
	ok(file_is(f, "v = 2\n"), "the other writer's bytes are left alone");
	after = stat_of(f);
	ok(same_mtime(&before, &after), "the mtime is left alone");
	fileio_src_free(&src);

	/* Replaced by another file with the same bytes (another inode). */
	puts_file(f, "v = 1\n");
	fileio_read(f, &src, &err);
	puts_file(path_of("c.new"), "v = 1\n");
	rename(path_of("c.new"), f);
	is_int(fileio_replace(&src, "v = 3\n", 6, NULL, &err), -1, "a file renamed over since read is refused");
	ok(file_is(f, "v = 1\n"), "the renamed-in file is left alone");
	fileio_src_free(&src);

	/* Removed since read. */
	puts_file(f, "v = 1\n");
	fileio_read(f, &src, &err);
	unlink(f);
	is_int(fileio_replace(&src, "v = 3\n", 6, NULL, &err), -1, "a file removed since read is refused");
	ok(access(f, F_OK) < 0, "a removed file is not recreated");
	fileio_src_free(&src);
	is_int(hidden_entries(), 0, "refusals leave no temp file");
}

/* fileio_stage: the temp file is written and synced beside the original,
 * which stays as it was until fileio_commit; fileio_discard leaves no
 * trace; a writer that changes the file is kept out by the lock. */
static void test_stage(void)
{
	struct fileio_src src;
	struct fileio_stage stg;
	struct fileio_opts bak = { ".bak", 0 };
	struct diag_err err;
	LOCAL_PATH(f, "s.ini");
	struct stat before, after;

	puts_file(f, "v = 1\n");
	age(f);
	before = stat_of(f);
	fileio_read(f, &src, &err);
	is_int(fileio_stage(&src, "v = 1\n", 6, NULL, &stg, &err), 1, "stage: the same bytes stage nothing");
	is_int(hidden_entries(), 0, "stage: ... and make no temp file");

	is_int(fileio_stage(&src, "v = 2\n", 6, NULL, &stg, &err), 0, "stage: new bytes are staged");
	is_int(hidden_entries(), 1, "stage: one temp file beside the original");
	ok(file_is(f, "v = 1\n"), "stage: the original is untouched while staged");
	after = stat_of(f);
	ok(same_mtime(&before, &after), "stage: its mtime too");
	fileio_discard(&stg);
	is_int(hidden_entries(), 0, "discard: the temp file is gone");
	ok(file_is(f, "v = 1\n"), "discard: the original is untouched");
	after = stat_of(f);
	ok(same_mtime(&before, &after), "discard: its mtime too");

	is_int(fileio_stage(&src, "v = 3\n", 6, &bak, &stg, &err), 0, "stage again with a backup");
	is_int(fileio_commit(&stg, &err), 0, "commit");
	ok(file_is(f, "v = 3\n"), "commit: the new bytes are in place");
	ok(file_is(path_of("s.ini.bak"), "v = 1\n"), "commit: the backup holds the old bytes");
	is_int(hidden_entries(), 0, "commit: no temp file left");
	fileio_src_free(&src);
	unlink(path_of("s.ini.bak"));

	/* changed on disk before the stage: refused, nothing staged */
	puts_file(f, "v = 1\n");
	fileio_read(f, &src, &err);
	puts_file(f, "v = 9\n");
	is_int(fileio_stage(&src, "v = 2\n", 6, NULL, &stg, &err), -1, "stage: a file changed since read is refused");
	ok(strstr(err.msg, "changed on disk") != NULL, "stage: the error says it changed");
	ok(file_is(f, "v = 9\n"), "stage: the other writer's bytes are left alone");
	is_int(hidden_entries(), 0, "stage: a refusal leaves no temp file");
	fileio_src_free(&src);
}

static void test_hardlink(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "h.ini");
	LOCAL_PATH(g, "h2.ini");
	struct fileio_opts brk = { NULL, 1 };

	puts_file(f, "old\n");
	link(f, g);
	is_int(edit(f, "new\n", NULL, &err), -1, "a hard-linked file is refused");
	ok(strstr(err.msg, "2 hard links") != NULL, "the error counts the links");
	ok(strstr(err.msg, "--break-hardlink") != NULL, "the error names the option");
	ok(file_is(f, "old\n") && file_is(g, "old\n"), "both names keep the old bytes");
	is_int(stat_of(f).st_ino, stat_of(g).st_ino, "the link is not broken");
	is_int(edit(f, "new\n", &brk, &err), 0, "break_hardlink allows the write");
	ok(file_is(f, "new\n"), "the named file holds the new bytes");
	ok(file_is(g, "old\n"), "the other link keeps the old bytes");
	is_int(stat_of(f).st_nlink, 1, "the named file has one link now");
	is_int(hidden_entries(), 0, "hard-link cases leave no temp file");
}

static void test_edges(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "e.ini");
	struct fileio_src src;
	char big[70000];

	puts_file(f, "");
	is_int(edit(f, "now something\n", NULL, &err), 0, "an empty file gets bytes");
	ok(file_is(f, "now something\n"), "the once-empty file holds them");
	is_int(edit(f, "", NULL, &err), 0, "a file can be emptied");
	is_int(stat_of(f).st_size, 0, "the emptied file is empty");

	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	is_int(edit(f, big, NULL, &err), 0, "a large file is written whole");
	is_int(stat_of(f).st_size, (long)sizeof big - 1, "all of it");

	/* Bytes with NULs inside are written exactly. */
	puts_file(f, "a\n");
	fileio_read(f, &src, &err);
	is_int(fileio_replace(&src, "b\0c\n", 4, NULL, &err), 0, "bytes with a NUL are written");
	fileio_src_free(&src);
	is_int(stat_of(f).st_size, 4, "all four bytes, NUL included");
	is_int(hidden_entries(), 0, "no temp file after the edge cases");
}

/* ---- diff ------------------------------------------------------------- */

static char *diff_of(const char *a, const char *b)
{
	struct buf out;

	buf_init(&out);
	fileio_diff("a/f.ini", "b/f.ini", a, strlen(a), b, strlen(b), &out);
	return buf_steal(&out);
}

/* Output of a shell command, or NULL. */
static char *run(const char *cmd)
{
	FILE *fp = popen(cmd, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!fp)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	if (pclose(fp) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* GNU diff -u must print what we print (same labels, same hunks). */
static void agrees_with_diff(const char *a, const char *b, const char *name)
{
	char cmd[9000], *ours, *theirs;

	puts_file(path_of("da"), a);
	puts_file(path_of("db"), b);
	snprintf(cmd, sizeof cmd, "diff -u --label a/f.ini --label b/f.ini '%s' '%s'", path_of("da"),
		 path_of("db"));
	theirs = run(cmd);
	ours = diff_of(a, b);
	is_str(ours, theirs, name);
	free(ours);
	free(theirs);
}

/* patch(1) applied to a with our diff must give b. */
static int patch_gives_b(const char *a, const char *b, const char *name, int quiet)
{
	int same;
	char cmd[9000], *d, *got;

	d = diff_of(a, b);
	if (!*d) {	/* nothing to patch: the inputs must be equal */
		free(d);
		same = strcmp(a, b) == 0;
		if (!quiet)
			ok(same, name);
		return same;
	}
	puts_file(path_of("pa"), a);
	puts_file(path_of("pd"), d);
	free(d);
	unlink(path_of("pb"));
	snprintf(cmd, sizeof cmd, "patch --binary -s -o '%s' '%s' '%s' 2>&1", path_of("pb"), path_of("pa"),
		 path_of("pd"));
	got = run(cmd);
	if (got && *got)
		diag("patch: %s", got);
	free(got);
	same = file_is(path_of("pb"), b);
	if (!quiet)
		ok(same, name);
	else if (!same)
		diag("failed: %s", name);
	unlink(path_of("pa"));
	unlink(path_of("pd"));
	unlink(path_of("pb"));
	return same;
}

static void lines20(struct buf *b, int changed1, int changed2)
{
	int i;

	buf_reset(b);
	for (i = 1; i <= 20; i++) {
		if (i == changed1 || i == changed2)
			buf_printf(b, "key%d = changed\n", i);
		else
			buf_printf(b, "key%d = value%d\n", i, i);
	}
}

static void test_diff(void)
{
	struct buf a, b;
	char *d;
	int gap;

	buf_init(&a);
	buf_init(&b);
	lines20(&a, 0, 0);

	lines20(&b, 10, 0);
	d = diff_of(a.data, b.data);
	is_str(d,
	       "--- a/f.ini\n"
	       "+++ b/f.ini\n"
	       "@@ -7,7 +7,7 @@\n"
	       " key7 = value7\n"
	       " key8 = value8\n"
	       " key9 = value9\n"
	       "-key10 = value10\n"
	       "+key10 = changed\n"
	       " key11 = value11\n"
	       " key12 = value12\n"
	       " key13 = value13\n",
	       "diff: one changed line in the middle of 20");
	free(d);
	agrees_with_diff(a.data, b.data, "diff: one changed line agrees with diff -u");

	lines20(&b, 3, 17);
	d = diff_of(a.data, b.data);
	is_str(d,
	       "--- a/f.ini\n"
	       "+++ b/f.ini\n"
	       "@@ -1,6 +1,6 @@\n"
	       " key1 = value1\n"
	       " key2 = value2\n"
	       "-key3 = value3\n"
	       "+key3 = changed\n"
	       " key4 = value4\n"
	       " key5 = value5\n"
	       " key6 = value6\n"
	       "@@ -14,7 +14,7 @@\n"
	       " key14 = value14\n"
	       " key15 = value15\n"
	       " key16 = value16\n"
	       "-key17 = value17\n"
	       "+key17 = changed\n"
	       " key18 = value18\n"
	       " key19 = value19\n"
	       " key20 = value20\n",
	       "diff: two far-apart changes make two hunks");
	free(d);
	agrees_with_diff(a.data, b.data, "diff: two hunks agree with diff -u");

	/* Where hunks merge: diff -u joins them when at most 6 lines separate. */
	for (gap = 5; gap <= 8; gap++) {
		char name[80];

		lines20(&b, 5, 5 + gap + 1);
		snprintf(name, sizeof name, "diff: changes %d lines apart agree with diff -u", gap);
		agrees_with_diff(a.data, b.data, name);
	}
	lines20(&b, 1, 20);
	agrees_with_diff(a.data, b.data, "diff: first and last lines agree with diff -u");
	lines20(&b, 19, 20);
	agrees_with_diff(a.data, b.data, "diff: two adjacent changed lines agree with diff -u");

	d = diff_of("a = 1\r\nb = 2\r\nc = 3\r\n", "a = 1\r\nb = 5\r\nc = 3\r\n");
	is_str(d,
	       "--- a/f.ini\n+++ b/f.ini\n@@ -1,3 +1,3 @@\n a = 1\r\n-b = 2\r\n+b = 5\r\n c = 3\r\n",
	       "diff: CRLF lines keep their CR");
	free(d);
	agrees_with_diff("a = 1\r\nb = 2\r\nc = 3\r\n", "a = 1\r\nb = 5\r\nc = 3\r\n",
			 "diff: CRLF agrees with diff -u");
	patch_gives_b("a = 1\r\nb = 2\r\nc = 3\r\n", "a = 1\r\nb = 5\r\nc = 3\r\n", "diff: CRLF patch applies", 0);

	d = diff_of("a = 1\nb = 2", "a = 1\nb = 5");
	is_str(d,
	       "--- a/f.ini\n+++ b/f.ini\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n\\ No newline at end of file\n"
	       "+b = 5\n\\ No newline at end of file\n",
	       "diff: a missing final newline is marked on both sides");
	free(d);
	agrees_with_diff("a = 1\nb = 2", "a = 1\nb = 5", "diff: missing newline agrees with diff -u");
	agrees_with_diff("a = 1\nb = 2\n", "a = 1\nb = 2", "diff: dropping the final newline agrees with diff -u");
	agrees_with_diff("a = 1\nb = 2", "a = 1\nb = 2\n", "diff: adding a final newline agrees with diff -u");
	agrees_with_diff("x = 0\na = 1\nb = 2", "x = 9\na = 1\nb = 2",
			 "diff: an unterminated context line agrees with diff -u");
	patch_gives_b("a = 1\nb = 2", "a = 1\nb = 2\n", "diff: adding a final newline patch applies", 0);

	d = diff_of(a.data, a.data);
	is_str(d, "", "diff: equal inputs print nothing");
	free(d);
	d = diff_of("", "");
	is_str(d, "", "diff: two empty inputs print nothing");
	free(d);

	/* Different line counts: one hunk, checked by diff and by patch. */
	lines20(&b, 0, 0);
	buf_adds(&b, "key21 = value21\n");
	agrees_with_diff(a.data, b.data, "diff: a line appended agrees with diff -u");
	patch_gives_b(a.data, b.data, "diff: a line appended patch applies", 0);
	d = diff_of("a\nb\nc\n", "a\nb\nb2\nc\n");
	is_str(d, "--- a/f.ini\n+++ b/f.ini\n@@ -1,3 +1,4 @@\n a\n b\n+b2\n c\n", "diff: a line inserted");
	free(d);
	d = diff_of("a\nb\nc\n", "a\nc\n");
	is_str(d, "--- a/f.ini\n+++ b/f.ini\n@@ -1,3 +1,2 @@\n a\n-b\n c\n", "diff: a line removed");
	free(d);
	d = diff_of("", "a\n");
	is_str(d, "--- a/f.ini\n+++ b/f.ini\n@@ -0,0 +1 @@\n+a\n", "diff: from an empty file");
	free(d);
	agrees_with_diff("", "a\nb\n", "diff: from an empty file agrees with diff -u");
	agrees_with_diff("a\nb\n", "", "diff: to an empty file agrees with diff -u");
	agrees_with_diff("a\n", "b\n", "diff: one-line files agree with diff -u");
	patch_gives_b("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nB\nB2\nc\nd\ne\nf\ng\nh\nI\nj\n",
		      "diff: two far-apart changes with a line added patch applies", 0);
	patch_gives_b("x\r\ny\r\n", "x\r\nz\r\nw\r\ny", "diff: CRLF with a line added patch applies", 0);
	lines20(&b, 2, 0);
	buf_adds(&b, "key21 = new\n");
	patch_gives_b(a.data, b.data, "diff: a change and an append far apart patch applies", 0);
	patch_gives_b(b.data, a.data, "diff: the reverse patch applies", 0);

	buf_free(&a);
	buf_free(&b);
}

/* Random line edits of random files, CRLF and missing final newlines included: patch must agree. */
static void test_diff_random(void)
{
	static const char *const words[] = { "a = 1", "b = 2", "c = 3", "[app:main]", "", "# x" };
	unsigned long seed = 12345;
	int round, bad = 0;

	for (round = 0; round < 150; round++) {
		struct buf a, b;
		int n = 0, i, crlf;
		char name[64];

		buf_init(&a);
		buf_init(&b);
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		n = (int)((seed >> 33) % 25);
		crlf = (seed >> 40) % 4 == 0;
		for (i = 0; i < n; i++) {
			unsigned r;

			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			r = (unsigned)(seed >> 33);
			buf_printf(&a, "%s%s", words[r % 6], crlf ? "\r\n" : "\n");
			switch ((r >> 8) % 8) {
			case 0: break;	/* deleted */
			case 1: buf_printf(&b, "%s new%s", words[r % 6], crlf ? "\r\n" : "\n"); break;
			case 2: buf_printf(&b, "inserted\n%s%s", words[r % 6], crlf ? "\r\n" : "\n"); break;
			default: buf_printf(&b, "%s%s", words[r % 6], crlf ? "\r\n" : "\n"); break;
			}
		}
		if ((seed >> 50) % 3 == 0 && a.len > 0)
			a.data[--a.len] = '\0';
		if ((seed >> 52) % 3 == 0 && b.len > 0)
			b.data[--b.len] = '\0';
		snprintf(name, sizeof name, "diff: random case %d patch applies", round);
		if (!patch_gives_b(a.data ? a.data : "", b.data ? b.data : "", name, 1))
			bad++;
		buf_free(&a);
		buf_free(&b);
	}
	is_int(bad, 0, "diff: 150 random edits all apply with patch(1)");
}

/* fileio_write_owned creates a file with the given owner and mode; fileio_remove unlinks a link, not its target. */
static void test_create_and_remove(void)
{
	struct diag_err err;
	LOCAL_PATH(f, "new.conf");
	LOCAL_PATH(t, "target.conf");
	LOCAL_PATH(l, "link.conf");
	struct stat st;
	uid_t uid = geteuid() == 0 ? 1234 : (uid_t)-1;
	gid_t gid = geteuid() == 0 ? 5678 : (gid_t)-1;

	unlink(f);
	is_int(fileio_write_owned(f, "port = 5433\n", 12, 0644, uid, gid, NULL, &err), 0, "write_owned creates a file");
	ok(file_is(f, "port = 5433\n"), "... with the bytes");
	st = stat_of(f);
	is_int(st.st_mode & 07777, 0644, "... mode 0644");
	if (geteuid() == 0) {
		is_int(st.st_uid, 1234, "... owner as asked");
		is_int(st.st_gid, 5678, "... group as asked");
	} else {
		skip("owner as asked", "not root");
		skip("group as asked", "not root");
	}
	is_int(fileio_write_owned(f, "port = 5433\n", 12, 0600, (uid_t)-1, (gid_t)-1, NULL, &err), 1,
	       "write_owned of the same bytes: nothing written");
	is_int(hidden_entries(), 0, "no temp file left");
	is_int(fileio_remove(f, &err), 0, "remove returns 0");
	ok(access(f, F_OK) != 0, "... and the file is gone");
	is_int(fileio_remove(f, &err), 1, "remove of a missing file returns 1");
	puts_file(t, "x\n");
	unlink(l);
	if (symlink("target.conf", l) < 0) {
		skip("remove takes the link", "symlink failed");
		return;
	}
	is_int(fileio_remove(l, &err), 0, "remove of a symlink returns 0");
	ok(access(l, F_OK) != 0 && file_is(t, "x\n"), "remove takes the link and leaves its target");
	is_int(fileio_remove(path_of("no/such/dir/x"), &err), 1, "remove in a missing directory: nothing to remove");
	mkdir(path_of("sub"), 0755);
	puts_file(path_of("sub/x"), "x\n");
	is_int(fileio_remove(path_of("sub"), &err), -1, "remove of a directory fails");
	ok(strncmp(err.msg, "cannot remove: ", 15) == 0, "... and says why");
}

/* fileio_put: written, or with dry_run shown as a diff of the file's bytes and not written. */
static void test_put(void)
{
	char a[4096], outp[4096], *out;
	struct fileio_opts o = { NULL, 0 };
	struct diag_err err;
	int saved, fd, rc;

	snprintf(a, sizeof a, "%s", path_of("put.conf"));
	snprintf(outp, sizeof outp, "%s", path_of("put.out"));
	ok(fileio_put(a, NULL, 0, "a\n", 2, 0640, 0, &o, &err) == 0 && file_is(a, "a\n"),
	   "fileio_put writes a new file");
	fflush(stdout);
	saved = dup(1);
	fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 1) < 0) {
		skip("fileio_put --dry-run", "cannot redirect stdout");
		return;
	}
	close(fd);
	rc = fileio_put(a, NULL, 0, "b\n", 2, 0640, 1, &o, &err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	ok(rc == 0 && file_is(a, "a\n"), "fileio_put with dry_run writes nothing");
	out = slurp(outp);
	ok(out && strstr(out, "\n-a\n+b\n"), "fileio_put with dry_run shows the change against the file's bytes");
	free(out);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[4200];

	snprintf(dir, sizeof dir, "%s/fileio.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	umask(022);
	test_read();
	test_same_bytes();
	test_mode_and_owner();
	test_symlink();
	test_backup();
	test_changed_on_disk();
	test_stage();
	test_hardlink();
	test_edges();
	test_create_and_remove();
	test_diff();
	test_diff_random();
	test_put();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
