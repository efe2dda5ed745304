/*
 * Unit tests for common/conffiles.c, the include rules pgconf and hba
 * share: where an included name points, what an include_dir reads, loops
 * found by device and inode, and the nesting limit as both parsers apply
 * it.  Files are made in a fresh temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conffiles.h"
#include "diag.h"
#include "hba.h"
#include "pgconf.h"
#include "tap.h"

static char tmp[] = "/tmp/conffiles-XXXXXX";

static void
put(const char *name, const char *text)
{
	char *path;
	FILE *f;

	path = xasprintf("%s/%s", tmp, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(2);
	}
	free(path);
}

static const char *
loc(const char *name, const char *calling)
{
	static char out[256];
	char *s;

	s = conf_location(name, calling);
	snprintf(out, sizeof out, "%s", s);
	free(s);
	return out;
}

static void
test_location(void)
{
	is_str(loc("b.conf", "/etc/pg/a.conf"), "/etc/pg/b.conf", "relative to the including file");
	is_str(loc("b.conf", "a.conf"), "b.conf", "including file in the current directory");
	is_str(loc("../x/./b.conf", "conf/sub/a.conf"), "conf/x/b.conf", "'.' and '..' cleaned");
	is_str(loc("../../b.conf", "a/c.conf"), "../b.conf", "an unresolvable '..' is kept");
	is_str(loc("/abs//x/", "/etc/a.conf"), "/abs/x", "absolute: slashes cleaned");
	is_str(loc("/../x", "/etc/a.conf"), "/x", "'..' after the root goes");
	is_str(loc("sub/..", "a.conf"), ".", "nothing left is '.'");
	is_str(loc("", "/etc/pg/a.conf"), "/etc/pg", "an empty name is the directory");
	is_str(loc("x//y", NULL), "x/y", "no including file: as given, cleaned");
}

static void
test_dir(void)
{
	char **names, *failed, *d;
	size_t n;

	d = xasprintf("%s/d", tmp);
	if (mkdir(d, 0755) < 0 || chdir(tmp) < 0 || mkdir("d/sub.conf", 0755) < 0) {
		perror(d);
		exit(2);
	}
	put("d/b.conf", "");
	put("d/a.conf", "");
	put("d/.hidden.conf", "");
	put("d/notes.txt", "");
	put("d/.conf", "");
	ok(conf_dir_files("d/.", &names, &n, &failed) == 0, "include_dir reads a directory");
	is_int(n, 2, "only .conf files, no dot files, no directories");
	if (n == 2) {
		is_str(names[0], "d/a.conf", "strcmp order, names cleaned");
		is_str(names[1], "d/b.conf", "second name");
	}
	conf_dir_files_free(names, n);
	ok(conf_dir_files("nodir", &names, &n, &failed) < 0 && !failed && n == 0,
	   "a missing directory fails with no file named");
	if (symlink("nowhere", "d/dead.conf") < 0) {
		perror("symlink");
		exit(2);
	}
	ok(conf_dir_files("d", &names, &n, &failed) < 0 && failed &&
	   strcmp(failed, "d/dead.conf") == 0, "an entry that cannot be stat'ed is named");
	free(failed);
	free(d);
}

static void
test_stack(void)
{
	struct conf_stack s = { .n = 0 };
	struct stat st;

	if (stat("d/a.conf", &st) < 0 || symlink("d/a.conf", "link.conf") < 0) {
		perror("d/a.conf");
		exit(2);
	}
	conf_stack_push(&s, &st);
	ok(conf_stack_has(&s, "d/a.conf"), "an open file is on the stack");
	ok(conf_stack_has(&s, "link.conf"), "through a symlink too");
	ok(conf_stack_has(&s, "d/sub.conf/../a.conf"), "and through a directory and '..'");
	ok(!conf_stack_has(&s, "d/b.conf"), "another file is not");
	ok(!conf_stack_has(&s, "missing.conf"), "nor a missing one");
	conf_stack_pop(&s);
	ok(!conf_stack_has(&s, "d/a.conf"), "popped");
}

/* chain/l0.conf includes l1.conf ... up to l<deep>.conf, in the syntax of each format. */
static void
chain(int deep, int hba)
{
	char name[64], text[128];
	int i;

	for (i = 0; i <= deep; i++) {
		snprintf(name, sizeof name, "chain/l%d.conf", i);
		if (i == deep)
			snprintf(text, sizeof text, hba ? "local all u%d trust\n" : "ckp.l%d = 1\n",
				 i);
		else
			snprintf(text, sizeof text,
				 hba ? "include l%d.conf\n" : "include 'l%d.conf'\n", i + 1);
		put(name, text);
	}
}

