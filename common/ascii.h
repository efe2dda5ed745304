/*
 * ascii: case folding of ASCII letters only, as PostgreSQL compares
 * parameter names (guc_name_compare) and Python 3's configparser folds
 * CKAN 2.9's keys here.  Unlike tolower(3) and strcasecmp(3), no locale
 * changes the answer.  Inline: the parameter tables compare names in
 * every lookup.
 */
#ifndef CKP_ASCII_H
#define CKP_ASCII_H

#include <stddef.h>

/* c with A-Z lower-cased; any other byte as it is. */
static inline int
ascii_tolower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* a and b compared byte by byte, A-Z as a-z: <0, 0, >0 (unsigned bytes). */
static inline int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca == cb) {		/* the usual case: names share long prefixes */
			if (ca == 0)
				return 0;
			continue;
		}
		ca = ascii_tolower(ca);
		cb = ascii_tolower(cb);
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

/* Lower-case A-Z in s[0..n) in place. */
static inline void
ascii_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = (char)ascii_tolower((unsigned char)s[i]);
}

#endif
