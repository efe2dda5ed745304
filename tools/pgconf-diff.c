/*
 * pgconf-diff: compare two clusters' postgresql.conf by meaning -- includes,
 * conf.d and postgresql.auto.conf followed as the server follows them, units,
 * booleans, quoting and case normalised per version -- and carry OLD's
 * customisations over to NEW's version as a config snippet or as ALTER
 * SYSTEM statements.  --unified prints the guide's grep|diff, exactly.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <getopt.h>
#include <pcre2.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "cluster.h"
#include "conffiles.h"
#include "diag.h"
#include "fileio.h"
#include "hashidx.h"
#include "out.h"
#include "pgconf.h"
#include "pgparams.h"
#include "pgversion.h"

extern char **environ;

/* Settings that belong to one cluster and must not be carried to another. */
static const char *const cluster_specific[] = {
	"port", "data_directory", "hba_file", "ident_file", "external_pid_file", "cluster_name",
	"unix_socket_directories", "unix_socket_directory", "stats_temp_directory", "config_file",
	"ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_crl_file", "ssl_crl_dir", "ssl_dh_params_file",
	"include", "include_if_exists", "include_dir",
};

enum mode { MODE_DIFF, MODE_CARRY, MODE_UNIFIED };

static struct {
	enum mode mode;
	enum out_format format;
	int all;
	const char *ignore, *only;
	const char *old_version, *new_version;
	int alter_system;
	const char *write;
	const char *backup;
	int dry_run;
} opt;

static pcre2_code *re_ignore, *re_only;
static pcre2_match_data *re_md;

/* One side of the comparison. */
struct side {
	const char *label;	/* "OLD" or "NEW" */
	struct cluster cl;
	struct pgconf_model m;
	struct pgconf_index ix;	/* the names it sets, in order of first appearance, hashed */
	int version;		/* 150000, or -1 when unknown */
	int params_version;	/* the version whose parameter table is used */
	char *version_text;
};

static void usage(void)
{
	printf("pgconf-diff compares postgresql.conf files by meaning and carries settings to a new version.\n\n"
	       "Usage:\n"
	       "  pgconf-diff [options] OLD NEW\n"
	       "  pgconf-diff --carry [--format=conf|alter-system] [--write FILE] [options] OLD NEW\n"
	       "  pgconf-diff --unified OLD NEW\n\n"
	       "OLD and NEW are a postgresql.conf, a config or data directory, or VER/NAME\n"
	       "(a cluster under $PG_CLUSTER_CONF_ROOT, default /etc/postgresql).\n\n"
	       "Options:\n"
	       "  -c, --carry              print OLD's customisations written for NEW's version\n"
	       "  -u, --unified            print the guide's diff of the uncommented lines\n"
	       "  -f, --format=FORMAT      with --carry: conf (default) or alter-system\n"
	       "  -w, --write=FILE         with --carry: write the snippet to FILE atomically\n"
	       "  -b, --backup[=SUFFIX]    with --write: keep the old FILE as FILE.bak (or FILE followed by SUFFIX)\n"
	       "  -n, --dry-run            with --write: print the change as a unified diff, write nothing\n"
	       "  -a, --all                also list the settings that are the same\n"
	       "  -j, --json               print JSON\n"
	       "  -I, --ignore=REGEX       leave out parameters whose name matches REGEX (PCRE2)\n"
	       "  -O, --only=REGEX         compare only parameters whose name matches REGEX (PCRE2)\n"
	       "      --old-version=V      OLD's major version (default: PG_VERSION or VER)\n"
	       "      --new-version=V      NEW's major version (default: PG_VERSION or VER)\n"
	       "  -V, --version            print the version and exit\n"
	       "  -h, --help               print this help and exit\n\n"
	       "Exit status: 0 same settings, 1 different, 2 trouble.\n");
}

/* ---- loading --------------------------------------------------------- */

static int name_selected(const char *name)
{
	int keep = 1;

	if (!re_ignore && !re_only)
		return 1;
	if (!re_md && !(re_md = pcre2_match_data_create(4, NULL)))
		diag_oom();
	if (re_only && pcre2_match(re_only, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED, 0, 0, re_md, NULL) < 0)
		keep = 0;
	if (keep && re_ignore && pcre2_match(re_ignore, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED, 0, 0, re_md, NULL) >= 0)
		keep = 0;
	return keep;
}

static pcre2_code *compile_re(const char *pattern, const char *option)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &code, &off, NULL);

	if (!re && code == PCRE2_ERROR_HEAP_FAILED)
		diag_oom();
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof msg);
		diag_usage("%s \"%s\": %s at offset %zu", option, pattern, (char *)msg, (size_t)off);
	}
	return re;
}

