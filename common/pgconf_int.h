/*
 * pgconf_int: what pgconf.c shows its tests and nobody else: the seam that
 * lets tests/unit/pgconf.c prove the parser's fast scan over comment lines
 * equal to the lexer's own.  Tools include pgconf.h only.
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

#endif
