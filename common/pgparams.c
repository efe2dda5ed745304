/*
 * pgparams: per-version knowledge of PostgreSQL's parameters, over tables
 * that tests/lib/gen-pgparams.sh generates from pg_settings snapshots of real
 * servers (data/pg_settings/MAJOR.tsv, 10 and later) and from the change
 * table (data/pg_param_changes.tsv, back to 8.x).  Versions before the
 * oldest snapshot have no parameter list: only the change table knows them.
 *
 * pgparams_normalise follows the server's own parsing (guc.c: parse_bool,
 * parse_int, parse_real, convert_to_base_unit and the unit conversion
 * tables), including how it changed in 12, when integer parameters started
 * to accept fractions ("1.5GB") and the "B" and "us" units appeared for
 * every memory and time parameter.  What it cannot know from pg_settings
 * snapshots: each parameter's min and max (a value in range here may still
 * be refused by the server) and check hooks.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgparams.h"
#include "pgparams_int.h"

#include "ascii.h"
#include "buf.h"
#include "pgversion.h"

int pgparams_version(const char *s)
{
	return pgversion_major(pgversion_parse(s));
}

size_t pgparams_versions(const int **out)
{
	if (out)
		*out = pgparams_data_versions;
	return pgparams_data_nversions;
}

int pgparams_known(int version)
{
	size_t i;

	if (version <= 0)
		return 0;
	for (i = 0; i < pgparams_data_nversions; i++)
		if (pgparams_data_versions[i] == pgversion_major(version))
			return 1;
	return 0;
}

/*
 * The snapshot of version index i as struct pgparam, made on first use.  A
 * run asks about a few dozen of some 400 names, so rows are unpacked when a
 * lookup first finds them, into the next free place of unpacked[i]:
 * slot_of[i][k] is row k's place plus one, 0 while it is packed.  The pages
 * a start-up touches are then one or two, not the whole table.
 *
 * by_first[i][c]: the first row of snapshot i whose name starts with byte c
 * once lower-cased (the rows are sorted by lower-cased name), so that a
 * lookup searches only the names with its first letter: a 100 000-line
 * file asks about every name it sets, most of them unknown.
 *
 * starts[i]: a bit for each pair of first two bytes (lower-cased; a
 * one-byte name's second is its NUL) that some name of snapshot i begins
 * with: most unknown names are answered by it, without a search.
 */
static struct pgparam *unpacked[32];
static size_t nunpacked[32];
static unsigned short *slot_of[32];
static unsigned short *by_first[32];
static unsigned char *starts[32];

#define STARTS_SIZE (256 * 256 / 8)

/* The bit of starts for name's first two bytes: its byte, *bit its mask. */
static size_t start_of(const char *name, unsigned char *bit)
{
	unsigned c0 = (unsigned)ascii_tolower((unsigned char)name[0]);
	unsigned c1 = c0 ? (unsigned)ascii_tolower((unsigned char)name[1]) : 0;

	*bit = (unsigned char)(1u << (c1 & 7));
	return c0 * 32 + c1 / 8;
}

/* Mark the first two bytes of each of n names; name_at(rows, k) names row k. */
static void index_starts(unsigned char *bits, size_t n,
			 const char *(*name_at)(const void *, size_t), const void *rows)
{
	unsigned char bit;
	size_t k;

	for (k = 0; k < n; k++) {
		size_t at = start_of(name_at(rows, k), &bit);

		bits[at] |= bit;
	}
}

/* Whether some name marked in bits begins as name does. */
static int may_start(const unsigned char *bits, const char *name)
{
	unsigned char bit;
	size_t at = start_of(name, &bit);

	return (bits[at] & bit) != 0;
}

/* Fill first[0..256] for n rows sorted by lower-cased name; name_at(rows, k) names row k. */
static void index_first(unsigned short *first, size_t n, const char *(*name_at)(const void *, size_t),
			const void *rows)
{
	size_t k = 0;
	int c;

	for (c = 0; c <= 256; c++) {
		while (k < n && ascii_tolower((unsigned char)name_at(rows, k)[0]) < c)
			k++;
		first[c] = (unsigned short)k;
	}
}

static const char *str_at(unsigned int off)
{
	return off == PGP_NONE ? NULL : pgparams_strtab + off;
}

