/*
 * Unit test for common/pgparams.c: the built-in pg_settings snapshots and
 * change table, and value normalisation as the server's guc.c does it
 * (units, rounding, booleans, enums), including the rules of 10 and 11,
 * before integer parameters took fractions.  tests/server/pgparams-oracle.t
 * checks the same normalisation against a real server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgparams.h"
#include "pgparams_int.h"
#include "tap.h"

/* The normalised value of NAME = VALUE on VERSION, or "invalid" (kept in a ring of buffers). */
static const char *norm(int version, const char *name, const char *value)
{
	static char ring[8][128];
	static int next;
	char *slot = ring[next++ % 8];
	const struct pgparam *p = pgparams_lookup(version, name, NULL);
	const char *why = NULL;
	char *v;

	if (p == NULL)
		return "unknown";
	v = pgparams_normalise(p, value, &why);
	if (v == NULL)
		return why ? "invalid" : "invalid without a reason";
	snprintf(slot, 128, "%s", v);
	free(v);
	return slot;
}

static void test_versions(void)
{
	const int *v;
	size_t n = pgparams_versions(&v);

	is_int(pgparams_version("9.5"), 90500, "version: 9.5");
	is_int(pgparams_version("13"), 130000, "version: 13");
	is_int(pgparams_version("9.6.24"), 90600, "version: 9.6.24 is 9.6");
	is_int(pgparams_version("15.4"), 150000, "version: 15.4 is 15");
	is_int(pgparams_version("150004"), 150000, "version: server_version_num 150004 is 15");
	is_int(pgparams_version("90623"), 90600, "version: server_version_num 90623 is 9.6");
	is_int(pgparams_version("abc"), -1, "version: abc is not one");
	is_int(pgparams_version("9"), -1, "version: 9 alone is not one");
	is_int(pgparams_version(""), -1, "version: empty is not one");
	is_int(pgparams_version("13."), -1, "version: 13. is not one");
	is_int(n, 9, "nine snapshots");
	is_int(v[0], 100000, "oldest snapshot is 10");
	is_int(v[n - 1], 180000, "newest snapshot is 18");
	ok(pgparams_known(150000) && !pgparams_known(90600), "known: 15 yes, 9.6 no");
}

static void test_lookup(void)
{
	const struct pgparam *p;
	int exact = -1;

	p = pgparams_lookup(150000, "shared_buffers", &exact);
	ok(p && exact == 1, "lookup: shared_buffers on 15, exact");
	is_str(p ? p->unit : NULL, "8kB", "lookup: shared_buffers unit is 8kB");
	ok(p && p->type == PGP_INTEGER, "lookup: shared_buffers is an integer");
	is_str(p ? p->context : NULL, "postmaster", "lookup: shared_buffers needs a restart");
	p = pgparams_lookup(150000, "SHARED_Buffers", NULL);
	ok(p && strcmp(p->name, "shared_buffers") == 0, "lookup: case-insensitive");
	p = pgparams_lookup(150000, "datestyle", NULL);
	is_str(p ? p->name : NULL, "DateStyle", "lookup: mixed-case name found in lower case");
	p = pgparams_lookup(150000, "TimeZone", NULL);
	ok(p != NULL, "lookup: TimeZone");
	ok(pgparams_lookup(150000, "no_such_parameter", NULL) == NULL, "lookup: unknown is NULL");
	p = pgparams_lookup(190000, "work_mem", &exact);
	ok(p && exact == 0, "lookup: 19 uses the 18 snapshot, not exact");
	ok(pgparams_lookup(90600, "checkpoint_segments", &exact) == NULL && exact == 0,
	   "lookup: before 10 there is no snapshot (only the change table)");
	ok(pgparams_lookup(120000, "wal_keep_segments", NULL) != NULL, "lookup: wal_keep_segments in 12");
	ok(pgparams_lookup(130000, "wal_keep_segments", NULL) == NULL, "lookup: not in 13");
	ok(pgparams_lookup(130000, "wal_keep_size", NULL) != NULL, "lookup: wal_keep_size in 13");
	p = pgparams_lookup(150000, "wal_level", NULL);
	ok(p && p->type == PGP_ENUM && strstr(p->enumvals, "replica"), "lookup: wal_level enum values");
	p = pgparams_lookup(150000, "search_path", NULL);
	is_str(p ? p->boot_val : NULL, "\"$user\", public", "lookup: search_path boot_val with quotes");
	p = pgparams_lookup(110000, "vacuum_cost_delay", NULL);
	ok(p && p->type == PGP_INTEGER, "lookup: vacuum_cost_delay integer in 11");
	p = pgparams_lookup(120000, "vacuum_cost_delay", NULL);
	ok(p && p->type == PGP_REAL, "lookup: vacuum_cost_delay real in 12");
}

