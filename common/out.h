/*
 * out: the three output forms every tool offers.  Text for people, --shell
 * for eval (NAME='value' with single quotes, safe for any bytes), --json
 * for scripts (RFC 8259 strings, invalid UTF-8 bytes as \ufffd).
 */
#ifndef CKP_OUT_H
#define CKP_OUT_H

#include <stdio.h>

enum out_format { OUT_TEXT, OUT_SHELL, OUT_JSON };

/* Write s single-quoted for sh: 'it'\''s'.  NULL prints ''. */
void out_shell_quote(FILE *fp, const char *s);

/*
 * Write NAME=quoted-value and a newline; NAME is upper-cased, [^A-Z0-9_] -> '_',
 * and a NAME that is empty or starts with a digit gets a leading '_'.
 */
void out_shell_assign(FILE *fp, const char *name, const char *value);

/* Write s as a JSON string with quotes; NULL prints null. */
void out_json_string(FILE *fp, const char *s);

#endif
