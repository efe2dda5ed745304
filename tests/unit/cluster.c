/*
 * Unit test for the rules inside common/cluster.c (cluster_int.h): a port
 * is read as the server's guc.c parse_int reads it, and versions compare as
 * pg_lsclusters compares them (Perl's <=> on decimal numbers).
 */
#include <stdio.h>

#include "cluster.h"
#include "cluster_int.h"
#include "tap.h"

static void port(const char *s, int want_rc, long want)
{
	char name[128];
	long v = -1;
	int rc = cluster_parse_port(s, &v);

	snprintf(name, sizeof name, "port \"%s\" reads %d", s, want_rc);
	is_int(rc, want_rc, name);
	if (want_rc == 0) {
		snprintf(name, sizeof name, "port \"%s\" is %ld", s, want);
		is_int(v, want, name);
	}
}

static void cmp(const char *a, const char *b, int want)
{
	char name[128];
	int got = cluster_version_cmp(a, b);

	snprintf(name, sizeof name, "\"%s\" <=> \"%s\" is %d", a, b, want);
	is_int(got < 0 ? -1 : got > 0, want, name);
}

int main(void)
{
	port("5432", 0, 5432);
	port(" 5432 ", 0, 5432);
	port("0x1538", 0, 5432);
	port("012", 0, 10);
	port("5432.4", 0, 5432);
	port("5432.5", 0, 5433);
	port("1e3", 0, 1000);
	port("0", -2, 0);
	port("-1", -2, 0);
	port("65536", -2, 0);
	port("1e10", -2, 0);
	port("99999999999999999999", -2, 0);
	port("", -1, 0);
	port("  ", -1, 0);
	port("abc", -1, 0);
	port("54x", -1, 0);

	cmp("9.6", "15", -1);
	cmp("15", "9.6", 1);
	cmp("10", "9.6", 1);
	cmp("9.6", "9.6", 0);
	cmp("9.6", "9.60", 0);
	cmp("9.10", "9.6", -1);
	cmp("15", "15", 0);

	ok(cluster_is_spec("15/main"), "15/main is a spec");
	ok(cluster_is_spec("9.6/main"), "9.6/main is a spec");
	ok(!cluster_is_spec("/etc/postgresql/15/main"), "a path is no spec");
	return done_testing();
}
