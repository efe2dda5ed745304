/*
 * ckan-pgurl: read, check and rewrite the database URLs in CKAN's ini file
 * (sqlalchemy.url, ckan.datastore.write_url, ckan.datastore.read_url).
 * Values are read as CKAN reads them (common/ini), URLs as libpq reads them
 * (common/pgurl); edits replace only the bytes of the changed URL component
 * and are verified by libpq itself before fileio writes them atomically.
 * libpq is loaded only by set, check, databases and url with edits.
 * Every password this tool prints goes through one masker built on
 * pgurl_secrets (a URL's text) and mask_ini (an ini's text).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "diag.h"
#include "fileio.h"
#include "ckanini.h"
#include "envfile.h"
#include "out.h"
#include "pgconn.h"
#include "pgurl.h"
#include "pgversion.h"
#include "pq.h"

#define MAX_CHAIN 16

static const struct urlkey_def {
	const char *key;
	const char *name;	/* short name, also the --shell prefix CKAN_DB_<NAME>_ */
	const char *env;	/* the environment variable CKAN reads instead */
	const char *envvars[2];	/* ckanext-envvars' spellings, which CKAN's own variable overrides */
} key_defs[] = {
	{ "sqlalchemy.url", "main", "CKAN_SQLALCHEMY_URL", { "CKAN___SQLALCHEMY__URL", NULL } },
	{ "ckan.datastore.write_url", "write", "CKAN_DATASTORE_WRITE_URL",
	  { "CKAN__DATASTORE__WRITE_URL", "CKAN___CKAN__DATASTORE__WRITE_URL" } },
	{ "ckan.datastore.read_url", "read", "CKAN_DATASTORE_READ_URL",
	  { "CKAN__DATASTORE__READ_URL", "CKAN___CKAN__DATASTORE__READ_URL" } },
};
#define NKEYS (sizeof key_defs / sizeof key_defs[0])

/* One file of a "use = config:" chain. */
struct cfile {
	struct fileio_src src;
	struct ckanini_file ini;
	char *here;		/* its directory, CKAN's %(here)s */
	char *abspath;		/* CKAN's %(__file__)s */
	int parsed;
	int is_env;		/* a Compose .env file (env), not an ini */
	struct envfile env;
};

/* One database URL as CKAN reads it. */
struct urlkey {
	const struct urlkey_def *def;
	struct cfile *file;		/* the file that defines it */
	const struct ckanini_entry *ent;
	const struct envfile_entry *eent;	/* from the .env file instead of the ini */
	char *value;			/* interpolated: what CKAN hands to SQLAlchemy */
	struct pgurl url;
	int url_ok;
	struct diag_err url_err;
};

static struct {
	const char *config;
	const char *key;
	int all;
	enum out_format format;
	int show_password;
	enum ckanini_dialect dialect;
	const char *ckan_version;
	int dry_run;
	const char *backup;
	int break_hardlink;
	const char *min_version;
	const char *env_file;
} opt = { .format = OUT_TEXT, .dialect = INI_CKAN_210, .ckan_version = "2.10" };

static struct cfile chain[MAX_CHAIN];
static int lint_mode;		/* lint reports a file CKAN refuses and reads on as CKAN 2.6 would */
static int nfindings;
static struct out_json json;	/* every --json goes through it */
static void report(const char *file, int line, const char *key, const char *kind, const char *versions,
		   const char *msg);
static int reads_differently(const struct urlkey *uk, struct buf *why);
static size_t nchain;
static struct urlkey keys[NKEYS];
static struct cfile envcf;		/* --env-file */
static struct urlkey ini_keys[NKEYS];	/* what the ini says where the .env overrides it */

static void usage(void)
{
	printf("ckan-pgurl reads, checks and rewrites the database URLs in CKAN's ini file\n"
	       "or in a Docker Compose .env file.\n\n"
	       "Usage:\n"
	       "  ckan-pgurl [-c FILE] [-e ENVFILE] [-k KEY | --all] [--json | --shell] [--show-password] [show]\n"
	       "  ckan-pgurl [-c FILE] [-k KEY] get FIELD\n"
	       "  ckan-pgurl [-c FILE] [-k KEY | --all] set FIELD=VALUE... [--dry-run] [--backup[=SUFFIX]]\n"
	       "  ckan-pgurl [-c FILE] [-k KEY | --all] [--show-password] url [FIELD=VALUE...]\n"
	       "  ckan-pgurl [-c FILE] pgpass\n"
	       "  ckan-pgurl [-c FILE] restore BACKUP [--dry-run] [--backup[=SUFFIX]]\n"
	       "  ckan-pgurl [-c FILE] lint\n"
	       "  ckan-pgurl [-c FILE] [-k KEY] check [--min-version V]\n"
	       "  ckan-pgurl [-c FILE] databases [--json]\n\n"
	       "Options:\n"
	       "  -c, --config=FILE      CKAN ini (default: $CKAN_INI, /etc/ckan/default/ckan.ini,\n"
	       "                         /etc/ckan/default/production.ini)\n"
	       "  -e, --env-file=FILE    read CKAN_SQLALCHEMY_URL, CKAN_DATASTORE_WRITE_URL and\n"
	       "                         CKAN_DATASTORE_READ_URL from a Docker Compose .env file;\n"
	       "                         with -c too, they win over the ini, as in CKAN\n"
	       "  -k, --key=KEY          sqlalchemy.url (main), ckan.datastore.write_url (write),\n"
	       "                         ckan.datastore.read_url (read)\n"
	       "  -a, --all              every database URL in the file\n"
	       "  -j, --json             print JSON\n"
	       "  -s, --shell            print eval-safe shell assignments\n"
	       "  -P, --show-password    print passwords instead of **** (url: keep them in the URL)\n"
	       "      --ckan-version=V   read the ini as CKAN V does (default 2.10)\n"
	       "  -n, --dry-run          print the change as a unified diff, write nothing\n"
	       "  -b, --backup[=SUFFIX]  keep the old file as FILE.bak (or FILE followed by SUFFIX)\n"
	       "  -i, --in-place         edit the file in place (the default for set)\n"
	       "      --break-hardlink   replace a file that has several hard links\n"
	       "      --min-version=V    lowest acceptable server version for check (default 9.2)\n"
	       "  -V, --version          print the version and exit\n"
	       "  -h, --help             print this help and exit\n\n"
	       "FIELD is url, user, password, host, port, dbname, options or any libpq keyword.\n"
	       "url prints each URL for libpq, edited but not written, without its password;\n"
	       "pgpass prints the passwords as libpq password-file lines; restore writes BACKUP's\n"
	       "bytes over FILE.\n"
	       "Exit status: 0 ok, 1 negative answer (lint findings, old server), 2 trouble.\n");
}

/* ---- reading the ini and its "use = config:" chain ------------------- */

static const char *find_config(void)
{
	static const char *const defaults[] = { "/etc/ckan/default/ckan.ini", "/etc/ckan/default/production.ini" };
	const char *env = getenv("CKAN_INI");
	size_t i;

	if (opt.config)
		return opt.config;
	if (env && *env)
		return env;
	for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (access(defaults[i], F_OK) == 0)
			return defaults[i];
	diag_error(NULL, 0, "no CKAN ini found (tried $CKAN_INI, %s, %s)", defaults[0], defaults[1]);
	fprintf(stderr, "Use -c FILE to name it.\n");
	exit(EXIT_TROUBLE);
}

static int load_file(struct cfile *cf, const char *path, struct diag_err *err)
{
	memset(cf, 0, sizeof *cf);
	if (fileio_read(path, &cf->src, err) < 0)
		return -1;
	cf->abspath = xstrdup(cf->src.target);
	cf->here = path_dir(cf->abspath);
	if (ckanini_parse(path, cf->src.data.data, cf->src.data.len, opt.dialect, &cf->ini, err) < 0) {
		if (!lint_mode || opt.dialect == INI_CKAN_26)
			return -1;
		{
			struct buf v;

			buf_init(&v);
			buf_printf(&v, "CKAN %s refuses this file", opt.ckan_version);
			report(err->file, err->line, NULL, "finding", v.data, err->msg);
			buf_free(&v);
		}
		if (ckanini_parse(path, cf->src.data.data, cf->src.data.len, INI_CKAN_26, &cf->ini, err) < 0)
			return -1;
	}
	cf->parsed = 1;
	if (!ckanini_lookup(&cf->ini, "app:main", "use") && !ckanini_lookup(&cf->ini, "app:main", "sqlalchemy.url")) {
		size_t i;
		int has_section = 0;

		for (i = 0; i < cf->ini.n; i++)
			if (strcmp(cf->ini.entries[i].section, "app:main") == 0)
				has_section = 1;
		if (!has_section && !strstr(cf->src.data.data, "[app:main]"))
			return diag_set(err, path, 0, "no [app:main] section");
	}
	return 0;
}

/* Load the file and every file its "use = config:" chain names, as CKAN does. */
static void load_chain(const char *first)
{
	struct diag_err err;
	struct buf next;
	const char *path = first;
	size_t i;

	buf_init(&next);
	for (;;) {
		const char *use_raw;
		char *use = NULL;
		struct cfile *cf;

		if (nchain == MAX_CHAIN) {
			diag_error(first, 0, "\"use = config:\" chain longer than %d files", MAX_CHAIN);
			exit(EXIT_TROUBLE);
		}
		cf = &chain[nchain];
		if (load_file(cf, path, &err) < 0) {
			diag_report(&err);
			exit(EXIT_TROUBLE);
		}
		for (i = 0; i < nchain; i++)
			if (strcmp(chain[i].abspath, cf->abspath) == 0) {
				diag_error(chain[nchain - 1].src.path, 0, "\"use = config:\" loops back to \"%s\"", path);
				exit(EXIT_TROUBLE);
			}
		nchain++;
		if (ckanini_get(&cf->ini, "app:main", "use", cf->here, cf->abspath, &use, NULL, &err) != 0)
			break;
		use_raw = use;
		if (strncmp(use_raw, "config:", 7) != 0) {
			free(use);
			break;
		}
		buf_reset(&next);
		if (use_raw[7] == '/')
			buf_adds(&next, use_raw + 7);
		else
			buf_printf(&next, "%s/%s", cf->here, use_raw + 7);
		free(use);
		path = next.data;
	}
	/* path may point into next; the chain keeps its own copies. */
	buf_free(&next);
}

static const struct urlkey_def *key_def(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(name, key_defs[i].key) == 0 || strcmp(name, key_defs[i].name) == 0)
			return &key_defs[i];
	return NULL;
}

/* Find each URL key in the first file of the chain that defines it. */
static void load_keys(void)
{
	size_t k, f;

	for (k = 0; k < NKEYS; k++) {
		struct urlkey *uk = &keys[k];

		uk->def = &key_defs[k];
		for (f = 0; f < nchain && !uk->file; f++) {
			const struct ckanini_entry *e = ckanini_lookup(&chain[f].ini, "app:main", uk->def->key);

			if (!e)
				e = ckanini_lookup(&chain[f].ini, "DEFAULT", uk->def->key);
			if (!e)
				continue;
			uk->file = &chain[f];
			uk->ent = e;
			/* An interpolation error is kept for lint; other commands report it. */
			if (ckanini_get(&chain[f].ini, "app:main", uk->def->key, chain[f].here, chain[f].abspath,
				    &uk->value, NULL, &uk->url_err) != 0) {
				uk->value = NULL;
				if (!uk->url_err.line)
					uk->url_err.line = e->line;
				continue;
			}
			if (pgurl_parse(uk->value, strlen(uk->value), &uk->url, &uk->url_err) == 0)
				uk->url_ok = 1;
		}
	}
}

static int entry_line(const struct urlkey *uk)
{
	return uk->eent ? uk->eent->line : uk->ent ? uk->ent->line : 0;
}

