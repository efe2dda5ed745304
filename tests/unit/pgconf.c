/*
 * Unit tests for common/pgconf.c: the guc-file.l token rules one by one,
 * quoting and escapes, spans and lines, the effective value, and the
 * loader over tests/data/pgconf (includes, include_dir, depth, loops and
 * the files the server refuses).  Run from the top of the tree.
 * tests/server/pgconf-oracle.t proves the same rules against a server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "pgconf.h"
#include "pgconf_int.h"
#include "tap.h"

#define DATA "tests/data/pgconf/"

static struct pgconf_model m;
static struct diag_err err;

/* Parse text as test.conf into the global model; returns pgconf_parse_buf's result. */
static int parse(const char *text)
{
	pgconf_free(&m);
	memset(&err, 0, sizeof err);
	return pgconf_parse_buf(&m, "test.conf", text, strlen(text), &err);
}

static int load(const char *path)
{
	pgconf_free(&m);
	memset(&err, 0, sizeof err);
	return pgconf_load(&m, path, 0, &err);
}

/* The value of the single setting text assigns, or "ERROR: msg". */
static const char *value_of(const char *text)
{
	static char out[600];

	if (parse(text) < 0) {
		snprintf(out, sizeof out, "ERROR: %s", err.msg);
		return out;
	}
	if (m.n != 1)
		return "(not one setting)";
	return m.set[0].value;
}

static const char *eff(const char *name)
{
	const struct pgconf_setting *s = pgconf_effective(&m, name);

	return s ? s->value : NULL;
}

static const char *eff_file(const char *name)
{
	const struct pgconf_setting *s = pgconf_effective(&m, name);

	return s ? m.files[s->file].path : NULL;
}

static int eff_line(const char *name)
{
	const struct pgconf_setting *s = pgconf_effective(&m, name);

	return s ? s->line : -1;
}

static void test_values(void)
{
	/* token kinds a value may be */
	is_str(value_of("a = 1"), "1", "integer");
	is_str(value_of("a = -1"), "-1", "signed integer");
	is_str(value_of("a = 128MB"), "128MB", "integer with unit letters");
	is_str(value_of("a = 0x1F"), "0x1F", "hex integer");
	is_str(value_of("a = 0x1fz"), "0x1fz", "hex integer with a unit letter");
	is_str(value_of("a = 1.5"), "1.5", "real");
	is_str(value_of("a = .5"), ".5", "real without leading digit");
	is_str(value_of("a = ."), ".", "a lone dot is a real");
	is_str(value_of("a = -.e5"), "-.e5", "sign, dot and exponent make a real");
	is_str(value_of("a = 1.5e-3"), "1.5e-3", "real with exponent");
	is_str(value_of("a = on"), "on", "identifier");
	is_str(value_of("a = /var/run"), "ERROR: syntax error near \"/\"", "an unquoted string cannot start with /");
	is_str(value_of("a = var/run:x-y.z"), "var/run:x-y.z", "unquoted string with - . _ : /");
	is_str(value_of("a = x.y"), "ERROR: syntax error near \"x.y\"", "a qualified name is not a value");
	is_str(value_of("a = conf.d"), "ERROR: syntax error near \"conf.d\"", "bare conf.d is a qualified name");
	is_str(value_of("a = x.y.z"), "x.y.z", "two dots make an unquoted string");
	is_str(value_of("a = 1e5"), "ERROR: syntax error near \"5\"", "1e5 is the integer 1e then 5");
	is_str(value_of("a = 1.2.3"), "ERROR: syntax error near \".3\"", "1.2.3 is two reals");
	is_str(value_of("a = caf\xc3\xa9"), "caf\xc3\xa9", "bytes >= 0x80 are letters");
	is_str(value_of("a 1"), "1", "= may be left out");
	is_str(value_of("a=1"), "1", "no blanks around =");
	is_str(value_of("a = 1 # comment"), "1", "trailing comment");
	is_str(value_of("a = 1#comment"), "1", "comment right after the value");
	is_str(value_of("a = 'x#y'"), "x#y", "# inside quotes");
	is_str(value_of("a = 1\r\n"), "1", "CRLF line end");
	is_str(value_of("a = 1"), "1", "no newline at the end");
	is_str(value_of("\xc3\xa9t\xc3\xa9 = 1"), "1", "high-bit name");

	/* quoted strings and escapes (GUC_scanstr) */
	is_str(value_of("a = 'it''s'"), "it's", "'' is a quote");
	is_str(value_of("a = ''"), "", "empty string");
	is_str(value_of("a = ''''"), "'", "a quote alone");
	is_str(value_of("a = 'a\\nb'"), "a\nb", "\\n");
	is_str(value_of("a = '\\b\\f\\r\\t'"), "\b\f\r\t", "\\b \\f \\r \\t");
	is_str(value_of("a = '\\x41'"), "x41", "\\x is not special");
	is_str(value_of("a = '\\101\\60'"), "A0", "octal escapes");
	is_str(value_of("a = '\\1011'"), "A1", "octal takes at most three digits");
	is_str(value_of("a = '\\''"), "'", "backslash quote");
	is_str(value_of("a = '\\\\'"), "\\", "backslash backslash");
	is_str(value_of("a = '\\q'"), "q", "unknown escape is the byte");
	is_str(value_of("a = 'x\\0y'"), "x", "\\0 ends the value, as in the server's C string");
	is_str(value_of("a = 'x\\777'"), "x\xff", "octal wraps to a byte");
	is_str(value_of("a = 'a''b''c'"), "a'b'c", "several doubled quotes");
}