static void test_changes(void)
{
	const struct pgparam_change *c;
	const char *why = NULL;
	char *s;

	c = pgparams_change("wal_keep_segments", 120000, 150000);
	ok(c && strcmp(c->change, "renamed") == 0 && c->version == 130000,
	   "change: wal_keep_segments renamed in 13");
	is_str(c ? c->replacement : NULL, "wal_keep_size", "change: to wal_keep_size");
	c = pgparams_change("checkpoint_segments", 90400, 150000);
	is_str(c ? c->replacement : NULL, "max_wal_size", "change: checkpoint_segments -> max_wal_size");
	s = c ? pgparams_convert(c, "3", &why) : NULL;
	is_str(s, "144MB", "convert: 3 segments -> (3 * 3) * 16MB = 144MB, as the 9.5 release notes say");
	free(s);
	s = c ? pgparams_convert(c, "3MB", &why) : NULL;
	ok(s == NULL && why != NULL, "convert: a value with a unit is refused with a reason");
	free(s);
	ok(pgparams_change("checkpoint_segments", 90500, 150000) == NULL,
	   "change: none when already past the rename");
	c = pgparams_change("australian_timezones", 80100, 90000);
	s = c ? pgparams_convert(c, "on", &why) : NULL;
	is_str(s, "Australia", "convert: australian_timezones on -> Australia");
	free(s);
	s = c ? pgparams_convert(c, "false", &why) : NULL;
	is_str(s, "Default", "convert: false -> Default");
	free(s);
	c = pgparams_change("force_parallel_mode", 150000, 160000);
	s = c ? pgparams_convert(c, "regress", &why) : NULL;
	is_str(s, "regress", "convert: plain rename keeps the value");
	free(s);
	/* In 12's snapshot, not in 13's, and in the table. */
	c = pgparams_change("wal_keep_segments", 120000, 130000);
	ok(c != NULL && pgparams_lookup(120000, "wal_keep_segments", NULL) &&
	   !pgparams_lookup(130000, "wal_keep_segments", NULL), "change: 12-only parameter is in the table");
	c = pgparams_change("max_wal_size", 90600, 110000);
	ok(c && strcmp(c->change, "unit_changed") == 0 && c->version == 100000,
	   "change: max_wal_size unit changed in 10");
	c = pgparams_change("Stats_Temp_Directory", 140000, 150000);
	ok(c && strcmp(c->change, "removed") == 0, "change: name case-insensitive");
	ok(pgparams_change("work_mem", 100000, 180000) == NULL, "change: none for work_mem");
	ok(pgparams_convert(NULL, "x", &why) == NULL && why, "convert: NULL change");
}

/* Names to ask about: name itself, respelled, and near misses on each side of it. */
static int probes(const char *name, char out[][80])
{
	size_t len = strlen(name), i;
	int n = 0;

	snprintf(out[n++], 80, "%s", name);
	snprintf(out[n], 80, "%s", name);
	for (i = 0; out[n][i]; i++)
		if (out[n][i] >= 'a' && out[n][i] <= 'z')
			out[n][i] = (char)(out[n][i] - 'a' + 'A');
	n++;
	snprintf(out[n++], 80, "%.*s", (int)(len ? len - 1 : 0), name);
	snprintf(out[n++], 80, "%sx", name);
	snprintf(out[n], 80, "%s", name);
	if (len)
		out[n][len - 1]++;
	n++;
	snprintf(out[n], 80, "%s", name);
	if (len)
		out[n][0]--;
	n++;
	return n;
}

static const char *const extra_probes[] = {
	"", "a", "A", "_", "zzzz", "~", "\xc3\xa9t\xc3\xa9", "\x7f", "p1", "p99999", "Z", "0",
};

/*
 * pgparams_lookup and pgparams_change search only the rows that share the
 * name's first letter; the answers must be those of a scan of every row.
 */
