/*
 * pgversion: PostgreSQL version numbers as the server writes them
 * (server_version_num): 90624 is 9.6.24, 150004 is 15.4.  The one parser
 * of "9.6", "9.6.24", "15", "15.4" and of such numbers, and the one
 * printer of a major version's name.
 */
#ifndef CKP_PGVERSION_H
#define CKP_PGVERSION_H

#include <stddef.h>

/*
 * "9.6" -> 90600, "9.6.24" -> 90624, "15" -> 150000, "15.4" -> 150004, and
 * a server_version_num ("90624", "150004") as it is.  Majors from 6.0 to
 * 99; before 10 the major has two parts ("9" alone is not a version).
 * -1 when s is not a version.
 */
int
pgversion_parse(const char *s);

/* The major version v belongs to: 150004 -> 150000, 90624 -> 90600; v when v < 0. */
int
pgversion_major(int v);

/* The name of v's major version: "15", "9.6"; "unknown" when v < 0.  buf has n bytes. */
const char *
pgversion_name(int v, char *buf, size_t n);

#endif