/* How messages name a URL: its ini key, or the .env variable that sets it. */
static const char *key_label(const struct urlkey *uk)
{
	return uk->eent ? uk->eent->key : uk->def->key;
}

/* "no sqlalchemy.url in [app:main]", or where the .env alone was read. */
static void no_key(const char *what)
{
	if (nchain)
		diag_error(chain[0].src.path, 0, "no %s in [app:main]", what);
	else
		diag_error(envcf.src.path, 0, "no variable sets %s (CKAN_SQLALCHEMY_URL, CKAN_DATASTORE_WRITE_URL, "
			   "CKAN_DATASTORE_READ_URL, or ckanext-envvars' CKAN___SQLALCHEMY__URL, ...)", what);
}

/* The file a finding without a key belongs to. */
static const char *main_path(void)
{
	return nchain ? chain[0].src.path : envcf.src.path;
}

/* The URL must be one libpq reads: else a FILE:LINE error and exit 2. */
static void require_url(const struct urlkey *uk)
{
	if (!uk->file) {
		no_key(uk->def->key);
		exit(EXIT_TROUBLE);
	}
	if (!uk->url_ok) {
		diag_error(uk->file->src.path, entry_line(uk), "%s: %s", key_label(uk), uk->url_err.msg);
		exit(EXIT_TROUBLE);
	}
}

/* ---- the Compose .env file (ckan-docker) ------------------------------ */

static void load_env(const char *path)
{
	struct diag_err err;

	memset(&envcf, 0, sizeof envcf);
	if (fileio_read(path, &envcf.src, &err) < 0 ||
	    envfile_parse(path, envcf.src.data.data, envcf.src.data.len, &envcf.env, &err) < 0) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
	envcf.is_env = 1;
	envcf.parsed = 1;
}

/*
 * The variable CKAN takes each URL from: CKAN's own CKAN_SQLALCHEMY_URL
 * (and the datastore pair), applied after plugins and so over
 * ckanext-envvars' spellings; an empty value counts as unset ("if
 * from_env:" in ckan/config/environment.py).
 */
static const struct envfile_entry *env_entry(const struct urlkey_def *d)
{
	const struct envfile_entry *e = envfile_lookup(&envcf.env, d->env);
	size_t i;

	for (i = 0; (!e || e->value_len == 0) && i < 2 && d->envvars[i]; i++)
		e = envfile_lookup(&envcf.env, d->envvars[i]);
	return e && e->value_len ? e : NULL;
}

/* Each URL the .env sets replaces the ini's, as CKAN's environment does;
 * the ini's is kept in ini_keys for show and lint. */
static void load_env_keys(void)
{
	size_t k;

	for (k = 0; k < NKEYS; k++) {
		const struct envfile_entry *e = env_entry(&key_defs[k]);
		struct urlkey *uk = &keys[k];

		if (!e)
			continue;
		ini_keys[k] = *uk;
		memset(uk, 0, sizeof *uk);
		uk->def = &key_defs[k];
		uk->file = &envcf;
		uk->eent = e;
		uk->value = xstrdup(e->value);
		if (pgurl_parse(uk->value, strlen(uk->value), &uk->url, &uk->url_err) == 0)
			uk->url_ok = 1;
	}
}

/* The ini's URL an .env variable overrides, when it says something else. */
static const struct urlkey *overridden(const struct urlkey *uk)
{
	const struct urlkey *ik = &ini_keys[uk->def - key_defs];

	return uk->eent && ik->file ? ik : NULL;
}

static int ini_disagrees(const struct urlkey *uk)
{
	const struct urlkey *ik = overridden(uk);

	return ik && (!ik->value || strcmp(ik->value, uk->value) != 0);
}

static void warn_override(const struct urlkey *uk)
{
	const struct urlkey *ik = overridden(uk);

	if (ik && ini_disagrees(uk))
		diag_warn(uk->file->src.path, entry_line(uk), "%s differs from %s in %s:%d; CKAN uses %s", key_label(uk),
			  ik->def->key, ik->file->src.path, entry_line(ik), key_label(uk));
}

static void warn_env(void)
{
	size_t k;

	for (k = 0; k < NKEYS; k++)
		if (getenv(key_defs[k].env))
			diag_warn(NULL, 0, "%s is set: CKAN uses it instead of %s", key_defs[k].env, key_defs[k].key);
}

/* The keys a command works on: -k KEY, --all, or (default) the given default. */
static size_t selected(struct urlkey **out, int default_all)
{
	size_t k, n = 0;

	if (opt.key) {
		const struct urlkey_def *d = key_def(opt.key);

		for (k = 0; k < NKEYS; k++)
			if (keys[k].def == d)
				out[n++] = &keys[k];
		return n;
	}
	for (k = 0; k < NKEYS; k++)
		if ((opt.all || default_all) ? keys[k].file != NULL : k == 0)
			out[n++] = &keys[k];
	return n;
}

/* ---- show and get ---------------------------------------------------- */

static const char *effective_port(const struct urlkey *uk, int *is_default)
{
	const char *p = pgurl_get(&uk->url, "port");

	*is_default = p == NULL || *p == '\0';
	return *is_default ? "5432" : p;
}

static void masked_url(const struct urlkey *uk, struct buf *b)
{
	buf_reset(b);
	if (opt.show_password)
		buf_add(b, uk->url.text, uk->url.len);
	else
		pgurl_masked(&uk->url, b);
}

/* A password as shown: the one libpq uses (userinfo or ?password=), masked. */
static const char *shown_password(const struct urlkey *uk)
{
	const char *pw = pgurl_get(&uk->url, "password");

	if (!pw || !*pw)
		return NULL;
	return opt.show_password ? pw : "****";
}

/* A query parameter's value as shown: a secret one masked. */
static const char *shown_param(const struct urlkey *uk, size_t i)
{
	const struct pgurl_param *pm = &uk->url.params[i];

	return pgurl_is_secret(pm->key) && *pm->val && !opt.show_password ? "****" : pm->val;
}

/* The query parameters as "k=v&k2=v2" (decoded). */
static void params_string(const struct urlkey *uk, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < uk->url.nparams; i++)
		buf_printf(b, "%s%s=%s", i ? "&" : "", uk->url.params[i].key, shown_param(uk, i));
}

static void show_text(const struct urlkey *uk, struct buf *b)
{
	int dflt;
	const char *host = pgurl_get(&uk->url, "host");
	size_t i;

	printf("%s (%s:%d", uk->def->key, uk->file->src.path, entry_line(uk));
	printf("%s%s)\n", uk->eent ? " " : "", uk->eent ? uk->eent->key : "");
	masked_url(uk, b);
	printf("  url       %s\n", b->data);
	if (uk->eent && uk->eent->nrefs) {
		printf("  from     ");
		for (i = 0; i < uk->eent->nrefs; i++)
			printf(" %s", uk->eent->refs[i]);
		printf("\n");
	}
	if (overridden(uk))
		printf("  instead   %s:%d (%s, which CKAN does not use)\n", overridden(uk)->file->src.path,
		       entry_line(overridden(uk)), uk->def->key);
	printf("  user      %s\n", uk->url.user ? uk->url.user : "(libpq default)");
	printf("  password  %s\n", shown_password(uk) ? shown_password(uk) : "(none: ~/.pgpass or peer)");
	printf("  host      %s\n", host && *host ? host : "(default socket)");
	printf("  port      %s", effective_port(uk, &dflt));
	printf("%s\n", dflt ? " (default)" : "");
	printf("  dbname    %s\n", uk->url.dbname ? uk->url.dbname : "(the user name)");
	for (i = 0; i < uk->url.nparams; i++)
		printf("  %-9s %s\n", uk->url.params[i].key, shown_param(uk, i));
	printf("  server    %s\n", pgurl_is_local(&uk->url) ? "local" : "remote");
}

static void shell_var(const struct urlkey *uk, const char *field, const char *value)
{
	struct buf name;

	buf_init(&name);
	buf_printf(&name, "CKAN_DB_%s_%s", uk->def->name, field);
	out_shell_assign(stdout, name.data, value);
	buf_free(&name);
}

static void show_shell(const struct urlkey *uk, struct buf *b)
{
	char line[32];
	int dflt;
	const char *host = pgurl_get(&uk->url, "host");

	masked_url(uk, b);
	shell_var(uk, "KEY", uk->def->key);
	shell_var(uk, "FILE", uk->file->src.path);
	if (uk->eent) {
		size_t i;

		shell_var(uk, "VARIABLE", uk->eent->key);
		buf_reset(b);
		for (i = 0; i < uk->eent->nrefs; i++)
			buf_printf(b, "%s%s", i ? " " : "", uk->eent->refs[i]);
		shell_var(uk, "FROM", b->data ? b->data : "");
		masked_url(uk, b);
	}
	snprintf(line, sizeof line, "%d", entry_line(uk));
	shell_var(uk, "LINE", line);
	shell_var(uk, "URL", b->data);
	shell_var(uk, "USER", uk->url.user);
	shell_var(uk, "PASSWORD", shown_password(uk));
	shell_var(uk, "HOST", host);
	shell_var(uk, "PORT", effective_port(uk, &dflt));
	shell_var(uk, "PORT_DEFAULT", dflt ? "1" : "0");
	shell_var(uk, "DBNAME", uk->url.dbname);
	params_string(uk, b);
	shell_var(uk, "OPTIONS", b->data);
	shell_var(uk, "LOCAL", pgurl_is_local(&uk->url) ? "1" : "0");
}

static void
show_json(const struct urlkey *uk, struct buf *b)
{
	const char *port;
	int dflt;
	size_t i;

	masked_url(uk, b);
	out_json_begin_object(&json);
	out_json_field(&json, "name", uk->def->name);
	out_json_field(&json, "file", uk->file->src.path);
	out_json_int_field(&json, "line", entry_line(uk));
	if (uk->eent) {
		out_json_field(&json, "variable", uk->eent->key);
		out_json_key(&json, "from");
		out_json_begin_array(&json);
		for (i = 0; i < uk->eent->nrefs; i++)
			out_json_string(&json, uk->eent->refs[i]);
		out_json_end_array(&json);
	}
	if (overridden(uk)) {
		out_json_key(&json, "overrides");
		out_json_begin_object(&json);
		out_json_field(&json, "file", overridden(uk)->file->src.path);
		out_json_int_field(&json, "line", entry_line(overridden(uk)));
		out_json_bool_field(&json, "same", !ini_disagrees(uk));
		out_json_end_object(&json);
	}
	out_json_field(&json, "url", b->data);
	out_json_field(&json, "user", uk->url.user);
	out_json_field(&json, "password", shown_password(uk));
	out_json_field(&json, "host", pgurl_get(&uk->url, "host"));
	port = effective_port(uk, &dflt);
	out_json_field(&json, "port", port);
	out_json_bool_field(&json, "port_default", dflt);
	out_json_field(&json, "dbname", uk->url.dbname);
	out_json_key(&json, "hosts");
	out_json_begin_array(&json);
	for (i = 0; i < uk->url.nhosts; i++) {
		out_json_begin_object(&json);
		out_json_field(&json, "host", uk->url.hosts[i].host);
		out_json_field(&json, "port", uk->url.hosts[i].port);
		out_json_end_object(&json);
	}
	out_json_end_array(&json);
	out_json_key(&json, "params");
	out_json_begin_object(&json);
	for (i = 0; i < uk->url.nparams; i++)
		out_json_field(&json, uk->url.params[i].key, shown_param(uk, i));
	out_json_end_object(&json);
	out_json_bool_field(&json, "local", pgurl_is_local(&uk->url));
	out_json_end_object(&json);
}

