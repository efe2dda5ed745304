/*
 * Unit test of common/ini.c: byte spans an editor replaces, line numbers
 * (CRLF, lone CR, long lines, continuation lines), every error and its
 * line, what differs between CKAN 2.6-2.8, 2.9 and 2.10, interpolation,
 * and CKAN's own ini files when ../shared/ckan-configs is there.
 * tests/unit/ini-python.t compares the same code with Python itself.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "ckanini.h"
#include "tap.h"

#define HERE "/etc/ckan/default"
#define FILE_ "/etc/ckan/default/ckan.ini"

static struct ckanini_file F;
static struct diag_err E;

/* Parse s in dialect d into F (freeing the previous model); returns the
 * parser's result. */
static int parse(enum ckanini_dialect d, const char *s)
{
	ckanini_free(&F);
	memset(&E, 0, sizeof E);
	return ckanini_parse("t.ini", s, strlen(s), d, &F, &E);
}

/* The error line of a parse that must fail (0 when it succeeded). */
static int err_line(enum ckanini_dialect d, const char *s)
{
	return parse(d, s) < 0 ? E.line : 0;
}

/* The bytes an editor would replace for key in section. */
static char *span(const char *section, const char *key)
{
	const struct ckanini_entry *e = ckanini_lookup(&F, section, key);
	static char out[4096];

	if (!e)
		return NULL;
	snprintf(out, sizeof out, "%.*s", (int)e->val_len, F.data + e->val_off);
	return out;
}

static int line(const char *section, const char *key)
{
	const struct ckanini_entry *e = ckanini_lookup(&F, section, key);

	return e ? e->line : -1;
}

/* The interpolated value, "<absent>" or "<error>". */
static char *get(const char *section, const char *key)
{
	static char out[4096];
	char *v = NULL;
	int rc = ckanini_get(&F, section, key, HERE, FILE_, &v, NULL, &E);

	if (rc == 1)
		return "<absent>";
	if (rc < 0)
		return "<error>";
	snprintf(out, sizeof out, "%s", v);
	free(v);
	return out;
}

static void test_spans(void)
{
	const char *s = "[app:main]\n"
			"a = 1\n"
			"b=two words  \n"
			"c\t:\tpostgresql://u:p;w#d@h/db \t\n"
			"d =\n"
			"e = x ; not a comment in 2.9+\n"
			"f = first\n"
			"    second\n";

	ok(parse(INI_CKAN_210, s) == 0, "simple file parses");
	is_str(span("app:main", "a"), "1", "span of a plain value");
	is_str(span("app:main", "b"), "two words", "span leaves trailing blanks out");
	is_str(span("app:main", "c"), "postgresql://u:p;w#d@h/db", "span with ; # and ':' delimiter");
	is_str(span("app:main", "d"), "", "empty value: empty span");
	is_int(ckanini_lookup(&F, "app:main", "d")->val_off, strstr(s, "d =\n") - s + 3,
	       "empty span sits after the delimiter");
	is_str(span("app:main", "e"), "x ; not a comment in 2.9+", "' ;' is no comment for CKAN >= 2.9");
	is_str(span("app:main", "f"), "first", "multi-line value: span is the first line");
	ok(ckanini_lookup(&F, "app:main", "f")->multiline, "multiline flag");
	ok(!ckanini_lookup(&F, "app:main", "a")->multiline, "single-line value not multiline");
	is_str(get("app:main", "f"), "first\nsecond", "continuation joined with newline");

	ok(parse(INI_CKAN_210, "[s]\nk = \xc2\xa0v\xe3\x80\x80\x1c\n") == 0, "Unicode blanks parse");
	is_str(span("s", "k"), "v", "span strips NBSP, U+3000 and \\x1c as Python 3 does");
	ok(parse(INI_CKAN_26, "[s]\nk = \xc2\xa0v\x1c\n") == 0, "same bytes as CKAN 2.6");
	is_str(span("s", "k"), "\xc2\xa0v\x1c", "Python 2 strips only C whitespace");
}

