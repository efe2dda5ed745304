/*
 * Unit test of common/envfile.c.  Every case of the first table is an
 * example from Docker's documentation, named by its section:
 *   [syntax]  docs.docker.com/compose/how-tos/environment-variables/
 *             variable-interpolation/, ".env file syntax"
 *   [interp]  same page, "Interpolation syntax", and
 *             docs.docker.com/reference/compose-file/interpolation/
 * The second table holds what the documentation leaves to compose-go v2's
 * dotenv parser (its tests and source: export, "KEY: value", octal
 * escapes, bare keys).  Then the spans an editor relies on, errors with
 * their lines, and ckan-docker's own .env.example.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "envfile.h"
#include "envfile-check.h"
#include "tap.h"

static struct envfile F;
static struct diag_err E;

static int parse(const char *s)
{
	envfile_free(&F);
	return envfile_parse("t.env", s, strlen(s), &F, &E);
}

/* The value of key after parsing s, or "<error LINE: msg>" / "<unset>". */
static const char *val(const char *s, const char *key)
{
	static char b[600];
	const struct envfile_entry *e;
	const char *bad;

	if (parse(s) < 0) {
		snprintf(b, sizeof b, "<error %d>", E.line);
		return b;
	}
	if ((bad = envfile_check(&F)) != NULL) {
		snprintf(b, sizeof b, "<model broken: %s>", bad);
		return b;
	}
	e = envfile_lookup(&F, key);
	return e ? e->value : "<unset>";
}

struct vcase {
	const char *doc;	/* the documentation section the case is from */
	const char *text;
	const char *key;
	const char *want;
};