static const char *packed_name(const void *rows, size_t k)
{
	return pgparams_strtab + ((const struct pgparam_packed *)rows)[k].name;
}

/* Make snapshot i's array and first-letter index, once. */
static void table(size_t i)
{
	size_t n = pgparams_data_sizes[i];

	if (i >= sizeof unpacked / sizeof unpacked[0] || n >= 65535)
		abort();
	if (!unpacked[i]) {
		unpacked[i] = xmalloc((n + 1) * sizeof *unpacked[i]);
		slot_of[i] = xmalloc((n + 1) * sizeof *slot_of[i]);
		memset(slot_of[i], 0, (n + 1) * sizeof *slot_of[i]);
		by_first[i] = xmalloc(257 * sizeof *by_first[i]);
		index_first(by_first[i], n, packed_name, pgparams_data_tables[i]);
		starts[i] = xcalloc(STARTS_SIZE, 1);
		index_starts(starts[i], n, packed_name, pgparams_data_tables[i]);
	}
}

/* Row k of snapshot i, unpacked on first use. */
static const struct pgparam *row(size_t i, size_t k)
{
	struct pgparam *t;

	if (slot_of[i][k])
		return &unpacked[i][slot_of[i][k] - 1];
	t = &unpacked[i][nunpacked[i]++];
	slot_of[i][k] = (unsigned short)nunpacked[i];
	{
		const struct pgparam_packed *src = &pgparams_data_tables[i][k];

		t->name = str_at(src->name);
		t->type = src->type;
		t->unit = str_at(src->unit);
		t->enumvals = str_at(src->enumvals);
		t->boot_val = str_at(src->boot_val);
		t->context = str_at(src->context);
	}
	return t;
}

static int last_version = -1, last_major;	/* pgparams_lookup's last version */
static size_t last_best;

