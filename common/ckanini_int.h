/*
 * ckanini_int.h: what the three parts of the CKAN ini reader share, and no
 * tool needs.  common/ckanini.c holds the model (entries, section headers)
 * and its (section, key) index, and the public API; common/ckanini_read.c
 * feeds libinih the file's lines and turns its callbacks into entries;
 * common/ckanini_interp.c interpolates a value as each CKAN version does.
 * One parse is one struct parser: the reader's position and the model
 * being built.
 */
#ifndef CKP_CKANINI_INT_H
#define CKP_CKANINI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "ckanini.h"
#include "diag.h"
#include "hashidx.h"

#define NONE SIZE_MAX

/* The strings of a model (section names, keys, raw values) live in an
 * arena, and the lookup index maps (section, key) to the entry CKAN
 * reads: the last one. */
struct ckanini_store {
	struct arena strings;
	struct hashidx index;	/* (section, key) -> the entry CKAN reads */
};

/* What the reader made of the line it handed libinih last. */
enum line_kind {
	L_OTHER,		/* libinih calls no handler for it */
	L_KEY,			/* a key line */
	L_CONT,			/* a continuation line of the open key */
};

struct parser {
	struct ckanini_file *f;
	const unsigned char *d;
	int py3;
	size_t ecap, scap;
	size_t cur;		/* index in f->sections of the current header */
	uint64_t cur_hash;	/* section_hash of its name */
	size_t open;		/* the entry the next lines may continue */
	size_t indent_level;	/* Python 3: indentation of the last key/header line */
	struct buf val;		/* the open entry's value, once it spans lines */
	size_t blanks;		/* Python 3: empty lines that may still be inside it */
	struct ckanini_store *st;	/* f->store */
	struct hashidx sects;	/* Python 3: every section name but DEFAULT */

	/* the reader */
	size_t pos;		/* where the next physical line starts */
	int line;		/* the line handed to libinih last (1-based) */
	enum line_kind kind;	/* ... and what it is */
	size_t a, b;		/* its text in the file, as handed (after the guard) */
	size_t guard;		/* 1 when a guard byte precedes a key line's text */
	const char *piece[3];	/* what libinih gets: prefix, text, "\n" */
	size_t plen[3];
	int pi;			/* the piece being handed; 3: all handed */
	size_t poff;

	/* errors */
	int stop;		/* fatal: the reader hands no more lines */
	struct diag_err fatal;
	int empty_name_line;	/* first "= v" line (Python 3) */
	int has_cr;		/* the file has a '\r' somewhere */
};

/*
 * A fatal error: configparser raises it at once, so the reader hands
 * libinih no more lines.  Nonzero when the caller should fill ps->fatal
 * (the first fatal error is the one raised).
 */
static inline int
parser_fatal(struct parser *ps)
{
	if (ps->stop)
		return 0;
	ps->stop = 1;
	return 1;
}

/* ---- common/ckanini.c: the model and its index ---- */

/* A [section] header: its name is the file's bytes [a, b).  A duplicate
 * (Python 3, not DEFAULT) is fatal. */
void ckanini_add_section(struct parser *ps, size_t a, size_t b, int line);

/* A key line: name [ka, kb), value [va, vb) (raw_empty: the value reads as
 * empty, Python 2's '""').  It becomes the open entry; a duplicate is
 * fatal for Python 3 and wins for Python 2. */
void ckanini_add_entry(struct parser *ps, size_t ka, size_t kb, size_t va, size_t vb,
		       int raw_empty);

/* A continuation line [a, b) (never empty) of the open entry, after the
 * empty lines counted in ps->blanks. */
void ckanini_add_piece(struct parser *ps, size_t a, size_t b);

/* The open entry takes no more lines: store its joined value. */
void ckanini_close_open(struct parser *ps);

/* May the open entry take more lines?  configparser: "cursect is not None
 * and optname", and an empty name is false. */
int ckanini_open_continues(const struct parser *ps);

/* The key as the dialect stores it (lower-cased for CKAN 2.9), malloc'd. */
char *ckanini_xform(const struct ckanini_file *f, const char *key);

/* Does the stored key equal name[0..n) after the dialect's optionxform? */
int ckanini_key_is(const struct ckanini_file *f, const char *key, const char *name, size_t n);

/* The last entry for name[0..n) in section (name as written: folded here as
 * the dialect does), from the index; NULL when absent. */
const struct ckanini_entry *ckanini_find(const struct ckanini_file *f, const char *section,
					 const char *name, size_t n);

/* ---- common/ckanini_read.c: libinih and the file's lines ---- */

/* Check the file's bytes (BOM, NUL, UTF-8 for Python 3), then read every
 * line through libinih into ps->f.  0, or -1 with err. */
int ckanini_read(struct parser *ps, struct diag_err *err);

#endif
