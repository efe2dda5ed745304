/*
 * pgversion: see pgversion.h.  Version 10 changed the scheme: before it
 * the major was "9.6" and the minor a third part; since, the major is one
 * number and "15.4" is its fourth minor release.
 */
#include "pgversion.h"

#include <stdio.h>

/* Up to six digits at s, or -1 (no digit, or more than six). */
static long
small_number(const char *s, const char **end)
{
	long n = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 7) {
		n = n * 10 + (*s++ - '0');
		digits++;
	}
	*end = s;
	return digits == 0 || digits > 6 ? -1 : n;
}

int
pgversion_parse(const char *s)
{
	const char *p;
	long a, b, c = 0;

	if (s == NULL)
		return -1;
	a = small_number(s, &p);
	if (a < 0)
		return -1;
	if (*p == '\0') {
		if (a >= 10 && a <= 99)			/* "13" */
			return (int)a * 10000;
		if (a >= 60000 && a < 1000000)		/* server_version_num 90624, 150004 */
			return (int)a;
		return -1;
	}
	if (*p != '.')
		return -1;
	b = small_number(p + 1, &p);
	if (b < 0 || b > 99)
		return -1;
	if (a >= 10 && a <= 99 && *p == '\0')	/* "15.4": major 15, minor 4 */
		return (int)(a * 10000 + b);
	if (a < 6 || a > 9)
		return -1;
	if (*p == '.') {			/* "9.6.24" */
		c = small_number(p + 1, &p);
		if (c < 0 || c > 99)
			return -1;
	}
	if (*p != '\0')
		return -1;
	return (int)(a * 10000 + b * 100 + c);
}

int
pgversion_major(int v)
{
	if (v < 0)
		return v;
	return v >= 100000 ? v - v % 10000 : v - v % 100;
}

const char *
pgversion_name(int v, char *buf, size_t n)
{
	if (v < 0)
		snprintf(buf, n, "unknown");
	else if (v >= 100000)
		snprintf(buf, n, "%d", v / 10000);
	else
		snprintf(buf, n, "%d.%d", v / 10000, v / 100 % 100);
	return buf;
}