const struct pgparam *pgparams_lookup(int version, const char *name, int *exact)
{
	size_t i, best = SIZE_MAX, lo, hi;
	const struct pgparam_packed *rows;
	int major;

	if (exact)
		*exact = 0;
	if (name == NULL || version <= 0)
		return NULL;
	/* A run asks one or two versions about every name of a file: find the table once. */
	if (version == last_version) {
		best = last_best;
		major = last_major;
	} else {
		major = pgversion_major(version);
		for (i = 0; i < pgparams_data_nversions; i++)
			if (pgparams_data_versions[i] <= major)
				best = i;
		last_version = version;
		last_major = major;
		last_best = best;
	}
	if (best == SIZE_MAX)
		return NULL;		/* older than every snapshot */
	if (exact)
		*exact = pgparams_data_versions[best] == major;
	table(best);
	if (!may_start(starts[best], name))
		return NULL;
	rows = pgparams_data_tables[best];
	lo = by_first[best][ascii_tolower((unsigned char)name[0])];
	hi = by_first[best][ascii_tolower((unsigned char)name[0]) + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ascii_casecmp(name, pgparams_strtab + rows[mid].name);

		if (c == 0)
			return row(best, mid);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The change rows ordered by name, then by version, built on first use: a
 * 100 000-line file asks about 100 000 names.  changes_first as by_first. */
static const struct pgparam_change **changes_by_name;
static unsigned short changes_first[257];
static unsigned char changes_starts[STARTS_SIZE];	/* as starts */

static const char *change_name(const void *rows, size_t k)
{
	return ((const struct pgparam_change *const *)rows)[k]->name;
}

static int cmp_change(const void *a, const void *b)
{
	const struct pgparam_change *x = *(const struct pgparam_change *const *)a;
	const struct pgparam_change *y = *(const struct pgparam_change *const *)b;
	int c = ascii_casecmp(x->name, y->name);

	return c ? c : (x->version > y->version) - (x->version < y->version);
}

const struct pgparam_change *pgparams_change(const char *name, int old_version, int new_version)
{
	size_t lo, hi, i;

	if (name == NULL)
		return NULL;
	if (!changes_by_name) {
		const struct pgparam_change **v = xmalloc((pgparams_data_nchanges + 1) * sizeof *v);

		if (pgparams_data_nchanges >= 65535)
			abort();
		for (i = 0; i < pgparams_data_nchanges; i++)
			v[i] = &pgparams_data_changes[i];
		qsort(v, pgparams_data_nchanges, sizeof *v, cmp_change);
		changes_by_name = v;
		index_first(changes_first, pgparams_data_nchanges, change_name, v);
		index_starts(changes_starts, pgparams_data_nchanges, change_name, v);
	}
	if (!may_start(changes_starts, name))
		return NULL;
	lo = changes_first[ascii_tolower((unsigned char)name[0])];
	hi = changes_first[ascii_tolower((unsigned char)name[0]) + 1];
	/* The first row of this name, then the earliest change in range. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ascii_casecmp(changes_by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < pgparams_data_nchanges && ascii_casecmp(changes_by_name[i]->name, name) == 0;
	     i++) {
		const struct pgparam_change *c = changes_by_name[i];

		if (c->version > old_version && c->version <= new_version)
			return c;
	}
	return NULL;
}

/*
 * The version whose snapshot p comes from, so that normalisation follows
 * that version's rules; 0 when p is not from our tables (then the newest
 * rules apply).  Pointers are compared as integers: p may come from anywhere.
 */
static int version_of(const struct pgparam *p)
{
	uintptr_t a = (uintptr_t)p;
	size_t i;

	for (i = 0; i < pgparams_data_nversions; i++) {
		uintptr_t lo, hi;

		if (!unpacked[i])
			continue;	/* p can only come from a table already unpacked */
		lo = (uintptr_t)unpacked[i];
		hi = (uintptr_t)(unpacked[i] + pgparams_data_sizes[i]);

		if (a >= lo && a < hi)
			return pgparams_data_versions[i];
	}
	return 0;
}

static char *dup_str(const char *s)
{
	return xstrdup(s);
}

static char *fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return NULL;
}

/*
 * The server's parse_bool_with_len (utils/adt/bool.c), on a whole string:
 * a word or a prefix of it ("t", "tr"), but at least two letters of on and
 * off ("o" is ambiguous); 1 and 0 alone.
 */
static int parse_bool(const char *v, int *result)
{
	static const struct {
		const char *word;
		size_t least;
		int value;
	} words[] = {
		{ "true", 1, 1 }, { "false", 1, 0 }, { "yes", 1, 1 }, { "no", 1, 0 },
		{ "on", 2, 1 }, { "off", 2, 0 }, { "1", 1, 1 }, { "0", 1, 0 },
	};
	size_t len = strlen(v), i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (len < words[i].least || len > strlen(words[i].word) ||
		    strncasecmp(v, words[i].word, len) != 0)
			continue;
		*result = words[i].value;
		return 1;
	}
	return 0;
}

/*
 * Units.  A parameter's unit as pg_settings shows it ("8kB", "MB", "s") is
 * a size in bytes or microseconds; an input unit is one of the server's
 * table, in the table's order (largest first), so that "the next smaller
 * unit" of the server's rounding rule is the next entry.
 */
struct unit {
	const char *name;
	double size;		/* bytes or microseconds */
	int since;		/* first major version accepting it as an input unit */
};

static const struct unit memory_units[] = {
	{"TB", 1099511627776.0, 0}, {"GB", 1073741824.0, 0}, {"MB", 1048576.0, 0},
	{"kB", 1024.0, 0}, {"B", 1.0, 110000}, {NULL, 0, 0}
};
static const struct unit time_units[] = {
	{"d", 86400e6, 0}, {"h", 3600e6, 0}, {"min", 60e6, 0}, {"s", 1e6, 0},
	{"ms", 1e3, 0}, {"us", 1.0, 120000}, {NULL, 0, 0}
};

/* A parameter unit's size and table, from its pg_settings spelling. */
static const struct unit *param_unit(const char *unit, double *size)
{
	const char *p = unit;
	double n = 1;
	const struct unit *t;

	if (unit == NULL || *unit == '\0')
		return NULL;
	if (isdigit((unsigned char)*p)) {	/* "8kB", "16MB" */
		n = strtod(p, (char **)&p);
		if (n <= 0)
			return NULL;
	}
	for (t = memory_units; t->name; t++)
		if (strcmp(p, t->name) == 0) {
			*size = n * t->size;
			return memory_units;
		}
	for (t = time_units; t->name; t++)
		if (strcmp(p, t->name) == 0) {
			*size = n * t->size;
			return time_units;
		}
	return NULL;
}

int pgparams_is_list(const char *name)
{
	static const char *const lists[] = {
		"search_path", "shared_preload_libraries", "session_preload_libraries", "local_preload_libraries",
		"temp_tablespaces", "log_destination", "unix_socket_directories", "listen_addresses",
	};
	size_t i;

	for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if (ascii_casecmp(name, lists[i]) == 0)
			return 1;
	return 0;
}

int pgparams_equal(const struct pgparam *pa, const char *a, const struct pgparam *pb, const char *b)
{
	const struct unit *ta, *tb;
	double sa, sb, va, vb;
	char *ea, *eb;

	if (strcmp(a, b) == 0 && (!pa || !pb || !pa->unit || !pb->unit || strcmp(pa->unit, pb->unit) == 0))
		return 1;
	if (!pa || !pb || !pa->unit || !pb->unit)
		return 0;
	ta = param_unit(pa->unit, &sa);
	tb = param_unit(pb->unit, &sb);
	if (!ta || ta != tb)
		return 0;
	va = strtod(a, &ea);
	vb = strtod(b, &eb);
	if (ea == a || eb == b || *ea || *eb)
		return 0;
	if (va == -1 || vb == -1)	/* -1 means "auto"/"off" whatever the unit */
		return va == vb;
	return va * sa == vb * sb;
}

/*
 * The unit text names in table: up to three letters, then nothing but
 * white space, as convert_to_base_unit reads it; NULL when none.
 */
static const struct unit *
find_unit(const char *text, const struct unit *table)
{
	char name[4];
	size_t n = 0;
	const struct unit *u;

	while (*text && !isspace((unsigned char)*text) && n < sizeof name - 1)
		name[n++] = *text++;
	name[n] = '\0';
	while (isspace((unsigned char)*text))
		text++;
	if (*text != '\0')
		return NULL;		/* unit too long, or garbage after it */
	for (u = table; u->name; u++)
		if (strcmp(name, u->name) == 0)
			return u;
	return NULL;
}

/*
 * convert_to_base_unit of 12 and later: value in unit text -> value in the
 * parameter's unit, a fraction rounded to a multiple of the next smaller
 * unit.  Multipliers are single divisions of exact integers, as the
 * server's table writes them (1.0 / (1000 * 60)), hence the same doubles.
 */
static int convert_double(double value, const char *text, const struct unit *table,
			  double psize, double *out)
{
	const struct unit *u = find_unit(text, table);
	double cvalue;

	if (!u)
		return 0;
	cvalue = value * (u->size / psize);
	if (u[1].name) {
		double next = u[1].size / psize;

		cvalue = rint(cvalue / next) * next;
	}
	*out = cvalue;
	return 1;
}

/*
 * convert_to_base_unit of 10 and 11: integer arithmetic, a multiplier when
 * the unit is larger than the parameter's, a truncating division when it is
 * smaller.  "B" exists only for byte parameters (11), "us" not at all.
 */
static int convert_int64(long long value, const char *text, const struct unit *table,
			 double psize, int version, long long *out)
{
	const struct unit *u = find_unit(text, table);

	if (!u || u->since > version)
		return 0;
	if (strcmp(u->name, "B") == 0 && psize != 1.0)
		return 0;
	if (u->size >= psize) {
		long long m = (long long)(u->size / psize);

		if (value != 0 && (value > LLONG_MAX / m || value < LLONG_MIN / m))
			return 0;
		*out = value * m;
	} else {
		*out = value / (long long)(psize / u->size);
	}
	return 1;
}

static const char *unit_hint(const struct unit *table)
{
	return table == memory_units ?
	       "invalid unit: valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\"" :
	       "invalid unit: valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"";
}

/* The server's parse_int (12 and later). */
static char *norm_int(const struct pgparam *p, const char *v, const char **why)
{
	double val, psize = 1;
	char *end;
	const struct unit *table = param_unit(p->unit, &psize);
	char buf[32];

	errno = 0;
	val = (double)strtol(v, &end, 0);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
		errno = 0;
		val = strtod(v, &end);
	}
	if (end == v || errno == ERANGE || isnan(val))
		return fail(why, "invalid value for an integer parameter");
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0') {
		if (table == NULL)
			return fail(why, "invalid value for an integer parameter: it takes no unit");
		if (!convert_double(val, end, table, psize, &val))
			return fail(why, unit_hint(table));
	}
	val = rint(val);
	if (val > INT_MAX || val < INT_MIN)
		return fail(why, "value exceeds integer range");
	snprintf(buf, sizeof buf, "%d", (int)val);
	return dup_str(buf);
}