/* pgconf_quote writes what the lexer reads back as the same value. */
static void test_quote(void)
{
	static const char *const values[] = { "plain", "it's", "back\\slash", "two\nlines", "", "'%m [%p] '" };
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "x = ");
		pgconf_quote(&b, values[i]);
		buf_addc(&b, '\n');
		ok(parse(b.data) == 0 && m.n == 1 && m.set[0].quoted && strcmp(m.set[0].value, values[i]) == 0,
		   "pgconf_quote round trip");
		buf_free(&b);
	}
}

static void test_errors(void)
{
	is_int(parse("a = 'abc\nb = 1\n"), -1, "unterminated quote fails");
	is_str(err.msg, "unterminated quoted string", "unterminated quote message");
	is_int(err.line, 1, "unterminated quote line");
	is_str(err.file, "test.conf", "error names the file");
	is_str(value_of("a = 'abc''\n"), "ERROR: unterminated quoted string", "'abc'' then a stray quote");
	is_str(value_of("a = 'abc\\'\n"), "ERROR: unterminated quoted string", "escaped closing quote");
	is_int(parse("x = 1\n\na =\n"), -1, "missing value fails");
	is_str(err.msg, "missing value", "missing value message");
	is_int(err.line, 3, "missing value line");
	is_int(parse("x = 1\na"), -1, "name alone at end of file");
	is_int(err.line, 2, "its line is the true one (the server says 1)");
	is_str(value_of("a = 1 2"), "ERROR: syntax error near \"2\"", "two values");
	is_str(value_of("a = = 1"), "ERROR: syntax error near \"=\"", "two equals signs");
	is_str(value_of("= 1"), "ERROR: syntax error near \"=\"", "no name");
	is_str(value_of("1 = 1"), "ERROR: syntax error near \"1\"", "a number is not a name");
	is_str(value_of("a-b = 1"), "ERROR: syntax error near \"a-b\"", "an unquoted string is not a name");
	is_str(value_of("a.b.c = 1"), "ERROR: syntax error near \"a.b.c\"", "only one dot in a name");
	is_str(value_of("'a' = 1"), "ERROR: syntax error near \"'a'\"", "a string is not a name");
	is_str(value_of("a = +"), "ERROR: syntax error near \"+\"", "a lone sign");
	is_str(value_of("a = \x01"), "ERROR: syntax error near \"\\x01\"", "control byte shown escaped");
	is_int(pgconf_parse_buf(&m, "nul.conf", "a = 1\0", 6, &err), -1, "NUL after a value fails");
	is_str(err.msg, "NUL byte", "NUL message");
	pgconf_free(&m);
	is_int(pgconf_parse_buf(&m, "nul.conf", "a = 1 #\0\nb = 2\n", 15, &err), 0, "NUL in a comment is fine");
	is_int(m.n, 2, "both settings read");
	pgconf_free(&m);
	is_int(pgconf_parse_buf(&m, "nul.conf", "a = 'x\0y'\n", 10, &err), -1, "NUL in a quoted string fails");
	is_str(err.msg, "NUL byte", "NUL in quotes message");
}