static void load_side(struct side *s, const char *spec, const char *version_opt, const char *exclude)
{
	struct diag_err err;

	if (cluster_resolve(spec, &s->cl, &err) < 0 || (pgconf_init(&s->m), cluster_load_conf(&s->cl, &s->m, &err) < 0)) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
	s->version = -1;
	if (version_opt) {
		s->version = pgparams_version(version_opt);
		if (s->version < 0)
			diag_usage("\"%s\" is not a PostgreSQL version like 9.6 or 15", version_opt);
	} else if (s->cl.version) {
		s->version = pgparams_version(s->cl.version);
	}
	/* --write FILE in NEW's conf.d holds our own earlier output, not NEW's configuration. */
	if (exclude)
		pgconf_forget_file(&s->m, exclude);
	/* The comparison asks the other side about every name: a hash table, not a scan. */
	pgconf_index_init(&s->ix, &s->m);
}

/* Which version's parameter table reads each side; say so when it is a guess. */
static void choose_tables(struct side *old, struct side *new)
{
	const int *versions;
	size_t n = pgparams_versions(&versions);
	int newest = n ? versions[n - 1] : -1;
	char b1[16];

	old->params_version = old->version >= 0 ? old->version : new->version >= 0 ? new->version : newest;
	new->params_version = new->version >= 0 ? new->version : old->version >= 0 ? old->version : newest;
	/* Before 10 there is no snapshot: units have not changed since, so 10's table reads them. */
	if (n && old->params_version < versions[0])
		old->params_version = versions[0];
	if (n && new->params_version < versions[0])
		new->params_version = versions[0];
	if (old->version < 0)
		diag_warn(old->cl.spec, 0, "version unknown; reading units as PostgreSQL %s does (--old-version)",
			  pgversion_name(old->params_version, b1, sizeof b1));
	if (new->version < 0)
		diag_warn(new->cl.spec, 0, "version unknown; reading units as PostgreSQL %s does (--new-version)",
			  pgversion_name(new->params_version, b1, sizeof b1));
}

/* ---- comparison ------------------------------------------------------ */

struct item {
	const char *name;
	const struct pgconf_setting *o, *n;	/* NULL when that side does not set it */
	const char *onorm, *nnorm;		/* normalised values (or the raw text when unknown/invalid) */
	char *onorm_mem, *nnorm_mem;		/* what onorm and nnorm hold when it is not the raw text */
	const char *owhy, *nwhy;		/* why a value is invalid for its version */
	char *ovalue;				/* OLD's value rewritten in today's unit, or NULL */
	const struct pgparam_change *change;	/* why NEW's version does not know an OLD setting */
	int unknown_new;			/* NEW's version has no such parameter */
	int unknown_old;
	int same;
};

/*
 * value as side s's version stores it, malloc'd, or NULL when that is the
 * value as written (an unknown parameter, an invalid value: *why says);
 * p is pgparams_lookup(s->params_version, name).
 */
static char *normalise(const struct side *s, const struct pgparam *p, const char *name, const char *value,
		       const char **why, char **rewritten)
{
	const struct pgparam_change *c;
	struct buf scaled;
	char *v;

	*why = NULL;
	if (!p)
		return NULL;
	/*
	 * A version older than the table that reads it may have had another
	 * unit: max_wal_size = 64 meant 64 x 16MB in 9.6 (the change table's
	 * "unit:16MB"), so a bare number is rewritten with that unit first.
	 */
	buf_init(&scaled);
	if (s->version >= 0 && s->version < s->params_version &&
	    (c = pgparams_change(name, s->version, s->params_version)) && strcmp(c->change, "unit_changed") == 0 &&
	    c->conversion && strncmp(c->conversion, "unit:", 5) == 0 && value[0] &&
	    strspn(value, "0123456789") == strlen(value) && strlen(value) < 15) {
		char *unit;
		long mult = strtol(c->conversion + 5, &unit, 10);

		buf_printf(&scaled, "%lld%s", strtoll(value, NULL, 10) * (mult > 0 ? mult : 1), unit);
	}
	v = pgparams_normalise(p, scaled.len ? scaled.data : value, why);
	if (rewritten && scaled.len)
		*rewritten = buf_steal(&scaled);
	buf_free(&scaled);
	return v;
}

/*
 * An item under its name's first 8 bytes read as a big-endian number, so
 * that sorting compares integers and calls strcmp only on a shared prefix:
 * the order is strcmp's (names hold no NUL, and a shorter name pads with 0).
 */
struct keyed {
	uint64_t key;
	const struct item *it;
};

