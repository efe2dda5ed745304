/*
 * pghba-copy: validate pg_hba.conf rules for a target PostgreSQL version and
 * carry them from an old cluster to a new one -- merged before the new
 * file's catch-all rules with their comments, or copied whole -- writing
 * nothing while any rule is invalid.  The pg_ident.conf maps the carried
 * rules use come along.  --check-login asks a running cluster whether CKAN's
 * roles can still log in.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "cluster.h"
#include "diag.h"
#include "fileio.h"
#include "hba.h"
#include "out.h"
#include "pgconf.h"
#include "pgconn.h"
#include "pgparams.h"
#include "pgurl.h"
#include "pgversion.h"

enum mode { MODE_MERGE, MODE_REPLACE, MODE_CHECK, MODE_LIST, MODE_CHECK_LOGIN };

static struct {
	enum mode mode;
	int version;		/* target version, -1 = from NEW */
	int json;
	int dry_run;
	const char *backup;
	int skip_invalid;
	const char *admin_url;
} opt = { .version = -1 };

/* One side: where its pg_hba.conf and pg_ident.conf are, and what it runs. */
struct side {
	const char *spec;
	char *hba;		/* pg_hba.conf path */
	char *ident;		/* pg_ident.conf path, NULL when unknown */
	int version;		/* -1 when unknown */
	int ssl_off;		/* the cluster's ssl setting is off */
	int is_cluster;
};

static void usage(void)
{
	printf("pghba-copy validates pg_hba.conf rules and carries them to a new cluster.\n\n"
	       "Usage:\n"
	       "  pghba-copy [--merge | --replace] [--dry-run] [--backup[=SUFFIX]] [--skip-invalid] OLD NEW\n"
	       "  pghba-copy --check FILE [--json] [--pg-version V]\n"
	       "  pghba-copy --list FILE [--json] [--pg-version V]\n"
	       "  pghba-copy --check-login NEW URL... [--admin URL]\n\n"
	       "OLD and NEW are a pg_hba.conf, a directory holding one, or VER/NAME (a cluster\n"
	       "under $PG_CLUSTER_CONF_ROOT, default /etc/postgresql).\n\n"
	       "Options:\n"
	       "  -m, --merge            keep NEW's rules, insert OLD's missing ones before NEW's\n"
	       "                         first catch-all rule (the default)\n"
	       "  -r, --replace          replace NEW's file with OLD's (after validation)\n"
	       "  -c, --check            validate FILE only\n"
	       "  -l, --list             print the rules as the server reads them\n"
	       "  -L, --check-login      for each CKAN URL, the rule that matches and whether the login works\n"
	       "      --admin=URL        with --check-login: a superuser URL to read password types\n"
	       "  -p, --pg-version=V     target PostgreSQL version (default: NEW's PG_VERSION or VER)\n"
	       "  -s, --skip-invalid     leave out (and report) OLD's rules invalid for the target\n"
	       "  -n, --dry-run          print the change as a unified diff, write nothing\n"
	       "  -b, --backup[=SUFFIX]  keep the old file as FILE.bak (or FILE followed by SUFFIX)\n"
	       "  -j, --json             print JSON (--list, --check)\n"
	       "  -V, --version          print the version and exit\n"
	       "  -h, --help             print this help and exit\n\n"
	       "Exit status: 0 ok, 1 negative answer (a login would fail), 2 trouble (invalid rules).\n");
}

/* A path setting of the cluster's config (hba_file, ident_file), relative to its file. */
static char *conf_path(const struct pgconf_model *m, const char *name, const char *fallback_dir,
		       const char *fallback_name)
{
	const struct pgconf_setting *s = pgconf_effective(m, name);
	char *d, *p;

	if (!s || !*s->value)
		return path_join(fallback_dir, fallback_name);
	if (s->value[0] == '/')
		return xstrdup(s->value);
	d = path_dir(m->files[s->file].path);
	p = path_join(d, s->value);
	free(d);
	return p;
}

/* Whether a boolean setting is off, read as the server reads booleans (pgparams). */
static int setting_off(const char *name, const char *value)
{
	const int *versions;
	size_t n = pgparams_versions(&versions);
	const struct pgparam *p = pgparams_lookup(versions[n - 1], name, NULL);
	char *v = p ? pgparams_normalise(p, value, NULL) : NULL;
	int off = v && strcmp(v, "off") == 0;

	free(v);
	return off;
}