/* The server's parse_int of 10 and 11: integers only. */
static char *norm_int_old(const struct pgparam *p, const char *v, int version, const char **why)
{
	long long val;
	char *end;
	double psize = 1;
	const struct unit *table = param_unit(p->unit, &psize);
	char buf[32];

	errno = 0;
	val = strtoll(v, &end, 0);
	if (end == v)
		return fail(why, "invalid value for an integer parameter");
	if (errno == ERANGE || val > INT_MAX || val < INT_MIN)
		return fail(why, "value exceeds integer range");
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0') {
		if (table == NULL)
			return fail(why, "invalid value for an integer parameter: it takes no unit");
		if (!convert_int64(val, end, table, psize, version, &val))
			return fail(why, unit_hint(table));
		if (val > INT_MAX || val < INT_MIN)
			return fail(why, "value exceeds integer range");
	}
	snprintf(buf, sizeof buf, "%lld", val);
	return dup_str(buf);
}

/*
 * A real as the server shows it ("%g") when that reads back as the same
 * double, else with just enough more digits that it does: equal values
 * give equal strings, and common values print as SHOW prints them.
 */
static char *format_real(double val)
{
	char buf[40];
	int prec;

	if (val == 0)
		val = 0;	/* -0 prints as 0, as equal values must */
	for (prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, val);
		if (strtod(buf, NULL) == val)
			break;
	}
	return dup_str(buf);
}

