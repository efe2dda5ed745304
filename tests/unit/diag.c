/*
 * Unit test for common/diag.c: the range-checked number parser accepts a
 * whole decimal number in range and nothing else, error records are filled
 * as documented, and messages reach stderr as "prog: file:line: message";
 * the option helpers every main() shares exit as the tools' tests expect.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "buf.h"
#include "diag.h"
#include "tap.h"

/* s with tabs and newlines made visible, for a one-line test name. */
static const char *shown(const char *s)
{
	static char out[2][128];
	static int k;
	size_t n = 0;

	k ^= 1;
	for (; s && *s && n + 3 < sizeof out[k]; s++) {
		if (*s == '\n' || *s == '\t') {
			out[k][n++] = '\\';
			out[k][n++] = *s == '\n' ? 'n' : 't';
		} else
			out[k][n++] = *s;
	}
	out[k][n] = '\0';
	return s ? out[k] : "NULL";
}

static void parses(const char *s, long min, long max, long want)
{
	long v = -12345;
	char name[160];

	snprintf(name, sizeof name, "parse_long \"%s\" in [%ld,%ld] gives %ld", shown(s), min, max, want);
	if (!is_int(diag_parse_long(s, min, max, &v), 0, name))
		return;
	is_int(v, want, "... and the value is right");
}

static void refuses(const char *s, long min, long max, const char *why)
{
	long v = -12345;
	char name[200];

	snprintf(name, sizeof name, "parse_long refuses \"%s\" in [%ld,%ld] (%s)", shown(s), min, max, why);
	is_int(diag_parse_long(s, min, max, &v), -1, name);
	is_int(v, -12345, "... and leaves the output alone");
}

static void test_parse_long(void)
{
	char big[64];

	parses("5432", 1, 65535, 5432);
	parses("1", 1, 65535, 1);
	parses("65535", 1, 65535, 65535);
	parses("0", 0, 10, 0);
	parses("007", 0, 10, 7);
	parses("-1", -5, 5, -1);
	parses("-5", -5, 5, -5);
	parses("9223372036854775807", 0, LONG_MAX, LONG_MAX);
	parses("-9223372036854775808", LONG_MIN, 0, LONG_MIN);
	refuses("0", 1, 65535, "below the range");
	refuses("65536", 1, 65535, "above the range");
	refuses("-6", -5, 5, "below a negative range");
	refuses("", 0, 10, "empty");
	refuses(NULL, 0, 10, "NULL");
	refuses("+1", 0, 10, "a plus sign");
	refuses(" 1", 0, 10, "a leading space");
	refuses("\t1", 0, 10, "a leading tab");
	refuses("\n1", 0, 10, "a leading newline");
	refuses("1 ", 0, 10, "a trailing space");
	refuses("1\n", 0, 10, "a trailing newline");
	refuses("-1", 0, 10, "a minus sign when min is 0");
	refuses("-0", 0, 10, "a minus sign when min is 0, even for zero");
	refuses("-", -5, 5, "a lone minus");
	refuses("- 1", -5, 5, "a space after the minus");
	refuses("--1", -5, 5, "two minus signs");
	refuses("-+1", -5, 5, "a plus after the minus");
	refuses("0x10", 0, 100, "hex");
	refuses("1e3", 0, 10000, "an exponent");
	refuses("1.0", 0, 10, "a decimal point");
	refuses("12abc", 0, 100, "trailing letters");
	refuses("abc", 0, 100, "letters");
	refuses("9223372036854775808", 0, LONG_MAX, "overflow");
	refuses("-9223372036854775809", LONG_MIN, 0, "underflow");
	snprintf(big, sizeof big, "%s", "99999999999999999999999999999");
	refuses(big, 0, LONG_MAX, "far beyond long");
	refuses("\xd9\xa3", 0, 10, "a non-ASCII digit");
}