/* A directory with a postgresql.conf is a cluster's config (or data) directory. */
static int has_postgresql_conf(const char *dir)
{
	char *p;
	int yes;

	if (!path_is_dir(dir))
		return 0;
	p = path_join(dir, "postgresql.conf");
	yes = access(p, F_OK) == 0;
	free(p);
	return yes;
}

static void resolve_side(struct side *s, const char *spec)
{
	struct diag_err err;

	memset(s, 0, sizeof *s);
	s->spec = spec;
	s->version = -1;
	if (cluster_is_spec(spec) || has_postgresql_conf(spec)) {
		struct cluster cl;
		struct pgconf_model m;
		const struct pgconf_setting *ssl;
		char *confdir;

		if (cluster_resolve(spec, &cl, &err) < 0) {
			diag_report(&err);
			exit(EXIT_TROUBLE);
		}
		pgconf_init(&m);
		if (cluster_load_conf(&cl, &m, &err) < 0) {
			diag_report(&err);
			exit(EXIT_TROUBLE);
		}
		confdir = path_dir(cl.conf_file);
		s->hba = conf_path(&m, "hba_file", confdir, "pg_hba.conf");
		s->ident = conf_path(&m, "ident_file", confdir, "pg_ident.conf");
		ssl = pgconf_effective(&m, "ssl");
		/* ssl is off unless set on (its default) */
		s->ssl_off = !ssl || setting_off("ssl", ssl->value);
		if (cl.version)
			s->version = pgparams_version(cl.version);
		s->is_cluster = 1;
		free(confdir);
		pgconf_free(&m);
		cluster_free(&cl);
		return;
	}
	if (path_is_dir(spec)) {
		s->hba = path_join(spec, "pg_hba.conf");
		s->ident = path_join(spec, "pg_ident.conf");
	} else {
		char *d = path_dir(spec);

		s->hba = xstrdup(spec);
		s->ident = path_join(d, "pg_ident.conf");
		free(d);
	}
}

static void free_side(struct side *s)
{
	free(s->hba);
	free(s->ident);
}

static int target_version(const struct side *new)
{
	const int *versions;
	size_t n = pgparams_versions(&versions);
	char vb[16];

	if (opt.version >= 0)
		return opt.version;
	if (new && new->version >= 0)
		return new->version;
	diag_warn(new ? new->spec : NULL, 0, "target version unknown; checking for PostgreSQL %s (--pg-version)",
		  pgversion_name(versions[n - 1], vb, sizeof vb));
	return versions[n - 1];
}

/*
 * A side's pg_ident.conf as version reads it (common/hba: the server's
 * tokenizer, quotes, @files, include lines).  Returns 1 when read, 0 when
 * there is none (no maps), -1 when it exists but cannot be read (said).
 */
static int load_ident(struct hba_model *id, const struct side *s, int version)
{
	struct diag_err err;

	hba_init_ident(id, version);
	if (!s->ident || access(s->ident, F_OK) != 0)
		return 0;
	if (hba_load(id, s->ident, &err) < 0) {
		diag_warn(err.file[0] ? err.file : NULL, err.line, "%s", err.msg);
		hba_free(id);
		return -1;
	}
	return 1;
}

static void load_hba(struct hba_model *m, const char *path, int version, const struct side *ctx_side)
{
	struct diag_err err;
	struct hba_context ctx = { 0, NULL };
	struct hba_model ident;

	hba_init(m, version);
	if (hba_load(m, path, &err) < 0) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
	hba_init_ident(&ident, version);
	if (ctx_side) {
		ctx.ssl_off = ctx_side->is_cluster && ctx_side->ssl_off;
		if (load_ident(&ident, ctx_side, version) > 0)
			ctx.ident = &ident;
	}
	hba_validate(m, &ctx);
	hba_free(&ident);
}