static int cmd_show(void)
{
	struct urlkey *sel[NKEYS];
	size_t n = selected(sel, 1), i;
	struct buf b;

	warn_env();
	if (n == 0 || (opt.key && !sel[0]->file)) {
		no_key(opt.key ? sel[0]->def->key : "database URL");
		return EXIT_TROUBLE;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		require_url(sel[i]);
		buf_reset(&b);
		if (reads_differently(sel[i], &b))
			diag_warn(sel[i]->file->src.path, entry_line(sel[i]), "%s: %s", key_label(sel[i]), b.data);
		warn_override(sel[i]);
	}
	if (opt.format == OUT_JSON)
		out_json_begin_object(&json);
	for (i = 0; i < n; i++) {
		if (opt.format == OUT_TEXT) {
			if (i)
				printf("\n");
			show_text(sel[i], &b);
		} else if (opt.format == OUT_SHELL) {
			show_shell(sel[i], &b);
		} else {
			out_json_break(&json);
			out_json_key(&json, sel[i]->def->key);
			show_json(sel[i], &b);
		}
	}
	if (opt.format == OUT_JSON)
		out_json_end_object(&json);
	buf_free(&b);
	return EXIT_SAME;
}

static int cmd_get(int argc, char **argv)
{
	struct urlkey *uk;
	const char *field, *v;
	struct buf b;
	int dflt;

	if (argc != 1)
		diag_usage("get takes one FIELD (url, user, password, host, port, dbname, options)");
	warn_env();
	field = argv[0];
	if (opt.all)
		diag_usage("get works on one key: use -k KEY, not --all");
	selected(&uk, 0);
	require_url(uk);
	buf_init(&b);
	if (strcmp(field, "url") == 0) {
		masked_url(uk, &b);
		v = b.data;
	} else if (strcmp(field, "port") == 0) {
		v = effective_port(uk, &dflt);
	} else if (strcmp(field, "options") == 0) {
		params_string(uk, &b);
		v = b.data;
	} else if (strcmp(field, "host") == 0 || strcmp(field, "user") == 0 || strcmp(field, "password") == 0 ||
		   strcmp(field, "dbname") == 0) {
		v = pgurl_get(&uk->url, field);
	} else {
		v = pgurl_get(&uk->url, field);
		if (!v) {
			static const char *const known[] = { "sslmode", "sslrootcert", "sslcert", "sslkey",
				"connect_timeout", "application_name", "target_session_attrs", "options",
				"passfile", "service", "gssencmode", "hostaddr", "keepalives" };
			size_t i, ok = 0;

			for (i = 0; i < sizeof known / sizeof known[0]; i++)
				ok |= strcmp(field, known[i]) == 0;
			if (!ok)
				diag_usage("unknown FIELD \"%s\"", field);
		}
	}
	printf("%s\n", v ? v : "");
	buf_free(&b);
	return EXIT_SAME;
}

/* ---- set ------------------------------------------------------------- */

struct change {
	const char *field;
	const char *value;
};

/* A splice into a file: replace [off, off+len) with bytes. */
struct splice {
	size_t off, len;
	char *bytes;
};

static int cmp_splice(const void *a, const void *b)
{
	const struct splice *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Where each byte of the value CKAN reads sits in the file: for CKAN >= 2.9
 * a "%%" in the file is one '%' in the value.  Refuses values that use
 * %(name)s interpolation or span several lines: an edit could not be made
 * by replacing bytes of this one value.
 */
static size_t *value_map(const struct urlkey *uk, struct diag_err *err)
{
	const struct ckanini_entry *e = uk->ent;
	const char *raw = uk->file->src.data.data + e->val_off;
	size_t vlen = strlen(uk->value), i = 0, j = 0;
	size_t *map;
	int doubled = opt.dialect != INI_CKAN_26;

	if (e->multiline) {
		diag_set(err, uk->file->src.path, e->line, "%s spans several lines; edit it by hand", uk->def->key);
		return NULL;
	}
	map = xmalloc((vlen + 1) * sizeof *map);
	while (i < vlen && j < e->val_len) {
		map[i] = e->val_off + j;
		if (doubled && raw[j] == '%' && j + 1 < e->val_len && raw[j + 1] == '%' && uk->value[i] == '%')
			j += 2;
		else if (raw[j] == uk->value[i])
			j++;
		else
			break;
		i++;
	}
	if (i != vlen || j != e->val_len) {
		free(map);
		diag_set(err, uk->file->src.path, e->line, "%s uses %%(name)s interpolation; edit it by hand",
			 uk->def->key);
		return NULL;
	}
	map[vlen] = e->val_off + e->val_len;
	return map;
}

/* Write s as the ini needs it: '%' doubled for CKAN >= 2.9's configparser. */
static void ini_escape(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_addc(b, s[i]);
		if (s[i] == '%' && opt.dialect != INI_CKAN_26)
			buf_addc(b, '%');
	}
}

static int str_eq(const char *a, const char *b)
{
	if (a && !*a)
		a = NULL;
	if (b && !*b)
		b = NULL;
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/*
 * libpq must read the new URL as the old one with exactly these changes:
 * every other keyword equal, each changed one as pgurl_edit promised
 * (pgurl_intended: the value, or the value once per host).
 */
static int verify_with_libpq(const struct pgurl *old, const char *old_url, const char *new_url,
			     const struct change *ch, size_t nch, struct diag_err *err)
{
	const char **fields = xmalloc((nch + 1) * sizeof *fields);
	char **want = xmalloc((nch + 1) * sizeof *want), *differs = NULL;
	const char *why = NULL;
	size_t i;
	int rc;

	for (i = 0; i < nch; i++) {
		fields[i] = ch[i].field;
		want[i] = pgurl_intended(old, ch[i].field, ch[i].value);
	}
	rc = pgconn_url_reads_as(old_url, new_url, fields, (const char *const *)want, nch, &differs, &why);
	for (i = 0; i < nch; i++)
		free(want[i]);
	free(want);
	free(fields);
	if (rc == -1)
		return diag_set(err, NULL, 0, "cannot load libpq to verify the edit: %s", why ? why : "");
	if (rc == -2)
		return diag_set(err, NULL, 0, "libpq rejects the edited URL");
	if (rc == 1) {
		diag_set(err, NULL, 0, "internal error: libpq reads the edited URL differently in \"%s\"; "
			 "nothing written", differs);
		free(differs);
		return -1;
	}
	return 0;
}

static int parse_changes(int argc, char **argv, struct change *ch)
{
	static const char *const fields[] = { "user", "password", "host", "port", "dbname" };
	int i;

	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t f, known = 0;

		if (!eq || eq == argv[i])
			diag_usage("set takes FIELD=VALUE, not \"%s\"", argv[i]);
		*eq = '\0';
		ch[i].field = argv[i];
		ch[i].value = eq + 1;
		for (f = 0; f < sizeof fields / sizeof fields[0]; f++)
			known |= strcmp(argv[i], fields[f]) == 0;
		if (!known)
			diag_usage("set cannot change \"%s\" (user, password, host, port, dbname)", argv[i]);
		if (strcmp(ch[i].field, "port") == 0 && !pgurl_ports_ok(ch[i].value)) {
			diag_error(NULL, 0, "port \"%s\" is not a number from 1 to 65535", ch[i].value);
			exit(EXIT_TROUBLE);
		}
	}
	return argc;
}

/* Two URLs point at the same server when libpq's host and port (5432 when absent) are equal. */
static int same_server(const struct urlkey *a, const struct urlkey *b)
{
	int d;
	const char *ha = pgurl_get(&a->url, "host"), *hb = pgurl_get(&b->url, "host");

	return str_eq(ha, hb) && strcmp(effective_port(a, &d), effective_port(b, &d)) == 0;
}

static int only_server_fields(const struct change *ch, size_t nch)
{
	size_t i;

	for (i = 0; i < nch; i++)
		if (strcmp(ch[i].field, "port") != 0 && strcmp(ch[i].field, "host") != 0)
			return 0;
	return 1;
}

/* One span of an ini's text to replace by "****". */
struct mask_list {
	struct splice *v;
	size_t n;
};

static void mask_add(struct mask_list *m, size_t off, size_t len)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n].off = off;
	m->v[m->n].len = len;
	m->v[m->n].bytes = NULL;
	m->n++;
}

/* Where a multi-line value ends: the end of its last line, before the line end. */
static size_t value_end(const char *text, size_t len, const struct ckanini_entry *e)
{
	size_t p = e->val_off;
	int line = e->line;

	for (; p < len; p++) {
		if (text[p] != '\n')
			continue;
		if (line == e->last_line)
			break;
		line++;
	}
	if (p > e->val_off && p <= len && text[p - 1] == '\r')
		p--;
	return p;
}

/*
 * The secrets of one value.  Its bytes are read as the URL CKAN hands to
 * libpq ("%%" is one '%' for CKAN >= 2.9; map[i] is the file offset of the
 * URL's byte i) and pgurl_secrets says where the passwords are.  A value
 * that is not a URL byte for byte (continuation lines, %(name)s) or that
 * pgurl cannot read goes whole when it is a database key or holds an '@'
 * after "://": guessing where a password ends is how one leaks.
 */
static void mask_value(const char *text, size_t len, const struct ckanini_entry *e, int url_key,
		       enum ckanini_dialect d, struct mask_list *m)
{
	const char *raw = text + e->val_off, *sep;
	size_t n = e->val_len, i, j, *map;
	struct buf v;
	struct pgurl u;
	struct diag_err err;
	int whole = 0;

	if (e->multiline) {
		if (url_key || (strstr(e->raw, "://") && strchr(strstr(e->raw, "://"), '@')))
			mask_add(m, e->val_off, value_end(text, len, e) - e->val_off);
		return;
	}
	sep = memmem(raw, n, "://", 3);
	if (!url_key && !sep)
		return;
	buf_init(&v);
	buf_add(&v, "", 0);
	map = xmalloc((n + 1) * sizeof *map);
	for (i = 0, j = 0; i < n; i++, j++) {
		map[j] = e->val_off + i;
		if (raw[i] == '%' && i + 1 < n && raw[i + 1] == '%' && d != INI_CKAN_26)
			i++;
		else if (raw[i] == '%' && (d != INI_CKAN_26 || (i + 1 < n && raw[i + 1] == '(')))
			whole = 1;	/* interpolation, or a lone '%' configparser refuses */
		buf_addc(&v, raw[i]);
	}
	map[j] = e->val_off + n;
	if (!whole && pgurl_parse(v.data, v.len, &u, &err) == 0) {
		struct pgurl_span *sp;
		size_t k, ns = pgurl_secrets(&u, &sp);

		for (k = 0; k < ns; k++)
			mask_add(m, map[sp[k].off], map[sp[k].off + sp[k].len] - map[sp[k].off]);
		free(sp);
		pgurl_free(&u);
	} else if (url_key || (sep && memchr(sep, '@', n - (size_t)(sep - raw)))) {
		if (n > 0)
			mask_add(m, e->val_off, n);
	}
	free(map);
	buf_free(&v);
}

/* text with each line (without its '\n') rewritten by fn. */
static char *map_lines(const char *text, size_t len, size_t *outlen,
		       void (*fn)(struct buf *b, const char *line, size_t n))
{
	struct buf b;
	size_t pos = 0;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		fn(&b, text + pos, end - pos);
		if (nl)
			buf_addc(&b, '\n');
		pos = end + 1;
	}
	*outlen = b.len;
	return buf_steal(&b);
}

/* A line holding "://": what follows it goes (a final '\r' stays). */
static void mask_line_url(struct buf *b, const char *line, size_t n)
{
	const char *sep = memmem(line, n, "://", 3);
	size_t cut = n > 0 && line[n - 1] == '\r' ? n - 1 : n;

	if (sep) {
		buf_add(b, line, (size_t)(sep - line) + 3);
		buf_adds(b, "****");
		buf_add(b, line + cut, n - cut);
	} else {
		buf_add(b, line, n);
	}
}