static void test_model(void)
{
	const char *text = "# head\nWork_Mem = '4MB'  # c\n\nshared_buffers 128MB\nwork_mem=8MB\nmy.opt = x\n";
	const struct pgconf_setting **all;
	size_t n;

	is_int(parse(text), 0, "model parses");
	is_int(m.n, 4, "four settings");
	is_int(m.nfiles, 1, "one file");
	is_str(m.set[0].name, "work_mem", "name lower-cased");
	is_str(m.set[0].name_raw, "Work_Mem", "name as written");
	is_str(m.set[0].value_raw, "'4MB'", "raw value keeps quotes");
	is_int(m.set[0].quoted, 1, "quoted flag");
	is_int(m.set[0].line, 2, "line of first setting");
	is_int(m.set[0].name_off, 7, "name offset");
	ok(memcmp(m.files[0].data + m.set[0].val_off, "'4MB'", m.set[0].val_len) == 0 && m.set[0].val_len == 5,
	   "value span");
	is_int(m.set[1].line, 4, "line after a blank line");
	is_int(m.set[1].quoted, 0, "unquoted flag");
	ok(memcmp(m.files[0].data + m.set[1].val_off, "128MB", 5) == 0, "unquoted value span");
	is_str(m.set[3].name, "my.opt", "qualified name");
	ok(m.set[0].name_hash == pgconf_name_hash("work_mem") && m.set[3].name_hash == pgconf_name_hash("my.opt"),
	   "name_hash is the hash of the lower-cased name");
	ok(eff("Include") == NULL, "an include directive never wins");
	ok(eff("A_name_longer_than_the_sixty_four_bytes_kept_on_the_stack_for_the_question") == NULL,
	   "a long name is asked too");
	is_str(eff("WORK_MEM"), "8MB", "last one wins, any case");
	is_int(eff_line("work_mem"), 5, "winner's line");
	ok(eff("nothing") == NULL, "unset name");
	n = pgconf_effective_all(&m, &all);
	is_int(n, 3, "three distinct names");
	ok(n == 3 && strcmp(all[0]->name, "work_mem") == 0 && strcmp(all[0]->value, "8MB") == 0,
	   "first appearance order, winning value");
	ok(n == 3 && strcmp(all[2]->name, "my.opt") == 0, "last distinct name");
	free(all);

	is_int(parse("include 'a.conf'\nINCLUDE_DIR d\ninclude_if_exists x\na = 1\n"), 0, "parse_buf keeps directives");
	is_int(m.n, 4, "directives are settings there");
	is_str(m.set[1].name, "include_dir", "directive name lower-cased");
	ok(eff("include") == NULL, "a directive has no effective value");
	n = pgconf_effective_all(&m, &all);
	is_int(n, 1, "effective_all skips directives");
	free(all);

	is_int(parse(""), 0, "empty file");
	is_int(m.n, 0, "nothing set");
	is_int(parse("\n\n# only comments\n   \t\n"), 0, "blank and comment lines");
	is_int(m.n, 0, "nothing set either");
}

/* A small deterministic generator, so that a failure can be replayed. */
static unsigned int rnd_state = 12345;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* npieces of piece[0..n) picked at random onto text, or now and then a NUL byte. */
static void
add_pieces(struct buf *text, const char *const *piece, size_t n, size_t npieces)
{
	for (size_t k = 0; k < npieces; k++) {
		unsigned int pick = rnd((unsigned int)n + 1);

		if (pick == n)
			buf_add(text, "\0", 1);	/* a NUL byte inside the text */
		else
			buf_adds(text, piece[pick]);
	}
}

/* guc-file.l's rules for a name, written out the slow way: ID, QUALIFIED_ID, UNQUOTED_STRING. */
static int ref_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static size_t ref_id(const unsigned char *p)
{
	size_t i = 0;

	if (!ref_letter(p[0]))
		return 0;
	for (i = 1; ref_letter(p[i]) || (p[i] >= '0' && p[i] <= '9'); i++)
		;
	return i;
}