static void print_problems(const struct hba_model *m, int errors_only)
{
	size_t i, w;

	for (i = 0; i < m->n; i++) {
		const struct hba_rule *r = &m->rules[i];

		if (r->error)
			diag_error(m->files[r->file].path, r->line, "%s", r->error);
		if (errors_only)
			continue;
		for (w = 0; w < r->nwarnings; w++)
			diag_warn(m->files[r->file].path, r->line, "%s", r->warnings[w]);
	}
}

/* --check --json: one object per error or warning. */
static void
print_problems_json(const struct hba_model *m)
{
	struct out_json js;
	size_t i, w;

	out_json_init(&js, stdout, 0);
	out_json_begin_array(&js);
	for (i = 0; i < m->n; i++) {
		const struct hba_rule *r = &m->rules[i];

		for (w = 0; w < r->nwarnings + (r->error ? 1 : 0); w++) {
			int is_error = r->error && w == r->nwarnings;

			out_json_break(&js);
			out_json_begin_object(&js);
			out_json_field(&js, "file", m->files[r->file].path);
			out_json_key(&js, "line");
			out_json_int(&js, r->line);
			out_json_field(&js, "kind", is_error ? "error" : "warning");
			out_json_field(&js, "message", is_error ? r->error : r->warnings[w]);
			out_json_end_object(&js);
		}
	}
	out_json_end_array(&js);
}

/* ---- --list ---------------------------------------------------------- */

static void list_tokens(const struct hba_list *l, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < l->n; i++)
		buf_printf(b, "%s%s%s%s", i ? "," : "", l->tok[i].quoted ? "\"" : "", l->tok[i].text,
			   l->tok[i].quoted ? "\"" : "");
}

/* A database or user list as an array of its names, quotes removed. */
static void
json_tokens(struct out_json *j, const struct hba_list *l)
{
	size_t i;

	out_json_begin_array(j);
	for (i = 0; i < l->n; i++)
		out_json_string(j, l->tok[i].text);
	out_json_end_array(j);
}

/*
 * The options as the server reads them (pg_hba_file_rules.options): in
 * its order, with what the method implies (cert: clientcert=verify-full).
 */
static void options_text(char *const *opts, size_t n, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? " " : "", opts[i]);
}

static int cmd_list(const char *file)
{
	struct side s;
	struct hba_model m;
	struct buf db, us, op;
	struct out_json js;
	size_t i;

	resolve_side(&s, file);
	load_hba(&m, s.hba, target_version(&s), &s);
	buf_init(&db);
	buf_init(&us);
	buf_init(&op);
	out_json_init(&js, stdout, 0);
	if (opt.json)
		out_json_begin_array(&js);
	else
		printf("%-5s %-12s %-16s %-16s %-24s %-16s %s\n", "LINE", "TYPE", "DATABASE", "USER", "ADDRESS",
		       "METHOD", "OPTIONS");
	for (i = 0; i < m.n; i++) {
		const struct hba_rule *r = &m.rules[i];
		const char *method = r->method ? hba_rule_view_method(r) : NULL;
		char **opts;
		size_t nopts = hba_rule_view_options(r, &opts), k;
		struct buf addr;

		buf_init(&addr);
		if (r->address)
			buf_printf(&addr, "%s%s%s", r->address, r->mask ? " " : "", r->mask ? r->mask : "");
		list_tokens(&r->databases, &db);
		list_tokens(&r->users, &us);
		options_text(opts, nopts, &op);
		if (opt.json) {
			out_json_break(&js);
			out_json_begin_object(&js);
			out_json_field(&js, "file", m.files[r->file].path);
			out_json_key(&js, "line");
			out_json_int(&js, r->line);
			out_json_field(&js, "type",
				       r->type >= 0 ? hba_type_name(r->type) : r->include_kind);
			out_json_key(&js, "databases");
			json_tokens(&js, &r->databases);
			out_json_key(&js, "users");
			json_tokens(&js, &r->users);
			out_json_field(&js, "address", r->address);
			out_json_field(&js, "netmask", r->mask);
			out_json_field(&js, "method", method);
			out_json_key(&js, "options");
			out_json_begin_object(&js);
			for (k = 0; k < nopts; k++) {
				char *eq = strchr(opts[k], '=');

				if (eq)
					*eq = '\0';	/* "name=value": the name, then the value */
				out_json_field(&js, opts[k], eq ? eq + 1 : "");
			}
			out_json_end_object(&js);
			out_json_field(&js, "error", r->error);
			out_json_key(&js, "warnings");
			out_json_begin_array(&js);
			for (k = 0; k < r->nwarnings; k++)
				out_json_string(&js, r->warnings[k]);
			out_json_end_array(&js);
			out_json_end_object(&js);
		} else if (r->error) {
			printf("%-5d %-12s error: %s\n", r->line, r->type >= 0 ? hba_type_name(r->type) : "?", r->error);
		} else {
			printf("%-5d %-12s %-16s %-16s %-24s %-16s %s\n", r->line,
			       r->type >= 0 ? hba_type_name(r->type) : r->include_kind, db.data ? db.data : "",
			       us.data ? us.data : "", addr.data ? addr.data : "", method ? method : "",
			       op.data ? op.data : "");
		}
		for (k = 0; k < nopts; k++)
			free(opts[k]);
		free(opts);
		buf_free(&addr);
	}
	if (opt.json)
		out_json_end_array(&js);
	buf_free(&db);
	buf_free(&us);
	buf_free(&op);
	hba_free(&m);
	free_side(&s);
	return EXIT_SAME;
}