/*
 * A text that is no ini (a file a restore repairs): on every line holding
 * "://", what follows it goes, since no value can be told from another.
 */
static char *mask_lines(const char *text, size_t len, size_t *outlen)
{
	return map_lines(text, len, outlen, mask_line_url);
}

/*
 * The ini's text with every password replaced by "****", for a diff shown
 * to people: each value that is a database URL, or any value holding a URL
 * (CKAN extensions keep theirs under other keys), in every section.  Read
 * as the chosen CKAN version reads it, else as CKAN 2.6 (which refuses
 * less), else line by line (mask_lines).
 */
static char *mask_ini(const char *text, size_t len, size_t *outlen)
{
	struct ckanini_file f;
	struct diag_err err;
	struct mask_list m = { NULL, 0 };
	enum ckanini_dialect d = opt.dialect;
	struct buf b;
	size_t i, k, pos = 0;

	if (ckanini_parse("", text, len, d, &f, &err) < 0) {
		d = INI_CKAN_26;
		if (ckanini_parse("", text, len, d, &f, &err) < 0)
			return mask_lines(text, len, outlen);
	}
	for (i = 0; i < f.n; i++) {
		int url_key = 0;

		for (k = 0; k < NKEYS; k++)
			url_key |= strcmp(f.entries[i].key, key_defs[k].key) == 0;
		mask_value(text, len, &f.entries[i], url_key, d, &m);
	}
	ckanini_free(&f);
	qsort(m.v, m.n, sizeof *m.v, cmp_splice);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < m.n; i++) {
		if (m.v[i].off < pos)	/* spans never overlap; be safe anyway */
			continue;
		buf_add(&b, text + pos, m.v[i].off - pos);
		buf_adds(&b, "****");
		pos = m.v[i].off + m.v[i].len;
	}
	buf_add(&b, text + pos, len - pos);
	free(m.v);
	*outlen = b.len;
	return buf_steal(&b);
}

/* A .env variable whose name says it holds a secret (POSTGRES_PASSWORD,
 * CKAN___BEAKER__SESSION__SECRET): its value is masked whole. */
static int secret_name(const char *key, size_t n)
{
	static const char *const words[] = { "PASSWORD", "PASSWD", "SECRET", "TOKEN" };
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (memmem(key, n, words[i], strlen(words[i])))
			return 1;
	return 0;
}

/* A line whose name says it is a secret: what follows the first '=' or ':' goes. */
static void mask_line_secret(struct buf *b, const char *line, size_t n)
{
	size_t eq = strcspn(line, "=:\n");	/* the text is NUL-terminated */

	if (eq < n && secret_name(line, eq) && !memmem(line, n, "://", 3)) {
		buf_add(b, line, eq + 1);
		buf_adds(b, "****");
	} else {
		buf_add(b, line, n);
	}
}

/* A text that is no .env Compose reads: mask_lines, and after the first
 * '=' or ':' of a line whose name says it is a secret. */
static char *mask_env_lines(const char *text, size_t len, size_t *outlen)
{
	size_t l1;
	char *t1 = mask_lines(text, len, &l1), *res;

	res = map_lines(t1, l1, outlen, mask_line_secret);
	free(t1);
	return res;
}

/*
 * The .env's text with every password replaced by "****": in each value
 * holding a URL, pgurl_secrets' spans where they are the file's own bytes;
 * where a secret comes from a variable, that variable's whole value (and
 * those it is built from); a URL-like value pgurl cannot read, a value
 * with escapes or ${...:-...} inside a secret, and every variable named
 * like a secret, whole.  A text Compose cannot read: mask_env_lines.
 */
/*
 * The secrets of entry i of f (a URL's pgurl_secrets): into m where they
 * are the file's own bytes, else whole[] of the variable they come from (or
 * of entry i itself); an entry named like a secret, or a URL-like value
 * with an '@' that pgurl cannot read, whole.
 */
static void mask_env_entry(const struct envfile *f, size_t i, struct mask_list *m, char *whole)
{
	const struct envfile_entry *e = &f->entries[i];
	struct diag_err err;
	struct pgurl u;
	struct pgurl_span *sp;
	size_t ns, j, k;
	const char *sep;

	if (!e->value)
		return;
	if (secret_name(e->key, strlen(e->key))) {
		whole[i] = 1;
		return;
	}
	sep = strstr(e->value, "://");
	if (!sep)
		return;
	if (pgurl_parse(e->value, e->value_len, &u, &err) < 0) {
		whole[i] = strchr(sep, '@') != NULL;
		return;
	}
	ns = pgurl_secrets(&u, &sp);
	for (j = 0; j < ns; j++)
		for (k = 0; k < e->nparts; k++) {
			const struct envfile_part *p = &e->parts[k];
			size_t a = sp[j].off > p->off ? sp[j].off : p->off;
			size_t z = sp[j].off + sp[j].len < p->off + p->len ? sp[j].off + sp[j].len : p->off + p->len;

			if (a >= z && !(p->len == 0 && p->off > sp[j].off && p->off < sp[j].off + sp[j].len))
				continue;
			if (p->kind == ENVFILE_TEXT)
				mask_add(m, p->src_off + (a - p->off), z - a);
			else if (p->kind == ENVFILE_VAR && p->entry >= 0)
				whole[p->entry] = 1;
			else
				whole[i] = 1;
		}
	free(sp);
	pgurl_free(&u);
}

static char *mask_env(const char *text, size_t len, size_t *outlen)
{
	struct envfile f;
	struct diag_err err;
	struct mask_list m = { NULL, 0 };
	struct buf b;
	size_t i, k, pos = 0;
	char *whole;

	if (envfile_parse("", text, len, &f, &err) < 0)
		return mask_env_lines(text, len, outlen);
	whole = xmalloc(f.n + 1);
	memset(whole, 0, f.n + 1);
	for (i = 0; i < f.n; i++)
		mask_env_entry(&f, i, &m, whole);
	/* A variable masked whole takes the variables it is built from along. */
	for (i = f.n; i-- > 0;)
		for (k = 0; whole[i] && k < f.entries[i].nparts; k++)
			if (f.entries[i].parts[k].entry >= 0)
				whole[f.entries[i].parts[k].entry] = 1;
	for (i = 0; i < f.n; i++)
		if (whole[i] && f.entries[i].val_len)
			mask_add(&m, f.entries[i].val_off, f.entries[i].val_len);
	free(whole);
	envfile_free(&f);
	qsort(m.v, m.n, sizeof *m.v, cmp_splice);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < m.n; i++) {
		size_t end = m.v[i].off + m.v[i].len;

		if (end <= pos)
			continue;
		if (m.v[i].off >= pos) {
			buf_add(&b, text + pos, m.v[i].off - pos);
			buf_adds(&b, "****");
		}
		pos = end;	/* overlapping spans: one "****" for both */
	}
	buf_add(&b, text + pos, len - pos);
	free(m.v);
	*outlen = b.len;
	return buf_steal(&b);
}

static int diff_env;	/* print_diff shows a .env, not an ini */

/*
 * The unified diff of an ini (or .env) from a to b, passwords masked unless
 * --show-password: the one preview set and restore print.
 */
static void print_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen)
{
	struct buf diff;
	size_t la = alen, lb = blen;
	char *ma, *mb;

	buf_init(&diff);
	if (opt.show_password) {
		ma = xstrndup(a, alen);
		mb = xstrndup(b, blen);
	} else {
		ma = diff_env ? mask_env(a, alen, &la) : mask_ini(a, alen, &la);
		mb = diff_env ? mask_env(b, blen, &lb) : mask_ini(b, blen, &lb);
	}
	fileio_diff(path, path, ma, la, mb, lb, &diff);
	if (diff.len == 0 && !(alen == blen && memcmp(a, b, alen) == 0))
		buf_printf(&diff, "--- %s\n+++ %s\n(only a password changes)\n", path, path);
	fwrite(diff.data ? diff.data : "", 1, diff.len, stdout);
	free(ma);
	free(mb);
	buf_free(&diff);
}

/* Apply every change to url with pgurl_edit, one after the other, as set does; the result in cur. */
static int apply_changes(const struct urlkey *uk, const char *url, const struct change *ch, size_t nch,
			 struct buf *cur, struct diag_err *err)
{
	struct buf next;
	size_t i;
	int rc = 0;

	buf_init(&next);
	buf_reset(cur);
	buf_adds(cur, url);
	for (i = 0; i < nch && rc == 0; i++) {
		struct pgurl u;

		if (pgurl_parse(cur->data, cur->len, &u, err) < 0) {
			rc = -1;
			break;
		}
		buf_reset(&next);
		if (pgurl_edit(&u, ch[i].field, ch[i].value, &next, err) < 0) {
			snprintf(err->file, sizeof err->file, "%s", uk->file->src.path);
			err->line = uk->ent->line;
			rc = -1;
		} else {
			buf_reset(cur);
			buf_add(cur, next.data, next.len);
		}
		pgurl_free(&u);
	}
	buf_free(&next);
	return rc;
}

/* Edit one URL with every change; add the file splice to sp and give the new URL (for verify_edits). */
static int edit_key(struct urlkey *uk, const struct change *ch, size_t nch, struct splice *sp, char **new_url,
		    struct diag_err *err)
{
	struct buf cur, bytes;
	size_t *map, pre = 0, suf = 0;
	int rc = -1;

	map = value_map(uk, err);
	if (!map)
		return -1;
	buf_init(&cur);
	buf_init(&bytes);
	if (apply_changes(uk, uk->value, ch, nch, &cur, err) < 0)
		goto out;
	/* Only the bytes between the common prefix and suffix change. */
	{
		size_t olen = strlen(uk->value), nlen = cur.len;

		while (pre < olen && pre < nlen && uk->value[pre] == cur.data[pre])
			pre++;
		while (suf < olen - pre && suf < nlen - pre && uk->value[olen - 1 - suf] == cur.data[nlen - 1 - suf])
			suf++;
		/* Never cut a "%%" pair in the file in half. */
		sp->off = map[pre];
		sp->len = map[olen - suf] - map[pre];
		ini_escape(&bytes, cur.data + pre, nlen - pre - suf);
		sp->bytes = buf_steal(&bytes);
	}
	*new_url = xstrndup(cur.data, cur.len);
	rc = 0;
out:
	free(map);
	buf_free(&cur);
	buf_free(&bytes);
	return rc;
}

/* libpq must read each edited URL as intended (verify_with_libpq). */
static int verify_edits(struct urlkey *const *edited, char *const *new_values, size_t n, const struct change *ch,
			size_t nch, struct diag_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (verify_with_libpq(&edited[i]->url, edited[i]->value, new_values[i], ch, nch, err) < 0) {
			snprintf(err->file, sizeof err->file, "%s", edited[i]->file->src.path);
			err->line = edited[i]->ent->line;
			return -1;
		}
	return 0;
}

/*
 * Write text over src, synced while libpq loads, replacing the old file
 * only once libpq has read every edit as intended (verify_edits).  What
 * fileio_stage or fileio_commit answers (1: nothing to write), or -1 with
 * err.
 */
static int
write_verified(struct fileio_src *src, const struct buf *text, struct urlkey *const *edited,
	       char *const *new_values, size_t n, const struct change *ch, size_t nch,
	       struct diag_err *err)
{
	struct fileio_opts fo = { opt.backup, opt.break_hardlink };
	struct fileio_stage stg;
	int r;

	r = fileio_stage(src, text->data, text->len, &fo, &stg, err);
	if (r >= 0 && verify_edits(edited, new_values, n, ch, nch, err) < 0) {
		if (r == 0)
			fileio_discard(&stg);
		return -1;
	}
	if (r == 0)
		r = fileio_commit(&stg, err);
	return r;
}