/* Whether "NAME = 1" parses, by the rules: the longest of the three, ties to the earlier. */
static int ref_name_ok(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t id = ref_id(p), qid = 0, unq = 0;

	if (!id)
		return 0;
	if (p[id] == '.' && ref_id(p + id + 1))
		qid = id + 1 + ref_id(p + id + 1);
	for (unq = 1; ref_letter(p[unq]) || (p[unq] >= '0' && p[unq] <= '9') || strchr("-._:/", p[unq]); unq++)
		if (!p[unq])
			break;
	if (unq > id && unq > qid)
		return 0;	/* an UNQUOTED_STRING is no name */
	return (qid > id ? qid : id) == strlen(name);
}

/*
 * The lexer takes a short cut for a name without - . : / in it; names
 * built from the bytes that matter must tokenise as the three rules say.
 */
static void test_names(void)
{
	static const char *const parts[] = { "a", "Z", "_", "9", "-", ".", ":", "/", "\xc3\xa9", "x1" };
	int i, bad = 0, parsed = 0;

	for (i = 0; i < 3000; i++) {
		char name[64], text[80];
		int k, len = 1 + (int)rnd(6);
		int want;

		name[0] = '\0';
		for (k = 0; k < len; k++)
			strcat(name, parts[rnd(sizeof parts / sizeof parts[0])]);
		want = ref_name_ok(name);
		snprintf(text, sizeof text, "%s = 1\n", name);
		if (parse(text) == 0) {
			parsed++;
			if (!want || m.n != 1 || strcmp(m.set[0].name_raw, name) != 0)
				bad++;
		} else if (want) {
			bad++;
		}
	}
	is_int(bad, 0, "3000 generated names tokenise as ID, QUALIFIED_ID or UNQUOTED_STRING say");
	ok(parsed > 300 && parsed < 2700, "and both kinds were tried");
}

/*
 * pgconf_effective_all uses a hash table; the answer must be the one a
 * plain scan gives: names in order of first appearance, each with the last
 * setting of that name (case-insensitively), directives left out.
 */
static void test_effective_all(void)
{
	static const char *const fixed[] = { "include", "Include_Dir", "include_if_exists", "includes", "inc" };
	struct buf text;
	const struct pgconf_setting **all, **ref;
	size_t n, nref = 0, i, j;
	int mismatch = 0, r;

	buf_init(&text);
	for (i = 0; i < 6000; i++) {
		unsigned int pick = rnd(100);

		if (pick < 5)
			buf_printf(&text, "%s = 'x%zu'\n", fixed[pick], i);
		else if (pick < 50)	/* a few hot names, in mixed case */
			buf_printf(&text, "%s%u = %zu\n", rnd(2) ? "Name" : "name", rnd(20), i);
		else			/* many cold ones: the table grows and collides */
			buf_printf(&text, "p%u = %zu\n", rnd(4000), i);
	}
	r = parse(text.data);
	is_int(r, 0, "a generated file of 6000 settings parses");
	ref = malloc((m.n + 1) * sizeof *ref);
	for (i = 0; i < m.n; i++) {
		const char *name = m.set[i].name;

		if (strcmp(name, "include") == 0 || strcmp(name, "include_dir") == 0 ||
		    strcmp(name, "include_if_exists") == 0)
			continue;
		for (j = 0; j < nref && strcmp(ref[j]->name, name) != 0; j++)
			;
		ref[j] = &m.set[i];
		if (j == nref)
			nref++;
	}
	n = pgconf_effective_all(&m, &all);
	is_int((long)n, (long)nref, "as many names as a plain scan finds");
	for (i = 0; i < n && i < nref; i++)
		if (all[i] != ref[i])
			mismatch++;
	is_int(mismatch, 0, "the same winners in the same order");
	for (i = 0; i < n; i++)
		if (pgconf_effective(&m, all[i]->name) != all[i])
			mismatch++;
	is_int(mismatch, 0, "each the one pgconf_effective picks");
	free(all);
	free(ref);
	buf_free(&text);
}

/*
 * The parser skips comment-only and blank lines by a byte scan instead of
 * the lexer; on any text the two must stop at the same byte and count the
 * same lines.  The texts are lines built from the pieces that sit near a
 * comment's edges: blanks, '#' at various places, quotes around '#',
 * backslashes, NUL bytes, a final line without its newline.
 */