static int cmd_check(const char *file)
{
	struct side s;
	struct hba_model m;
	size_t errors;

	resolve_side(&s, file);
	load_hba(&m, s.hba, target_version(&s), &s);
	if (opt.json)
		print_problems_json(&m);
	else
		print_problems(&m, 0);
	errors = hba_errors(&m);
	hba_free(&m);
	free_side(&s);
	return errors ? EXIT_TROUBLE : EXIT_SAME;
}

/* ---- copying --------------------------------------------------------- */

/* The line end NEW uses, so inserted lines match it. */
static const char *line_end(const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);

	return nl && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* Add text (which may end in any line end) with NEW's line ends. */
static void add_lines(struct buf *b, const char *p, size_t n, const char *eol)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\n')
			continue;
		if (i == n && start == n)
			break;
		{
			size_t end = i;

			if (end > start && p[end - 1] == '\r')
				end--;
			buf_add(b, p + start, end - start);
			buf_adds(b, eol);
		}
		start = i + 1;
	}
}

/* Add OLD's mapping lines for map (as written, continuation lines too) to out. */
static void ident_lines(const struct hba_model *id, const char *map, struct buf *out)
{
	size_t i;

	for (i = 0; i < id->n; i++) {
		const struct hba_rule *r = &id->rules[i];

		if (r->map && strcmp(r->map, map) == 0)
			add_lines(out, id->files[r->file].data + r->off, r->len, "\n");
	}
}

/* Whether a map name is among those already carried. */
static int carried_map(char **carried, size_t n, const char *map)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(carried[i], map) == 0)
			return 1;
	return 0;
}

static int write_or_diff(const char *path, const char *old, size_t oldlen, const char *data, size_t len)
{
	struct diag_err err;
	struct fileio_opts fo = { opt.backup, 0 };

	if (fileio_put(path, old, oldlen, data, len, 0640, opt.dry_run, &fo, &err) < 0) {
		diag_report(&err);
		return -1;
	}
	return 0;
}

/* The guide's cp, after validation; OLD's invalid rules (skipped ones) are commented out. */
static void replace_text(const struct hba_model *om, size_t skipped, struct buf *out)
{
	size_t i, pos = 0;

	for (i = 1; i < om->nfiles; i++)
		diag_warn(om->files[0].path, 0,
			  "includes \"%s\": copy it too, or the new cluster will not find it", om->files[i].path);
	if (!skipped) {
		buf_add(out, om->files[0].data, om->files[0].len);
		return;
	}
	for (i = 0; i < om->n; i++) {
		const struct hba_rule *r = &om->rules[i];

		if (r->file != 0 || !r->error)
			continue;
		buf_add(out, om->files[0].data + pos, r->off - pos);
		buf_printf(out, "# skipped by pghba-copy: %s\n#", r->error);
		pos = r->off;
	}
	buf_add(out, om->files[0].data + pos, om->files[0].len - pos);
}

/*
 * Whether OLD's rule r goes into NEW: not when a rule of NEW takes the same
 * connections (a warning when by another method: NEW's choice stays), nor
 * when one of NEW's first `before` rules shadows it.
 */
