/*
 * tap.h: the smallest TAP producer for the C unit tests, read by prove.
 * ok() and is_str() print "ok N - name" or "not ok N - name" with a
 * diagnostic; done_testing() prints the plan and returns the exit status.
 */
#ifndef CKP_TAP_H
#define CKP_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *name)
{
	tap_count++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

static inline int tap_is_str(const char *got, const char *want, const char *file, int line, const char *name)
{
	int same = (got == NULL && want == NULL) ||
		   (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!tap_ok(same, file, line, name)) {
		printf("#          got: %s%s%s\n", got ? "'" : "", got ? got : "NULL", got ? "'" : "");
		printf("#     expected: %s%s%s\n", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	}
	return same;
}

static inline int tap_is_int(long got, long want, const char *file, int line, const char *name)
{
	if (!tap_ok(got == want, file, line, name)) {
		printf("#          got: %ld\n#     expected: %ld\n", got, want);
		return 0;
	}
	return 1;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))
#define is_str(got, want, name) tap_is_str((got), (want), __FILE__, __LINE__, (name))
#define is_int(got, want, name) tap_is_int((long)(got), (long)(want), __FILE__, __LINE__, (name))
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