static uint64_t name_key(const char *s)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 8; i++) {
		k <<= 8;
		if (*s)
			k |= (unsigned char)*s++;
	}
	return k;
}

static int keyed_before(const struct keyed *a, const struct keyed *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	if ((a->key & 0xff) == 0)	/* both names end within the key: equal */
		return 0;
	return strcmp(a->it->name + 8, b->it->name + 8) < 0;
}

/* Merge sort, runs of 8 sorted by insertion first. */
static void sort_keyed(struct keyed *a, size_t n)
{
	struct keyed *tmp = arena_pages((n + 1) * sizeof *tmp), *src = a, *dst = tmp, *t;
	size_t i, j, width;

	for (i = 0; i < n; i += 8) {
		size_t end = i + 8 < n ? i + 8 : n;

		for (j = i + 1; j < end; j++) {
			struct keyed x = a[j];
			size_t k = j;

			for (; k > i && keyed_before(&x, &a[k - 1]); k--)
				a[k] = a[k - 1];
			a[k] = x;
		}
	}
	for (width = 8; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t mid = i + width < n ? i + width : n, end = i + 2 * width < n ? i + 2 * width : n;
			size_t l = i, r = mid, o = i;

			while (l < mid && r < end)
				dst[o++] = keyed_before(&src[r], &src[l]) ? src[r++] : src[l++];
			while (l < mid)
				dst[o++] = src[l++];
			while (r < end)
				dst[o++] = src[r++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
}

/*
 * Every name either side sets, compared: *store holds the items, *out
 * points to them sorted by name (items are large; pointers move), and the
 * count is returned: every name with keep_same, else only the ones that
 * differ (all a diff without --all prints: 200 000 names take some 20 MB
 * of items and sort in more time than the rest of the comparison takes;
 * whether any differs is then whether any is kept).  Each side's own
 * setting of a name is the one its loop visits (eff holds the winners), so
 * only OLD's names ask NEW, and NEW's names that one of them found are
 * passed over by place; the parameter tables once per name and version.
 */
static size_t compare(struct side *old, struct side *new, int keep_same, struct item **store,
		      const struct item ***out)
{
	/* 200 000 names fill some 20 MB of items: whole huge pages, which fault 512 times less */
	struct item *items = arena_pages((old->ix.n + new->ix.n + 1) * sizeof *items);
	unsigned char *in_old = xcalloc(new->ix.n + 1, 1);	/* NEW's names OLD sets too */
	const struct item **sorted;
	struct keyed *order;
	int known_old = pgparams_known(old->version), known_new = pgparams_known(new->version);
	size_t n = 0, i;

	for (i = 0; i < old->ix.n + new->ix.n; i++) {
		int from_old = i < old->ix.n;
		const struct pgconf_setting *s, *other = NULL;
		struct item *it;
		const struct pgparam *po, *pn;

		if (from_old) {
			size_t x;

			/* the slot a few names on, fetched while this one is compared */
			if (i + 8 < old->ix.n)
				hashidx_prefetch(&new->ix.idx, old->ix.hash[i + 8]);
			s = old->ix.eff[i];
			x = pgconf_index_pos(&new->ix, s);
			if (x != (size_t)-1) {
				other = new->ix.eff[x];
				in_old[x] = 1;
			}
		} else {
			if (in_old[i - old->ix.n])
				continue;
			s = new->ix.eff[i - old->ix.n];
		}
		if (!name_selected(s->name))
			continue;
		it = &items[n];
		memset(it, 0, sizeof *it);
		it->name = s->name;
		it->o = from_old ? s : NULL;
		it->n = from_old ? other : s;
		po = pgparams_lookup(old->params_version, it->name, NULL);
		pn = new->params_version == old->params_version ? po
			: pgparams_lookup(new->params_version, it->name, NULL);
		if (it->o) {
			it->onorm_mem = normalise(old, po, it->name, it->o->value, &it->owhy, &it->ovalue);
			it->onorm = it->onorm_mem ? it->onorm_mem : it->o->value;
		}
		if (it->n) {
			it->nnorm_mem = normalise(new, pn, it->name, it->n->value, &it->nwhy, NULL);
			it->nnorm = it->nnorm_mem ? it->nnorm_mem : it->n->value;
		}
		/* Names with a dot are extension placeholders: no version knows them. */
		if (!strchr(it->name, '.')) {
			it->unknown_new = !pn && known_new;
			it->unknown_old = !po && known_old;
			/*
			 * A change in between explains it; else one before OLD's
			 * version (OLD's file was already stale).  The rows of a name
			 * come by version, so the first since 0 is the first in
			 * between whenever it is newer than OLD's version.
			 */
			if (!pn && it->o) {
				it->change = pgparams_change(it->name, 0, new->params_version);
				if (it->change && it->change->version <= old->params_version) {
					const struct pgparam_change *c =
						pgparams_change(it->name, old->params_version, new->params_version);

					if (c)
						it->change = c;
				}
			}
			if (it->change)
				it->unknown_new = 1;
		}
		it->same = it->o && it->n && !it->owhy && !it->nwhy && pgparams_equal(po, it->onorm, pn, it->nnorm);
		/* An item nobody reads is not kept: its place takes the next one. */
		if (!keep_same && it->same) {
			free(it->onorm_mem);
			free(it->ovalue);
			free(it->nnorm_mem);
			continue;
		}
		n++;
	}
	free(in_old);
	order = arena_pages((n + 1) * sizeof *order);
	for (i = 0; i < n; i++) {
		order[i].key = name_key(items[i].name);
		order[i].it = &items[i];
	}
	sort_keyed(order, n);
	sorted = arena_pages((n + 1) * sizeof *sorted);
	for (i = 0; i < n; i++)
		sorted[i] = order[i].it;
	free(order);
	*store = items;
	*out = sorted;
	return n;
}

static void free_items(struct item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].onorm_mem);
		free(items[i].ovalue);
		free(items[i].nnorm_mem);
	}
	free(items);
}