static int carry_rule(const struct hba_model *nm, char *const *new_keys, size_t before,
		      const struct hba_rule *r, const char *path, struct buf *key)
{
	const struct hba_rule *shadow;
	size_t k;

	buf_reset(key);
	hba_rule_match_key(r, key);
	for (k = 0; k < nm->n; k++) {
		struct buf ok, nk;

		if (strcmp(new_keys[k], key->data) != 0)
			continue;
		buf_init(&ok);
		buf_init(&nk);
		hba_rule_key(r, &ok);
		hba_rule_key(&nm->rules[k], &nk);
		if (strcmp(ok.data, nk.data) != 0)
			diag_warn(path, r->line, "NEW's line %d takes the same connections with %s; kept NEW's "
				  "(OLD used %s: --replace, or edit NEW, to keep it)",
				  nm->rules[k].line, nm->rules[k].method, r->method);
		buf_free(&ok);
		buf_free(&nk);
		return 0;
	}
	/* A rule that an earlier NEW rule shadows would never match there. */
	if ((shadow = hba_shadowing_rule(nm, before, r)) != NULL) {
		diag_warn(path, r->line, "NEW's line %d already takes every connection it would "
			  "(with %s); not carried (--replace, or edit NEW, to keep it)",
			  shadow->line, shadow->method);
		return 0;
	}
	return 1;
}

/* NEW's text nd[0..nlen) with the rules of OLD it lacks, before its first catch-all rule and
 * that rule's comments, else at the end. */
static void merge_text(const struct hba_model *om, const struct hba_model *nm, const char *nd,
		       size_t nlen, struct buf *out)
{
	const char *eol = line_end(nd, nlen);
	struct buf block, key;
	char **new_keys;
	size_t i, insert_at = nlen, before, carried = 0;

	buf_init(&block);
	buf_init(&key);
	/* NEW's rules by what connections they take. */
	new_keys = xmalloc((nm->n + 1) * sizeof *new_keys);
	for (i = 0; i < nm->n; i++) {
		buf_reset(&key);
		hba_rule_match_key(&nm->rules[i], &key);
		new_keys[i] = buf_steal(&key);
	}
	for (i = 0; i < nm->n; i++)
		if (nm->rules[i].file == 0 && hba_rule_catch_all(&nm->rules[i])) {
			insert_at = nm->rules[i].lead_off;
			break;
		}
	before = i;	/* NEW's rules the carried ones come after */
	for (i = 0; i < om->n; i++) {
		const struct hba_rule *r = &om->rules[i];
		const struct hba_file *f = &om->files[r->file];

		if (r->error || r->type < 0 || !carry_rule(nm, new_keys, before, r, f->path, &key))
			continue;
		buf_printf(&block, "# from %s:%d (pghba-copy)%s", f->path, r->line, eol);
		add_lines(&block, f->data + r->lead_off, r->off + r->len - r->lead_off, eol);
		carried++;
	}
	for (i = 0; i < nm->n; i++)
		free(new_keys[i]);
	free(new_keys);
	buf_add(out, nd, insert_at);
	if (insert_at > 0 && nd[insert_at - 1] != '\n')
		buf_adds(out, eol);
	if (carried) {
		buf_add(out, block.data, block.len);
		if (insert_at < nlen)
			buf_adds(out, eol);
	}
	buf_add(out, nd + insert_at, nlen - insert_at);
	buf_free(&block);
	buf_free(&key);
}

/* The result must read back with no error for the target version (but NEW's own errors). */
static int result_loads(const struct buf *out, const char *path, const struct hba_model *nm,
			int new_exists, int version)
{
	struct hba_model check;
	struct diag_err err;
	size_t i;
	int ok = 1;

	hba_init(&check, version);
	if (hba_parse_buf(&check, path, out->data ? out->data : "", out->len, &err) < 0) {
		diag_report(&err);
		ok = 0;
	} else {
		hba_validate(&check, NULL);
		for (i = 0; i < check.n && ok; i++)
			if (check.rules[i].error && check.rules[i].type >= 0 &&
			    !(new_exists && i < nm->n && nm->rules[i].error)) {
				diag_error(path, check.rules[i].line,
					   "internal error: the result would not load: %s; nothing written",
					   check.rules[i].error);
				ok = 0;
			}
	}
	hba_free(&check);
	return ok;
}

