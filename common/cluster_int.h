/*
 * cluster_int: the rules inside cluster.c that its unit test checks on
 * their own.  Not API: only common/cluster.c and tests/unit/cluster.c
 * include this header.
 */
#ifndef CKP_CLUSTER_INT_H
#define CKP_CLUSTER_INT_H

/* Compare two versions ("9.6" < "15") as numbers: <0, 0, >0. */
int cluster_version_cmp(const char *a, const char *b);

/*
 * A port as the server reads it (guc.c parse_int: strtol base 0, so 0x1538
 * and 012 count; a fraction is rounded; white space around it is allowed),
 * range 1..65535.  0 with *port, -1 when not a number, -2 when out of range.
 */
int cluster_parse_port(const char *s, long *port);

#endif