/* ---- the diff ---------------------------------------------------------- */

/*
 * The text output is fixed strings and values: fputs and putchar write
 * them without printf's walk over a format (a third of a run's own work
 * on a realistic pair).
 */
static void put(const char *s)
{
	fputs(s, stdout);
}

static void put_int(int n)
{
	char b[16], *p = b + sizeof b;
	unsigned int u = n < 0 ? 0u - (unsigned int)n : (unsigned int)n;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		*--p = '-';
	put(p);
}

static void where(const struct side *s, const struct pgconf_setting *st)
{
	putchar('(');
	put(s->m.files[st->file].path);
	putchar(':');
	put_int(st->line);
	putchar(')');
}

static void change_text(const struct item *it, const struct side *new, struct buf *b)
{
	char vb[16], cb[16];

	buf_reset(b);
	if (it->change) {
		buf_printf(b, "PostgreSQL %s does not know %s: %s in %s", pgversion_name(new->version, vb, sizeof vb),
			   it->name, it->change->change, pgversion_name(it->change->version, cb, sizeof cb));
		if (it->change->replacement)
			buf_printf(b, ", use %s", it->change->replacement);
	} else if (it->unknown_new && it->o) {
		buf_printf(b, "PostgreSQL %s does not know %s", pgversion_name(new->version, vb, sizeof vb), it->name);
	}
}

static void print_text(const struct item *const *items, size_t n, const struct side *old, const struct side *new)
{
	static const char *const heads[] = { "changed:\n", "only in OLD:\n", "only in NEW:\n", "same:\n" };
	struct buf b;
	size_t i;
	int g;

	buf_init(&b);
	for (g = 0; g < 4; g++) {
		int printed = 0;

		if (g == 3 && !opt.all)
			break;
		for (i = 0; i < n; i++) {
			const struct item *it = items[i];
			int group = it->o && it->n ? (it->same ? 3 : 0) : it->o ? 1 : 2;

			if (group != g)
				continue;
			if (!printed++)
				put(heads[g]);
			if (it->o && it->n) {
				put("  ");
				put(it->name);
				put(": ");
				put(it->o->value_raw);
				putchar(' ');
				where(old, it->o);
				put(" -> ");
				put(it->n->value_raw);
				putchar(' ');
				where(new, it->n);
				putchar('\n');
			} else {
				const struct side *s = it->o ? old : new;
				const struct pgconf_setting *st = it->o ? it->o : it->n;

				put("  ");
				put(it->name);
				put(" = ");
				put(st->value_raw);
				putchar(' ');
				where(s, st);
				putchar('\n');
			}
			change_text(it, new, &b);
			if (b.len) {
				put("    ");
				put(b.data);
				putchar('\n');
			}
			if (it->owhy) {
				put("    invalid for OLD's version: ");
				put(it->owhy);
				putchar('\n');
			}
			if (it->nwhy) {
				put("    invalid for NEW's version: ");
				put(it->nwhy);
				putchar('\n');
			}
			if (it->unknown_new && !it->o) {
				put("    NEW's version does not know ");
				put(it->name);
				putchar('\n');
			}
		}
	}
	buf_free(&b);
}