/*
 * pg_ident.conf: the lines of the maps the carried rules use that NEW lacks,
 * read as the target version reads them (a quoted "map" is map), into add.
 * 0, or -1 when NEW's file exists but cannot be read: it is not written to.
 */
static int carry_maps(const struct hba_model *om, const struct side *o, const struct side *n,
		      int version, struct hba_model *new_ident, struct buf *add)
{
	struct hba_model old_ident;
	char **carried = NULL;
	size_t i, ncarried = 0;
	int new_ok;

	new_ok = load_ident(new_ident, n, version) >= 0;
	hba_init_ident(&old_ident, version);
	load_ident(&old_ident, o, version);
	for (i = 0; i < om->n; i++) {
		const char *map = om->rules[i].error ? NULL : hba_rule_map(&om->rules[i]);

		if (!map || hba_ident_find(new_ident, map) || carried_map(carried, ncarried, map))
			continue;
		if (!hba_ident_find(&old_ident, map) || !new_ok) {
			diag_warn(om->files[om->rules[i].file].path, om->rules[i].line,
				  new_ok ? "map \"%s\" is in neither pg_ident.conf: add it to %s" :
				  "map \"%s\" not carried: %s cannot be read",
				  map, n->ident ? n->ident : "pg_ident.conf");
			continue;
		}
		ident_lines(&old_ident, map, add);
		carried = xrealloc(carried, (ncarried + 1) * sizeof *carried);
		carried[ncarried++] = xstrdup(map);
	}
	for (i = 0; i < ncarried; i++)
		free(carried[i]);
	free(carried);
	hba_free(&old_ident);
	return new_ok ? 0 : -1;
}

/* NEW's pg_ident.conf with the carried maps' lines added. */
static int write_maps(const struct side *o, const struct side *n, const struct hba_model *new_ident,
		      const struct buf *add)
{
	struct buf merged;
	const char *nd = new_ident->nfiles ? new_ident->files[0].data : NULL;
	size_t nlen = new_ident->nfiles ? new_ident->files[0].len : 0;
	int rc;

	buf_init(&merged);
	buf_add(&merged, nd ? nd : "", nlen);
	if (merged.len && merged.data[merged.len - 1] != '\n')
		buf_addc(&merged, '\n');
	buf_printf(&merged, "# maps carried from %s by pghba-copy\n", o->ident);
	buf_add(&merged, add->data, add->len);
	rc = write_or_diff(n->ident, nd, nlen, merged.data, merged.len);
	buf_free(&merged);
	return rc;
}

static int cmd_copy(const char *oldspec, const char *newspec)
{
	struct side o, n;
	struct hba_model om, nm, new_ident;
	struct buf out, ident_add;
	struct fileio_src nsrc;
	struct diag_err err;
	size_t i, skipped = 0;
	int version, status = EXIT_TROUBLE, new_exists;

	resolve_side(&o, oldspec);
	resolve_side(&n, newspec);
	version = target_version(&n);
	/* OLD's rules are read and judged as the target version will read them. */
	load_hba(&om, o.hba, version, &n);
	new_exists = access(n.hba, F_OK) == 0;
	hba_init(&nm, version);
	memset(&nsrc, 0, sizeof nsrc);
	buf_init(&nsrc.data);
	buf_init(&out);
	buf_init(&ident_add);
	hba_init_ident(&new_ident, version);
	if (new_exists) {
		if (fileio_read(n.hba, &nsrc, &err) < 0) {
			diag_report(&err);
			goto done;
		}
		load_hba(&nm, n.hba, version, &n);
	}

	for (i = 0; i < om.n; i++)
		if (om.rules[i].error) {
			diag_error(om.files[om.rules[i].file].path, om.rules[i].line, "%s%s", om.rules[i].error,
				   opt.skip_invalid ? " (skipped)" : "");
			skipped++;
		}
	if (skipped && !opt.skip_invalid) {
		char vb[16];

		diag_error(NULL, 0, "%zu rule%s invalid for PostgreSQL %s; nothing written (--skip-invalid leaves them out)",
			   skipped, skipped == 1 ? "" : "s", pgversion_name(version, vb, sizeof vb));
		goto done;
	}
	if (opt.mode == MODE_REPLACE)
		replace_text(&om, skipped, &out);
	else
		merge_text(&om, &nm, new_exists ? nsrc.data.data : "", new_exists ? nsrc.data.len : 0, &out);
	if (!result_loads(&out, n.hba, &nm, new_exists, version))
		goto done;
	carry_maps(&om, &o, &n, version, &new_ident, &ident_add);
	if (write_or_diff(n.hba, new_exists ? nsrc.data.data : NULL, new_exists ? nsrc.data.len : 0,
			  out.data ? out.data : "", out.len) < 0)
		goto done;
	if (ident_add.len && n.ident && write_maps(&o, &n, &new_ident, &ident_add) < 0)
		goto done;
	status = EXIT_SAME;
done:
	buf_free(&ident_add);
	hba_free(&new_ident);
	buf_free(&out);
	hba_free(&om);
	hba_free(&nm);
	fileio_src_free(&nsrc);
	free_side(&o);
	free_side(&n);
	return status;
}