/* After the splice, CKAN must read every key as before except the edited ones. */
static int verify_ini(const struct cfile *cf, const char *text, size_t len, struct urlkey **edited,
		      char *const *new_values, size_t nedited, struct diag_err *err)
{
	struct ckanini_file f;
	size_t i, j;
	int rc = 0;

	if (ckanini_parse(cf->src.path, text, len, opt.dialect, &f, err) < 0)
		return -1;
	if (f.n != cf->ini.n)
		rc = diag_set(err, cf->src.path, 0, "internal error: the edit changed the file's structure; nothing written");
	for (i = 0; i < f.n && rc == 0; i++) {
		const struct ckanini_entry *a = &cf->ini.entries[i], *b = &f.entries[i];
		const char *want = a->raw;

		for (j = 0; j < nedited; j++)
			if (edited[j]->ent == a)
				want = NULL;
		if (strcmp(a->key, b->key) != 0 || strcmp(a->section, b->section) != 0 ||
		    (want && strcmp(want, b->raw) != 0))
			rc = diag_set(err, cf->src.path, b->line, "internal error: the edit changed \"%s\"; nothing written",
				      b->key);
	}
	for (j = 0; j < nedited && rc == 0; j++) {
		char *v = NULL;

		if (ckanini_get(&f, "app:main", edited[j]->def->key, cf->here, cf->abspath, &v, NULL, err) != 0 ||
		    strcmp(v, new_values[j]) != 0)
			rc = diag_set(err, cf->src.path, edited[j]->ent->line,
				      "internal error: CKAN would not read the intended URL; nothing written");
		free(v);
	}
	ckanini_free(&f);
	return rc;
}

/* ---- set on a .env ---------------------------------------------------- */

/* Write s as a value in a .env needs it inside its quotes (quote 0: none). */
static void env_escape(struct buf *b, const char *s, size_t n, char quote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '$' && quote != '\'')
			buf_addc(b, '$');
		else if (quote == '"' && (s[i] == '\\' || s[i] == '"'))
			buf_addc(b, '\\');
		else if (quote == '\'' && s[i] == '\'')
			buf_addc(b, '\\');
		if (quote == '"' && s[i] == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, s[i]);
	}
}

/* Where the last edit went: the entries whose bytes changed. */
static size_t env_edited[64], n_env_edited;

/*
 * Replace bytes [a, b) of entry ei's value by nb[0..nlen): in the file's own
 * bytes (TEXT), or, when they all come from one $VAR or ${VAR}, in that
 * variable's value, wherever it is written.  An insertion goes into the
 * file's own bytes next to it, never into a variable.  Refuses (-1 with
 * err at the line) a change across several parts, inside an escape or a
 * ${VAR:-default}-style expression, or of a variable the file leaves unset.
 */
static int env_edit_region(const struct envfile *f, size_t ei, size_t a, size_t b, const char *nb, size_t nlen,
			   const char *what, struct splice *sp, struct diag_err *err)
{
	const struct envfile_entry *e = &f->entries[ei];
	const struct envfile_part *p = NULL;
	struct buf bytes;
	size_t k;

	for (k = 0; k < e->nparts && !p; k++) {
		const struct envfile_part *q = &e->parts[k];

		if (a == b ? (q->kind == ENVFILE_TEXT && q->off <= a && a <= q->off + q->len)
			   : (q->off <= a && a < q->off + q->len))
			p = q;
	}
	if (!p && a == b && e->nparts == 0 && a == 0) {
		sp->off = e->val_off + (e->quote ? 1 : 0);
		sp->len = 0;
	} else if (!p) {
		return diag_set(err, f->path, e->line, "%s: %s sits between two variables; edit it by hand", e->key, what);
	} else if (b > p->off + p->len || (a == b && p->kind != ENVFILE_TEXT)) {
		return diag_set(err, f->path, e->line, "%s: %s is built from several parts of the value; edit it by hand",
				e->key, what);
	} else if (p->kind == ENVFILE_VAR) {
		if (p->entry < 0)
			return diag_set(err, f->path, e->line, "%s: %s comes from $%s, which no earlier line sets; "
					"set it by hand", e->key, what, p->name);
		return env_edit_region(f, (size_t)p->entry, a - p->off, b - p->off, nb, nlen, what, sp, err);
	} else if (p->kind == ENVFILE_EXPR) {
		return diag_set(err, f->path, e->line, "%s: %s comes from an expression on $%s (${%s:-...} or alike); "
				"ckan-pgurl does not edit defaults or alternatives: edit it by hand", e->key, what, p->name,
				p->name);
	} else if (p->kind == ENVFILE_ESCAPE) {
		return diag_set(err, f->path, e->line, "%s: %s is written with an escape; edit it by hand", e->key, what);
	} else {
		sp->off = p->src_off + (a - p->off);
		sp->len = b - a;
	}
	buf_init(&bytes);
	buf_add(&bytes, "", 0);
	env_escape(&bytes, nb, nlen, e->quote);
	sp->bytes = buf_steal(&bytes);
	if (n_env_edited < sizeof env_edited / sizeof env_edited[0])
		env_edited[n_env_edited++] = ei;
	return 0;
}

/* The spans of field's component(s) in the URL's text. */
static size_t field_spans(const struct pgurl *u, const char *field, struct pgurl_span *out, size_t max)
{
	size_t n = 0, i;

	if (strcmp(field, "user") == 0)
		out[n++] = u->user_span;
	else if (strcmp(field, "password") == 0)
		out[n++] = u->password_span;
	else if (strcmp(field, "dbname") == 0)
		out[n++] = u->dbname_span;
	else
		for (i = 0; i < u->nhosts && n < max; i++)
			out[n++] = strcmp(field, "host") == 0 ? u->hosts[i].host_span : u->hosts[i].port_span;
	return n;
}

/* The file's text with the URL of key def edited by one change: 0 (text
 * replaced), or -1 with err. */
static int env_apply_one(const char *path, struct buf *text, const struct urlkey_def *def, const struct change *c,
			 struct diag_err *err)
{
	struct envfile f;
	const struct envfile_entry *e;
	struct pgurl u;
	struct buf nu;
	struct pgurl_span spans[64];
	struct splice sp = { 0, 0, NULL };
	size_t a, b, olen, nlen, suf = 0, ns, i;
	int rc = -1, grown = 1;
	struct envfile saved;

	if (envfile_parse(path, text->data, text->len, &f, err) < 0)
		return -1;
	saved = envcf.env;
	envcf.env = f;
	e = env_entry(def);
	envcf.env = saved;
	if (!e) {
		envfile_free(&f);
		return diag_set(err, path, 0, "internal error: %s vanished; nothing written", def->env);
	}
	if (pgurl_parse(e->value, e->value_len, &u, err) < 0) {
		snprintf(err->file, sizeof err->file, "%s", path);
		err->line = e->line;
		envfile_free(&f);
		return -1;
	}
	buf_init(&nu);
	if (pgurl_edit(&u, c->field, c->value, &nu, err) < 0) {
		snprintf(err->file, sizeof err->file, "%s", path);
		err->line = e->line;
		goto out;
	}
	olen = e->value_len;
	nlen = nu.len;
	for (a = 0; a < olen && a < nlen && e->value[a] == nu.data[a]; a++)
		;
	while (suf < olen - a && suf < nlen - a && e->value[olen - 1 - suf] == nu.data[nlen - 1 - suf])
		suf++;
	if (a == olen && olen == nlen) {
		rc = 0;		/* already so */
		goto out;
	}
	b = olen - suf;
	/* Widen to the whole component(s) the change touches: a host written
	 * ${POSTGRES_HOST} is replaced whole, not appended to. */
	ns = field_spans(&u, c->field, spans, 64);
	while (grown) {
		grown = 0;
		for (i = 0; i < ns; i++) {
			size_t so = spans[i].off, se = spans[i].off + spans[i].len;

			if (spans[i].len == 0 || se < a || so > b || (so >= a && se <= b))
				continue;
			if (so < a) {
				a = so;
				grown = 1;
			}
			if (se > b) {
				suf -= se - b;
				b = se;
				grown = 1;
			}
		}
	}
	if (env_edit_region(&f, envfile_index(&f, e), a, b, nu.data + a, nlen - suf - a, c->field, &sp, err) == 0) {
		struct buf out;

		buf_init(&out);
		buf_add(&out, text->data, sp.off);
		buf_adds(&out, sp.bytes);
		buf_add(&out, text->data + sp.off + sp.len, text->len - sp.off - sp.len);
		buf_reset(text);
		buf_add(text, out.data, out.len);
		buf_free(&out);
		free(sp.bytes);
		rc = 0;
	}
out:
	buf_free(&nu);
	pgurl_free(&u);
	envfile_free(&f);
	return rc;
}

/*
 * set on the .env: each change applied to each target URL in turn, where
 * its bytes live (env_apply_one).  Then the whole file is read again as
 * Compose reads it: every target URL must be exactly the URL edited as
 * asked, every other URL unchanged (a variable shared with a URL not
 * selected is refused), every other line either unchanged or built from
 * an edited variable (said on stderr); libpq verifies each URL, and fileio
 * writes the file.  The lines changed are named on stderr (or --json).
 */
/*
 * Every URL of the .env as Compose reads the edited file nf: each target
 * the URL intended (its new value into edited[] and new_values[] when it
 * changes), every other one unchanged.  0, or -1 after saying which is not.
 */
static int env_check_keys(const char *path, const struct envfile *nf, struct urlkey **targets, size_t nt,
			  const struct change *ch, size_t nch, struct urlkey **edited, char **new_values, size_t *ne)
{
	struct diag_err err;
	struct buf cur;
	size_t i, k;
	int rc = 0;

	buf_init(&cur);
	for (k = 0; k < NKEYS && rc == 0; k++) {
		struct urlkey *uk = &keys[k];
		const struct envfile_entry *e;
		struct envfile saved = envcf.env;
		int target = 0;

		if (!uk->eent)
			continue;
		envcf.env = *nf;
		e = env_entry(uk->def);
		envcf.env = saved;
		for (i = 0; i < nt; i++)
			target |= targets[i] == uk;
		if (target && apply_changes(uk, uk->value, ch, nch, &cur, &err) < 0) {
			diag_report(&err);
			rc = -1;
		} else if (!e || strcmp(e->value, target ? cur.data : uk->value) != 0) {
			if (target)
				diag_error(path, entry_line(uk), "internal error: Compose would not read the intended URL "
					   "in %s; nothing written", key_label(uk));
			else
				diag_error(path, entry_line(uk), "%s shares a variable with the URLs edited and would change "
					   "too; select it as well (--all) or edit the file by hand", key_label(uk));
			rc = -1;
		} else if (target && strcmp(cur.data, uk->value) != 0) {
			edited[*ne] = uk;
			new_values[(*ne)++] = xstrdup(cur.data);
		}
	}
	buf_free(&cur);
	return rc;
}

/* After a write: which lines of the .env changed, and which others follow from them. */
static void env_report_changes(const char *path, const struct envfile *nf)
{
	size_t i;

	if (opt.format == OUT_JSON) {
		out_json_begin_object(&json);
		out_json_key(&json, "changed");
		out_json_begin_array(&json);
	}
	for (i = 0; i < nf->n; i++) {
		const struct envfile_entry *o = &envcf.env.entries[i], *e = &nf->entries[i];
		size_t j;
		int direct = 0;

		if (i >= envcf.env.n || !o->value || !e->value || strcmp(o->value, e->value) == 0)
			continue;
		for (j = 0; j < n_env_edited; j++)
			direct |= env_edited[j] == i;
		if (n_env_edited == 0)
			continue;
		if (opt.format == OUT_JSON) {
			out_json_begin_object(&json);
			out_json_field(&json, "file", path);
			out_json_int_field(&json, "line", e->line);
			out_json_field(&json, "variable", e->key);
			out_json_bool_field(&json, "written", direct);
			out_json_end_object(&json);
		} else {
			fprintf(stderr, "%s: %s:%d: %s %s\n", diag_prog(), path, e->line, direct ? "changed" : "follows:",
				e->key);
		}
	}
	if (opt.format == OUT_JSON) {
		out_json_end_array(&json);
		out_json_end_object(&json);
	}
}