static void test_lines(void)
{
	struct buf b;
	char *longv;

	ok(parse(INI_CKAN_210, "[a]\r\nx = 1\r\ny = 2\r\n") == 0, "CRLF parses");
	is_int(line("a", "y"), 3, "line after CRLF");
	ok(F.crlf, "crlf flag");
	is_str(span("a", "y"), "2", "span excludes \\r");

	ok(parse(INI_CKAN_210, "[a]\rx = 1\ry = 2") == 0, "lone CR parses");
	is_int(line("a", "y"), 3, "lone CR ends a line (universal newlines)");
	ok(!F.crlf, "no crlf flag for CR");
	ok(parse(INI_CKAN_210, "[a]\nx = 1\r\n\ry = 2\n") == 0, "mixed line ends");
	is_int(line("a", "y"), 4, "mixed: \\n, \\r\\n, \\r each end one line");

	buf_init(&b);
	longv = xmalloc(5001);
	memset(longv, 'v', 5000);
	longv[5000] = '\0';
	buf_printf(&b, "[a]\nlong = %s=x\nafter = 1\n", longv);
	ok(parse(INI_CKAN_210, b.data) == 0, "5 kB line parses");
	is_int(ckanini_lookup(&F, "a", "long")->val_len, 5002, "long value kept whole");
	is_int(line("a", "after"), 3, "line after a long line");
	ok(ckanini_lookup(&F, "a", "x") == NULL && ckanini_lookup(&F, "a", "vvvv") == NULL,
	   "no bogus key from a cut line");
	ckanini_free(&F);
	buf_free(&b);
	free(longv);

	ok(parse(INI_CKAN_210, "[a]\nk = one\n  two\n\n  # c\n\n  three\n\n\nnext = 1\n") == 0,
	   "continuation with blanks and comment");
	is_int(line("a", "k"), 2, "line of the key line");
	is_int(ckanini_lookup(&F, "a", "k")->last_line, 7, "last_line is the last non-blank piece");
	is_str(get("a", "k"), "one\ntwo\n\n\nthree", "blank lines kept, comment dropped, trailing blanks stripped");
	is_int(line("a", "next"), 10, "key after a multi-line value");
}

static void test_errors(void)
{
	is_int(err_line(INI_CKAN_210, "# c\nk = v\n[a]\n"), 2, "key before any section");
	ok(strstr(E.msg, "section") != NULL, "missing header message");
	is_str(E.file, "t.ini", "error names the file");
	is_int(err_line(INI_CKAN_210, "[a]\nk = v\njunk\n"), 3, "line without delimiter");
	is_int(err_line(INI_CKAN_210, "[a]\n= v\n"), 2, "empty key name");
	is_int(err_line(INI_CKAN_210, "[a]\nk = 1\nx = 2\nk = 3\n"), 4, "duplicate key at its second line");
	ok(strstr(E.msg, "line 2") != NULL, "duplicate names the first line");
	is_int(err_line(INI_CKAN_210, "[a]\n[b]\n[a]\n"), 3, "duplicate section");
	is_int(err_line(INI_CKAN_210, "[a]\njunk\nk = 1\nk = 2\n"), 4,
	       "a duplicate is raised before earlier parse errors");
	is_int(err_line(INI_CKAN_210, "[a]\nk = 1\nk = 2\n[a]\n"), 3, "earliest duplicate wins");
	is_int(err_line(INI_CKAN_210, "[DEFAULT]\nx = 1\n[DEFAULT]\ny = 2\n"), 0, "[DEFAULT] may repeat");
	is_int(err_line(INI_CKAN_210, "[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n"), 4, "but not its keys");
	is_int(err_line(INI_CKAN_210, "\xef\xbb\xbf[app:main]\nk = v\n"), 1, "BOM refused by 2.10");
	ok(strstr(E.msg, "byte order mark") != NULL, "BOM message");
	is_int(err_line(INI_CKAN_29, "\xef\xbb\xbf[app:main]\n"), 1, "BOM refused by 2.9");
	is_int(err_line(INI_CKAN_26, "\xef\xbb\xbf[app:main]\n"), 1, "BOM refused by 2.6 too");
	ckanini_free(&F);
	ok(ckanini_parse("t.ini", "[a]\nk = \0\n", 9, INI_CKAN_210, &F, &E) < 0 && E.line == 2, "NUL byte refused");
	is_int(err_line(INI_CKAN_210, "[a]\nk = \xff\n"), 2, "invalid UTF-8 refused by 2.10");
	is_int(err_line(INI_CKAN_210, "[a]\nk = \xed\xa0\x80\n"), 2, "UTF-8 surrogate refused");
	is_int(err_line(INI_CKAN_26, "[a]\nk = \xff\n"), 0, "2.6 reads bytes");
	is_int(err_line(INI_CKAN_210, "[]\n"), 1, "[] is not a header");
	is_int(err_line(INI_CKAN_210, "[a]\n[\n"), 2, "[ alone is an error");
	ok(parse(INI_CKAN_210, "junk") < 0 && F.n == 0 && F.path == NULL, "model empty after an error");
}