/* ---- --check-login --------------------------------------------------- */

/* The OS user libpq connects as when the URL names none. */
static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? pw->pw_name : "";
}

static int cmd_check_login(const char *newspec, int nurls, char **urls)
{
	struct side n;
	struct hba_model m;
	int u, status = EXIT_SAME;
	struct pgconn *admin = NULL;
	struct diag_err err;

	resolve_side(&n, newspec);
	load_hba(&m, n.hba, target_version(&n), &n);
	if (opt.admin_url) {
		admin = pgconn_open(opt.admin_url, "pghba-copy", &err);
		if (!admin)
			diag_warn(NULL, 0, "--admin: %s", err.msg);
	}
	for (u = 0; u < nurls; u++) {
		struct pgurl url;
		struct buf masked;
		const char *host, *db, *user;
		const struct hba_rule *match;
		struct hba_conn conn;
		const char *sslmode;
		int uncertain;
		size_t i;
		struct pgconn *c;

		if (pgurl_parse(urls[u], strlen(urls[u]), &url, &err) < 0) {
			diag_error(NULL, 0, "argument %d: %s", u + 1, err.msg);
			status = EXIT_TROUBLE;
			continue;
		}
		buf_init(&masked);
		pgurl_masked(&url, &masked);
		host = pgurl_get(&url, "host");
		user = pgurl_get(&url, "user");
		db = pgurl_get(&url, "dbname");
		if (!user)
			user = os_user();
		if (!db)
			db = user;
		conn.local = !host || !*host || host[0] == '/' || host[0] == '@';
		conn.addr = host;
		if (!conn.local && strcmp(host, "localhost") == 0)
			conn.addr = "127.0.0.1";
		conn.database = db;
		conn.user = user;
		/* libpq's default sslmode is prefer: SSL whenever the server offers it. */
		sslmode = pgurl_get(&url, "sslmode");
		conn.ssl = sslmode &&
			   (strcmp(sslmode, "require") == 0 || strncmp(sslmode, "verify", 6) == 0);
		if (!sslmode || strcmp(sslmode, "prefer") == 0 || strcmp(sslmode, "allow") == 0)
			conn.ssl = n.is_cluster && !n.ssl_off;
		match = hba_first_match(&m, &conn, &uncertain);
		printf("%s\n", masked.data);
		if (match)
			printf("  rule %s:%d: %s%s\n", m.files[match->file].path, match->line, match->method,
			       uncertain ? " (may match: depends on role membership or the client's address)" : "");
		else
			printf("  no rule matches: the server refuses (\"no pg_hba.conf entry\")\n");
		c = pgconn_open(urls[u], "pghba-copy", &err);
		if (c) {
			printf("  login: ok\n");
			pgconn_close(c);
		} else {
			printf("  login: failed: %s\n", err.msg);
			/* A refused login is a negative answer; an unreachable server is trouble. */
			if (pgconn_login_refused(urls[u], "pghba-copy") != 1)
				status = EXIT_TROUBLE;
			else if (status != EXIT_TROUBLE)
				status = EXIT_DIFF;
		}
		if (admin && match && match->method) {
			struct pgconn_rows rows;
			struct buf q;

			buf_init(&q);
			/* The role name is an SQL literal: quotes doubled. */
			buf_adds(&q, "SELECT CASE WHEN rolpassword IS NULL THEN 'none' WHEN rolpassword LIKE 'md5%' "
				     "THEN 'md5' WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' ELSE 'plain' END "
				     "FROM pg_catalog.pg_authid WHERE rolname = '");
			for (i = 0; user[i]; i++) {
				if (user[i] == '\'')
					buf_addc(&q, '\'');
				buf_addc(&q, user[i]);
			}
			buf_adds(&q, "'");
			if (pgconn_query(admin, q.data, &rows, &err) == 0 && rows.nrows == 1 && rows.cell[0]) {
				const char *kind = rows.cell[0];

				printf("  password stored as: %s\n", kind);
				if (strcmp(match->method, "scram-sha-256") == 0 && strcmp(kind, "md5") == 0) {
					printf("  an md5 password cannot log in through a scram-sha-256 rule: set it again with\n"
					       "  password_encryption = 'scram-sha-256' (\\password %s in psql), or use md5 in the rule\n",
					       user);
					status = status == EXIT_TROUBLE ? status : EXIT_DIFF;
				}
			}
			pgconn_rows_free(&rows);
			buf_free(&q);
		}
		buf_free(&masked);
		pgurl_free(&url);
	}
	pgconn_close(admin);
	hba_free(&m);
	free_side(&n);
	return status;
}

