/*
 * envfile: a Docker Compose ".env" file as Compose reads it, with the line
 * and byte span of every value, and for every byte of a value where it came
 * from: the file's own bytes, an escape, or a variable interpolated from an
 * earlier line.  The rules are those of Docker Compose v2 (compose-go's
 * dotenv parser and template package), as docs.docker.com documents them
 * under "Set, use, and manage variables in a Compose file with
 * interpolation" (.env file syntax) and the Compose file reference
 * ("Interpolation"): KEY=VALUE or KEY: VALUE, an optional "export "
 * prefix, "#" comment lines and blank lines, unquoted values trimmed and cut
 * at " #", single quotes literal (only \' escaped), double quotes with
 * shell escapes and interpolation, quoted values spanning lines,
 * $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?x}, ${VAR?x}, ${VAR:+x},
 * ${VAR+x} (nested) and $$.  Variables resolve from earlier lines of the
 * same file only: the values are those Compose reads when the shell that
 * runs it sets none of them.  Never prints, never exits.
 */
#ifndef CKP_ENVFILE_H
#define CKP_ENVFILE_H

#include <stddef.h>

#include "diag.h"

enum envfile_part_kind {
	ENVFILE_TEXT,	/* value bytes equal the file bytes one for one */
	ENVFILE_ESCAPE,	/* an escape ("\"", "\n", "$$", "\'"): value and file bytes differ */
	ENVFILE_VAR,	/* $NAME or ${NAME}: the value of an earlier line */
	ENVFILE_EXPR,	/* ${NAME:-x} and the other operators: a default, an alternative */
};

/* How a run of a value's bytes was made. */
struct envfile_part {
	enum envfile_part_kind kind;
	size_t off, len;	/* the bytes of the value it produced */
	size_t src_off, src_len;/* the bytes of the file it came from */
	char *name;		/* VAR, EXPR: the variable */
	long entry;		/* VAR, EXPR: index of the entry that defined it then; -1: unset */
};

struct envfile_entry {
	char *key;
	char *value;		/* as Compose reads it; NULL for a bare "KEY" line (inherited) */
	size_t value_len;
	int line;		/* 1-based line of the key */
	int last_line;		/* last line of the value (a quoted value may span lines) */
	size_t key_off;		/* the key's bytes in the file */
	size_t val_off, val_len;/* the value's bytes in the file, quotes included; empty: insertion point */
	char quote;		/* 0, '\'' or '"' */
	int exported;		/* written "export KEY=..." */
	int inherited;		/* a bare "KEY": Compose takes it from its own environment */
	struct envfile_part *parts;	/* in value order, covering value[0..value_len) */
	size_t nparts;
	char **refs;		/* every variable the value names (nested too), first use first, unique */
	size_t nrefs;
};

struct envfile {
	char *path;		/* as given, for messages */
	const char *data;	/* the file's bytes; not owned, must outlive the model */
	size_t len;
	struct envfile_entry *entries;	/* in file order; a key defined twice is there twice */
	size_t n;
};

/*
 * Parse data[0..len) (path only names it in errors).  Returns 0, or -1 with
 * err naming the line (and column): a character Compose refuses in a key,
 * a key with a space, an empty key, an unterminated quoted value, a "${"
 * Compose cannot read, ${VAR:?msg} or ${VAR?msg} with VAR unset, a NUL
 * byte, a non-ASCII key.  On error f is left empty (envfile_free is
 * harmless).
 */
int envfile_parse(const char *path, const char *data, size_t len, struct envfile *f, struct diag_err *err);
void envfile_free(struct envfile *f);

/* The entry Compose uses for key: the last line that sets it (a bare "KEY"
 * line sets nothing).  NULL when the file does not set it. */
const struct envfile_entry *envfile_lookup(const struct envfile *f, const char *key);

/* Index of e in f->entries. */
size_t envfile_index(const struct envfile *f, const struct envfile_entry *e);

#endif