/* The server's parse_real; units only from 12 on. */
static char *norm_real(const struct pgparam *p, const char *v, int version, const char **why)
{
	double val, psize = 1;
	char *end;
	const struct unit *table = param_unit(p->unit, &psize);

	errno = 0;
	val = strtod(v, &end);
	if (end == v || errno == ERANGE || isnan(val))
		return fail(why, "invalid value for a real parameter");
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0') {
		if (table == NULL || version < 120000)
			return fail(why, "invalid value for a real parameter: it takes no unit");
		if (!convert_double(val, end, table, psize, &val))
			return fail(why, unit_hint(table));
	}
	if (isinf(val))
		return fail(why, "value out of range");
	return format_real(val);
}

/* Whether the comma-separated list has item (case-insensitively); its spelling in *canon. */
static int enum_has(const char *list, const char *item, char *canon, size_t canon_size)
{
	const char *s = list;

	for (;;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (strlen(item) == n && strncasecmp(s, item, n) == 0) {
			if (canon) {
				if (n >= canon_size)
					return 0;
				memcpy(canon, s, n);
				canon[n] = '\0';
			}
			return 1;
		}
		if (!e)
			return 0;
		s = e + 1;
	}
}

/*
 * Enums: the server matches names case-insensitively and exactly (no
 * prefixes), and shows the canonical spelling.  pg_settings lists only the
 * visible names; the hidden aliases the server also accepts are rebuilt
 * here from what guc.c's option tables hold.
 */