static void test_first_letter_index(void)
{
	size_t vi, k;
	int bad = 0, asked = 0, found = 0;

	for (vi = 0; vi < pgparams_data_nversions; vi++) {
		const struct pgparam_packed *rows = pgparams_data_tables[vi];
		int version = pgparams_data_versions[vi];

		for (k = 0; k < pgparams_data_sizes[vi] + sizeof extra_probes / sizeof extra_probes[0]; k++) {
			char probe[8][80];
			int np, j;

			if (k < pgparams_data_sizes[vi]) {
				np = probes(pgparams_strtab + rows[k].name, probe);
			} else {
				snprintf(probe[0], 80, "%s", extra_probes[k - pgparams_data_sizes[vi]]);
				np = 1;
			}
			for (j = 0; j < np; j++) {
				const struct pgparam *got = pgparams_lookup(version, probe[j], NULL);
				const char *want = NULL;
				size_t r;

				for (r = 0; r < pgparams_data_sizes[vi]; r++)
					if (strcasecmp(pgparams_strtab + rows[r].name, probe[j]) == 0)
						want = pgparams_strtab + rows[r].name;
				asked++;
				found += want != NULL;
				if (want ? !got || strcmp(got->name, want) != 0 : got != NULL)
					bad++;
			}
		}
	}
	is_int(bad, 0, "lookup: every name of every snapshot, respelled and missed, as a full scan finds it");
	ok(found > 3000 && asked - found > 10000, "lookup: both hits and misses were asked");

	bad = 0;
	for (k = 0; k < pgparams_data_nchanges + sizeof extra_probes / sizeof extra_probes[0]; k++) {
		static const int ranges[][2] = { { 0, 180000 }, { 90600, 150000 }, { 120000, 130000 }, { 100000, 110000 } };
		char probe[8][80];
		int np, j;
		size_t q;

		if (k < pgparams_data_nchanges) {
			np = probes(pgparams_data_changes[k].name, probe);
		} else {
			snprintf(probe[0], 80, "%s", extra_probes[k - pgparams_data_nchanges]);
			np = 1;
		}
		for (j = 0; j < np; j++) {
			for (q = 0; q < sizeof ranges / sizeof ranges[0]; q++) {
				const struct pgparam_change *got = pgparams_change(probe[j], ranges[q][0], ranges[q][1]);
				int want = 0;
				size_t r;

				for (r = 0; r < pgparams_data_nchanges; r++) {
					const struct pgparam_change *c = &pgparams_data_changes[r];

					if (strcasecmp(c->name, probe[j]) == 0 && c->version > ranges[q][0] &&
					    c->version <= ranges[q][1] && (!want || c->version < want))
						want = c->version;
				}
				if (want ? !got || got->version != want || strcasecmp(got->name, probe[j]) != 0
					 : got != NULL)
					bad++;
			}
		}
	}
	is_int(bad, 0, "change: every name of the change table, respelled and missed, as a full scan finds it");
}

static void test_memory(void)
{
	is_str(norm(150000, "shared_buffers", "128MB"), "16384", "shared_buffers 128MB = 16384 (15)");
	is_str(norm(150000, "shared_buffers", "131072kB"), "16384", "shared_buffers 131072kB = 16384");
	is_str(norm(150000, "shared_buffers", "16384"), "16384", "shared_buffers bare 16384");
	is_str(norm(150000, "shared_buffers", "128 MB"), "16384", "whitespace between number and unit");
	is_str(norm(150000, "shared_buffers", "128MB "), "16384", "whitespace after the unit");
	is_str(norm(150000, "shared_buffers", "0x4000"), "16384", "hex integer");
	is_str(norm(150000, "shared_buffers", "040000"), "16384", "octal integer");
	is_str(norm(150000, "work_mem", "1GB"), "1048576", "work_mem 1GB in kB");
	is_str(norm(150000, "work_mem", "1TB"), "1073741824", "work_mem 1TB in kB");
	is_str(norm(150000, "work_mem", "1.5GB"), "1572864", "fraction with unit (12+)");
	is_str(norm(150000, "work_mem", "1.5"), "2", "bare fraction rounds (rint)");
	is_str(norm(150000, "work_mem", "2.5"), "2", "rint rounds half to even");
	is_str(norm(150000, "work_mem", "1e3"), "1000", "exponent");
	is_str(norm(150000, "work_mem", "2048B"), "2", "B unit (12+)");
	is_str(norm(150000, "work_mem", "1000B"), "1", "1000B rounds to 1kB");
	is_str(norm(150000, "shared_buffers", "1.5MB"), "192", "fraction of MB in 8kB blocks");
	is_str(norm(150000, "max_wal_size", "1GB"), "1024", "max_wal_size in MB");
	is_str(norm(150000, "max_wal_size", "1536kB"), "2", "1536kB = 1.5MB rounds to 2");
	is_str(norm(150000, "track_activity_query_size", "1kB"), "1024", "byte unit");
	is_str(norm(150000, "shared_buffers", "128XB"), "invalid", "unknown unit 128XB");
	is_str(norm(150000, "shared_buffers", "128mb"), "invalid", "units are case-sensitive");
	is_str(norm(150000, "shared_buffers", "abc"), "invalid", "abc for an integer");
	is_str(norm(150000, "shared_buffers", ""), "invalid", "empty for an integer");
	is_str(norm(150000, "shared_buffers", "128MB x"), "invalid", "garbage after the unit");
	is_str(norm(150000, "max_connections", "100kB"), "invalid", "unit on a unitless integer");
	is_str(norm(150000, "work_mem", "3000000000"), "invalid",
	       "beyond int range");
	is_str(norm(150000, "work_mem", "nan"), "invalid", "NaN refused");
	is_str(norm(150000, "wal_buffers", "-1"), "-1", "-1 passes");
	/* 10 and 11: integers only, truncating division. */
	is_str(norm(110000, "work_mem", "1GB"), "1048576", "11: work_mem 1GB");
	is_str(norm(110000, "work_mem", "1.5GB"), "invalid", "11: no fractions");
	is_str(norm(110000, "shared_buffers", "12kB"), "1", "11: 12kB truncates to 1 block");
	is_str(norm(110000, "work_mem", "2048B"), "invalid", "11: B only for byte parameters");
	is_str(norm(110000, "track_activity_query_size", "2kB"), "2048", "11: B-unit parameter takes kB");
	is_str(norm(100000, "track_activity_query_size", "2kB"), "invalid", "10: no unit for it yet");
}