static void test_set(void)
{
	struct diag_err e;
	char longname[1000];

	memset(&e, 'x', sizeof e);
	is_int(diag_set(&e, "ckan.ini", 12, "bad value \"%s\" for %s", "abc", "port"), -1, "diag_set returns -1");
	is_str(e.file, "ckan.ini", "diag_set fills the file");
	is_int(e.line, 12, "diag_set fills the line");
	is_int(e.col, 0, "diag_set clears the column");
	is_str(e.msg, "bad value \"abc\" for port", "diag_set formats the message");

	is_int(diag_set(&e, NULL, 0, "no file"), -1, "diag_set with no file returns -1");
	is_str(e.file, "", "a NULL file is an empty name");
	is_int(e.line, 0, "line 0 means none");
	is_str(e.msg, "no file", "the message is replaced");

	is_int(diag_set(NULL, "f", 1, "nowhere"), -1, "diag_set with no record still returns -1");

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	diag_set(&e, longname, 1, "%s", longname);
	is_int(strlen(e.file), sizeof e.file - 1, "a long file name is cut, NUL-terminated");
	is_int(strlen(e.msg), sizeof e.msg - 1, "a long message is cut, NUL-terminated");
}

/* Run fn with stderr sent to a temp file; return what it wrote. */
static char *stderr_of(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	struct buf b;
	char chunk[1024];
	size_t n;

	if (!tmp || saved < 0)
		abort();
	fflush(stderr);
	if (dup2(fileno(tmp), 2) < 0)
		abort();
	fn();
	fflush(stderr);
	if (dup2(saved, 2) < 0)
		abort();
	close(saved);
	rewind(tmp);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, tmp)) > 0)
		buf_add(&b, chunk, n);
	fclose(tmp);
	return buf_steal(&b);
}

static void say_file_line(void) { diag_error("ckan.ini", 27, "unterminated quoted string"); }
static void say_file(void) { diag_error("ckan.ini", 0, "cannot open: %s", "No such file or directory"); }
static void say_plain(void) { diag_error(NULL, 0, "write error on standard output"); }
static void say_empty_file(void) { diag_error("", 3, "no name"); }
static void say_warn(void) { diag_warn("pg_hba.conf", 4, "duplicate rule"); }

static void say_report(void)
{
	struct diag_err e;

	diag_set(&e, "postgresql.conf", 9, "syntax error near \"%s\"", "=");
	diag_report(&e);
}

/* What fn writes on stderr is want. */
static void says(void (*fn)(void), const char *want, const char *name)
{
	char *s = stderr_of(fn);

	is_str(s, want, name);
	free(s);
}

static void test_messages(void)
{
	diag_init("/usr/local/bin/ckan-pgurl");
	is_str(diag_prog(), "ckan-pgurl", "diag_init keeps the basename");
	says(say_file_line, "ckan-pgurl: ckan.ini:27: unterminated quoted string\n", "error: prog: file:line: message");
	says(say_file, "ckan-pgurl: ckan.ini: cannot open: No such file or directory\n", "error: line 0 leaves the line out");
	says(say_plain, "ckan-pgurl: write error on standard output\n", "error: no file leaves the file out");
	says(say_empty_file, "ckan-pgurl: no name\n", "error: an empty file name is left out");
	says(say_warn, "ckan-pgurl: pg_hba.conf:4: warning: duplicate rule\n", "warning: marked as a warning");
	says(say_report, "ckan-pgurl: postgresql.conf:9: syntax error near \"=\"\n", "diag_report prints the record");

	diag_init("pgconf-diff");
	is_str(diag_prog(), "pgconf-diff", "diag_init without a directory");
	diag_init("");
	is_str(diag_prog(), "pgconf-diff", "diag_init ignores an empty argv0");
	diag_init(NULL);
	is_str(diag_prog(), "pgconf-diff", "diag_init ignores NULL");
	says(say_file_line, "pgconf-diff: ckan.ini:27: unterminated quoted string\n", "messages use the new name");
}