static char *norm_enum(const struct pgparam *p, const char *v, int version, const char **why)
{
	static const char *const bool_names[] = {"true", "false", "yes", "no", "1", "0"};
	char canon[128];
	size_t i;

	if (p->enumvals == NULL)
		return fail(why, "invalid value: no enum values known");
	/* wal_compression (15 and later): on is pglz, and the server shows pglz. */
	if (ascii_casecmp(p->name, "wal_compression") == 0 && enum_has(p->enumvals, "pglz", NULL, 0) &&
	    (strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0 ||
	     strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0))
		return dup_str("pglz");
	if (enum_has(p->enumvals, v, canon, sizeof canon))
		return dup_str(canon);
	/* Enums with on and off accept the boolean spellings as hidden aliases. */
	if (enum_has(p->enumvals, "on", NULL, 0) && enum_has(p->enumvals, "off", NULL, 0)) {
		for (i = 0; i < sizeof bool_names / sizeof bool_names[0]; i++)
			if (strcasecmp(v, bool_names[i]) == 0)
				return dup_str(i % 2 == 0 ? "on" : "off");
	}
	/* Message levels: "debug" is a hidden alias of debug2. */
	if (strcasecmp(v, "debug") == 0 && enum_has(p->enumvals, "debug2", NULL, 0))
		return dup_str("debug2");
	/* wal_level: archive and hot_standby mean replica (9.6 and later). */
	if ((strcasecmp(v, "archive") == 0 || strcasecmp(v, "hot_standby") == 0) &&
	    ascii_casecmp(p->name, "wal_level") == 0 && enum_has(p->enumvals, "replica", NULL, 0))
		return dup_str("replica");
	/* password_encryption 10-13: on, true, yes and 1 mean md5. */
	if (ascii_casecmp(p->name, "password_encryption") == 0 && version > 0 && version < 140000) {
		for (i = 0; i < sizeof bool_names / sizeof bool_names[0]; i += 2)
			if (strcasecmp(v, bool_names[i]) == 0 || strcasecmp(v, "on") == 0)
				return dup_str("md5");
	}
	return fail(why, "invalid value for an enum parameter");
}

/*
 * The next item of a list the way SplitIdentifierString (varlena.c) takes
 * it apart: blanks around items, "quoted" items kept as written ("" is a
 * quote), others lower-cased (DateStyle compares either case-insensitively).  The item goes to out (cut at outn - 1);
 * returns where the next one starts, or NULL on a syntax error.  *done
 * is set after the last item.
 */
static const char *list_item(const char *s, char *out, size_t outn, int *done)
{
	size_t n = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '"') {
		for (s++;; s++) {
			if (*s == '\0')
				return NULL;
			if (*s == '"' && s[1] != '"')
				break;
			if (*s == '"')
				s++;
			if (n + 1 < outn)
				out[n++] = *s;
		}
		s++;
	} else {
		const char *start = s;

		while (*s && *s != ',' && !isspace((unsigned char)*s)) {
			if (n + 1 < outn)
				out[n++] = (char)tolower((unsigned char)*s);
			s++;
		}
		if (s == start)
			return NULL;
	}
	out[n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	*done = *s == '\0';
	if (*s == ',')
		s++;
	else if (*s)
		return NULL;
	return s;
}

/*
 * DateStyle as check_datestyle (commands/variable.c) reads it: a list of
 * a style (ISO, SQL, Postgres, German) and an order (YMD, DMY or Euro...,
 * MDY, US or NonEuro...), case-insensitively, the part not given kept
 * from the default ISO, MDY (German alone means DMY); shown as the server
 * shows it, "SQL, DMY".  'iso, mdy' and 'ISO,MDY' are both "ISO, MDY".
 */
static char *norm_datestyle(const char *v, const char **why)
{
	static const char *const styles[] = { "ISO", "SQL", "Postgres", "German" };
	static const char *const orders[] = { "MDY", "DMY", "YMD" };
	int style = 0, order = 0, have_style = 0, have_order = 0, done = v[strspn(v, " \t\n\r\f\v")] == '\0';
	const char *p = v;
	char tok[64], out[32];

	while (!done && (p = list_item(p, tok, sizeof tok, &done)) != NULL) {
		int st = -1, od = -1;

		if (strcasecmp(tok, "iso") == 0)
			st = 0;
		else if (strcasecmp(tok, "sql") == 0)
			st = 1;
		else if (strncasecmp(tok, "postgres", 8) == 0)
			st = 2;
		else if (strcasecmp(tok, "german") == 0)
			st = 3;
		else if (strcasecmp(tok, "ymd") == 0)
			od = 2;
		else if (strcasecmp(tok, "dmy") == 0 || strncasecmp(tok, "euro", 4) == 0)
			od = 1;
		else if (strcasecmp(tok, "mdy") == 0 || strcasecmp(tok, "us") == 0 ||
			 strncasecmp(tok, "noneuro", 7) == 0)
			od = 0;
		else if (strcasecmp(tok, "default") == 0) {
			/* the reset value, ISO, MDY, for the parts not given yet */
			if (!have_style)
				style = 0;
			if (!have_order)
				order = 0;
		} else {
			return fail(why, "invalid value: unrecognized key word");
		}
		if (st >= 0) {
			if (have_style && style != st)
				return fail(why, "conflicting \"datestyle\" specifications");
			style = st;
			have_style = 1;
			if (st == 3 && !have_order)
				order = 1;
		}
		if (od >= 0) {
			if (have_order && order != od)
				return fail(why, "conflicting \"datestyle\" specifications");
			order = od;
			have_order = 1;
		}
	}
	if (!p || !done)
		return fail(why, "invalid list syntax");
	snprintf(out, sizeof out, "%s, %s", styles[style], orders[order]);
	return dup_str(out);
}