static void check_skip(const char *text, size_t len, size_t *bad, const char **first_bad)
{
	size_t pos;

	/* from every line start, as the parser calls it */
	for (pos = 0; pos <= len; pos++) {
		size_t fast, slow;
		int lf = 1, ls = 1;

		if (pos > 0 && text[pos - 1] != '\n')
			continue;
		fast = pgconf_skip_lines(text, len, pos, 1, &lf);
		slow = pgconf_skip_lines(text, len, pos, 0, &ls);
		if (fast != slow || lf != ls) {
			if (!*bad)
				*first_bad = text;
			(*bad)++;
		}
	}
}

static void test_skip_lines(void)
{
	static const char *const piece[] = {
		" ", "\t", "\r", "  ", "\t\t\t", "#", "# a comment", "#'", "#\\", "##",
		"\n", "\n", "\n", "'#'", "'a#b'", "'", "''", "x", "x = 1", "=", "1", "#x = 1",
		"\\", "\\\n", "-", ".5", "\r\n", "\x80", "include 'x#y'",
	};
	static const struct {
		const char *text;
		size_t at;	/* where the next token starts */
		int line;
	} fixed[] = {
		{ "", 0, 1 },
		{ "# only\n", 7, 2 },
		{ "# no newline", 12, 1 },
		{ " \t\r\n\n\t# c\r\nx = 1\n", 11, 4 },
		{ "\t\t'#' # a quoted '#' is a value, not a comment\n", 2, 1 },
		{ "   x = '#'\n", 3, 1 },
		{ "\r\r\r", 3, 1 },
		{ "#\n#\n#\n= 1\n", 6, 4 },
	};
	struct buf text;
	size_t bad = 0, i, k;
	const char *first_bad = NULL;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		size_t len = strlen(fixed[i].text);
		int lf = 1, ls = 1;
		size_t fast = pgconf_skip_lines(fixed[i].text, len, 0, 1, &lf);
		size_t slow = pgconf_skip_lines(fixed[i].text, len, 0, 0, &ls);

		if (fast != fixed[i].at || slow != fixed[i].at || lf != fixed[i].line || ls != fixed[i].line) {
			diag("skip over \"%s\": fast %zu line %d, lexer %zu line %d, want %zu line %d",
			     fixed[i].text, fast, lf, slow, ls, fixed[i].at, fixed[i].line);
			bad++;
		}
	}
	is_int((long)bad, 0, "the comment skip stops where expected on the fixed texts");

	buf_init(&text);
	for (i = 0; i < 100000; i++) {
		size_t npieces = rnd(12);

		buf_reset(&text);
		add_pieces(&text, piece, sizeof piece / sizeof piece[0], npieces);
		buf_add(&text, "", 0);	/* a buf ends in '\0', as the parser's data does */
		check_skip(text.data, text.len, &bad, &first_bad);
		if (first_bad == text.data) {
			char shown[200];

			for (k = 0; k < text.len && k < 60; k++)
				snprintf(shown + 3 * k, 4, "%02x ", (unsigned char)text.data[k]);
			shown[3 * k] = '\0';
			diag("first mismatch on the bytes %s", shown);
			first_bad = "";
		}
	}
	is_int((long)bad, 0, "the byte scan and the lexer agree on 100000 generated texts");
	buf_free(&text);

	/* and the parser, which uses the scan, keeps a quoted '#' */
	is_str(value_of("\t # c\n\n  x = '#'  # c\n# end"), "#", "a quoted '#' after comment lines is a value");
	is_int(m.set[0].line, 3, "on its own line");
	is_str(value_of("\r\n#\r\n  \tx 'a # b'"), "a # b", "and without a final newline");
}