static void test_time(void)
{
	is_str(norm(150000, "checkpoint_timeout", "60s"), "60", "checkpoint_timeout 60s");
	is_str(norm(150000, "checkpoint_timeout", "1min"), "60", "1min = 60s");
	is_str(norm(150000, "checkpoint_timeout", "1h"), "3600", "1h = 3600 s");
	is_str(norm(150000, "checkpoint_timeout", "1d"), "86400", "1d");
	is_str(norm(150000, "checkpoint_timeout", "1500ms"), "2", "1500ms rounds to 2 s");
	is_str(norm(150000, "statement_timeout", "1.5s"), "1500", "1.5s = 1500 ms");
	is_str(norm(150000, "statement_timeout", "250us"), "0", "250us rounds to 0 ms");
	is_str(norm(150000, "log_rotation_age", "1h"), "60", "min-unit parameter");
	is_str(norm(150000, "log_rotation_age", "90s"), "2", "90s = 1.5min rounds to 2");
	is_str(norm(150000, "checkpoint_timeout", "1M"), "invalid", "M is not a time unit");
	is_str(norm(150000, "checkpoint_timeout", "1kB"), "invalid", "memory unit on a time parameter");
	is_str(norm(110000, "statement_timeout", "1us"), "invalid", "11: no us unit");
	is_str(norm(110000, "log_rotation_age", "90s"), "1", "11: 90s truncates to 1min");
}

static void test_real(void)
{
	is_str(norm(150000, "checkpoint_completion_target", "0.9"), "0.9", "real 0.9 stays 0.9");
	is_str(norm(150000, "checkpoint_completion_target", ".90"), "0.9", "real .90 = 0.9");
	is_str(norm(150000, "random_page_cost", "4"), "4", "real 4");
	is_str(norm(150000, "random_page_cost", "1e1"), "10", "real 1e1");
	is_str(norm(150000, "random_page_cost", "0.1234567"), "0.1234567", "real keeps its digits");
	is_str(norm(150000, "random_page_cost", "x"), "invalid", "real x");
	is_str(norm(150000, "random_page_cost", "1s"), "invalid", "real without unit takes none");
	is_str(norm(150000, "vacuum_cost_delay", "0.5ms"), "0.5", "real with unit 0.5ms");
	is_str(norm(150000, "vacuum_cost_delay", "1s"), "1000", "real with unit 1s = 1000 ms");
	is_str(norm(150000, "vacuum_cost_delay", "1500us"), "1.5", "real 1500us");
}

