/*
 * conffiles: the include rules postgresql.conf and pg_hba.conf share, as
 * PostgreSQL keeps them in one src/backend/utils/misc/conffiles.c for
 * guc-file.l and hba.c: where an included name points (relative to the
 * including file, cleaned like canonicalize_path), which files an
 * include_dir reads, the nesting limit, and the set of files being read so
 * that a loop can be named.  Each parser keeps its own messages and its
 * own idea of which failure stops the load.  Never prints, never exits.
 */
#ifndef CKP_CONFFILES_H
#define CKP_CONFFILES_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* CONF_FILE_MAX_DEPTH in guc.h: how deep includes nest (the top file is depth 0). */
#define CONF_FILE_MAX_DEPTH 10

/*
 * Clean path in place like src/port/path.c's canonicalize_path (16, and
 * the 2023 minor releases of 11 to 15): no repeated or trailing slashes,
 * no "." components, "name/.." pairs removed, ".." after the root dropped;
 * a relative path keeps the leading ".." it cannot resolve, and what
 * reduces to nothing becomes "." (or "/").
 */
void
conf_canonicalize(char *path);

/*
 * AbsoluteConfigLocation: loc as is when absolute (or calling is NULL),
 * else relative to the directory of calling; cleaned.  Malloc'd.
 */
char *
conf_location(const char *loc, const char *calling);

/*
 * GetConfFilesInDir over dir (already a conf_location): the names, cleaned,
 * of its entries that end in ".conf", do not start with '.' and are not
 * directories, in strcmp order.  Returns 0 with *names (malloc'd, each
 * malloc'd; NULL when *n is 0), or -1 with errno set and *failed NULL when
 * dir cannot be opened, or *failed the malloc'd name of an entry that
 * cannot be stat'ed.
 */
int
conf_dir_files(const char *dir, char ***names, size_t *n, char **failed);

/* Free what conf_dir_files returned. */
void
conf_dir_files_free(char **names, size_t n);

/*
 * The files being read, outermost first, by device and inode: a name
 * reaches the same file through links, "..", or another spelling, and a
 * loop is a file that is already open.  The depth checks of the callers
 * keep n within the array.
 */
struct conf_stack {
	struct {
		dev_t dev;
		ino_t ino;
	} open[CONF_FILE_MAX_DEPTH + 2];
	int n;
};

void
conf_stack_push(struct conf_stack *s, const struct stat *st);

void
conf_stack_pop(struct conf_stack *s);

/* Whether path names a file on s (0 when it cannot be stat'ed). */
int
conf_stack_has(const struct conf_stack *s, const char *path);

/*
 * buf_read_file for a configuration file, which may be a million lines:
 * the buffer of a large one is sized from fstat first and backed by huge
 * pages where the kernel allows (arena_advise_huge), so that reading it
 * does not fault in one 4 kB page at a time.  Returns as buf_read_file.
 */
/*
 * SplitGUCList(val, ','), as the server splits a list setting (such as
 * shared_preload_libraries) and a list option of pg_hba.conf: elements
 * separated by commas, blanks around them ignored, "double quoted"
 * elements with "" for a quote.  Returns the number of elements, or -1 on
 * a syntax error.  When names is given, each element is stored there
 * (malloc'd; free with conf_split_list_free).
 */
int
conf_split_list(const char *val, char ***names);

void
conf_split_list_free(char **names, int n);

struct buf;

int
conf_read_file(struct buf *b, const char *path, struct stat *st);

#endif