static void test_load(void)
{
	is_int(load(DATA "includes/main.conf"), 0, "includes load");
	is_str(eff("work_mem"), "16MB", "work_mem after include_dir wins");
	is_str(eff_file("work_mem"), DATA "includes/main.conf", "work_mem file");
	is_str(eff("log_line_prefix"), "%m [%p] ", "include relative to the including file");
	is_str(eff_file("log_line_prefix"), DATA "includes/sub/extra.conf", "included file path");
	is_str(eff("maintenance_work_mem"), "256MB", "include_if_exists relative to sub/");
	is_str(eff("random_page_cost"), "1.5", "conf.d read in name order");
	is_str(eff_file("random_page_cost"), DATA "includes/conf.d/20-b.conf", "conf.d file");
	is_str(eff("shared_buffers"), "1GB", "conf.d overrides earlier");
	is_str(eff("listen_addresses"), "it's", "quoted in conf.d");
	ok(eff("work_mem") && strcmp(eff("work_mem"), "999MB") && strcmp(eff("work_mem"), "998MB"),
	   "hidden, .txt and .bak files skipped");
	is_int(m.nfiles, 6, "six files read");
	{
		size_t i;
		int directive = 0;

		for (i = 0; i < m.n; i++)
			if (strncmp(m.set[i].name, "include", 7) == 0)
				directive = 1;
		ok(!directive, "load keeps no directives as settings");
	}

	is_int(load(DATA "debian/postgresql.conf"), 0, "debian layout loads");
	is_str(eff("data_directory"), "/var/lib/postgresql/15/main", "data_directory");
	is_str(eff("work_mem"), "8MB", "conf.d setting");
	is_str(eff("max_connections"), "200", "conf.d overrides main");
	is_str(eff_file("max_connections"), DATA "debian/conf.d/50-ckan.conf", "conf.d path");

	is_int(load(DATA "initdb-15.conf"), 0, "initdb file loads");
	is_str(eff("max_connections"), "100", "initdb max_connections");
	is_str(eff("shared_buffers"), "128MB", "initdb shared_buffers");
	is_int(eff_line("shared_buffers"), 127, "initdb shared_buffers line");

	is_int(load(DATA "pg91.conf"), 0, "9.1 file loads");
	is_str(eff("checkpoint_segments"), "16", "checkpoint_segments");
	is_str(eff("silent_mode"), "on", "silent_mode, commented one ignored");
	is_str(eff("pg_stat_statements.max"), "10000", "qualified name");

	is_int(load(DATA "depth/ok-10.conf"), 0, "10 levels of nesting are allowed");
	is_str(eff("level_11.x"), "11", "deepest level read");
	is_int(load(DATA "depth/d00.conf"), -1, "11 levels are not");
	is_str(err.msg, "nesting depth exceeds 10", "depth message");
	is_str(err.file, DATA "depth/d10.conf", "depth error at the 10th include");
	is_int(err.line, 2, "depth error line");

	is_int(load(DATA "bad/loop.conf"), -1, "self include fails");
	is_str(err.msg, "include loop: \"" DATA "bad/loop.conf\" includes itself", "loop message");
	is_int(err.line, 2, "loop line");
	is_int(load(DATA "bad/loop-a.conf"), -1, "a includes b includes a");
	ok(strstr(err.msg, "include loop") != NULL, "two-file loop message");

	is_int(load(DATA "bad/missing-include.conf"), -1, "missing include fails");
	is_str(err.msg, "cannot open \"" DATA "bad/does-not-exist.conf\": No such file or directory",
	       "missing include message");
	is_str(err.file, DATA "bad/missing-include.conf", "reported at the include");
	is_int(err.line, 2, "missing include line");
	is_int(load(DATA "bad/missing-dir.conf"), -1, "missing include_dir fails");
	ok(strstr(err.msg, "no-such-dir") != NULL, "missing dir named");
	is_int(load(DATA "bad/empty-include.conf"), -1, "empty include fails");
	is_str(err.msg, "empty configuration file name", "empty include message");
	is_int(load(DATA "bad/unterminated.conf"), -1, "unterminated fixture");
	is_int(err.line, 3, "unterminated fixture line");
	is_int(load(DATA "bad/missing-value.conf"), -1, "missing value fixture");
	is_str(err.msg, "missing value", "missing value fixture message");
	is_int(load(DATA "bad/syntax.conf"), -1, "syntax fixture");
	is_str(err.msg, "syntax error near \"8MB\"", "syntax fixture message");
	is_int(load(DATA "bad/garbage.conf"), -1, "binary garbage fails");
	is_int(err.line, 2, "garbage line");
	is_int(load(DATA "bad/nul.conf"), -1, "NUL fixture fails");
	is_str(err.msg, "NUL byte", "NUL fixture message");
	is_int(load(DATA "nul-in-comment.conf"), 0, "NUL inside a comment is read");

	is_int(load(DATA "paths.conf"), -1, "paths fixture fails at its second include");
	is_str(err.msg, "cannot open \"" DATA "missing.conf\": No such file or directory",
	       "x/../y/.././missing.conf is cleaned");
	is_str(eff("maintenance_work_mem"), "256MB", "nowhere/.. need not exist");
	is_str(eff_file("maintenance_work_mem"), DATA "includes/sub/more.conf", "./, // and trailing / removed");

	is_int(load(DATA "paths-root.conf"), -1, "include above the root");
	is_str(err.msg, "cannot open \"/nonexistent-ckp/x.conf\": No such file or directory", "/.. is /");
	is_int(load(DATA "paths-up.conf"), -1, "include above a relative top file");
	is_str(err.msg, "cannot open \"../../nonexistent-ckp/x.conf\": No such file or directory",
	       "a relative path keeps the .. it cannot resolve");

	is_int(load(DATA "no-such-file.conf"), -1, "missing top file fails");
	ok(strstr(err.msg, "No such file") != NULL, "missing top file message");
	pgconf_free(&m);
	is_int(pgconf_load(&m, DATA "no-such-file.conf", 1, &err), 0, "missing_ok top file");
	is_int(m.n, 0, "missing_ok reads nothing");
	is_int(load(DATA "includes"), -1, "a directory is not a file");
}