static void test_python3_rules(void)
{
	ok(parse(INI_CKAN_210, "[a]]\nk = 1\n[b] ; c]x\nk = 2\n") == 0, "greedy headers parse");
	ok(ckanini_has_section(&F, "a]"), "header runs to the last ']'");
	ok(ckanini_has_section(&F, "b] ; c"), "text after the last ']' is ignored");

	ok(parse(INI_CKAN_210, "[a]\n  k = 1\n  j = 2\n    cont\n l = 3\n") == 0, "indented keys");
	is_str(get("a", "k"), "1", "same indentation: a new key");
	is_str(get("a", "j"), "2\ncont", "deeper indentation continues");
	is_str(get("a", "l"), "3", "shallower indentation: a new key");
	ok(parse(INI_CKAN_210, "[a]\nk = 1\n\xc2\xa0more\n") == 0, "NBSP indentation");
	is_str(get("a", "k"), "1\nmore", "NBSP indents a continuation line");
	ok(parse(INI_CKAN_210, "[a]\nk =\n  x\n") == 0, "value starting on the next line");
	is_str(get("a", "k"), "\nx", "leading newline kept as Python does");
	is_int(err_line(INI_CKAN_210, "[a]\nk = 1\n [b]\n"), 0, "indented [b] under a key is a continuation");
	is_str(get("a", "k"), "1\n[b]", "value holds '[b]'");
	is_int(err_line(INI_CKAN_210, "[a]\nk = 1\n  # c\n  ; d\n"), 0, "indented comments parse");
	is_str(get("a", "k"), "1", "indented comments are comments in Python 3");
	ok(parse(INI_CKAN_210, "[a]\nk : v = w\n") == 0, "first delimiter splits");
	is_str(get("a", "k"), "v = w", "':' before '='");
	ok(parse(INI_CKAN_210, "[a]\nk = 1\njunk\n  cont\n") < 0, "parse error reported at the end");
	is_int(E.line, 3, "line of the junk");
}