static const struct vcase doc_cases[] = {
	{ "[syntax] lines beginning with # are comments", "# VAR=x\nVAR=VAL\n", "VAR", "VAL" },
	{ "[syntax] blank lines are ignored", "\n\n  \nVAR=VAL\n\n", "VAR", "VAL" },
	{ "[syntax] VAR=VAL", "VAR=VAL\n", "VAR", "VAL" },
	{ "[syntax] VAR=\"VAL\"", "VAR=\"VAL\"\n", "VAR", "VAL" },
	{ "[syntax] VAR='VAL'", "VAR='VAL'\n", "VAR", "VAL" },
	{ "[syntax] inline comment after an unquoted value", "VAR=VAL # comment\n", "VAR", "VAL" },
	{ "[syntax] # without a space before it is no comment", "VAR=VAL# not a comment\n", "VAR", "VAL# not a comment" },
	{ "[syntax] # inside double quotes is no comment", "VAR=\"VAL # not a comment\"\n", "VAR", "VAL # not a comment" },
	{ "[syntax] comment after the closing quote", "VAR=\"VAL\" # comment\n", "VAR", "VAL" },
	{ "[syntax] single quotes are literal: $OTHER", "OTHER=x\nVAR='$OTHER'\n", "VAR", "$OTHER" },
	{ "[syntax] single quotes are literal: ${OTHER}", "OTHER=x\nVAR='${OTHER}'\n", "VAR", "${OTHER}" },
	{ "[syntax] quotes escaped with \\ (single)", "VAR='Let\\'s go!'\n", "VAR", "Let's go!" },
	{ "[syntax] quotes escaped with \\ (double)", "VAR=\"{\\\"hello\\\": \\\"json\\\"}\"\n", "VAR", "{\"hello\": \"json\"}" },
	{ "[syntax] \\t in double quotes", "VAR=\"some\\tvalue\"\n", "VAR", "some\tvalue" },
	{ "[syntax] \\t in single quotes stays", "VAR='some\\tvalue'\n", "VAR", "some\\tvalue" },
	{ "[syntax] \\t unquoted stays", "VAR=some\\tvalue\n", "VAR", "some\\tvalue" },
	{ "[syntax] \\n in double quotes", "VAR=\"a\\nb\"\n", "VAR", "a\nb" },
	{ "[syntax] \\\\ in double quotes", "VAR=\"a\\\\b\"\n", "VAR", "a\\b" },
	{ "[syntax] \\r in double quotes", "VAR=\"a\\rb\"\n", "VAR", "a\rb" },
	{ "[syntax] inner quotes are kept", "VAR='{\"hello\": \"json\"}'\n", "VAR", "{\"hello\": \"json\"}" },
	{ "[syntax] unquoted values are trimmed", "VAR=   some value   \n", "VAR", "some value" },
	{ "[syntax] quoted values keep their spaces", "VAR=\"  some value  \"\n", "VAR", "  some value  " },
	{ "[syntax] a quoted value spans lines", "VAR=\"some\nvalue\"\nNEXT=1\n", "VAR", "some\nvalue" },
	{ "[syntax] unquoted and double quotes interpolate", "A=x\nVAR=\"$A\"\n", "VAR", "x" },
	{ "[interp] ${VAR}", "VAR=v\nB=${VAR}\n", "B", "v" },
	{ "[interp] $VAR", "VAR=v\nB=$VAR/x\n", "B", "v/x" },
	{ "[interp] ${VAR:-default}, set", "VAR=v\nB=${VAR:-d}\n", "B", "v" },
	{ "[interp] ${VAR:-default}, empty", "VAR=\nB=${VAR:-d}\n", "B", "d" },
	{ "[interp] ${VAR:-default}, unset", "B=${VAR:-d}\n", "B", "d" },
	{ "[interp] ${VAR-default}, empty", "VAR=\nB=${VAR-d}\n", "B", "" },
	{ "[interp] ${VAR-default}, unset", "B=${VAR-d}\n", "B", "d" },
	{ "[interp] ${VAR:?error}, set", "VAR=v\nB=${VAR:?e}\n", "B", "v" },
	{ "[interp] ${VAR:?error}, empty", "VAR=\nB=${VAR:?e}\n", "B", "<error 2>" },
	{ "[interp] ${VAR?error}, empty", "VAR=\nB=${VAR?e}\n", "B", "" },
	{ "[interp] ${VAR?error}, unset", "B=${VAR?e}\n", "B", "<error 1>" },
	{ "[interp] ${VAR:+replacement}, set", "VAR=v\nB=${VAR:+r}\n", "B", "r" },
	{ "[interp] ${VAR:+replacement}, empty", "VAR=\nB=${VAR:+r}\n", "B", "" },
	{ "[interp] ${VAR+replacement}, empty", "VAR=\nB=${VAR+r}\n", "B", "r" },
	{ "[interp] ${VAR+replacement}, unset", "B=${VAR+r}\n", "B", "" },
	{ "[interp] nested ${VARIABLE:-${FOO}}", "FOO=f\nB=${VARIABLE:-${FOO}}\n", "B", "f" },
	{ "[interp] nested ${VARIABLE?$FOO}", "VARIABLE=v\nFOO=f\nB=${VARIABLE?$FOO}\n", "B", "v" },
	{ "[interp] nested ${VARIABLE:-${FOO:-default}}", "B=${VARIABLE:-${FOO:-default}}\n", "B", "default" },
	{ "[interp] $$ is a literal $", "A=x\nB=$$A\n", "B", "$A" },
	{ "[interp] a $ that starts no name stays", "B=a$1$-$\n", "B", "a$1$-$" },
	{ "[interp] unset without default is empty", "B=x${NOPE}y\n", "B", "xy" },
	{ "[interp] names are [_a-zA-Z][_a-zA-Z0-9]*", "A_1=v\nB=$A_1.x\n", "B", "v.x" },
	{ NULL, NULL, NULL, NULL },
};