static void
json_setting(struct out_json *j, const struct side *s, const struct pgconf_setting *st,
	     const char *norm)
{
	if (!st) {
		out_json_null(j);
		return;
	}
	out_json_begin_object(j);
	out_json_field(j, "value", st->value);
	out_json_field(j, "raw", st->value_raw);
	out_json_field(j, "normalised", norm);
	out_json_field(j, "file", s->m.files[st->file].path);
	out_json_key(j, "line");
	out_json_int(j, st->line);
	out_json_end_object(j);
}

static void
json_side(struct out_json *j, const char *key, const struct side *s)
{
	char vb[16];
	const char *version = NULL;

	if (s->version >= 0)
		version = pgversion_name(s->version, vb, sizeof vb);
	out_json_key(j, key);
	out_json_begin_object(j);
	out_json_field(j, "spec", s->cl.spec);
	out_json_field(j, "version", version);
	out_json_end_object(j);
}

static void
print_json(const struct item *const *items, size_t n, const struct side *old,
	   const struct side *new)
{
	static const char *const groups[] = { "changed", "only_old", "only_new", "same" };
	struct out_json js;
	char vb[16];
	struct buf b;
	size_t i;
	int g;

	buf_init(&b);
	out_json_init(&js, stdout, 0);
	out_json_begin_object(&js);
	json_side(&js, "old", old);
	json_side(&js, "new", new);
	for (g = 0; g < 4; g++) {
		if (g == 3 && !opt.all)
			break;
		/* One line per group. */
		out_json_break(&js);
		out_json_key(&js, groups[g]);
		out_json_begin_array(&js);
		for (i = 0; i < n; i++) {
			const struct item *it = items[i];
			int group = it->o && it->n ? (it->same ? 3 : 0) : it->o ? 1 : 2;

			if (group != g)
				continue;
			out_json_begin_object(&js);
			out_json_field(&js, "name", it->name);
			out_json_key(&js, "old");
			json_setting(&js, old, it->o, it->onorm);
			out_json_key(&js, "new");
			json_setting(&js, new, it->n, it->nnorm);
			out_json_key(&js, "unknown_to_new");
			out_json_bool(&js, it->unknown_new);
			if (it->change) {
				out_json_key(&js, "change");
				out_json_begin_object(&js);
				out_json_field(&js, "kind", it->change->change);
				pgversion_name(it->change->version, vb, sizeof vb);
				out_json_field(&js, "version", vb);
				out_json_field(&js, "replacement", it->change->replacement);
				out_json_field(&js, "note", it->change->note);
				out_json_end_object(&js);
			}
			change_text(it, new, &b);
			if (b.len)
				out_json_field(&js, "message", b.data);
			out_json_end_object(&js);
		}
		out_json_end_array(&js);
	}
	out_json_end_object(&js);
	buf_free(&b);
}

/* ---- --carry --------------------------------------------------------- */

static int in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* Add s[0..n) as an SQL string literal: quotes doubled. */
static void sql_literal(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_addc(b, '\'');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '\'');
}

/*
 * A value for ALTER SYSTEM.  A list parameter (GUC_LIST_QUOTE) takes one
 * literal per item, and the server quotes each item as an identifier
 * itself, so items written as "identifiers" in the conf lose their double
 * quotes here: search_path = '"$user", public' -> '$user', 'public'.  The
 * items are the server's own split of the value (conf_split_list); a
 * value it cannot split goes as one literal.
 */
static void sql_value(struct buf *b, const char *name, const char *v)
{
	char **items;
	int n, i;

	if (!pgparams_is_list(name) || (n = conf_split_list(v, &items)) <= 0) {
		sql_literal(b, v, strlen(v));
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			buf_adds(b, ", ");
		sql_literal(b, items[i], strlen(items[i]));
	}
	conf_split_list_free(items, n);
}

static void carry_line(struct buf *b, const char *name, const char *value, const char *comment)
{
	if (opt.alter_system) {
		buf_printf(b, "ALTER SYSTEM SET %s = ", name);
		sql_value(b, name, value);
		buf_adds(b, ";");
		if (comment)
			buf_printf(b, "  -- %s", comment);
	} else {
		buf_printf(b, "%s = ", name);
		pgconf_quote(b, value);
		if (comment)
			buf_printf(b, "\t# %s", comment);
	}
	buf_addc(b, '\n');
}

/* OLD's value differs from what NEW would run with (its own setting, else its default). */
static int customised(const struct item *it, int old_params_version, const struct side *new)
{
	const struct pgparam *pn = pgparams_lookup(new->params_version, it->name, NULL);
	const struct pgparam *po;
	const char *why;
	char *def;
	int differs;

	if (!it->o)
		return 0;
	if (it->n)
		return !it->same;
	if (!pn || !pn->boot_val)
		return 1;
	po = pgparams_lookup(old_params_version, it->name, NULL);
	def = pgparams_normalise(pn, pn->boot_val, &why);
	differs = !def || !pgparams_equal(po, it->onorm, pn, def);
	free(def);
	return differs;
}