static void test_dialects(void)
{
	const char *mixed = "[app:main]\nSQLAlchemy.URL = postgresql://x\n";

	ok(parse(INI_CKAN_210, mixed) == 0, "mixed-case key in 2.10");
	ok(ckanini_lookup(&F, "app:main", "SQLAlchemy.URL") != NULL, "2.10 keeps case");
	ok(ckanini_lookup(&F, "app:main", "sqlalchemy.url") == NULL, "2.10 lookup is case-sensitive");
	ok(parse(INI_CKAN_29, mixed) == 0, "mixed-case key in 2.9");
	is_str(ckanini_lookup(&F, "app:main", "SQLALCHEMY.url")->key, "sqlalchemy.url", "2.9 lower-cases keys");
	is_int(err_line(INI_CKAN_29, "[a]\nKey = 1\nkey = 2\n"), 3, "case variants are duplicates in 2.9");
	is_int(err_line(INI_CKAN_210, "[a]\nKey = 1\nkey = 2\n"), 0, "but not in 2.10");

	/* CKAN 2.6-2.8: Python 2's ConfigParser under paste.deploy. */
	ok(parse(INI_CKAN_26, "[a]\nk = 1\nk = 2\n[a]\nk = 3\n") == 0, "2.6: duplicates allowed");
	is_str(get("a", "k"), "3", "2.6: the last one wins");
	{
		const struct ckanini_entry *all[4];

		is_int(ckanini_lookup_all(&F, "a", "k", all, 4), 3, "2.6 keeps every duplicate");
		is_int(all[0]->line, 2, "ckanini_lookup_all in file order");
	}
	ok(parse(INI_CKAN_26, "[a]\nk = v ; comment\nj = v;not\nl = x;y ;z\n") == 0, "2.6 inline comments");
	is_str(span("a", "k"), "v", "2.6: ' ;' starts a comment");
	is_str(span("a", "j"), "v;not", "2.6: ';' without blank is text");
	is_str(span("a", "l"), "x;y ;z", "2.6: only the first ';' is looked at");
	ok(parse(INI_CKAN_26, "[a]\nk = ;x \nj = ;x\r\nl = ;x\n") == 0, "2.6 value starting with ';'");
	is_str(get("a", "k"), "", "2.6: ';' first and trailing blank: Python's optval[-1] empties it");
	is_str(get("a", "j"), "", "2.6: ... and so does a CRLF line end");
	is_str(get("a", "l"), ";x", "2.6: otherwise kept");
	ok(parse(INI_CKAN_26, "[a]\nk = \"\"\n") == 0, "2.6 quoted empty");
	is_str(get("a", "k"), "", "2.6: \"\" reads as empty");
	is_str(span("a", "k"), "\"\"", "2.6: span still covers the quotes");
	ok(parse(INI_CKAN_26, "[a]\nk = 1\n  # x\n\n  y\nrem a comment\nREM\n") == 0, "2.6 continuation");
	is_str(get("a", "k"), "1\n# x\ny", "2.6: indented '#' continues, blank lines vanish");
	ok(ckanini_lookup(&F, "a", "rem a comment") == NULL, "2.6: rem lines are comments");
	is_int(err_line(INI_CKAN_26, "[a]\n  k = 1\n"), 2, "2.6: indented key without an open value is an error");
	ok(parse(INI_CKAN_26, "[a]\nk = 1\rj = 2\n") == 0, "2.6: lone CR");
	is_str(get("a", "k"), "1\rj = 2", "2.6: lone CR is not a line end in Python 2");
	ok(parse(INI_CKAN_26, "[a]b]\nk = %(__name__)s\n") == 0, "2.6: header to the first ']'");
	ok(ckanini_has_section(&F, "a"), "2.6: section a");
	is_str(get("a", "k"), "a", "2.6: %(__name__)s is the section");
	ok(parse(INI_CKAN_26, "[a]\nk = 5% off\nj = 100%% %(k)s\ni = 5% of %(k)s\n") == 0, "2.6 percent");
	is_str(get("a", "k"), "5% off", "2.6: no \"%(\": value raw, lone % fine");
	is_str(get("a", "j"), "100% 5% off", "2.6: substituted text is not formatted again without \"%(\"");
	is_str(get("a", "i"), "<error>", "2.6: with \"%(\" a lone % is an error");
	ok(parse(INI_CKAN_26, "[a]\nk = 50%%\nj = 50%% of %(x)s\nx = all\n") == 0, "2.6 %%");
	is_str(get("a", "k"), "50%%", "2.6: %% kept without \"%(\"");
	is_str(get("a", "j"), "50% of all", "2.6: %% -> % with \"%(\"");
	ok(parse(INI_CKAN_210, "[a]\nk = 5% off\n") == 0, "2.10 lone % parses");
	is_str(get("a", "k"), "<error>", "2.10: lone % is an error when read");
	ok(strstr(E.msg, "'%' must be followed") != NULL, "lone % message");
	is_int(E.line, 2, "interpolation error line");
}