char *pgparams_normalise(const struct pgparam *p, const char *value, const char **why)
{
	int version, b;

	if (why)
		*why = NULL;
	if (value == NULL)
		return fail(why, "no value");
	if (p == NULL)
		return dup_str(value);
	version = version_of(p);
	switch (p->type) {
	case PGP_BOOL:
		if (!parse_bool(value, &b))
			return fail(why, "invalid value for a boolean parameter");
		return dup_str(b ? "on" : "off");
	case PGP_INTEGER:
		if (version != 0 && version < 120000)
			return norm_int_old(p, value, version, why);
		return norm_int(p, value, why);
	case PGP_REAL:
		return norm_real(p, value, version == 0 ? INT_MAX : version, why);
	case PGP_ENUM:
		return norm_enum(p, value, version, why);
	case PGP_STRING:
		if (ascii_casecmp(p->name, "datestyle") == 0)
			return norm_datestyle(value, why);
		break;
	}
	return dup_str(value);
}

/*
 * "*16MB": an integer count (of old 16MB WAL segments) becomes that many
 * times 16 in MB, as pg_upgradecluster writes it.
 */
static char *convert_times(const char *spec, const char *value, const char **why)
{
	char *end;
	long long n, m;
	const char *unit;
	char buf[64];

	errno = 0;
	m = strtoll(spec + 1, &end, 10);
	if (errno || m <= 0 || *end == '\0')
		return fail(why, "bad conversion rule");
	unit = end;
	errno = 0;
	n = strtoll(value, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	if (end == value || *end != '\0' || errno == ERANGE || n < 0 || n > INT_MAX)
		return fail(why, "not a plain count: convert by hand");
	snprintf(buf, sizeof buf, "%lld%s", n * m, unit);
	return dup_str(buf);
}

/* "map:true=Australia,false=Default": by key, or by boolean value when the keys are booleans. */
static char *convert_map(const char *spec, const char *value, const char **why)
{
	const char *s = spec + 4;
	int b, kb, isbool = parse_bool(value, &b);

	while (*s) {
		const char *eq = strchr(s, '='), *e;
		size_t klen;

		if (!eq)
			return fail(why, "bad conversion rule");
		e = strchr(eq + 1, ',');
		if (!e)
			e = eq + strlen(eq);
		klen = (size_t)(eq - s);
		{
			char key[64];
			size_t vlen = (size_t)(e - eq - 1);

			if (klen >= sizeof key)
				return fail(why, "bad conversion rule");
			memcpy(key, s, klen);
			key[klen] = '\0';
			if (strcasecmp(key, value) == 0 ||
			    (isbool && parse_bool(key, &kb) && kb == b)) {
				return xstrndup(eq + 1, vlen);
			}
		}
		s = *e ? e + 1 : e;
	}
	return fail(why, "value has no mapping: convert by hand");
}

char *pgparams_convert(const struct pgparam_change *c, const char *value, const char **why)
{
	if (why)
		*why = NULL;
	if (c == NULL || value == NULL)
		return fail(why, "nothing to convert");
	if (c->conversion == NULL)
		return fail(why, "not a renamed parameter");
	if (c->conversion[0] == '\0')
		return dup_str(value);
	if (c->conversion[0] == '*')
		return convert_times(c->conversion, value, why);
	if (strncmp(c->conversion, "map:", 4) == 0)
		return convert_map(c->conversion, value, why);
	return fail(why, "unknown conversion rule");
}