/*
 * The parser reads a plain setting line (name, '=', an ID, digits or a
 * quoted string, a comment) by its own scan, and any other line by the
 * lexer.  On any text the two ways must give the same settings, strings,
 * spans, lines and hashes, or the same error at the same line.  The texts
 * are lines built from pieces near the edge of the plain shape: units,
 * signs, reals, hex, qualified names, - . : / inside words, quotes, NUL
 * bytes, '#' and '=' in odd places, a last line without its newline.
 */
static int same_setting(const struct pgconf_setting *a, const struct pgconf_setting *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->name_raw, b->name_raw) == 0 &&
	       strcmp(a->value, b->value) == 0 && strcmp(a->value_raw, b->value_raw) == 0 &&
	       a->quoted == b->quoted && a->line == b->line && a->file == b->file &&
	       a->name_hash == b->name_hash && a->name_off == b->name_off &&
	       a->val_off == b->val_off && a->val_len == b->val_len;
}

static void test_fast_lines(void)
{
	static const char *const piece[] = {
		"p0", "Work_Mem", "a", "x9", "_z", "\xc3\xa9", "include", "Include_Dir", "my.opt",
		"a-b", "a:b", "a/b", "a.", " ", "\t", "\r", "=", " = ", "==", "1", "42", "007",
		"-1", "+3", "1.5", ".5", "1e5", "0x1F", "0x", "128MB", "10s", "on", "'x'", "'a''b'",
		"'a\\'b'", "'#'", "'", "''", "'\\n'", "#", "\t# c", "# c = 1", "\n", "\n", "\n",
		"\r\n", "\\", "$", "'unterminated",
	};
	struct pgconf_model a, b;
	struct diag_err ea, eb;
	struct buf text;
	size_t bad = 0, i, k, lines = 0, settings = 0;

	buf_init(&text);
	pgconf_init(&a);
	pgconf_init(&b);
	for (i = 0; i < 100000; i++) {
		size_t npieces = rnd(10);
		int ra, rb, differ = 0;

		buf_reset(&text);
		if (rnd(2))	/* mostly the plain shape, to reach the end of a line */
			buf_printf(&text, "p%u = %u\t# set\n", rnd(50), rnd(1000));
		add_pieces(&text, piece, sizeof piece / sizeof piece[0], npieces);
		if (rnd(2))
			buf_adds(&text, "\nq = 'v'  # last\n");
		buf_add(&text, "", 0);
		pgconf_free(&a);
		pgconf_free(&b);
		memset(&ea, 0, sizeof ea);
		memset(&eb, 0, sizeof eb);
		ra = pgconf_parse_buf_by(&a, "t.conf", text.data, text.len, 1, &ea);
		rb = pgconf_parse_buf_by(&b, "t.conf", text.data, text.len, 0, &eb);
		if (ra != rb || a.n != b.n || strcmp(ea.msg, eb.msg) != 0 || ea.line != eb.line)
			differ = 1;
		for (k = 0; !differ && k < a.n; k++)
			if (!same_setting(&a.set[k], &b.set[k]))
				differ = 1;
		if (ra == 0)
			lines++;
		settings += a.n;
		if (differ && !bad++) {
			char shown[200];

			for (k = 0; k < text.len && k < 60; k++)
				snprintf(shown + 3 * k, 4, "%02x ", (unsigned char)text.data[k]);
			shown[3 * k] = '\0';
			diag("first mismatch on the bytes %s: fast %d \"%s\" line %d, "
			     "lexer %d \"%s\" line %d", shown, ra, ea.msg, ea.line, rb, eb.msg,
			     eb.line);
		}
	}
	is_int((long)bad, 0, "the fast line scan and the lexer agree on 100000 generated texts");
	ok(lines > 10000 && lines < 90000 && settings > 50000,
	   "and both parsed and refused texts were tried");
	pgconf_free(&a);
	pgconf_free(&b);

	/* the hash read from a zero-padded copy is pgconf_name_hash, at every length */
	bad = 0;
	for (i = 0; i <= 40; i++) {
		char name[48];

		for (k = 0; k < i; k++)
			name[k] = (char)("abcXYZ_09"[rnd(9)]);
		name[0] = 'N';
		name[i] = '\0';
		buf_reset(&text);
		buf_printf(&text, "%s = 1\n", name);
		if (i == 0)
			continue;
		if (parse(text.data) < 0 || m.n != 1) {
			bad++;
			continue;
		}
		if (m.set[0].name_hash != pgconf_name_hash(m.set[0].name))
			bad++;
	}
	is_int((long)bad, 0, "name_hash is pgconf_name_hash for names of 1 to 40 bytes");
	buf_free(&text);
}

