/*
 * Unit tests for common/pgversion: the one parser and printer of
 * PostgreSQL version numbers.
 */
#include <stdio.h>

#include "pgversion.h"
#include "tap.h"

static const struct {
	const char *s;
	int want;
} cases[] = {
	{ "9.2", 90200 }, { "9.6", 90600 }, { "9.6.24", 90624 }, { "6.5", 60500 },
	{ "7.4.30", 70430 }, { "10", 100000 }, { "15", 150000 }, { "15.4", 150004 },
	{ "15.18", 150018 }, { "99", 990000 },
	{ "90624", 90624 }, { "150004", 150004 }, { "180000", 180000 },
	{ "", -1 }, { "abc", -1 }, { "9", -1 }, { "5.1", -1 }, { "100", -1 }, { "13.", -1 },
	{ ".5", -1 }, { "15.4.1", -1 }, { "9.6.", -1 }, { "9.100", -1 }, { "15.100", -1 },
	{ "1000000", -1 }, { "15 ", -1 }, { " 15", -1 }, { "+15", -1 }, { "-15", -1 },
	{ "15a", -1 },
};

int
main(void)
{
	char b[16];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[64];

		snprintf(name, sizeof name, "parse \"%s\"", cases[i].s);
		is_int(pgversion_parse(cases[i].s), cases[i].want, name);
	}
	is_int(pgversion_parse(NULL), -1, "parse NULL");

	is_int(pgversion_major(150004), 150000, "major of 15.4 is 15");
	is_int(pgversion_major(90624), 90600, "major of 9.6.24 is 9.6");
	is_int(pgversion_major(100000), 100000, "major of 10 is 10");
	is_int(pgversion_major(-1), -1, "major of no version is none");

	is_str(pgversion_name(150000, b, sizeof b), "15", "name of 15");
	is_str(pgversion_name(150004, b, sizeof b), "15", "name of 15.4 is its major's");
	is_str(pgversion_name(90600, b, sizeof b), "9.6", "name of 9.6");
	is_str(pgversion_name(90624, b, sizeof b), "9.6", "name of 9.6.24 is its major's");
	is_str(pgversion_name(-1, b, sizeof b), "unknown", "name of no version");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[64];
		int v = cases[i].want;

		if (v < 0)
			continue;
		snprintf(name, sizeof name, "the name of \"%s\" reads back as its major",
			 cases[i].s);
		is_int(pgversion_parse(pgversion_name(v, b, sizeof b)), pgversion_major(v), name);
	}
	return done_testing();
}