static int set_env(struct urlkey **targets, size_t nt, const struct change *ch, size_t nch)
{
	const char *path = envcf.src.path;
	struct buf text;
	struct envfile nf;
	struct diag_err err;
	struct urlkey *edited[NKEYS];
	char *new_values[NKEYS];
	size_t i, k, ne = 0;
	int r, rc = EXIT_TROUBLE;

	buf_init(&text);
	buf_add(&text, envcf.src.data.data, envcf.src.data.len);
	n_env_edited = 0;
	for (i = 0; i < nch; i++)
		for (k = 0; k < nt; k++)
			if (env_apply_one(path, &text, targets[k]->def, &ch[i], &err) < 0) {
				diag_report(&err);
				goto out;
			}
	if (envfile_parse(path, text.data, text.len, &nf, &err) < 0) {
		diag_error(path, err.line, "internal error: the edit breaks the file (%s); nothing written", err.msg);
		goto out;
	}
	for (i = 0; i < nf.n || i < envcf.env.n; i++)
		if (i >= nf.n || i >= envcf.env.n || strcmp(nf.entries[i].key, envcf.env.entries[i].key) != 0) {
			diag_error(path, i < nf.n ? nf.entries[i].line : 0,
				   "internal error: the edit changes the file's lines; nothing written");
			goto out_nf;
		}
	if (env_check_keys(path, &nf, targets, nt, ch, nch, edited, new_values, &ne) < 0)
		goto out_nf;
	if (opt.dry_run && verify_edits(edited, new_values, ne, ch, nch, &err) < 0) {
		diag_report(&err);
		goto out_nf;
	}
	if (opt.dry_run) {
		diff_env = 1;
		print_diff(path, envcf.src.data.data, envcf.src.data.len, text.data, text.len);
		rc = EXIT_SAME;
		goto out_nf;
	}
	r = write_verified(&envcf.src, &text, edited, new_values, ne, ch, nch, &err);
	if (r < 0) {
		diag_report(&err);
		goto out_nf;
	}
	if (r == 1)
		n_env_edited = 0;	/* nothing written */
	env_report_changes(path, &nf);
	rc = EXIT_SAME;
out_nf:
	for (i = 0; i < ne; i++)
		free(new_values[i]);
	envfile_free(&nf);
out:
	buf_free(&text);
	return rc;
}

/*
 * The keys set edits: those of -k or --all, else the main URL and the
 * datastore URLs on its server when only host and port change (the guide
 * forgets them).  The count, or 0 after telling that none is there.
 */
static size_t set_targets(const struct change *ch, size_t nch, struct urlkey **targets)
{
	size_t nt = 0, k;

	if (opt.key || opt.all) {
		struct urlkey *sel[NKEYS];
		size_t n = selected(sel, 0);

		for (k = 0; k < n; k++) {
			require_url(sel[k]);
			targets[nt++] = sel[k];
		}
		if (nt == 0)
			no_key(opt.key ? opt.key : "database URL");
		return nt;
	}
	require_url(&keys[0]);
	targets[nt++] = &keys[0];
	if (only_server_fields(ch, nch))
		for (k = 1; k < NKEYS; k++)
			if (keys[k].file && keys[k].url_ok && same_server(&keys[0], &keys[k]))
				targets[nt++] = &keys[k];
	return nt;
}

/* The targets defined in the .env file: set_env edits them all at once. */
static int set_env_targets(struct urlkey **targets, size_t nt, const struct change *ch, size_t nch)
{
	struct urlkey *et[NKEYS];
	size_t ne = 0, j;

	for (j = 0; j < nt; j++)
		if (targets[j]->eent)
			et[ne++] = targets[j];
	return ne ? set_env(et, ne, ch, nch) : EXIT_SAME;
}

/* One atomic write of cf with the edits of the targets it defines (none: nothing). */
static int set_in_file(struct cfile *cf, struct urlkey **targets, size_t nt, const struct change *ch, size_t nch)
{
	struct splice sp[NKEYS];
	struct urlkey *edited[NKEYS];
	char *new_values[NKEYS];
	struct diag_err err;
	struct buf out;
	size_t ns = 0, i, k, pos = 0;
	int status = EXIT_SAME;

	for (k = 0; k < nt; k++) {
		if (targets[k]->file != cf)
			continue;
		if (edit_key(targets[k], ch, nch, &sp[ns], &new_values[ns], &err) < 0) {
			diag_report(&err);
			return EXIT_TROUBLE;
		}
		edited[ns] = targets[k];
		ns++;
	}
	if (ns == 0)
		return EXIT_SAME;
	qsort(sp, ns, sizeof sp[0], cmp_splice);	/* edited[] order no longer matters below */
	buf_init(&out);
	for (i = 0; i < ns; i++) {
		buf_add(&out, cf->src.data.data + pos, sp[i].off - pos);
		buf_adds(&out, sp[i].bytes);
		pos = sp[i].off + sp[i].len;
		free(sp[i].bytes);
	}
	buf_add(&out, cf->src.data.data + pos, cf->src.data.len - pos);

	if (verify_ini(cf, out.data, out.len, edited, new_values, ns, &err) < 0 ||
	    (opt.dry_run && verify_edits(edited, new_values, ns, ch, nch, &err) < 0)) {
		diag_report(&err);
		return EXIT_TROUBLE;
	}
	if (opt.dry_run) {
		print_diff(cf->src.path, cf->src.data.data, cf->src.data.len, out.data, out.len);
	} else if (write_verified(&cf->src, &out, edited, new_values, ns, ch, nch, &err) < 0) {
		diag_report(&err);
		status = EXIT_TROUBLE;
	}
	for (i = 0; i < ns; i++)
		free(new_values[i]);
	buf_free(&out);
	return status;
}

static int cmd_set(int argc, char **argv)
{
	struct change ch[64];
	struct urlkey *targets[NKEYS];
	size_t nch, nt, f;
	int status;

	if (argc < 1)
		diag_usage("set needs FIELD=VALUE");
	if (argc > 64)
		diag_usage("too many changes");
	nch = (size_t)parse_changes(argc, argv, ch);
	warn_env();
	nt = set_targets(ch, nch, targets);
	if (nt == 0)
		return EXIT_TROUBLE;
	status = set_env_targets(targets, nt, ch, nch);
	/* One atomic write per file of the chain that defines an edited key. */
	for (f = 0; f < nchain && status == EXIT_SAME; f++)
		status = set_in_file(&chain[f], targets, nt, ch, nch);
	return status;
}

/* ---- url, pgpass, restore: what the upgrade driver asks ---------------- */

static int cmd_url(int argc, char **argv)
{
	struct change ch[64];
	struct urlkey *sel[NKEYS];
	char *new_url[NKEYS];
	struct diag_err err;
	struct buf cur, out;
	size_t nch = 0, n, i;

	if (argc > 64)
		diag_usage("too many changes");
	if (argc > 0)
		nch = (size_t)parse_changes(argc, argv, ch);
	warn_env();
	n = selected(sel, 0);
	if (n == 0) {
		no_key("database URL");
		return EXIT_TROUBLE;
	}
	buf_init(&cur);
	for (i = 0; i < n; i++) {
		require_url(sel[i]);
		if (apply_changes(sel[i], sel[i]->value, ch, nch, &cur, &err) < 0) {
			diag_report(&err);
			exit(EXIT_TROUBLE);
		}
		new_url[i] = xstrndup(cur.data, cur.len);
	}
	buf_free(&cur);
	/* The same check set makes before it writes: libpq reads each edit as intended. */
	if (nch > 0 && verify_edits(sel, new_url, n, ch, nch, &err) < 0) {
		diag_report(&err);
		exit(EXIT_TROUBLE);
	}
	buf_init(&out);
	if (opt.format == OUT_JSON)
		out_json_begin_object(&json);
	for (i = 0; i < n; i++) {
		struct pgurl u;
		char *plain;

		buf_reset(&out);
		if (pgurl_parse(new_url[i], strlen(new_url[i]), &u, &err) < 0) {
			diag_error(sel[i]->file->src.path, entry_line(sel[i]), "%s: %s", key_label(sel[i]), err.msg);
			exit(EXIT_TROUBLE);
		}
		if (opt.show_password)
			buf_adds(&out, new_url[i]);
		else
			pgurl_without_password(&u, &out);
		pgurl_free(&u);
		/* url is for libpq: without the "+DRIVER" of SQLAlchemy's scheme. */
		plain = pgurl_without_driver(out.data);
		if (opt.format == OUT_JSON) {
			out_json_field(&json, sel[i]->def->key, plain);
		} else if (opt.format == OUT_SHELL) {
			shell_var(sel[i], "URL", plain);
		} else {
			printf("%s\n", plain);
		}
		free(plain);
		free(new_url[i]);
	}
	if (opt.format == OUT_JSON)
		out_json_end_object(&json);
	buf_free(&out);
	return EXIT_SAME;
}

/* A libpq password-file field: '\' and ':' get a '\' before them. */
static void passfile_field(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ':')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
}

static int cmd_pgpass(void)
{
	struct urlkey *sel[NKEYS];
	struct buf lines[NKEYS];
	size_t n, i, j, nl = 0;

	if (opt.format != OUT_TEXT)
		diag_usage("pgpass prints password-file lines, not --json or --shell");
	warn_env();
	n = selected(sel, 1);
	if (opt.key && !sel[0]->file) {
		no_key(sel[0]->def->key);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < n; i++)
		require_url(sel[i]);
	for (i = 0; i < n; i++) {
		const struct pgurl *u = &sel[i]->url;
		const char *pw = pgurl_get(u, "password"), *user = pgurl_get(u, "user");
		const char *db = pgurl_get(u, "dbname");
		int dup = 0;

		if (!pw || !*pw)
			continue;
		if (strpbrk(pw, "\r\n")) {
			diag_error(sel[i]->file->src.path, entry_line(sel[i]),
				   "%s: the password holds a line break, which a password file cannot carry",
				   sel[i]->def->key);
			return EXIT_TROUBLE;
		}
		buf_init(&lines[nl]);
		buf_adds(&lines[nl], "*:*:");
		/* Absent, libpq uses a default (the user name, the login name): any matches. */
		if (db && *db)
			passfile_field(&lines[nl], db);
		else
			buf_addc(&lines[nl], '*');
		buf_addc(&lines[nl], ':');
		if (user && *user)
			passfile_field(&lines[nl], user);
		else
			buf_addc(&lines[nl], '*');
		buf_addc(&lines[nl], ':');
		passfile_field(&lines[nl], pw);
		for (j = 0; j < nl; j++)
			dup |= strcmp(lines[j].data, lines[nl].data) == 0;
		if (dup)
			buf_free(&lines[nl]);
		else
			nl++;
	}
	for (j = 0; j < nl; j++) {
		printf("%s\n", lines[j].data);
		buf_free(&lines[j]);
	}
	return nl ? EXIT_SAME : EXIT_DIFF;
}

/*
 * restore BACKUP: FILE gets BACKUP's bytes, written as set writes (FILE's
 * link, mode and owner kept; same bytes: nothing written).  Neither file is
 * read as an ini except to mask the --dry-run diff: a broken FILE is what
 * a restore repairs.
 */