static void
test_parsers(void)
{
	struct pgconf_model pm;
	struct hba_model hm;
	struct diag_err err;
	int rc;

	if (mkdir("chain", 0755) < 0) {
		perror("chain");
		exit(2);
	}
	/* CONF_FILE_MAX_DEPTH: the top file is depth 0, ten includes deep is still read. */
	chain(CONF_FILE_MAX_DEPTH, 0);
	pgconf_init(&pm);
	memset(&err, 0, sizeof err);
	ok(pgconf_load(&pm, "chain/l0.conf", 0, &err) == 0 && pm.n == 1,
	   "pgconf: ten includes deep is read");
	pgconf_free(&pm);
	chain(CONF_FILE_MAX_DEPTH + 1, 0);
	pgconf_init(&pm);
	memset(&err, 0, sizeof err);
	rc = pgconf_load(&pm, "chain/l0.conf", 0, &err);
	ok(rc < 0 && strcmp(err.msg, "nesting depth exceeds 10") == 0,
	   "pgconf: eleven is too deep");
	pgconf_free(&pm);
	chain(CONF_FILE_MAX_DEPTH, 1);
	hba_init(&hm, 170000);
	memset(&err, 0, sizeof err);
	ok(hba_load(&hm, "chain/l0.conf", &err) == 0, "hba: ten includes deep is read");
	hba_free(&hm);
	chain(CONF_FILE_MAX_DEPTH + 1, 1);
	hba_init(&hm, 170000);
	memset(&err, 0, sizeof err);
	rc = hba_load(&hm, "chain/l0.conf", &err);
	ok(rc < 0 && strstr(err.msg, "maximum nesting depth exceeded"), "hba: eleven is too deep");
	hba_free(&hm);

	/* A loop through a link: the names differ, the file is the same. */
	put("chain/self.conf", "ckp.a = 1\ninclude 'self-link.conf'\n");
	if (symlink("self.conf", "chain/self-link.conf") < 0) {
		perror("symlink");
		exit(2);
	}
	pgconf_init(&pm);
	memset(&err, 0, sizeof err);
	rc = pgconf_load(&pm, "chain/self.conf", 0, &err);
	ok(rc < 0 && strstr(err.msg, "include loop"), "pgconf: a loop is named");
	pgconf_free(&pm);
	put("chain/hself.conf", "local all all trust\ninclude ./hself-link.conf\n");
	if (symlink("hself.conf", "chain/hself-link.conf") < 0) {
		perror("symlink");
		exit(2);
	}
	hba_init(&hm, 170000);
	memset(&err, 0, sizeof err);
	rc = hba_load(&hm, "chain/hself.conf", &err);
	ok(rc < 0 && strstr(err.msg, "includes itself"), "hba: a loop is named");
	hba_free(&hm);

	/* include_dir skips a directory named like a file, in both formats. */
	put("chain/dir.conf", "include_dir '../d'\n");
	pgconf_init(&pm);
	memset(&err, 0, sizeof err);
	if (unlink("d/dead.conf") < 0)
		perror("unlink");
	ok(pgconf_load(&pm, "chain/dir.conf", 0, &err) == 0 && pm.nfiles == 3,
	   "pgconf: include_dir reads the two files, not the directory");
	pgconf_free(&pm);
	put("chain/hdir.conf", "include_dir ../d\n");
	hba_init(&hm, 170000);
	memset(&err, 0, sizeof err);
	ok(hba_load(&hm, "chain/hdir.conf", &err) == 0 && hm.nfiles == 3,
	   "hba: include_dir reads the two files, not the directory");
	hba_free(&hm);
}

int
main(void)
{
	char *cmd;

	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 2;
	}
	test_location();
	test_dir();
	test_stack();
	test_parsers();
	cmd = xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		diag("could not remove %s", tmp);
	free(cmd);
	return done_testing();
}
