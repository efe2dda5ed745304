/*
 * Unit tests for common/ascii: the one case-insensitive name compare
 * (guc_name_compare's) and the one ASCII case fold.
 */
#include <string.h>

#include "ascii.h"
#include "tap.h"

int
main(void)
{
	char s[] = "Work_MEM \xc3\x89t\xc3\xa9 Z@[`{";

	is_int(ascii_casecmp("work_mem", "WORK_MEM"), 0, "names differ only in case: equal");
	is_int(ascii_casecmp("DateStyle", "datestyle"), 0, "mixed case: equal");
	is_int(ascii_casecmp("", ""), 0, "empty names: equal");
	ok(ascii_casecmp("a", "B") < 0 && ascii_casecmp("B", "a") > 0,
	   "order is the lower-cased one");
	ok(ascii_casecmp("work", "work_mem") < 0 && ascii_casecmp("work_mem", "work") > 0,
	   "a prefix sorts first");
	ok(ascii_casecmp("_", "A") < 0, "'_' (0x5f) sorts before 'a' (0x61), not after 'A' (0x41)");
	ok(ascii_casecmp("\xc3\x89", "\xc3\xa9") != 0, "non-ASCII letters are not folded");
	ok(ascii_casecmp("z", "\xc3") < 0, "bytes compare unsigned");
	ok(ascii_casecmp("@", "`") != 0 && ascii_casecmp("[", "{") != 0,
	   "the neighbours of A-Z are not letters");

	is_int(ascii_tolower('Q'), 'q', "tolower Q");
	is_int(ascii_tolower('q'), 'q', "tolower q");
	is_int(ascii_tolower(0xc9), 0xc9, "tolower leaves a high byte");
	ascii_lower(s, strlen(s));
	is_str(s, "work_mem \xc3\x89t\xc3\xa9 z@[`{", "lower folds A-Z only");
	ascii_lower(s, 0);
	is_str(s, "work_mem \xc3\x89t\xc3\xa9 z@[`{", "lower of 0 bytes changes nothing");
	return done_testing();
}