static const struct vcase go_cases[] = {
	{ "export prefix", "export VAR=VAL\n", "VAR", "VAL" },
	{ "export with tab", "export\tVAR=VAL\n", "VAR", "VAL" },
	{ "yaml-style KEY: value", "VAR: VAL\n", "VAR", "VAL" },
	{ "spaces around =", "VAR = VAL\n", "VAR", "VAL" },
	{ "empty value", "VAR=\nB=1\n", "VAR", "" },
	{ "empty value does not eat the next line", "VAR=\nB=1\n", "B", "1" },
	{ "indented key", "   VAR=VAL\n", "VAR", "VAL" },
	{ "CRLF line ends", "VAR=VAL\r\nB=2\r\n", "VAR", "VAL" },
	{ "last line without newline", "VAR=VAL", "VAR", "VAL" },
	{ "the last definition wins", "VAR=1\nVAR=2\n", "VAR", "2" },
	{ "interpolation sees the earlier definition", "A=1\nB=$A\nA=2\n", "B", "1" },
	{ "a later line is not seen", "B=$A\nA=2\n", "B", "" },
	{ "a bare KEY sets nothing here", "VAR=1\nVAR\n", "VAR", "1" },
	{ "\\$ in double quotes is a $", "A=x\nB=\"\\$A\"\n", "B", "$A" },
	{ "octal \\0101", "B=\"\\0101\"\n", "B", "A" },
	{ "\\c stays", "B=\"a\\cb\"\n", "B", "a\\cb" },
	{ "\\' in double quotes stays", "B=\"a\\'b\"\n", "B", "a\\'b" },
	{ "other \\x in single quotes stays", "B='a\\nb'\n", "B", "a\\nb" },
	{ "tab before # is no comment", "B=a\t#b\n", "B", "a\t#b" },
	{ "junk after a closing quote starts a statement", "B=\"a\" C=2\n", "C", "2" },
	{ "dots and brackets in keys", "a.b[0]=1\n", "a.b[0]", "1" },
	{ "value starting with #", "B=#x\n", "B", "#x" },
	{ "unquoted value with quotes inside", "B=a\"b'c\n", "B", "a\"b'c" },
	{ NULL, NULL, NULL, NULL },
};

static const struct {
	const char *what, *text;
	int line;
} errors[] = {
	{ "unterminated double quote", "A=1\nB=\"abc\nC=2\n", 2 },
	{ "unterminated single quote", "A='x\n", 1 },
	{ "space inside a key", "A=1\nMY VAR=1\n", 2 },
	{ "bad character in a key", "A=1\n\nB-C=1\n", 3 },
	{ "${ without a name", "A=${}\n", 1 },
	{ "${ without a closing brace", "A=1\nB=${A\n", 2 },
	{ "unknown operator", "A=${B:x}\n", 1 },
	{ "${VAR:?} unset", "A=1\nB=2\nC=${X:?need X}\n", 3 },
	{ "a value without a name", "=1\n", 1 },
	{ "no = at the end of the file", "A=1\nB", 2 },
	{ "NUL byte", "A=1\nB=\0\n", 2 },
};

static void spans(void)
{
	const char *s = "# db\nexport POSTGRES_HOST=db\nU=ckan\n"
			"CKAN_SQLALCHEMY_URL=postgresql://${U}:pw@$POSTGRES_HOST/ckandb # main\n"
			"P=\"a\\\"b\"\n";
	const struct envfile_entry *e;

	ok(parse(s) == 0, "spans: parses");
	ok(envfile_check(&F) == NULL, "spans: model keeps its promises");
	e = envfile_lookup(&F, "CKAN_SQLALCHEMY_URL");
	is_str(e->value, "postgresql://ckan:pw@db/ckandb", "URL built from variables");
	is_int(e->line, 4, "its line");
	is_int(e->nparts, 5, "five parts: text, ${U}, text, $POSTGRES_HOST, text");
	is_int(e->parts[1].kind, ENVFILE_VAR, "${U} is a VAR part");
	is_str(e->parts[1].name, "U", "... naming U");
	is_int(e->parts[1].entry, 1, "... defined by entry 1");
	is_int(e->parts[1].src_len, 4, "... from the 4 bytes ${U}");
	is_str(e->parts[3].name, "POSTGRES_HOST", "$POSTGRES_HOST is a VAR part");
	is_int(e->parts[3].src_len, 14, "... from its 14 bytes");
	is_int(e->nrefs, 2, "two refs");
	is_str(e->refs[0], "U", "refs in order");
	is_int(e->val_len, strlen("postgresql://${U}:pw@$POSTGRES_HOST/ckandb"), "span stops before \" # main\"");
	e = envfile_lookup(&F, "POSTGRES_HOST");
	ok(e->exported, "export is remembered");
	is_int(e->line, 2, "an exported key's line");
	e = envfile_lookup(&F, "P");
	is_str(e->value, "a\"b", "escaped quote");
	is_int(e->nparts, 3, "text, escape, text");
	is_int(e->parts[1].kind, ENVFILE_ESCAPE, "\\\" is an ESCAPE part");
	is_int(e->parts[1].src_len, 2, "... of two bytes");
	is_int(e->quote, '"', "quote remembered");
	is_int(e->val_len, 6, "quoted span includes the quotes");

	ok(parse("A=1\nB=${A:-5432}x\nC=\"m\nn\"\n") == 0, "expr: parses");
	e = envfile_lookup(&F, "B");
	is_int(e->parts[0].kind, ENVFILE_EXPR, "${A:-5432} is an EXPR part");
	is_int(e->parts[0].src_len, 10, "... over its 10 bytes");
	e = envfile_lookup(&F, "C");
	is_int(e->line, 3, "multi-line value: first line");
	is_int(e->last_line, 4, "multi-line value: last line");

	ok(parse("A=1\nB\n") == 0, "bare key: parses");
	ok(F.entries[1].inherited && !F.entries[1].value, "bare key is inherited, with no value here");
	ok(parse("") == 0 && F.n == 0, "an empty file is an empty model");
}

