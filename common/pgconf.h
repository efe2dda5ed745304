/*
 * pgconf: postgresql.conf as the server reads it.  The lexer follows
 * PostgreSQL's src/backend/utils/misc/guc-file.l (name [=] value, quoted
 * strings with '' and backslash escapes, # comments, case-insensitive
 * names) and the loader follows include, include_if_exists and include_dir
 * like ParseConfigFp/ParseConfigDirectory do (relative to the including
 * file, ".conf" files in strcmp order, nesting depth at most 10).  Every
 * setting remembers its file, line and byte spans.  Never prints, never exits.
 */
#ifndef CKP_PGCONF_H
#define CKP_PGCONF_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "hashidx.h"

/*
 * A setting's strings live in its model's string memory (pgconf_free
 * releases them all at once); name may be name_raw itself when the name is
 * already lower-case, and value may be value_raw when it is not quoted.
 */
struct pgconf_setting {
	const char *name;	/* lower-cased, as the server compares names */
	const char *name_raw;	/* as written */
	const char *value;	/* the value the server sees: quotes removed, escapes applied */
	const char *value_raw;	/* as written, quotes included */
	int quoted;		/* value was a quoted string */
	int line;		/* 1-based */
	unsigned int file;	/* index into pgconf_model.files */
	unsigned int name_hash;	/* pgconf_name_hash(name) */
	size_t name_off;	/* spans in that file's bytes */
	size_t val_off, val_len;
};

struct pgconf_file {
	char *path;		/* the top file as given; an included one resolved against the
				   including file's directory and cleaned, as the server names it */
	char *data;		/* its bytes, NUL-terminated */
	size_t len;
};

struct pgconf_model {
	struct pgconf_setting *set;	/* every assignment in reading order, includes expanded in place */
	size_t n;
	struct pgconf_file *files;	/* every file read, in reading order */
	size_t nfiles;
	struct arena mem;		/* private: the settings' strings */
	unsigned int *hash_of;		/* private: set[i].name_hash, packed for pgconf_effective */
	size_t cap;			/* private: the room in set and hash_of */
};

struct buf;

/*
 * Add v to b as a quoted value the lexer above reads back as v: single
 * quotes, ' doubled, backslash and newline escaped (unquote_into's inverse).
 */
void pgconf_quote(struct buf *b, const char *v);

void pgconf_init(struct pgconf_model *m);
void pgconf_free(struct pgconf_model *m);

/*
 * Read path into m (appending), following its include directives like the
 * server: include and include_if_exists relative to the including file's
 * directory, include_dir's ".conf" files (not starting with '.') in strcmp
 * order, paths cleaned like canonicalize_path (as pg_file_settings shows
 * them).  The directives themselves are not kept as settings.
 * missing_ok: a missing file is not an error (as for include_if_exists and
 * for postgresql.auto.conf).  Returns 0, or -1 with err naming the file and
 * line of the first error, as pg_file_settings places it (an include's
 * own failure is reported at the include line): "syntax error near \"T\"",
 * "unterminated quoted string", "missing value", "NUL byte", "cannot open
 * \"X\": reason", "cannot open directory \"X\": reason", "empty
 * configuration file name", "include loop: \"X\" includes itself", "nesting
 * depth exceeds 10".  On error m keeps what was read before it; free it
 * with pgconf_free either way.
 */
int pgconf_load(struct pgconf_model *m, const char *path, int missing_ok, struct diag_err *err);

/*
 * Parse data[0..len) as one file named path without following includes
 * (include directives are kept as settings named "include", ...): a file
 * that is not on disk, or one whose includes must not be followed.
 * Errors as for pgconf_load.
 */
int pgconf_parse_buf(struct pgconf_model *m, const char *path, const char *data, size_t len,
		     struct diag_err *err);

/*
 * Leave out every setting read from path (compared after resolving links),
 * as if the file were empty; the file stays in files[].  Returns how many.
 */
size_t pgconf_forget_file(struct pgconf_model *m, const char *path);

/*
 * The setting of name that wins (the last one read), or NULL.  name is
 * compared case-insensitively; include directives never win.
 */
const struct pgconf_setting *pgconf_effective(const struct pgconf_model *m, const char *name);

/*
 * The distinct names set in m (lower-cased), each with its winning setting,
 * in order of first appearance.  Returns the count; *out is malloc'd.
 */
size_t pgconf_effective_all(const struct pgconf_model *m, const struct pgconf_setting ***out);

/*
 * The same names with a hash table over them, for a caller that asks about
 * many names.  eff and n are what pgconf_effective_all gives; hash[i] is
 * pgconf_name_hash(eff[i]->name).  Free with pgconf_index_free.
 */
struct pgconf_index {
	const struct pgconf_setting **eff;
	size_t n;
	unsigned int *hash;
	struct hashidx idx;	/* name -> its place in eff */
	uint64_t *head;		/* private: each name's first 8 bytes, zero-padded */
};

void pgconf_index_init(struct pgconf_index *ix, const struct pgconf_model *m);
void pgconf_index_free(struct pgconf_index *ix);

/* The hash pgconf_index uses, of a lower-cased name as pgconf_setting.name holds it. */
unsigned int pgconf_name_hash(const char *name);

/*
 * The winning setting of name (lower-cased, compared exactly), whose
 * pgconf_name_hash is hash, or NULL.
 */
const struct pgconf_setting *pgconf_index_find(const struct pgconf_index *ix, const char *name, unsigned int hash);

/*
 * The place in ix->eff of the name that setting s (of any model) sets, or
 * (size_t)-1: for a caller that keeps facts about the names by place.
 */
size_t
pgconf_index_pos(const struct pgconf_index *ix, const struct pgconf_setting *s);

#endif
