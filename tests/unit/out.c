/*
 * Unit test for common/out.c: --shell output must survive eval in a real
 * sh for any bytes, and --json output must be a valid JSON string that a
 * real JSON parser (Python's) reads back as the intended text.  The JSON
 * writer puts commas, colons and line ends where the tools' old hand-written
 * output had them, and its documents parse strictly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "out.h"
#include "tap.h"

/* Capture what fn(fp, s) writes. */
static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);

	if (!fp)
		abort();
	fn(fp, s);
	if (fclose(fp) != 0)
		abort();
	return p;
}

static char *assign(const char *name, const char *value)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);

	if (!fp)
		abort();
	out_shell_assign(fp, name, value);
	if (fclose(fp) != 0)
		abort();
	return p;
}

/* Run cmd with input on stdin; its stdout, or NULL when it fails. */
static char *pipe_through(const char *cmd, const char *input)
{
	char path[] = "/tmp/out-test.XXXXXX";
	char full[8192];
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *fp;
	int fd = mkstemp(path), status;

	if (fd < 0)
		abort();
	fp = fdopen(fd, "w");
	if (!fp || fputs(input, fp) == EOF || fclose(fp) != 0)
		abort();
	snprintf(full, sizeof full, "%s <'%s'", cmd, path);
	fp = popen(full, "r");
	if (!fp)
		abort();
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_add(&b, chunk, n);
	status = pclose(fp);
	remove(path);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		diag("%s exited with status %d", cmd, status);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void test_shell_quote(void)
{
	char *s;

	s = capture(out_shell_quote, "plain");
	is_str(s, "'plain'", "shell: plain text is single-quoted");
	free(s);
	s = capture(out_shell_quote, "it's");
	is_str(s, "'it'\\''s'", "shell: a quote becomes '\\''");
	free(s);
	s = capture(out_shell_quote, "''");
	is_str(s, "''\\'''\\'''", "shell: two quotes");
	free(s);
	s = capture(out_shell_quote, "a\nb");
	is_str(s, "'a\nb'", "shell: a newline stays inside the quotes");
	free(s);
	s = capture(out_shell_quote, "");
	is_str(s, "''", "shell: empty is ''");
	free(s);
	s = capture(out_shell_quote, NULL);
	is_str(s, "''", "shell: NULL is ''");
	free(s);
	s = capture(out_shell_quote, "$HOME `id` \\ \"x\" $(id) * ?");
	is_str(s, "'$HOME `id` \\ \"x\" $(id) * ?'", "shell: nothing else is escaped inside single quotes");
	free(s);
}

/* The quoted form, eval'ed by sh, must give back exactly the input. */
static void test_shell_eval(void)
{
	static const char *const nasty[] = {
		"",
		"plain",
		"it's",
		"'",
		"'''",
		"\\'",
		"a\nb\n",
		"\n",
		"$(touch /tmp/out-test-pwned)",
		"`touch /tmp/out-test-pwned`",
		"'; touch /tmp/out-test-pwned; '",
		"$HOME ${HOME} $1 $@ $$",
		"\"double\" and \\backslash\\",
		"tab\tand\rcr",
		"* ? [a] ~ # & | ; < > ( ) { }",
		"p@ss:w/rd%20!",
		"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xff\xfe",
		"--",
		"-n",
		"end with backslash\\",
	};
	size_t i;

	remove("/tmp/out-test-pwned");
	for (i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		char *q = capture(out_shell_quote, nasty[i]), *got;
		char name[80];
		struct buf script;

		/* The script is fed to sh on stdin, so no second layer of quoting is needed. */
		buf_init(&script);
		buf_adds(&script, "eval \"X=$(cat <<'CKP_EOF'\n");
		buf_adds(&script, q);
		buf_adds(&script, "\nCKP_EOF\n)\"\nprintf %s \"$X\"\n");
		got = pipe_through("sh", script.data);
		snprintf(name, sizeof name, "shell: eval gives back case %zu", i);
		if (!is_str(got, nasty[i], name))
			diag("quoted: %s", q);
		free(got);
		free(q);
		buf_free(&script);
	}

	/* And the plain way a user writes it: eval "$(tool --shell)". */
	{
		char *a = assign("db.password", "x'; touch /tmp/out-test-pwned; echo '\n$(id)");
		struct buf script;
		char *got;

		buf_init(&script);
		buf_adds(&script, "out=$(cat <<'CKP_EOF'\n");
		buf_adds(&script, a);
		buf_adds(&script, "CKP_EOF\n)\neval \"$out\"\nprintf %s \"$DB_PASSWORD\"\n");
		got = pipe_through("sh", script.data);
		is_str(got, "x'; touch /tmp/out-test-pwned; echo '\n$(id)", "shell: eval of an assignment sets the variable");
		free(got);
		free(a);
		buf_free(&script);
	}
	ok(fopen("/tmp/out-test-pwned", "r") == NULL, "shell: no string ran a command");
}

/* out_shell_assign(name, value) writes want. */
static void assigns(const char *name, const char *value, const char *want, const char *test)
{
	char *s = assign(name, value);

	is_str(s, want, test);
	free(s);
}

static void test_shell_assign(void)
{
	assigns("host", "localhost", "HOST='localhost'\n", "assign: the name is upper-cased");
	assigns("ckan_db.main-host", "h", "CKAN_DB_MAIN_HOST='h'\n", "assign: '.' and '-' become '_'");
	assigns("a b=c$d", "v", "A_B_C_D='v'\n", "assign: space, '=' and '$' become '_'");
	assigns("port5432", "5432", "PORT5432='5432'\n", "assign: digits are kept");
	assigns("caf\xc3\xa9", "v", "CAF__='v'\n", "assign: each non-ASCII byte becomes '_'");
	assigns("1st", "v", "_1ST='v'\n", "assign: a leading digit gets a '_' first (else sh runs it as a command)");
	assigns("", "v", "_='v'\n", "assign: an empty name becomes '_'");
	assigns("user", NULL, "USER=''\n", "assign: NULL value is ''");
	assigns("pw", "it's", "PW='it'\\''s'\n", "assign: the value is quoted");
}

/* out_json_quote(value) writes want. */
static void quotes(const char *value, const char *want, const char *test)
{
	char *s = capture(out_json_quote, value);

	is_str(s, want, test);
	free(s);
}

static void test_json(void)
{
	quotes("plain", "\"plain\"", "json: plain text in quotes");
	quotes(NULL, "null", "json: NULL is null");
	quotes("", "\"\"", "json: empty string");
	quotes("a\"b\\c/d", "\"a\\\"b\\\\c/d\"", "json: quote and backslash escaped, '/' kept");
	quotes("\n\r\t", "\"\\n\\r\\t\"", "json: newline, CR and tab use short escapes");
	quotes("\x01\x08\x0c\x1f\x7f", "\"\\u0001\\u0008\\u000c\\u001f\\u007f\"", "json: other control characters as \\u00XX");
	quotes("\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x98", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x98\"", "json: valid 2-, 3- and 4-byte UTF-8 kept");
	quotes("a\xffz", "\"a\\ufffdz\"", "json: an invalid byte becomes \\ufffd");
	quotes("\xc3", "\"\\ufffd\"", "json: a truncated sequence at the end becomes \\ufffd");
	quotes("\xe2\x82z", "\"\\ufffd\\ufffdz\"", "json: a truncated sequence, then ASCII");
	quotes("\xc0\xaf", "\"\\ufffd\\ufffd\"", "json: an overlong '/' is invalid");
	quotes("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "json: an encoded surrogate is invalid");
	quotes("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "json: above U+10FFFF is invalid");
	quotes("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "json: U+10FFFF itself is kept");
	quotes("\x80\x80", "\"\\ufffd\\ufffd\"", "json: lone continuation bytes are invalid");
}

/* Python's json module reads our string back as the intended text. */
static void test_json_python(void)
{
	static const struct {
		const char *in, *want;	/* want: what Python must read, as UTF-8 */
	} cases[] = {
		{ "postgresql://u:p@h/db", "postgresql://u:p@h/db" },
		{ "quote\" back\\slash", "quote\" back\\slash" },
		{ "line\nnext\r\ttab\x01\x1f\x7f", "line\nnext\r\ttab\x01\x1f\x7f" },
		{ "\xc3\xa9t\xc3\xa9 \xf0\x9f\x90\x98", "\xc3\xa9t\xc3\xa9 \xf0\x9f\x90\x98" },
		{ "bad\xff\xfe bytes\xc3", "bad\xef\xbf\xbd\xef\xbf\xbd bytes\xef\xbf\xbd" },
		{ "\xe2\x80\xa8 and \xe2\x80\xa9", "\xe2\x80\xa8 and \xe2\x80\xa9" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *js = capture(out_json_quote, cases[i].in), *got;
		char name[80];

		/* Strict parse (no control characters raw); print back as UTF-8, no newline. */
		got = pipe_through("python3 -c 'import json,sys; "
				   "v=json.loads(sys.stdin.buffer.read().decode(\"utf-8\"), strict=True); "
				   "sys.stdout.buffer.write(v.encode(\"utf-8\", \"surrogatepass\"))'",
				   js);
		snprintf(name, sizeof name, "json: python reads case %zu back", i);
		if (!is_str(got, cases[i].want, name))
			diag("json: %s", js);
		free(got);
		free(js);
	}
}

/* What build(j) writes through a writer, spaced or compact. */
static char *
capture_writer(void (*build)(struct out_json *), int compact)
{
	char *p = NULL;
	size_t n = 0;
	struct out_json j;
	FILE *fp;

	fp = open_memstream(&p, &n);
	if (!fp)
		abort();
	out_json_init(&j, fp, compact);
	build(&j);
	if (fclose(fp) != 0)
		abort();
	return p;
}

static void
build_empty_object(struct out_json *j)
{
	out_json_begin_object(j);
	out_json_end_object(j);
}

static void
build_empty_array(struct out_json *j)
{
	out_json_begin_array(j);
	out_json_end_array(j);
}

/* Every kind of value, nested: objects in arrays in objects, empty ones too. */
static void
build_nested(struct out_json *j)
{
	out_json_begin_object(j);
	out_json_field(j, "s", "x");
	out_json_key(j, "n");
	out_json_int(j, -42);
	out_json_key(j, "big");
	out_json_int(j, 9007199254740993LL);
	out_json_key(j, "t");
	out_json_bool(j, 1);
	out_json_key(j, "f");
	out_json_bool(j, 0);
	out_json_key(j, "z");
	out_json_null(j);
	out_json_field(j, "nul", NULL);
	out_json_key(j, "a");
	out_json_begin_array(j);
	out_json_begin_object(j);
	out_json_end_object(j);
	out_json_begin_array(j);
	out_json_end_array(j);
	out_json_begin_object(j);
	out_json_field(j, "k", "v");
	out_json_key(j, "in");
	out_json_begin_array(j);
	out_json_int(j, 1);
	out_json_int(j, 2);
	out_json_end_array(j);
	out_json_end_object(j);
	out_json_string(j, "last");
	out_json_end_array(j);
	out_json_key(j, "o");
	out_json_begin_object(j);
	out_json_end_object(j);
	out_json_end_object(j);
}

/* Keys and values that need every escape, and UTF-8 that needs none. */
static void
build_escapes(struct out_json *j)
{
	out_json_begin_object(j);
	out_json_field(j, "q\"k\\", "say \"hi\" C:\\dir\\");
	out_json_field(j, "ctl", "\b\f\n\r\t\x01\x1b\x1f\x7f");
	out_json_field(j, "utf8", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98 \xe2\x80\xa8");
	out_json_field(j, "bad", "a\xff\xc3z");
	out_json_field(j, "\xc3\xbc\x01", "");
	out_json_field(j, "slash", "</script>");
	out_json_end_object(j);
}

/* A break puts the next member on its own line; the first never moves. */
static void
build_lines(struct out_json *j)
{
	int i;

	out_json_begin_object(j);
	out_json_key(j, "head");
	out_json_int(j, 0);
	out_json_break(j);
	out_json_key(j, "rows");
	out_json_begin_array(j);
	for (i = 1; i <= 3; i++) {
		out_json_break(j);
		out_json_begin_object(j);
		out_json_key(j, "i");
		out_json_int(j, i);
		out_json_end_object(j);
	}
	out_json_end_array(j);
	out_json_end_object(j);
}

/* Two documents through one writer: each ends its own line. */
static void
build_two(struct out_json *j)
{
	build_empty_array(j);
	out_json_begin_object(j);
	out_json_field(j, "k", "v");
	out_json_end_object(j);
}

static void
test_json_writer(void)
{
	static const struct {
		void (*build)(struct out_json *);
		int compact;
		const char *want, *name;
	} cases[] = {
		{ build_empty_object, 0, "{}\n", "writer: empty object, then a newline" },
		{ build_empty_array, 1, "[]\n", "writer: empty array, compact" },
		{ build_nested, 0,
		  "{\"s\": \"x\", \"n\": -42, \"big\": 9007199254740993, \"t\": true, "
		  "\"f\": false, \"z\": null, \"nul\": null, "
		  "\"a\": [{}, [], {\"k\": \"v\", \"in\": [1, 2]}, \"last\"], \"o\": {}}\n",
		  "writer: nested values, spaced" },
		{ build_nested, 1,
		  "{\"s\":\"x\",\"n\":-42,\"big\":9007199254740993,\"t\":true,\"f\":false,"
		  "\"z\":null,\"nul\":null,\"a\":[{},[],{\"k\":\"v\",\"in\":[1,2]},\"last\"],"
		  "\"o\":{}}\n",
		  "writer: nested values, compact" },
		{ build_escapes, 0,
		  "{\"q\\\"k\\\\\": \"say \\\"hi\\\" C:\\\\dir\\\\\", "
		  "\"ctl\": \"\\u0008\\u000c\\n\\r\\t\\u0001\\u001b\\u001f\\u007f\", "
		  "\"utf8\": \"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98 \xe2\x80\xa8\", "
		  "\"bad\": \"a\\ufffd\\ufffdz\", \"\xc3\xbc\\u0001\": \"\", "
		  "\"slash\": \"</script>\"}\n",
		  "writer: keys and values escaped, UTF-8 passed through" },
		{ build_lines, 0,
		  "{\"head\": 0,\n \"rows\": [{\"i\": 1},\n {\"i\": 2},\n {\"i\": 3}]}\n",
		  "writer: a break moves the next member to a new line, never the first" },
		{ build_two, 0, "[]\n{\"k\": \"v\"}\n", "writer: a second document starts fresh" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got;

		got = capture_writer(cases[i].build, cases[i].compact);
		is_str(got, cases[i].want, cases[i].name);
		free(got);
	}
}

/* Python's strict parser reads the writer's documents as the values meant. */
static void
test_json_writer_python(void)
{
	/* Parse strictly, then print sorted and unescaped where JSON allows. */
	static const char redump[] =
		"python3 -c 'import json,sys; "
		"v=json.loads(sys.stdin.buffer.read().decode(\"utf-8\"), strict=True); "
		"d=json.dumps(v, sort_keys=True, ensure_ascii=False); "
		"sys.stdout.buffer.write(d.encode(\"utf-8\"))'";
	static const char nested[] =
		"{\"a\": [{}, [], {\"in\": [1, 2], \"k\": \"v\"}, \"last\"], "
		"\"big\": 9007199254740993, \"f\": false, \"n\": -42, \"nul\": null, \"o\": {}, "
		"\"s\": \"x\", \"t\": true, \"z\": null}";
	static const struct {
		void (*build)(struct out_json *);
		int compact;
		const char *want;	/* what redump prints */
	} cases[] = {
		{ build_nested, 0, nested },
		{ build_nested, 1, nested },
		{ build_escapes, 0,
		  "{\"bad\": \"a\xef\xbf\xbd\xef\xbf\xbdz\", "
		  "\"ctl\": \"\\b\\f\\n\\r\\t\\u0001\\u001b\\u001f\x7f\", "
		  "\"q\\\"k\\\\\": \"say \\\"hi\\\" C:\\\\dir\\\\\", \"slash\": \"</script>\", "
		  "\"utf8\": \"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98 \xe2\x80\xa8\", "
		  "\"\xc3\xbc\\u0001\": \"\"}" },
		{ build_lines, 0, "{\"head\": 0, \"rows\": [{\"i\": 1}, {\"i\": 2}, {\"i\": 3}]}" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[80];
		char *js, *got;

		js = capture_writer(cases[i].build, cases[i].compact);
		got = pipe_through(redump, js);
		snprintf(name, sizeof name, "writer: python reads document %zu as meant", i);
		if (!is_str(got, cases[i].want, name))
			diag("json: %s", js);
		free(got);
		free(js);
	}
}

int main(void)
{
	test_shell_quote();
	test_shell_eval();
	test_shell_assign();
	test_json();
	test_json_python();
	test_json_writer();
	test_json_writer_python();
	return done_testing();
}
