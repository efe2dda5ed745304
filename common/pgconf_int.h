/*
 * pgconf_int: what pgconf.c shows its tests and nobody else: the seams that
 * let tests/unit/pgconf.c prove the parser's fast scans (over comment lines,
 * over plain setting lines) equal to the lexer's own.  Tools include pgconf.h only.
 */
#ifndef CKP_PGCONF_INT_H
#define CKP_PGCONF_INT_H

#include <stddef.h>

/*
 * From pos, the start of a line in s[0..len) (s[len] must be '\0'), past
 * the lines that hold only blanks and comments, to where the next line's
 * first token starts (or len); *line grows by the lines passed.  fast: by
 * the byte scan the parser uses, else by the lexer token by token.  The
 * two must always agree.
 */
size_t pgconf_skip_lines(const char *s, size_t len, size_t pos, int fast, int *line);

/*
 * pgconf_parse_buf, with fast: plain setting lines read by the parser's
 * own scan (as pgconf_parse_buf and pgconf_load do), else every line by
 * the lexer.  The two must always give the same model or the same error.
 */
struct pgconf_model;
struct diag_err;
int pgconf_parse_buf_by(struct pgconf_model *m, const char *path, const char *data, size_t len,
			int fast, struct diag_err *err);

#endif