/* Run fn in a child with stdout and stderr into one pipe: what it printed, and its exit status. */
static char *child_of(void (*fn)(void), int *status)
{
	int fd[2], ws;
	pid_t pid;
	struct buf b;
	char chunk[1024];
	ssize_t n;

	if (pipe(fd) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		fn();
		exit(99);	/* fn returned */
	}
	close(fd[1]);
	buf_init(&b);
	buf_add(&b, "", 0);
	while ((n = read(fd[0], chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd[0]);
	waitpid(pid, &ws, 0);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return buf_steal(&b);
}

static void show_usage(void) { printf("Usage: tool\n"); }

/* A tool's option loop over argv; prints what the caller gets. */
static void loop(char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		DIAG_STD_OPTIONS,
	};
	static const struct option with_version_arg[] = {
		{ "version", optional_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int argc = 0, c;

	while (argv[argc])
		argc++;
	diag_start(argc, argv, "tool", show_usage);
	opterr = 0;
	while ((c = diag_getopt(argc, argv, "k:Vh", strcmp(argv[0], "vtool") ? longopts : with_version_arg)) != -1)
		printf("%c=%s\n", c, optarg ? optarg : "");
	exit(0);
}

static void loop_key(void) { loop((char *[]){ "tool", "-k", "x", "--key=y", NULL }); }
static void loop_help(void) { loop((char *[]){ "tool", "-k", "x", "--help", NULL }); }
static void loop_version(void) { loop((char *[]){ "tool", "-k", "x", "-V", NULL }); }
static void loop_bogus(void) { loop((char *[]){ "tool", "-k", "x", "--bogus", NULL }); }
static void loop_missing(void) { loop((char *[]){ "tool", "-k", NULL }); }
static void loop_version_arg(void) { loop((char *[]){ "vtool", "--version=15", NULL }); }
static void exclusive_one(void) { diag_exclusive(1, "-k and --all"); }
static void exclusive_two(void) { diag_exclusive(2, "-k and --all"); }
static void only_with_ok(void) { diag_only_with(0, "--from", "--free"); }
static void only_with_one(void) { diag_only_with(1, "--from", "--free"); }
static void only_with_two(void) { diag_only_with(1, "--backup and --dry-run", "--write"); }

static void backup_default(void) { printf("%s\n", diag_backup_suffix(NULL)); exit(0); }
static void backup_given(void) { printf("%s\n", diag_backup_suffix(".orig")); exit(0); }
static void backup_empty(void) { diag_backup_suffix(""); }
static void backup_slash(void) { diag_backup_suffix("/x"); }

static void expect(void (*fn)(void), int want_status, const char *want, const char *name)
{
	int status;
	char *s = child_of(fn, &status);

	is_int(status, want_status, name);
	is_str(s, want, name);
	free(s);
}

static void test_options(void)
{
	diag_init("tool");
	expect(loop_key, 0, "k=x\nk=y\n", "diag_getopt returns the tool's options");
	expect(loop_help, 0, "k=x\nUsage: tool\n", "diag_getopt: --help anywhere prints usage, exit 0");
	expect(loop_version, 0, "k=x\ntool (ckan-pgtools) " CKP_VERSION "\n", "diag_getopt: -V prints the version");
	expect(loop_bogus, 2, "k=x\ntool: invalid option\nTry \"tool --help\" for more information.\n",
	       "diag_getopt: an unknown option is a usage error");
	expect(loop_missing, 2, "tool: invalid option\nTry \"tool --help\" for more information.\n",
	       "diag_getopt: a missing argument is a usage error");
	expect(loop_version_arg, 0, "V=15\n", "diag_getopt: --version=15 is the caller's");
	expect(exclusive_one, 99, "", "diag_exclusive: one option is fine");
	expect(exclusive_two, 2, "tool: -k and --all exclude each other\nTry \"tool --help\" for more information.\n",
	       "diag_exclusive: two are a usage error");
	expect(only_with_ok, 99, "", "diag_only_with: in place is fine");
	expect(only_with_one, 2, "tool: --from goes with --free\nTry \"tool --help\" for more information.\n",
	       "diag_only_with: one option goes with");
	expect(only_with_two, 2,
	       "tool: --backup and --dry-run go with --write\nTry \"tool --help\" for more information.\n",
	       "diag_only_with: several go with");
	expect(backup_default, 0, ".bak\n", "diag_backup_suffix: a bare --backup is .bak");
	expect(backup_given, 0, ".orig\n", "diag_backup_suffix: the suffix given");
	expect(backup_empty, 2, "tool: --backup suffix must be non-empty and without '/'\n"
	       "Try \"tool --help\" for more information.\n", "diag_backup_suffix: empty is a usage error");
	expect(backup_slash, 2, "tool: --backup suffix must be non-empty and without '/'\n"
	       "Try \"tool --help\" for more information.\n", "diag_backup_suffix: a '/' is a usage error");
}

int main(void)
{
	test_parse_long();
	test_set();
	test_messages();
	test_options();
	return done_testing();
}