/* ---- main ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	enum { OPT_ADMIN = 256 };
	static const struct option longopts[] = {
		{ "merge", no_argument, NULL, 'm' },
		{ "replace", no_argument, NULL, 'r' },
		{ "check", no_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "check-login", no_argument, NULL, 'L' },
		{ "admin", required_argument, NULL, OPT_ADMIN },
		{ "pg-version", required_argument, NULL, 'p' },
		{ "skip-invalid", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "backup", optional_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		/* "--version=15" names the target version, as in "--check FILE --version=15" */
		{ "version", optional_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, nargs, status;

	diag_start(argc, argv, "pghba-copy", usage);
	while ((c = diag_getopt(argc, argv, "mrclLp:snb::jVh", longopts)) != -1) {
		switch (c) {
		case 'm': opt.mode = MODE_MERGE; break;
		case 'r': opt.mode = MODE_REPLACE; break;
		case 'c': opt.mode = MODE_CHECK; break;
		case 'l': opt.mode = MODE_LIST; break;
		case 'L': opt.mode = MODE_CHECK_LOGIN; break;
		case OPT_ADMIN: opt.admin_url = optarg; break;
		case 'p':
		case 'V':	/* with a version: diag_getopt handles a bare --version */
			opt.version = pgparams_version(optarg);
			if (opt.version < 0)
				diag_usage("\"%s\" is not a PostgreSQL version like 9.6 or 15", optarg);
			break;
		case 's': opt.skip_invalid = 1; break;
		case 'n': opt.dry_run = 1; break;
		case 'b': opt.backup = diag_backup_suffix(optarg); break;
		case 'j': opt.json = 1; break;
		}
	}
	nargs = argc - optind;
	diag_only_with(opt.json && opt.mode != MODE_CHECK && opt.mode != MODE_LIST, "--json",
		       "--check and --list");
	switch (opt.mode) {
	case MODE_CHECK:
	case MODE_LIST:
		if (nargs != 1)
			diag_usage("%s takes one FILE", opt.mode == MODE_CHECK ? "--check" : "--list");
		status = opt.mode == MODE_CHECK ? cmd_check(argv[optind]) : cmd_list(argv[optind]);
		break;
	case MODE_CHECK_LOGIN:
		if (nargs < 2)
			diag_usage("--check-login takes NEW and at least one URL");
		status = cmd_check_login(argv[optind], nargs - 1, argv + optind + 1);
		break;
	default:
		if (nargs != 2)
			diag_usage("needs OLD and NEW");
		status = cmd_copy(argv[optind], argv[optind + 1]);
	}
	return diag_finish(status);
}
