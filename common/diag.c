/*
 * diag: program name, error records and messages, the exit table, and the
 * range-checked number parser every tool uses for ports and counts.
 */
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "ckan-pgtools";
static const char *tool_name = "ckan-pgtools";	/* diag_start's, for diag_getopt */
static void (*tool_usage)(void);

void diag_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	prog = slash ? slash + 1 : argv0;
}

const char *diag_prog(void)
{
	return prog;
}

void
diag_start(int argc, char **argv, const char *name, void (*usage)(void))
{
	const char *first = argc > 1 ? argv[1] : "";

	diag_init(argv[0]);
	tool_name = name;
	tool_usage = usage;
	if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
		diag_help(usage);
	if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0)
		diag_version(name);
}

int
diag_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (c == 'h' && tool_usage)
		diag_help(tool_usage);
	if (c == 'V' && !optarg)
		diag_version(tool_name);
	if (c == '?' || c == ':')
		diag_usage("invalid option");
	return c;
}

void
diag_exclusive(int count, const char *names)
{
	if (count > 1)
		diag_usage("%s exclude each other", names);
}

void
diag_only_with(int misplaced, const char *options, const char *where)
{
	if (misplaced)
		diag_usage("%s %s with %s", options, strstr(options, " and ") ? "go" : "goes", where);
}

const char *
diag_backup_suffix(const char *arg)
{
	if (!arg)
		return ".bak";
	if (!*arg || strchr(arg, '/'))
		diag_usage("--backup suffix must be non-empty and without '/'");
	return arg;
}

void
diag_help(void (*usage)(void))
{
	usage();
	exit(diag_finish(EXIT_SAME));
}

void
diag_version(const char *name)
{
	printf("%s (ckan-pgtools) %s\n", name, CKP_VERSION);
	exit(diag_finish(EXIT_SAME));
}

void diag_oom(void)
{
	static const char msg[] = ": out of memory\n";
	ssize_t r;

	/* write(2), not stdio: nothing here may allocate. */
	r = write(STDERR_FILENO, prog, strlen(prog));
	r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	_exit(EXIT_TROUBLE);
}

int diag_set(struct diag_err *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	snprintf(e->file, sizeof e->file, "%s", file ? file : "");
	e->line = line;
	e->col = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static void vmessage(const char *kind, const char *file, int line, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	if (file && *file) {
		if (line > 0)
			fprintf(stderr, "%s:%d: ", file, line);
		else
			fprintf(stderr, "%s: ", file);
	}
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, file, line, fmt, ap);
	va_end(ap);
}

void diag_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("warning", file, line, fmt, ap);
	va_end(ap);
}

void diag_report(const struct diag_err *e)
{
	diag_error(e->file, e->line, "%s", e->msg);
}

void diag_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, NULL, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try \"%s --help\" for more information.\n", prog);
	exit(EXIT_TROUBLE);
}

int diag_parse_long(const char *s, long min, long max, long *out)
{
	const char *digits = s && *s == '-' && min < 0 ? s + 1 : s;
	char *end;
	long v;

	/* strtol would skip leading white space and take '+': require a
	 * digit first, after a '-' only when negatives are in range. */
	if (!s || !isdigit((unsigned char)*digits))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int diag_finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag_error(NULL, 0, "write error on standard output");
		return EXIT_TROUBLE;
	}
	if (fclose(stdout) != 0) {
		diag_error(NULL, 0, "write error on standard output");
		return EXIT_TROUBLE;
	}
	return status;
}