static void ckan_docker(void)
{
	struct buf b;
	const struct envfile_entry *e;

	buf_init(&b);
	if (buf_read_file(&b, "tests/data/env/ckan-docker.env", NULL) < 0) {
		ok(0, "ckan-docker .env.example readable");
		return;
	}
	envfile_free(&F);
	ok(envfile_parse("ckan-docker.env", b.data, b.len, &F, &E) == 0, "ckan-docker .env.example parses");
	ok(envfile_check(&F) == NULL, "... its model keeps its promises");
	e = envfile_lookup(&F, "CKAN_SQLALCHEMY_URL");
	is_str(e ? e->value : "", "postgresql://ckandbuser:ckandbpassword@db/ckandb", "... CKAN_SQLALCHEMY_URL (literal, no variables)");
	is_int(e ? e->nrefs : 9, 0, "... built from no variable");
	e = envfile_lookup(&F, "CKAN_DATASTORE_READ_URL");
	is_str(e ? e->value : "", "postgresql://datastore_ro:datastore@db/datastore", "... CKAN_DATASTORE_READ_URL");
	e = envfile_lookup(&F, "CKAN__PLUGINS");
	is_str(e ? e->value : "", "image_view text_view datatables_view datastore datapusher envvars", "... a double-quoted value");
	e = envfile_lookup(&F, "CKAN___API_TOKEN__JWT__ENCODE__SECRET");
	is_str(e ? e->value : "", "string:CHANGE_ME", "... a value with ':'");
	envfile_free(&F);
	buf_free(&b);
}

int main(void)
{
	size_t i;

	for (i = 0; doc_cases[i].doc; i++)
		is_str(val(doc_cases[i].text, doc_cases[i].key), doc_cases[i].want, doc_cases[i].doc);
	for (i = 0; go_cases[i].doc; i++)
		is_str(val(go_cases[i].text, go_cases[i].key), go_cases[i].want, go_cases[i].doc);
	for (i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		size_t len = strlen(errors[i].text);

		if (strcmp(errors[i].what, "NUL byte") == 0)
			len = 9;
		envfile_free(&F);
		ok(envfile_parse("t.env", errors[i].text, len, &F, &E) < 0, errors[i].what);
		is_int(E.line, errors[i].line, "... on its line");
		ok(F.n == 0 && F.entries == NULL, "... and an empty model");
	}
	parse("A=1\nB=${X:?need X}\n");
	is_str(E.msg, "required variable X is missing a value: need X", "${X:?msg}: Compose's message");
	spans();
	ckan_docker();
	envfile_free(&F);
	return done_testing();
}