static int cmd_restore(int argc, char **argv)
{
	struct fileio_src cur, bak;
	struct fileio_opts fo = { opt.backup, opt.break_hardlink };
	struct diag_err err;
	const char *file;
	int rc;

	if (argc != 1)
		diag_usage("restore takes one BACKUP file");
	if (opt.key || opt.all)
		diag_usage("restore works on the whole file: no -k or --all");
	if (opt.env_file && opt.config)
		diag_usage("restore writes one file: give -c or --env-file, not both");
	diff_env = opt.env_file != NULL;
	file = opt.env_file ? opt.env_file : find_config();
	memset(&cur, 0, sizeof cur);
	if (fileio_read(argv[0], &bak, &err) < 0 || fileio_read(file, &cur, &err) < 0) {
		diag_report(&err);
		fileio_src_free(&bak);
		fileio_src_free(&cur);
		return EXIT_TROUBLE;
	}
	if (opt.dry_run) {
		print_diff(cur.path, cur.data.data, cur.data.len, bak.data.data, bak.data.len);
		rc = 0;
	} else {
		rc = fileio_replace(&cur, bak.data.data, bak.data.len, &fo, &err);
		if (rc < 0)
			diag_report(&err);
	}
	fileio_src_free(&cur);
	fileio_src_free(&bak);
	return rc < 0 ? EXIT_TROUBLE : EXIT_SAME;
}

/* ---- what other CKAN versions read ----------------------------------- */

static const struct {
	enum ckanini_dialect dialect;
	const char *name;
} dialects[] = {
	{ INI_CKAN_26, "CKAN 2.6-2.8" },
	{ INI_CKAN_29, "CKAN 2.9" },
	{ INI_CKAN_210, "CKAN >= 2.10" },
};

/*
 * Read uk's file as each other CKAN version would and describe, in why, the
 * first version that reads the key differently.  0 when all agree.
 */
static int reads_differently(const struct urlkey *uk, struct buf *why)
{
	size_t d;

	if (uk->eent)
		return 0;	/* CKAN reads the environment the same in every version */
	for (d = 0; d < sizeof dialects / sizeof dialects[0]; d++) {
		struct ckanini_file f;
		struct diag_err err;
		char *v = NULL;
		int rc;

		if (dialects[d].dialect == opt.dialect)
			continue;
		if (ckanini_parse(uk->file->src.path, uk->file->src.data.data, uk->file->src.data.len,
			      dialects[d].dialect, &f, &err) < 0) {
			buf_printf(why, "%s cannot read this file: %s", dialects[d].name, err.msg);
			return 1;
		}
		rc = ckanini_get(&f, "app:main", uk->def->key, uk->file->here, uk->file->abspath, &v, NULL, &err);
		ckanini_free(&f);
		if (rc == 0 && uk->value && strcmp(v, uk->value) == 0) {
			free(v);
			continue;
		}
		if (rc > 0)
			buf_printf(why, "%s finds no %s here", dialects[d].name, uk->def->key);
		else if (rc < 0)
			buf_printf(why, "%s cannot read it: %s", dialects[d].name, err.msg);
		else {
			struct pgurl u;
			struct diag_err perr;

			buf_printf(why, "%s reads it differently", dialects[d].name);
			if (pgurl_parse(v, strlen(v), &u, &perr) == 0) {
				struct buf m;

				buf_init(&m);
				if (opt.show_password)
					buf_adds(&m, v);
				else
					pgurl_masked(&u, &m);
				buf_printf(why, ": %s", m.data);
				buf_free(&m);
				pgurl_free(&u);
			} else {
				buf_printf(why, " (libpq rejects its reading: %s)", perr.msg);
			}
		}
		free(v);
		return 1;
	}
	return 0;
}

/* ---- lint ------------------------------------------------------------ */

/*
 * One lint line: "FILE:LINE: KEY: message (versions)", or one JSON object
 * when --json.  A note is shown but is not a finding.
 */
static void report(const char *file, int line, const char *key, const char *kind, const char *versions,
		   const char *msg)
{
	if (opt.format == OUT_JSON) {
		out_json_break(&json);
		out_json_begin_object(&json);
		out_json_field(&json, "file", file);
		out_json_int_field(&json, "line", line);
		out_json_field(&json, "key", key);
		out_json_field(&json, "kind", kind);
		out_json_field(&json, "message", msg);
		out_json_field(&json, "versions", versions);
		out_json_end_object(&json);
	} else {
		printf("%s:", file);
		if (line > 0)
			printf("%d:", line);
		printf(" %s%s", key ? key : "", key ? ": " : "");
		printf("%s%s%s", strcmp(kind, "note") == 0 ? "note: " : "", msg, versions ? " (" : "");
		printf("%s%s\n", versions ? versions : "", versions ? ")" : "");
	}
	if (strcmp(kind, "note") != 0)
		nfindings++;
}

static void finding(const struct urlkey *uk, const char *versions, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finding(const struct urlkey *uk, const char *versions, const char *fmt, ...)
{
	struct buf msg;
	va_list ap;
	int n;

	buf_init(&msg);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0) {
		char *tmp = xmalloc((size_t)n + 1);

		va_start(ap, fmt);
		vsnprintf(tmp, (size_t)n + 1, fmt, ap);
		va_end(ap);
		buf_adds(&msg, tmp);
		free(tmp);
	}
	if (uk && uk->file)
		report(uk->file->src.path, entry_line(uk), key_label(uk), "finding", versions, msg.data ? msg.data : "");
	else
		report(main_path(), 0, NULL, "finding", versions, msg.data ? msg.data : "");
	buf_free(&msg);
}

static void lint_url(const struct urlkey *uk)
{
	const char *raw = uk->ent ? uk->file->src.data.data + uk->ent->val_off : "";
	size_t i, len = uk->ent ? uk->ent->val_len : 0;
	const char *port;
	struct buf why;

	buf_init(&why);
	if (reads_differently(uk, &why))
		finding(uk, NULL, "%s", why.data);
	buf_free(&why);

	for (i = 0; i < len; i++)
		if (raw[i] == '%') {
			if (i + 1 < len && (raw[i + 1] == '%' || raw[i + 1] == '('))
				i++;
			else if (opt.dialect != INI_CKAN_26)
				finding(uk, "CKAN >= 2.9", "a lone '%%' is an error for configparser; write '%%%%'");
		}
	if (!uk->value) {
		if (opt.dialect == INI_CKAN_26)
			finding(uk, NULL, "%s", uk->url_err.msg);
		return;
	}
	if (strchr(uk->value, '%'))
		finding(uk, "CKAN 2.9-2.11", "'%%' in the URL breaks \"ckan db\" migrations (alembic re-reads it) "
			"even when escaped; choose a password without '%%'");
	if (!uk->url_ok) {
		finding(uk, NULL, "libpq rejects this URL: %s", uk->url_err.msg);
		return;
	}
	if (strcmp(uk->url.scheme, "postgres") == 0)
		finding(uk, "CKAN >= 2.10", "\"postgres://\" is refused by SQLAlchemy >= 1.4; write \"postgresql://\"");
	if (uk->url.driver && uk->def != &key_defs[0])
		finding(uk, "all CKAN versions", "the datastore does not take a \"+%s\" driver in its URL",
			uk->url.driver);
	port = pgurl_get(&uk->url, "port");
	if (port) {
		long p;
		char *copy = xstrdup(port), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (diag_parse_long(tok, 1, 65535, &p) < 0) {
				/* Not quoted: it is most likely the start of a password. */
				finding(uk, NULL, "a port is not a number: a raw '/' or ':' in the password? "
					"percent-encode it (%%2F, %%3A)");
				break;
			}
		free(copy);
	}
	for (i = 0; i < uk->url.nhosts; i++)
		if (strchr(uk->url.hosts[i].host, '@'))	/* what comes before the '@' is likely the password's rest */
			finding(uk, NULL, "host \"%s%s\" holds an '@': a raw '@' in the password? percent-encode it as %%40",
				opt.show_password ? "" : "****", opt.show_password ? uk->url.hosts[i].host
				: strrchr(uk->url.hosts[i].host, '@'));
}

/* What only a .env can get wrong, and which of .env and ini CKAN uses. */
static void lint_env(const struct urlkey *uk)
{
	const struct envfile_entry *e = uk->eent;
	const struct urlkey *ik = overridden(uk);
	size_t i, n = 0;

	for (i = 0; i < envcf.env.n; i++)
		n += envcf.env.entries[i].value && strcmp(envcf.env.entries[i].key, e->key) == 0;
	if (n > 1)
		finding(uk, "Docker Compose", "%s is set %zu times; Compose uses the last", e->key, n);
	for (i = 0; i < e->nparts; i++)
		if (e->parts[i].kind == ENVFILE_VAR && e->parts[i].entry < 0)
			finding(uk, "Docker Compose", "uses $%s, which no earlier line sets: Compose puts \"\" there "
				"unless the shell running it sets %s", e->parts[i].name, e->parts[i].name);
	if (ik) {
		struct buf msg;

		buf_init(&msg);
		buf_printf(&msg, "CKAN uses this, not %s in %s:%d", uk->def->key, ik->file->src.path, entry_line(ik));
		if (ini_disagrees(uk))
			finding(uk, NULL, "%s, which says something else", msg.data);
		else
			report(uk->file->src.path, entry_line(uk), key_label(uk), "note", NULL, msg.data);
		buf_free(&msg);
	}
}

static int cmd_lint(void)
{
	const struct urlkey *m = &keys[0], *w = &keys[1], *r = &keys[2];
	size_t k;

	for (k = 0; k < NKEYS; k++)
		if (getenv(key_defs[k].env))
			finding(NULL, NULL, "%s is set in the environment: CKAN uses it instead of %s", key_defs[k].env,
				key_defs[k].key);
	if (!m->file)
		finding(NULL, NULL, nchain ? "no sqlalchemy.url in [app:main]"
			: "no variable sets sqlalchemy.url (CKAN_SQLALCHEMY_URL or CKAN___SQLALCHEMY__URL)");
	for (k = 0; k < NKEYS; k++) {
		const struct ckanini_entry *all[8];

		if (!keys[k].file)
			continue;
		if (keys[k].eent)
			lint_env(&keys[k]);
		else if (ckanini_lookup_all(&keys[k].file->ini, "app:main", keys[k].def->key, all, 8) > 1)
			finding(&keys[k], "CKAN >= 2.9 refuse to start; 2.6-2.8 use the last", "duplicate key");
		lint_url(&keys[k]);
	}
	for (k = 0; k < NKEYS; k++)
		if (keys[k].file && !keys[k].eent && keys[k].file != &chain[0]) {
			struct buf msg;

			buf_init(&msg);
			buf_printf(&msg, "defined here, through \"use = config:\" from %s", chain[0].src.path);
			report(keys[k].file->src.path, entry_line(&keys[k]), keys[k].def->key, "note", NULL, msg.data);
			buf_free(&msg);
		}
	if (w->file && r->file && w->url_ok && r->url_ok) {
		if (strcmp(w->value, r->value) == 0)
			finding(r, "CKAN datastore", "read_url equals write_url: the read-only user must differ");
		if (strcmp(w->url.scheme, r->url.scheme) != 0 || !str_eq(w->url.driver, r->url.driver))
			finding(r, "CKAN datastore", "read_url and write_url use different schemes");
	}
	for (k = 1; k < NKEYS; k++)
		if (keys[k].file && keys[k].url_ok && m->file && m->url_ok && same_server(m, &keys[k]) &&
		    str_eq(keys[k].url.dbname, m->url.dbname))
			finding(&keys[k], "CKAN datastore", "the datastore database must not be the CKAN database \"%s\"",
				m->url.dbname ? m->url.dbname : "");
	if (opt.format == OUT_JSON)
		out_json_end_array(&json);
	return nfindings ? EXIT_DIFF : EXIT_SAME;
}