/*
 * value as NEW's version takes it, malloc'd: value itself when NEW takes
 * it; else OLD's meaning of it in NEW's words, when OLD's version reads it
 * as something NEW takes (password_encryption = on meant md5 up to 13, and
 * 14 took on away), and *translated is set; else NULL with *why.  name is
 * what the line sets in NEW (a renamed parameter's new name); onorm is
 * OLD's normalised value of the same parameter, or NULL.
 */
static char *value_for_new(const struct side *new, const char *name, const char *value, const char *onorm,
			   int *translated, const char **why)
{
	const struct pgparam *pn = pgparams_lookup(new->params_version, name, NULL);
	const char *why2;
	char *v;

	*translated = 0;
	*why = NULL;
	/* An unknown name (an extension's) has no rules to break here. */
	if (!pn)
		return xstrdup(value);
	v = pgparams_normalise(pn, value, why);
	if (v) {
		free(v);
		return xstrdup(value);
	}
	if (onorm && strcmp(onorm, value) != 0 && (v = pgparams_normalise(pn, onorm, &why2))) {
		free(v);
		*translated = 1;
		return xstrdup(onorm);
	}
	return NULL;
}

/* Say why a line cannot be carried, at OLD's file and line. */
static void refuse(const struct side *old, const struct side *new, const struct item *it, const char *why)
{
	char nv[16];

	diag_error(old->m.files[it->o->file].path, it->o->line, "cannot carry %s = %s to PostgreSQL %s: %s", it->name,
		   it->o->value_raw, pgversion_name(new->version, nv, sizeof nv), why ? why : "invalid value");
}

/* Item it's lines of the snippet in b; 1 when NEW would refuse its value (said on stderr). */
static int carry_item(const struct item *it, const struct side *old, const struct side *new, struct buf *b)
{
	char ov[16], nv[16];
	const char *c = opt.alter_system ? "--" : "#", *why = NULL;
	const char *value = it->ovalue ? it->ovalue : it->o->value;
	struct buf note;
	int translated, refused = 0;
	char *v = NULL, *conv = NULL;

	buf_init(&note);
	if (it->change && it->change->replacement && strcmp(it->change->change, "renamed") == 0) {
		conv = pgparams_convert(it->change, it->o->value, &why);
		buf_printf(&note, "was %s = %s (renamed in %s)", it->name, it->o->value_raw,
			   pgversion_name(it->change->version, nv, sizeof nv));
		v = conv ? value_for_new(new, it->change->replacement, conv, NULL, &translated, &why) : NULL;
		if (v)
			carry_line(b, it->change->replacement, v, note.data);
		else if (conv)
			refused = 1;
		else
			buf_printf(b, "%s %s = %s\t%s renamed to %s in %s; cannot convert the value: %s\n", c,
				   it->name, it->o->value_raw, c, it->change->replacement,
				   pgversion_name(it->change->version, nv, sizeof nv), why ? why : "");
	} else if (it->change || it->unknown_new) {
		change_text(it, new, &note);
		buf_printf(b, "%s %s = %s\t%s %s", c, it->name, it->o->value_raw, c, note.data);
		if (it->change && it->change->note && *it->change->note)
			buf_printf(b, " (%s)", it->change->note);
		buf_addc(b, '\n');
	} else if (it->owhy && pgparams_known(old->version)) {
		buf_printf(b, "%s %s = %s\t%s invalid for PostgreSQL %s: %s\n", c, it->name, it->o->value_raw, c,
			   pgversion_name(old->version, ov, sizeof ov), it->owhy);
	} else {
		/* Without a table of OLD's own version, a value the nearest table refuses is one NEW
		 * refuses too. */
		v = value_for_new(new, it->name, value, it->owhy ? NULL : it->onorm, &translated, &why);
		if (!v && it->owhy)
			why = it->owhy;
		if (translated)
			buf_printf(&note, "was %s = %s, which PostgreSQL %s does not take", it->name,
				   it->o->value_raw, pgversion_name(new->version, nv, sizeof nv));
		else if (it->ovalue)
			buf_printf(&note, "was %s = %s (a bare number in the old unit)", it->name, it->o->value_raw);
		if (v)
			carry_line(b, it->name, v, note.data);
		else
			refused = 1;
	}
	if (refused)
		refuse(old, new, it, why);
	free(v);
	free(conv);
	buf_free(&note);
	return refused;
}