static void test_bool_enum_string(void)
{
	static const char *const yes[] = {"on", "ON", "true", "t", "TRU", "yes", "y", "1"};
	static const char *const no[] = {"off", "of", "OFF", "false", "f", "no", "n", "0"};
	static const char *const bad[] = {"maybe", "o", "2", "", "truex", " on", "onn"};
	size_t i;
	char name[64];

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		snprintf(name, sizeof name, "bool: '%s' is on", yes[i]);
		is_str(norm(150000, "fsync", yes[i]), "on", name);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		snprintf(name, sizeof name, "bool: '%s' is off", no[i]);
		is_str(norm(150000, "fsync", no[i]), "off", name);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(name, sizeof name, "bool: '%s' is invalid", bad[i]);
		is_str(norm(150000, "fsync", bad[i]), "invalid", name);
	}
	is_str(norm(150000, "wal_level", "REPLICA"), "replica", "enum: case-insensitive");
	is_str(norm(150000, "wal_level", "hot_standby"), "replica", "enum: hidden alias hot_standby");
	is_str(norm(150000, "wal_level", "repl"), "invalid", "enum: no prefixes");
	is_str(norm(150000, "synchronous_commit", "true"), "on", "enum: boolean alias");
	is_str(norm(150000, "synchronous_commit", "Remote_Apply"), "remote_apply", "enum: lower-cased");
	is_str(norm(150000, "log_min_messages", "debug"), "debug2", "enum: debug is debug2");
	is_str(norm(150000, "ssl_min_protocol_version", "tlsv1.2"), "TLSv1.2", "enum: canonical spelling");
	is_str(norm(150000, "default_transaction_isolation", "READ COMMITTED"), "read committed",
	       "enum: value with a space");
	is_str(norm(120000, "password_encryption", "on"), "md5", "enum: 12 password_encryption on = md5");
	is_str(norm(150000, "password_encryption", "on"), "invalid", "enum: 15 refuses on");
	is_str(norm(150000, "wal_compression", "on"), "pglz", "enum: wal_compression on is pglz (15)");
	is_str(norm(140000, "wal_compression", "yes"), "on", "bool: wal_compression yes (14)");
	is_str(norm(150000, "DateStyle", "iso, dmy"), "ISO, DMY", "DateStyle: as the server shows it");
	is_str(norm(150000, "DateStyle", "German"), "German, DMY", "DateStyle: German alone means DMY");
	is_str(norm(150000, "DateStyle", "iso, sql"), "invalid", "DateStyle: two styles");
	is_str(norm(150000, "search_path", "\"$user\", Public"), "\"$user\", Public", "string unchanged");
	{
		char *s = pgparams_normalise(NULL, "Whatever", NULL);

		is_str(s, "Whatever", "unknown parameter: value as it is");
		free(s);
	}
}

/* pgparams_equal: the amounts two versions' units stand for. */
static void test_equal(void)
{
	struct pgparam kb = { "work_mem", PGP_INTEGER, "kB", NULL, NULL, NULL };
	struct pgparam pages = { "shared_buffers", PGP_INTEGER, "8kB", NULL, NULL, NULL };
	struct pgparam mb = { "max_wal_size", PGP_INTEGER, "MB", NULL, NULL, NULL };
	struct pgparam ms = { "x", PGP_INTEGER, "ms", NULL, NULL, NULL };
	struct pgparam s = { "x", PGP_INTEGER, "s", NULL, NULL, NULL };

	ok(pgparams_equal(&kb, "4096", &kb, "4096"), "same text, same unit");
	ok(pgparams_equal(NULL, "on", NULL, "on"), "same text, unknown parameter");
	ok(!pgparams_equal(NULL, "on", NULL, "off"), "other text, unknown parameter");
	ok(pgparams_equal(&pages, "16384", &kb, "131072"), "16384 x 8kB = 131072 kB");
	ok(!pgparams_equal(&pages, "16384", &kb, "16384"), "the same number in two units differs");
	ok(pgparams_equal(&mb, "1024", &kb, "1048576"), "1024 MB = 1048576 kB");
	ok(pgparams_equal(&s, "60", &ms, "60000"), "60 s = 60000 ms");
	ok(!pgparams_equal(&s, "1", &kb, "1000000"), "a time never equals a size");
	ok(pgparams_equal(&mb, "-1", &kb, "-1"), "-1 equals -1 in any unit");
	ok(!pgparams_equal(&mb, "-1", &kb, "-1024"), "-1 is not a number of units");
	ok(!pgparams_equal(&mb, "x", &kb, "y"), "not numbers");
}

int main(void)
{
	test_versions();
	test_lookup();
	test_changes();
	test_first_letter_index();
	test_memory();
	test_time();
	test_real();
	test_bool_enum_string();
	test_equal();
	return done_testing();
}