static void test_interpolation(void)
{
	const char *s = "[DEFAULT]\n"
			"host = db\n"
			"pw = p%%w\n"
			"[app:main]\n"
			"url = postgresql://u:%(pw)s@%(host)s/%(Name)s\n"
			"Name = ckan\n"
			"home = %(here)s/x %(__file__)s\n"
			"HOST = local\n"
			"bad = %(nope)s\n"
			"badref = %(x\n"
			"conv = %(host)d\n"
			"self = %(self)s\n";

	ok(parse(INI_CKAN_210, s) == 0, "interpolation file");
	is_str(get("app:main", "url"), "postgresql://u:p%w@db/ckan", "%(name)s from section and DEFAULT, %% -> %");
	is_str(get("app:main", "home"), HERE "/x " FILE_, "here and __file__");
	is_str(get("app:main", "host"), "db", "DEFAULT fallback");
	is_str(get("app:main", "HOST"), "local", "2.10: HOST is another key");
	is_str(get("app:main", "here"), HERE, "here is a key of every section");
	is_str(get("app:main", "bad"), "<error>", "unknown name");
	ok(strstr(E.msg, "nope") != NULL, "unknown name named");
	is_str(get("app:main", "badref"), "<error>", "unterminated reference");
	is_str(get("app:main", "conv"), "<error>", "%(name)d is an error");
	is_str(get("app:main", "self"), "<error>", "self reference");
	ok(strstr(E.msg, "deeper than 10") != NULL, "depth message");
	is_str(get("app:main", "missing"), "<absent>", "absent key");
	is_str(get("nosuch", "host"), "<absent>", "absent section, even with a DEFAULT key");
	is_str(get("DEFAULT", "pw"), "p%w", "DEFAULT itself");

	ok(parse(INI_CKAN_29, s) == 0, "same file in 2.9");
	is_str(get("app:main", "url"), "postgresql://u:p%w@local/ckan",
	       "2.9: HOST overrides DEFAULT host, %(Name)s finds name");
	is_str(get("app:main", "Home"), HERE "/x " FILE_, "2.9: lookup lower-cases");

	{
		struct buf b;
		int i;

		buf_init(&b);
		buf_adds(&b, "[a]\n");
		for (i = 0; i < 11; i++)
			buf_printf(&b, "k%d = %%(k%d)s\n", i, i + 1);
		buf_adds(&b, "k11 = end\n");
		ok(parse(INI_CKAN_210, b.data) == 0, "chain of 11");
		is_str(get("a", "k1"), "end", "10 nested references resolve");
		is_str(get("a", "k0"), "<error>", "11 nested references exceed configparser's depth");
		ok(parse(INI_CKAN_26, b.data) == 0, "chain of 11 in 2.6");
		is_str(get("a", "k1"), "end", "2.6: 10 passes suffice");
		is_str(get("a", "k0"), "<error>", "2.6: 11 do not");
		buf_free(&b);
	}
	{
		/* A value referencing another 9 times, 10 deep: 9^10 pieces. */
		struct buf b;
		int i, j;

		buf_init(&b);
		buf_adds(&b, "[a]\n");
		for (i = 0; i < 10; i++) {
			buf_printf(&b, "k%d = ", i);
			for (j = 0; j < 9; j++)
				buf_printf(&b, "%%(k%d)s", i + 1);
			buf_adds(&b, "\n");
		}
		buf_adds(&b, "k10 = x\n");
		ok(parse(INI_CKAN_210, b.data) == 0, "exponential expansion parses");
		is_str(get("a", "k0"), "<error>", "exponential expansion stops with an error");
		ok(strstr(E.msg, "expands beyond") != NULL, "... on the size bound, not the depth");
		{
			char *v = NULL;

			ok(ckanini_get(&F, "a", "k5", NULL, NULL, &v, NULL, &E) == 0 && strlen(v) == 59049,
			   "9^5 references still expand");
			free(v);
		}
		buf_free(&b);
	}
}

static char *slurp(const char *path, struct buf *b)
{
	buf_init(b);
	if (buf_read_file(b, path, NULL) < 0)
		return NULL;
	return b->data;
}

static void test_ckan_file(const char *name, enum ckanini_dialect d, int want_line, const char *want)
{
	char path[512], msg[600], *v;
	struct buf b;
	const struct ckanini_entry *e = NULL;

	snprintf(path, sizeof path, "../shared/ckan-configs/%s", name);
	if (!slurp(path, &b)) {
		buf_free(&b);
		printf("ok %d # SKIP %s not found\n", ++tap_count, name);
		return;
	}
	snprintf(msg, sizeof msg, "%s parses", name);
	ckanini_free(&F);
	ok(ckanini_parse(path, b.data, b.len, d, &F, &E) == 0, msg);
	snprintf(msg, sizeof msg, "%s: sqlalchemy.url", name);
	is_str(get("app:main", "sqlalchemy.url"), want, msg);
	if (ckanini_get(&F, "app:main", "sqlalchemy.url", HERE, FILE_, &v, &e, &E) == 0)
		free(v);
	snprintf(msg, sizeof msg, "%s: sqlalchemy.url line", name);
	is_int(e ? e->line : -1, want_line, msg);
	snprintf(msg, sizeof msg, "%s: span is the value", name);
	is_str(span("app:main", "sqlalchemy.url"), want, msg);
	ckanini_free(&F);
	buf_free(&b);
}

