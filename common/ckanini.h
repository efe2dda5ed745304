/*
 * ckanini: CKAN's ini file as CKAN reads it, with the line and byte span of
 * every value so that an edit can replace exactly those bytes.  The rules
 * are those of Python's configparser, per CKAN version: continuation lines
 * by indentation, empty lines inside values, full-line comments,
 * duplicates, [DEFAULT] fallback and %-interpolation (Python 3, CKAN >=
 * 2.9), or Python 2's ConfigParser under paste.deploy (CKAN 2.6-2.8).
 * Proven equal to Python 3's configparser by tests/unit/ini-python.t.
 * Never prints, never exits; not thread-safe (libinih's options are
 * process globals).
 *
 * libinih reads the file: common/ckanini_read.c feeds it the lines and
 * adds what configparser does on top of it (see its first comment),
 * common/ckanini.c keeps the model and its index, common/ckanini_interp.c
 * interpolates.  It needs Debian's libinih (libinih-dev 55): that build
 * keeps the header's defaults (lines cut at 199 bytes, the rest read as a
 * new line; " ;" inline comments; a stack line buffer) but its ini.h
 * exposes every option as a runtime global (ini_max_line, ini_use_stack,
 * ini_allow_realloc, ini_allow_inline_comments, ...), and the reader sets
 * them before each parse so that no line is cut and no comment is guessed.
 * An inih whose options are fixed when it is compiled cannot be told so at
 * run time: common/ckanini_read.c refuses to build against one.
 */
#ifndef CKP_CKANINI_H
#define CKP_CKANINI_H

#include <stddef.h>

#include "diag.h"

struct ckanini_store;

enum ckanini_dialect {
	/* CKAN 2.6-2.8: Python 2 ConfigParser (paste.deploy): " ;" comments,
	 * last duplicate wins, keys as written */
	INI_CKAN_26,
	INI_CKAN_29,	/* CKAN 2.9: Python 3 configparser, keys lower-cased */
	INI_CKAN_210,	/* CKAN >= 2.10 (default): Python 3 configparser, keys as written */
};

struct ckanini_entry {
	char *section;		/* name between [ ] as configparser keeps it ("DEFAULT") */
	char *key;		/* as the dialect stores it (lower-cased for INI_CKAN_29) */
	char *raw;		/* value before interpolation; lines joined with '\n' */
	int line;		/* 1-based line of "key = value" */
	int last_line;		/* last line the value spans */
	size_t val_off;		/* the value's bytes on its first line in the file, stripped */
	size_t val_len;		/* as configparser strips them; val_len 0: empty value */
	int multiline;		/* the value continues on later lines */
};

/* A [section] header line.  Repeated headers (CKAN 2.6, and [DEFAULT]) are
 * all kept, in file order. */
struct ckanini_section {
	char *name;		/* between the brackets, as configparser keeps it */
	int line;
};

struct ckanini_file {
	char *path;		/* as given, for messages */
	const char *data;	/* the file's bytes; not owned, must outlive the model */
	size_t len;
	enum ckanini_dialect dialect;
	struct ckanini_entry *entries;	/* in file order; INI_CKAN_26 keeps every duplicate */
	size_t n;
	int crlf;		/* the first line ending is "\r\n" */
	struct ckanini_section *sections;	/* every header, in file order */
	size_t nsections;
	struct ckanini_store *store;	/* private (ckanini_int.h): strings, index */
};

/*
 * Parse data[0..len) (path only names it in errors).  Returns 0, or -1 with
 * err naming the line: a line configparser cannot parse, no section header
 * before the first key, a duplicate key in a section or a duplicate section
 * (errors for CKAN >= 2.9; CKAN 2.6 keeps the last), a UTF-8 BOM (Python
 * 3 reads U+FEFF as text before the first header, Python 2 the three bytes:
 * every CKAN fails on it), invalid UTF-8 (CKAN >= 2.9 read the file as
 * UTF-8), a NUL byte.  On error f is left empty (ckanini_free is harmless).
 */
int ckanini_parse(const char *path, const char *data, size_t len, enum ckanini_dialect dialect,
	      struct ckanini_file *f, struct diag_err *err);
void ckanini_free(struct ckanini_file *f);

/* Nonzero when the file has a [section] header (or section is "DEFAULT"). */
int ckanini_has_section(const struct ckanini_file *f, const char *section);

/* The entry for key in section exactly as CKAN would look it up (key
 * lower-cased first for INI_CKAN_29; the last one for INI_CKAN_26), without
 * [DEFAULT] fallback.  NULL when absent. */
const struct ckanini_entry *ckanini_lookup(const struct ckanini_file *f, const char *section,
					   const char *key);

/* Every entry with this key in section, in file order (for duplicate reports). */
size_t ckanini_lookup_all(const struct ckanini_file *f, const char *section, const char *key,
		      const struct ckanini_entry **out, size_t max);

/*
 * The value CKAN reads for key in section: the section's entry, else
 * [DEFAULT]'s, then interpolated as the dialect does (%(name)s from the
 * section, [DEFAULT], "here" = here and "__file__" = file; "%%" -> "%").
 * Returns 0 with *value (malloc'd) and *where (NULL for the built-in
 * "here" and "__file__"; where may be NULL), 1 when the key or the section
 * is absent, -1 with err on an interpolation error (a lone '%', an unknown
 * %(name)s, recursion deeper than configparser allows, or a result beyond
 * 16 MiB or a million substitutions, which only a hostile file reaches).
 */
int ckanini_get(const struct ckanini_file *f, const char *section, const char *key,
	    const char *here, const char *file, char **value,
	    const struct ckanini_entry **where, struct diag_err *err);

#endif