/* ---- check and databases -------------------------------------------- */

static struct pgconn *connect_key(const struct urlkey *uk)
{
	struct diag_err err;
	struct pgconn *c;

	require_url(uk);
	c = pgconn_open(uk->value, "ckan-pgurl", &err);
	if (!c) {
		diag_error(uk->file->src.path, entry_line(uk), "%s: %s", key_label(uk), err.msg);
		exit(EXIT_TROUBLE);
	}
	return c;
}

static int cmd_check(void)
{
	struct urlkey *uk;
	const char *minv = opt.min_version ? opt.min_version : "9.2";
	long min = pgversion_parse(minv);
	struct pgconn *c;
	const char *v;
	int num;

	if (min < 0)
		diag_usage("--min-version \"%s\" is not a version from 6.0 to 99 (like 9.2 or 15)", minv);
	if (opt.all)
		diag_usage("check works on one key: use -k KEY, not --all");
	warn_env();
	selected(&uk, 0);
	c = connect_key(uk);
	v = pgconn_version(c, &num);
	/* "15.18 (Debian 15.18-0+deb12u1)": the number alone is what $(...) wants. */
	if (opt.format == OUT_JSON) {
		struct buf bare;

		buf_init(&bare);
		buf_add(&bare, v ? v : "", v ? strcspn(v, " ") : 0);
		out_json_begin_object(&json);
		out_json_field(&json, "key", uk->def->key);
		out_json_field(&json, "server_version", bare.data);
		out_json_int_field(&json, "server_version_num", num);
		out_json_field(&json, "min_version", minv);
		out_json_bool_field(&json, "ok", num >= min);
		out_json_end_object(&json);
		buf_free(&bare);
	} else if (opt.format == OUT_SHELL) {
		struct buf bare;

		buf_init(&bare);
		buf_add(&bare, v ? v : "", v ? strcspn(v, " ") : 0);
		out_shell_assign(stdout, "CKAN_DB_SERVER_VERSION", bare.data);
		buf_free(&bare);
	} else {
		printf("%.*s\n", v ? (int)strcspn(v, " ") : 0, v ? v : "");
	}
	if (num < min) {
		diag_error(NULL, 0, "server version %.*s is below %s", v ? (int)strcspn(v, " ") : 1, v ? v : "?", minv);
		pgconn_close(c);
		return EXIT_DIFF;
	}
	pgconn_close(c);
	return EXIT_SAME;
}

static const char *classify_db(const char *name)
{
	size_t k;

	if (strcmp(name, "template0") == 0)
		return "template0";
	if (strcmp(name, "template1") == 0)
		return "template1";
	if (keys[0].url_ok && str_eq(keys[0].url.dbname, name))
		return "ckan";
	for (k = 1; k < NKEYS; k++)
		if (keys[k].file && keys[k].url_ok && str_eq(keys[k].url.dbname, name))
			return "datastore";
	if (strcmp(name, "ckan_test") == 0 || strcmp(name, "datastore_test") == 0)
		return "test";
	return "other";
}

/* --shell: one space-separated list per class, CKAN_DBS_CKAN='ckan_default'. */
static const char *const db_classes[] = { "ckan", "datastore", "template0", "template1", "test", "other" };
static struct buf db_lists[sizeof db_classes / sizeof db_classes[0]];

static void shell_class_add(const char *cls, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof db_classes / sizeof db_classes[0]; i++)
		if (strcmp(cls, db_classes[i]) == 0)
			buf_printf(&db_lists[i], "%s%s", db_lists[i].len ? " " : "", name);
}

static void shell_class_print(void)
{
	size_t i;

	for (i = 0; i < sizeof db_classes / sizeof db_classes[0]; i++) {
		struct buf name;

		buf_init(&name);
		buf_printf(&name, "CKAN_DBS_%s", db_classes[i]);
		out_shell_assign(stdout, name.data, db_lists[i].data ? db_lists[i].data : "");
		buf_free(&name);
		buf_free(&db_lists[i]);
	}
}

static int cmd_databases(void)
{
	static const char sql[] =
		"SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba), "
		"pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype "
		"FROM pg_catalog.pg_database d ORDER BY 1";
	struct pgconn *c;
	struct pgconn_rows rows;
	struct diag_err err;
	int r;

	warn_env();
	c = connect_key(&keys[0]);
	if (pgconn_query(c, sql, &rows, &err) < 0) {
		diag_error(keys[0].file->src.path, entry_line(&keys[0]), "listing databases: %s", err.msg);
		pgconn_close(c);
		return EXIT_TROUBLE;
	}
	if (opt.format == OUT_JSON)
		out_json_begin_array(&json);
	for (r = 0; r < rows.nrows; r++) {
		char **row = rows.cell + r * rows.ncols;
		const char *cls = classify_db(row[0]);

		if (opt.format == OUT_JSON) {
			out_json_break(&json);
			out_json_begin_object(&json);
			out_json_field(&json, "name", row[0]);
			out_json_field(&json, "class", cls);
			out_json_field(&json, "owner", row[1]);
			out_json_field(&json, "encoding", row[2]);
			out_json_field(&json, "collate", row[3]);
			out_json_field(&json, "ctype", row[4]);
			out_json_end_object(&json);
		} else if (opt.format == OUT_SHELL) {
			shell_class_add(cls, row[0]);
		} else {
			printf("%-24s %-10s %-16s %s\n", row[0], cls, row[1] ? row[1] : "", row[2] ? row[2] : "");
		}
		if (strcmp(cls, "other") == 0 && opt.format == OUT_TEXT)
			diag_warn(NULL, 0, "database \"%s\" is neither CKAN's nor the datastore's: decide yourself", row[0]);
	}
	if (opt.format == OUT_JSON)
		out_json_end_array(&json);
	if (opt.format == OUT_SHELL)
		shell_class_print();
	pgconn_rows_free(&rows);
	pgconn_close(c);
	return EXIT_SAME;
}

/* ---- main ------------------------------------------------------------ */

static enum ckanini_dialect dialect_of(const char *v)
{
	char *copy = xstrdup(strncmp(v, "2.", 2) == 0 ? v + 2 : "");
	long minor;

	copy[strcspn(copy, ".")] = '\0';	/* "2.10.4" reads as 2.10 */
	if (diag_parse_long(copy, 0, 999, &minor) < 0)
		minor = -1;
	free(copy);
	if (minor < 0)
		diag_usage("--ckan-version \"%s\" is not a CKAN version like 2.9 or 2.11", v);
	if (minor >= 10)
		return INI_CKAN_210;
	if (minor == 9)
		return INI_CKAN_29;
	if (minor >= 6)
		return INI_CKAN_26;
	diag_usage("CKAN %s is older than 2.6, which ckan-pgurl does not read", v);
}

/* What a command needs from main() before it runs. */
enum {
	CMD_WRITES = 1,		/* writes a file: takes --dry-run */
	CMD_NO_INI = 2,		/* reads no ini: restore repairs a file that may not parse */
	CMD_LIBPQ = 4,		/* connects, or verifies its edits, with libpq: load it meanwhile */
	CMD_LIBPQ_ARGS = 8,	/* the same, only when given arguments (url's edits) */
	CMD_FINDINGS = 16,	/* lint: findings made while loading are part of its output */
};

/* The commands, each with run (no arguments) or run_args (it takes them). */
static const struct command {
	const char *name;
	int (*run)(void);
	int (*run_args)(int argc, char **argv);
	int flags;
} commands[] = {
	{ "show", cmd_show, NULL, 0 },
	{ "get", NULL, cmd_get, 0 },
	{ "set", NULL, cmd_set, CMD_WRITES | CMD_LIBPQ },
	{ "lint", cmd_lint, NULL, CMD_FINDINGS },
	{ "check", cmd_check, NULL, CMD_LIBPQ },
	{ "databases", cmd_databases, NULL, CMD_LIBPQ },
	{ "url", NULL, cmd_url, CMD_LIBPQ_ARGS },
	{ "pgpass", cmd_pgpass, NULL, 0 },
	{ "restore", NULL, cmd_restore, CMD_WRITES | CMD_NO_INI },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	diag_usage("unknown command \"%s\"", name);
}

static int run_command(const struct command *cmd, int argc, char **argv)
{
	return cmd->run ? cmd->run() : cmd->run_args(argc, argv);
}

/* The options into opt; returns the index of the first argument. */
static int parse_options(int argc, char **argv)
{
	enum { OPT_CKAN_VERSION = 256, OPT_BREAK_HARDLINK, OPT_MIN_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "env-file", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "shell", no_argument, NULL, 's' },
		{ "show-password", no_argument, NULL, 'P' },
		{ "ckan-version", required_argument, NULL, OPT_CKAN_VERSION },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "backup", optional_argument, NULL, 'b' },
		{ "in-place", no_argument, NULL, 'i' },
		{ "break-hardlink", no_argument, NULL, OPT_BREAK_HARDLINK },
		{ "min-version", required_argument, NULL, OPT_MIN_VERSION },
		DIAG_STD_OPTIONS,
	};
	int c;

	while ((c = diag_getopt(argc, argv, "c:e:k:ajsPnb::iVh", longopts)) != -1) {
		switch (c) {
		case 'c': opt.config = optarg; break;
		case 'e': opt.env_file = optarg; break;
		case 'k':
			if (!key_def(optarg))
				diag_usage("unknown key \"%s\" (sqlalchemy.url, ckan.datastore.write_url, "
					   "ckan.datastore.read_url, or main, write, read)", optarg);
			opt.key = optarg;
			break;
		case 'a': opt.all = 1; break;
		case 'j': opt.format = OUT_JSON; break;
		case 's': opt.format = OUT_SHELL; break;
		case 'P': opt.show_password = 1; break;
		case OPT_CKAN_VERSION: opt.ckan_version = optarg; opt.dialect = dialect_of(optarg); break;
		case 'n': opt.dry_run = 1; break;
		case 'b': opt.backup = diag_backup_suffix(optarg); break;
		case 'i': break;
		case OPT_BREAK_HARDLINK: opt.break_hardlink = 1; break;
		case OPT_MIN_VERSION: opt.min_version = optarg; break;
		}
	}
	diag_exclusive((opt.key != NULL) + opt.all, "-k and --all");
	return optind;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	int arg;

	diag_start(argc, argv, "ckan-pgurl", usage);
	out_json_init(&json, stdout, 0);
	arg = parse_options(argc, argv);
	cmd = find_command(arg < argc ? argv[arg++] : "show");
	if (!cmd->run_args && arg < argc)
		diag_usage("%s takes no arguments", cmd->name);
	diag_only_with(opt.dry_run && !(cmd->flags & CMD_WRITES), "--dry-run", "set and restore");
	if (cmd->flags & CMD_NO_INI)
		return diag_finish(run_command(cmd, argc - arg, argv + arg));

	lint_mode = (cmd->flags & CMD_FINDINGS) != 0;
	/* Findings made while loading belong in the array too. */
	if (lint_mode && opt.format == OUT_JSON)
		out_json_begin_array(&json);
	/* These need libpq once the ini is read (set verifies its edits with
	 * it): let it load meanwhile, and while set syncs the new file. */
	if ((cmd->flags & CMD_LIBPQ) || ((cmd->flags & CMD_LIBPQ_ARGS) && arg < argc))
		pq_preload();
	if (!opt.env_file || opt.config)
		load_chain(find_config());
	load_keys();
	if (opt.env_file) {
		load_env(opt.env_file);
		load_env_keys();
	}
	return diag_finish(run_command(cmd, argc - arg, argv + arg));
}