static int carry(const struct item *const *items, size_t n, const struct side *old, const struct side *new)
{
	char ov[16], nv[16];
	struct buf b;
	size_t i, count = 0, refused = 0;
	const char *c = opt.alter_system ? "--" : "#";
	int rc = EXIT_TROUBLE;

	buf_init(&b);
	buf_printf(&b, "%s Settings carried from %s (PostgreSQL %s) to PostgreSQL %s by pgconf-diff.\n", c,
		   old->cl.spec, pgversion_name(old->version, ov, sizeof ov), pgversion_name(new->version, nv, sizeof nv));
	buf_printf(&b, "%s Cluster-specific settings (port, data_directory, hba_file, ...) are left out.\n", c);
	for (i = 0; i < n; i++) {
		const struct item *it = items[i];

		if (!it->o || in_list(it->name, cluster_specific, sizeof cluster_specific / sizeof cluster_specific[0]))
			continue;
		if (!customised(it, old->params_version, new))
			continue;
		count++;
		refused += (size_t)carry_item(it, old, new, &b);
	}
	/* A snippet that stops the new server from starting is worse than none. */
	if (refused) {
		diag_error(NULL, 0, "nothing carried: set %s by hand for PostgreSQL %s, or leave %s out with --ignore",
			   refused == 1 ? "that parameter" : "those parameters", pgversion_name(new->version, nv, sizeof nv),
			   refused == 1 ? "it" : "them");
	} else if (opt.write) {
		struct fileio_opts fo = { opt.backup, 0 };
		struct diag_err err;

		if (fileio_put(opt.write, NULL, 0, b.data, b.len, 0644, opt.dry_run, &fo, &err) < 0)
			diag_report(&err);
		else
			rc = count ? EXIT_DIFF : EXIT_SAME;
	} else {
		fwrite(b.data, 1, b.len, stdout);
		rc = count ? EXIT_DIFF : EXIT_SAME;
	}
	buf_free(&b);
	return rc;
}

/* ---- --unified: the guide's command, exactly ------------------------- */

/* The lines grep -vE '^\s*(#|$)' keeps. */
static int uncommented(const char *path, const char *out)
{
	struct buf in, keep;
	struct diag_err err;
	pcre2_code *re = compile_re("^\\s*(#|$)", "internal");
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	size_t pos = 0;
	int rc;

	if (!md)
		diag_oom();
	buf_init(&in);
	buf_init(&keep);
	rc = buf_read_file(&in, path, NULL);
	if (rc < 0) {
		diag_error(path, 0, "cannot read: %s", strerror(-rc));
		exit(EXIT_TROUBLE);
	}
	while (pos < in.len) {
		size_t end = pos;

		while (end < in.len && in.data[end] != '\n')
			end++;
		if (pcre2_match(re, (PCRE2_SPTR)(in.data + pos), end - pos, 0, 0, md, NULL) < 0) {
			buf_add(&keep, in.data + pos, end - pos);
			buf_addc(&keep, '\n');
		}
		pos = end + 1;
	}
	rc = fileio_write(out, keep.data ? keep.data : "", keep.len, 0600, NULL, &err);
	if (rc < 0)
		diag_report(&err);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	buf_free(&in);
	buf_free(&keep);
	return rc < 0 ? -1 : 0;
}

/* The postgresql.conf a spec names, found without parsing it: --unified must show a broken file too. */
static char *conf_of(const char *spec)
{
	struct buf b;
	struct stat st;

	buf_init(&b);
	if (cluster_is_spec(spec))
		buf_printf(&b, "%s/%s/postgresql.conf", cluster_conf_root(), spec);
	else if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode))
		buf_printf(&b, "%s/postgresql.conf", spec);
	else
		buf_adds(&b, spec);
	return buf_steal(&b);
}