static void test_ckan_files(void)
{
	const char *test_url = "postgresql://ckan_default:pass@localhost/ckan_test";
	const char *dep_url = "postgresql://ckan_default:pass@localhost/ckan_default";
	char *v = NULL;

	if (access("../shared/ckan-configs", R_OK) != 0) {
		printf("ok %d # SKIP ../shared/ckan-configs absent\n", ++tap_count);
		return;
	}
	test_ckan_file("test-core-2.10.10.ini", INI_CKAN_210, 21, test_url);
	test_ckan_file("test-core-2.9.11.ini", INI_CKAN_29, 26, test_url);
	test_ckan_file("test-core-2.6.9.ini", INI_CKAN_26, 21, test_url);
	test_ckan_file("deployment-2.9.11.ini_tmpl", INI_CKAN_29, 50, dep_url);
	test_ckan_file("deployment-2.6.9.ini_tmpl", INI_CKAN_26, 48, dep_url);

	/* test-core-2.10.10.ini: WTF_CSRF_SECRET_KEY = %(beaker.session.secret)s */
	{
		struct buf b;

		ckanini_free(&F);
		if (slurp("../shared/ckan-configs/test-core-2.10.10.ini", &b)) {
			ok(ckanini_parse("t", b.data, b.len, INI_CKAN_210, &F, &E) == 0, "test-core again");
			ok(ckanini_get(&F, "app:main", "WTF_CSRF_SECRET_KEY", HERE, FILE_, &v, NULL, &E) == 0 &&
			   strcmp(v, get("app:main", "beaker.session.secret")) == 0,
			   "test-core: %(beaker.session.secret)s");
			free(v);
			is_str(get("app:main", "cache_dir"), HERE "/data", "test-core: %(here)s/data from [DEFAULT]");
			is_str(get("formatter_generic", "format"), "<error>",
			       "logging format %(levelname)-5.5s is not BasicInterpolation syntax");
			ckanini_free(&F);
		}
		buf_free(&b);
	}
	/* The 2.10 template is a skeleton with $placeholders: CKAN cannot read it. */
	{
		struct buf b;

		ckanini_free(&F);
		if (slurp("../shared/ckan-configs/deployment-2.10.10.ini_tmpl", &b)) {
			ok(ckanini_parse("t", b.data, b.len, INI_CKAN_210, &F, &E) < 0 && E.line == 14,
			   "deployment-2.10.10.ini_tmpl: $default_section on line 14 is a parse error");
		}
		buf_free(&b);
	}
}

/* Where libinih alone would read differently from configparser: the
 * reader and handler of common/ckanini_read.c must make up for each. */
static void test_libinih_seams(void)
{
	struct buf b;
	char name[200];
	size_t i;

	memset(name, 's', 120);
	name[120] = '\0';
	buf_init(&b);
	buf_printf(&b, "[%s]\nk = 1\n[%s]\n", name, name);
	is_int(err_line(INI_CKAN_210, b.data), 3, "120-byte section names are not cut at 49 (duplicate found)");
	buf_reset(&b);
	buf_printf(&b, "[%s]\nk = 1\n", name);
	ok(parse(INI_CKAN_210, b.data) == 0 && ckanini_has_section(&F, name), "120-byte section name kept whole");
	is_str(get(name, "k"), "1", "key in a long-named section");
	buf_reset(&b);
	for (i = 0; i < 60; i++)
		buf_addc(&b, 'k');
	buf_printf(&b, " = 1\n  cont\n");
	{
		char *key = xstrndup(b.data, 60), *s2 = xmalloc(b.len + 8);

		snprintf(s2, b.len + 8, "[a]\n%s", b.data);
		ok(parse(INI_CKAN_210, s2) == 0, "60-byte key with a continuation");
		is_str(get("a", key), "1\ncont", "continuation of a key longer than libinih's 49 bytes");
		free(key);
		free(s2);
	}
	buf_free(&b);

	ok(parse(INI_CKAN_210, "[a]\n[k = v\n[]x = 1\n") == 0, "'[' keys that are no headers");
	is_str(get("a", "[k"), "v", "\"[k = v\" is key \"[k\"");
	is_str(get("a", "[]x"), "1", "\"[]x = 1\" is key \"[]x\" in 2.10");
	is_int(err_line(INI_CKAN_210, "[a]\nk = 1\n[]\n  more\n"), 3, "\"[]\" is an error, not libinih's empty header");
	ok(parse(INI_CKAN_26, "[a]\n[]x = 1\nk = 1\n  [b]\n") == 0, "2.6: '[' key and indented [b]");
	is_str(get("a", "[]x"), "1", "2.6: \"[]x = 1\" is key \"[]x\"");
	is_str(get("a", "k"), "1\n[b]", "2.6: indented [b] continues the value");
	ok(parse(INI_CKAN_26, "[a]\nk = 1\n  ;x\n  #y\n") == 0, "2.6: indented ';' and '#' lines");
	is_str(get("a", "k"), "1\n;x\n#y", "2.6: they continue the value (libinih would drop them)");
	ok(parse(INI_CKAN_26, "[a]\nk = 1\n= v\n  more\n") < 0 && E.line == 3, "2.6: \"= v\" is an error");
	ok(parse(INI_CKAN_26, "[a]\nk = 1\n  k2 = 2\n") == 0, "2.6: indented key under an open value");
	is_str(get("a", "k"), "1\nk2 = 2", "2.6: ... is a continuation line");
	ok(parse(INI_CKAN_210, "[a]\n = v\n") < 0 && E.line == 2 && strstr(E.msg, "no key name"),
	   "2.10: indented \"= v\" is an empty name");
	ok(parse(INI_CKAN_210, "[a]\nk = 1\n\t\n\x0c\n  x\n") == 0, "whitespace-only lines inside a value");
	is_str(get("a", "k"), "1\n\n\nx", "they are empty lines of the value");
	ok(parse(INI_CKAN_210, "[a]\nk\xc2\xa0=\xc2\xa0v\n") == 0, "NBSP around the delimiter");
	is_str(get("a", "k"), "v", "Python 3 strips NBSP from name and value (libinih does not)");
	is_int(ckanini_lookup(&F, "a", "k")->val_off, 10, "value span after the NBSP");
	ok(parse(INI_CKAN_210, "[a]\nk = 1 ; 2\n") == 0 && strcmp(get("a", "k"), "1 ; 2") == 0,
	   "no inline comments in 2.10 (libinih's default has them)");
	ok(parse(INI_CKAN_210, "[a]\nk = 1\n[b]\nk = 2\n[DEFAULT]\nd = 3\n") == 0, "index over sections");
	is_str(get("a", "k"), "1", "index: [a] k");
	is_str(get("b", "k"), "2", "index: [b] k");
	is_str(get("b", "d"), "3", "index: [DEFAULT] fallback");
	ok(parse(INI_CKAN_29, "[a]\nMiXed = 1\nx = %(MIXED)s\n") == 0, "2.9 index folds case");
	is_str(get("a", "MIXED"), "1", "2.9: lookup in any case");
	is_str(get("a", "x"), "1", "2.9: %(MIXED)s in any case");
}

