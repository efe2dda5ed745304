/*
 * diag: the one place the suite reports trouble.  Every tool prints
 * "prog: file:line: message" on stderr and uses the same exit table as
 * diff(1): 0 same/ok, 1 differences/negative answer, 2 trouble.
 * Parsers never print: they fill a struct diag_err that main() reports.
 */
#ifndef CKP_DIAG_H
#define CKP_DIAG_H

#include <stdarg.h>

enum { EXIT_SAME = 0, EXIT_DIFF = 1, EXIT_TROUBLE = 2 };

/* An error record a parser hands back instead of printing. line 0 = none. */
struct diag_err {
	char file[512];
	int line;
	int col;
	char msg[512];
};

/* Remember the program name (basename of argv0) for every message. */
void diag_init(const char *argv0);
const char *diag_prog(void);

/* usage() on stdout, then exit 0 (2 when stdout fails): --help. */
void
diag_help(void (*usage)(void)) __attribute__((noreturn));

/* "name (ckan-pgtools) VERSION" on stdout, then exit 0 (2 when stdout fails): --version. */
void
diag_version(const char *name) __attribute__((noreturn));

/*
 * diag_init, then --help/-h or --version/-V as the first argument, handled
 * before any other option as PostgreSQL's tools do (diag_help, diag_version).
 * name and usage stay for diag_getopt.
 */
void
diag_start(int argc, char **argv, const char *name, void (*usage)(void));

/*
 * The last entries of every tool's long option table (<getopt.h>): --version
 * as 'V', --help as 'h', and the terminator.  Put "Vh" in the short options.
 */
#define DIAG_STD_OPTIONS \
	{ "version", no_argument, NULL, 'V' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }

struct option;

/*
 * getopt_long(argc, argv, shortopts, longopts) with what every tool does the
 * same way handled here, after diag_start: 'h' is diag_help, 'V' without an
 * argument diag_version (with one, as pghba-copy's --version=15, it is the
 * caller's), an unknown option or a missing argument diag_usage("invalid
 * option").  Returns the caller's next option (optarg set), or -1 at the end.
 */
int
diag_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/*
 * The option checks every tool makes after its loop, as usage errors
 * (diag_usage, exit 2).  diag_exclusive: when more than one of them was
 * given (count > 1), "NAMES exclude each other" ("-k and --all").
 * diag_only_with: when an option was given where it does not belong
 * (misplaced != 0), "OPTIONS goes with WHERE" ("--from goes with --free"),
 * or "go with" when OPTIONS names several ("--backup and --dry-run").
 */
void
diag_exclusive(int count, const char *names);
void
diag_only_with(int misplaced, const char *options, const char *where);

/*
 * --backup[=SUFFIX], the same in every tool that edits: the suffix given
 * (".bak" when arg is NULL, as getopt leaves a bare --backup), or a usage
 * error when it is empty or holds a '/' (a backup stays beside its file).
 */
const char *
diag_backup_suffix(const char *arg);

/* Fill an error record; file may be NULL. Returns -1 for "return diag_set(...)". */
int diag_set(struct diag_err *e, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "prog: file:line: message" (file and line left out when NULL/0) on stderr. */
void diag_error(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print an error record. */
void diag_report(const struct diag_err *e);

/*
 * "prog: out of memory" on stderr and exit 2 at once: the one thing every
 * allocation failure does (xmalloc and friends call it).  No atexit
 * handlers and no flush of stdout, which could need memory or print half
 * an answer.
 */
void diag_oom(void) __attribute__((noreturn));

/* Print a usage error and the hint to --help, then exit 2. */
void diag_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Parse a whole decimal number in [min,max]; 0 on success, -1 otherwise (never atoi). */
int diag_parse_long(const char *s, long min, long max, long *out);

/* Flush and close stdout; a failed write turns a success into exit 2. */
int diag_finish(int status);

#endif