/*
 * A file of 1 MB or more is read into huge pages by its own reader: it
 * must give the model pgconf_parse_buf gives on the same bytes, or the
 * same error, at the size where that reader starts and well above it,
 * with and without a last newline.
 */
static int load_same_as_parse(const char *text, size_t len)
{
	char path[] = "/tmp/ckp-pgconf-big.XXXXXX";
	struct pgconf_model a;
	struct diag_err ea;
	int fd = mkstemp(path), ra, rb, same;
	size_t i;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) < 0)
		return 0;
	pgconf_init(&a);
	memset(&ea, 0, sizeof ea);
	ra = pgconf_parse_buf(&a, path, text, len, &ea);
	rb = load(path);
	unlink(path);
	same = ra == rb && a.n == m.n && m.nfiles == 1 && m.files[0].len == len &&
	       memcmp(m.files[0].data, text, len) == 0 && m.files[0].data[len] == '\0' &&
	       (ra == 0 || (ea.line == err.line && strcmp(ea.msg, err.msg) == 0));
	for (i = 0; same && i < a.n; i++)
		same = same_setting(&a.set[i], &m.set[i]);
	pgconf_free(&a);
	return same;
}

static void test_big_file(void)
{
	struct buf text;
	int i;

	buf_init(&text);
	for (i = 0; text.len < ((size_t)3 << 20); i++)
		buf_printf(&text, i % 3 ? "p%d = %d\t# round %d\n" : "# p%d\nQ%d = 'v''%d'\n",
			   i % 1000, i, i);
	ok(load_same_as_parse(text.data, text.len), "a 3 MB file loads as it parses");
	buf_adds(&text, "last = 1");
	ok(load_same_as_parse(text.data, text.len), "and without its last newline");
	buf_adds(&text, "\nbad = = 1\n");
	ok(load_same_as_parse(text.data, text.len), "and with an error on its last line");
	ok(load_same_as_parse(text.data, (size_t)1 << 20), "a file of exactly 1 MB");
	ok(load_same_as_parse(text.data, ((size_t)1 << 20) - 1), "and one byte less");
	buf_free(&text);
}

int main(void)
{
	pgconf_init(&m);
	test_values();
	test_errors();
	test_quote();
	test_model();
	test_names();
	test_effective_all();
	test_skip_lines();
	test_fast_lines();
	test_load();
	test_big_file();
	pgconf_free(&m);
	return done_testing();
}