/* One process reads a file in every dialect (ckan-pgurl compares them):
 * libinih's global options must not leak from one parse to the next. */
static void test_dialect_switch(void)
{
	const char *s = "[a]\nk = x ;c\n  ;cont\nj = 1\n";
	int round;

	for (round = 0; round < 2; round++) {
		ok(parse(INI_CKAN_26, s) == 0, "2.6 parse");
		is_str(get("a", "k"), "x\n;cont", "2.6: ' ;' comment, ';' continuation");
		ok(parse(INI_CKAN_210, s) == 0, "2.10 parse after 2.6");
		is_str(get("a", "k"), "x ;c", "2.10: no inline comment, ';' line is a comment");
		ok(parse(INI_CKAN_29, s) == 0, "2.9 parse after 2.10");
		is_str(get("a", "j"), "1", "2.9: next key");
	}
}

/* Many keys: duplicates found by hash, lookups by index, in any order. */
static void test_many_keys(void)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_adds(&b, "[app:main]\n");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "key%d = v%d\n", i, i);
	ok(parse(INI_CKAN_210, b.data) == 0, "20 000 keys parse");
	is_int((long)F.n, 20000, "20 000 entries");
	is_str(get("app:main", "key0"), "v0", "first key");
	is_str(get("app:main", "key19999"), "v19999", "last key");
	is_int(line("app:main", "key12345"), 12347, "line of a key in the middle");
	buf_printf(&b, "key777 = again\n");
	is_int(err_line(INI_CKAN_210, b.data), 20002, "duplicate of the 778th key at the end");
	ok(strstr(E.msg, "first at line 779") != NULL, "duplicate names the first line");
	ok(parse(INI_CKAN_26, b.data) == 0, "2.6 reads it");
	is_str(get("app:main", "key777"), "again", "2.6: the last one wins");
	buf_free(&b);
}

int main(void)
{
	test_spans();
	test_lines();
	test_errors();
	test_python3_rules();
	test_dialects();
	test_interpolation();
	test_ckan_files();
	test_libinih_seams();
	test_dialect_switch();
	test_many_keys();
	ckanini_free(&F);
	return done_testing();
}