static int unified(const char *a, const char *b)
{
	char dir[] = "/tmp/pgconf-diff.XXXXXX";
	struct buf fa, fb;
	struct {
		char *conf_file;
	} ca = { conf_of(a) }, cb = { conf_of(b) };
	char *argv[9];
	pid_t pid;
	int status = EXIT_TROUBLE;

	if (!mkdtemp(dir)) {
		diag_error(NULL, 0, "cannot make a temporary directory: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	buf_init(&fa);
	buf_init(&fb);
	buf_printf(&fa, "%s/old", dir);
	buf_printf(&fb, "%s/new", dir);
	if (uncommented(ca.conf_file, fa.data) == 0 && uncommented(cb.conf_file, fb.data) == 0) {
		argv[0] = "diff";
		argv[1] = "-u";
		argv[2] = "-B";
		argv[3] = "--label";
		argv[4] = ca.conf_file;
		argv[5] = "--label";
		argv[6] = cb.conf_file;
		argv[7] = fa.data;
		argv[8] = fb.data;
		{
			char *args[10];

			memcpy(args, argv, sizeof argv);
			args[9] = NULL;
			fflush(stdout);
			if (posix_spawnp(&pid, "diff", NULL, NULL, args, environ) != 0) {
				diag_error(NULL, 0, "cannot run diff");
			} else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
				status = EXIT_TROUBLE;
			} else {
				status = WEXITSTATUS(status);
			}
		}
	}
	unlink(fa.data);
	unlink(fb.data);
	rmdir(dir);
	buf_free(&fa);
	buf_free(&fb);
	free(ca.conf_file);
	free(cb.conf_file);
	return status;
}

/* ---- main ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	enum { OPT_OLD_VERSION = 256, OPT_NEW_VERSION };
	static const struct option longopts[] = {
		{ "carry", no_argument, NULL, 'c' },
		{ "unified", no_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "write", required_argument, NULL, 'w' },
		{ "backup", optional_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "only", required_argument, NULL, 'O' },
		{ "old-version", required_argument, NULL, OPT_OLD_VERSION },
		{ "new-version", required_argument, NULL, OPT_NEW_VERSION },
		DIAG_STD_OPTIONS,
	};
	struct side old = { .label = "OLD" }, new = { .label = "NEW" };
	struct item *items;
	const struct item **sorted;
	size_t n, i;
	int c, status = EXIT_SAME, carry_given = 0, unified_given = 0;

	diag_start(argc, argv, "pgconf-diff", usage);
	while ((c = diag_getopt(argc, argv, "cuf:w:b::najI:O:Vh", longopts)) != -1) {
		switch (c) {
		case 'c': opt.mode = MODE_CARRY; carry_given = 1; break;
		case 'u': opt.mode = MODE_UNIFIED; unified_given = 1; break;
		case 'f':
			if (strcmp(optarg, "alter-system") == 0)
				opt.alter_system = 1;
			else if (strcmp(optarg, "conf") != 0)
				diag_usage("--format is conf or alter-system, not \"%s\"", optarg);
			break;
		case 'w': opt.write = optarg; break;
		case 'b': opt.backup = diag_backup_suffix(optarg); break;
		case 'n': opt.dry_run = 1; break;
		case 'a': opt.all = 1; break;
		case 'j': opt.format = OUT_JSON; break;
		case 'I': opt.ignore = optarg; break;
		case 'O': opt.only = optarg; break;
		case OPT_OLD_VERSION: opt.old_version = optarg; break;
		case OPT_NEW_VERSION: opt.new_version = optarg; break;
		}
	}
	if (argc - optind != 2)
		diag_usage("needs OLD and NEW");
	diag_exclusive(carry_given + unified_given, "--carry and --unified");
	diag_only_with(opt.mode != MODE_DIFF && (opt.format == OUT_JSON || opt.all), "--json and --all",
		       "the comparison, not --carry or --unified");
	diag_only_with((opt.write || opt.alter_system) && opt.mode != MODE_CARRY, "--write and --format",
		       "--carry");
	diag_only_with((opt.backup || opt.dry_run) && !opt.write, "--backup and --dry-run", "--write");
	if (opt.mode == MODE_UNIFIED)
		return diag_finish(unified(argv[optind], argv[optind + 1]));
	if (opt.ignore)
		re_ignore = compile_re(opt.ignore, "--ignore");
	if (opt.only)
		re_only = compile_re(opt.only, "--only");

	load_side(&old, argv[optind], opt.old_version, NULL);
	load_side(&new, argv[optind + 1], opt.new_version, opt.write);
	choose_tables(&old, &new);
	/* A diff without --all prints the names that differ only. */
	n = compare(&old, &new, opt.mode != MODE_DIFF || opt.all, &items, &sorted);
	if (opt.mode == MODE_CARRY) {
		status = carry(sorted, n, &old, &new);
	} else {
		for (i = 0; i < n; i++)
			if (!sorted[i]->same)
				status = EXIT_DIFF;
		if (opt.format == OUT_JSON)
			print_json(sorted, n, &old, &new);
		else
			print_text(sorted, n, &old, &new);
	}
	free(sorted);
	free_items(items, n);
	pgconf_index_free(&old.ix);
	pgconf_index_free(&new.ix);
	pgconf_free(&old.m);
	pgconf_free(&new.m);
	cluster_free(&old.cl);
	cluster_free(&new.cl);
	pcre2_code_free(re_ignore);
	pcre2_code_free(re_only);
	pcre2_match_data_free(re_md);
	return diag_finish(status);
}
