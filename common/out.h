/*
 * out: the three output forms every tool offers.  Text for people, --shell
 * for eval (NAME='value' with single quotes, safe for any bytes), --json
 * for scripts (RFC 8259 strings, invalid UTF-8 bytes as \ufffd), written
 * through one small writer that keeps the commas and the nesting.
 */
#ifndef CKP_OUT_H
#define CKP_OUT_H

#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_TEXT, OUT_SHELL, OUT_JSON };

/* Write s single-quoted for sh: 'it'\''s'.  NULL prints ''. */
void
out_shell_quote(FILE *fp, const char *s);

/*
 * Write NAME=quoted-value and a newline; NAME is upper-cased, [^A-Z0-9_] -> '_',
 * and a NAME that is empty or starts with a digit gets a leading '_'.
 */
void
out_shell_assign(FILE *fp, const char *name, const char *value);

/*
 * Write s as a JSON string with quotes: '"', '\\' and control characters
 * (and DEL) escaped, valid UTF-8 passed through, each byte of invalid UTF-8
 * as \ufffd.  NULL prints null.
 */
void
out_json_quote(FILE *fp, const char *s);

/*
 * A JSON writer: the caller says what comes next, the writer puts the
 * commas.  Members are separated by ", " and keys by ": " (Python's
 * json.dumps), or by "," and ":" when compact (pg_lsclusters -j).  Closing
 * the outermost object or array ends the line.  Nesting deeper than
 * OUT_JSON_MAXDEPTH is a caller's bug: the commas there are not kept.
 */
#define OUT_JSON_MAXDEPTH 64

struct out_json {
	FILE *fp;
	int compact;
	int depth;		/* objects and arrays open */
	uint64_t members;	/* bit d-1: the container at depth d has a member */
	int after_key;		/* a key was written: its value takes no comma */
	int newline;		/* the next comma ends the line */
};

void
out_json_init(struct out_json *j, FILE *fp, int compact);

void
out_json_begin_object(struct out_json *j);

void
out_json_end_object(struct out_json *j);

void
out_json_begin_array(struct out_json *j);

void
out_json_end_array(struct out_json *j);

/* A member's key; the next call writes its value. */
void
out_json_key(struct out_json *j, const char *key);

/* A string value (out_json_quote); NULL is null. */
void
out_json_string(struct out_json *j, const char *s);

void
out_json_int(struct out_json *j, long long v);

void
out_json_bool(struct out_json *j, int v);

void
out_json_null(struct out_json *j);

/* out_json_key and out_json_string: the commonest member. */
void
out_json_field(struct out_json *j, const char *key, const char *s);

/* out_json_key and out_json_int, or out_json_bool. */
void
out_json_int_field(struct out_json *j, const char *key, long long v);
void
out_json_bool_field(struct out_json *j, const char *key, int v);

/* out_json_key, then v when known, else null (a line number of a default). */
void
out_json_int_or_null(struct out_json *j, const char *key, long long v, int known);

/*
 * The next member of the open container starts on a new line (after its
 * comma, with one space): one line per entry of a long list.  Nothing
 * happens before the first member.
 */
void
out_json_break(struct out_json *j);

#endif
