/*
 * pgparams-norm: print a value as common/pgparams normalises it for one
 * parameter of one PostgreSQL version, for tests that compare it with what
 * a real server makes of the same value (tests/server/pgparams-oracle.t).
 *
 *   pgparams-norm VERSION NAME VALUE
 *
 * Prints the normalised value and exits 0, or prints "invalid: why" and
 * exits 2 (also for an unknown version or parameter).
 */
#include <stdio.h>
#include <stdlib.h>

#include "pgparams.h"

int main(int argc, char **argv)
{
	const struct pgparam *p;
	const char *why = NULL;
	char *v;
	int version;

	if (argc != 4) {
		fprintf(stderr, "usage: pgparams-norm VERSION NAME VALUE\n");
		return 2;
	}
	version = pgparams_version(argv[1]);
	if (version < 0) {
		printf("invalid: not a version: %s\n", argv[1]);
		return 2;
	}
	p = pgparams_lookup(version, argv[2], NULL);
	if (p == NULL) {
		printf("invalid: unknown parameter \"%s\"\n", argv[2]);
		return 2;
	}
	v = pgparams_normalise(p, argv[3], &why);
	if (v == NULL) {
		printf("invalid: %s\n", why ? why : "?");
		return 2;
	}
	printf("%s\n", v);
	free(v);
	if (ferror(stdout) || fclose(stdout) == EOF)
		return 2;
	return 0;
}
