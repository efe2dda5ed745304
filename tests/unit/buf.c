/*
 * Unit tests for common/buf (growable buffer, whole-file read) and
 * common/path (join, dir, is_dir, is_file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "path.h"
#include "tap.h"

int main(void)
{
	struct buf b;
	char tmpl[] = "/tmp/buf-test.XXXXXX";
	char *dir, *file, *s;
	struct stat st;
	FILE *fp;
	int i, rc;

	buf_init(&b);
	ok(b.data == NULL && b.len == 0, "an empty buffer holds nothing");
	s = buf_steal(&b);
	is_str(s, "", "stealing an empty buffer gives \"\"");
	free(s);

	buf_adds(&b, "abc");
	buf_addc(&b, 'd');
	buf_add(&b, "e\0f", 3);
	is_int(b.len, 7, "add, addc and add with a NUL byte: 7 bytes");
	ok(memcmp(b.data, "abcde\0f", 7) == 0 && b.data[7] == '\0', "bytes kept, NUL-terminated");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties it");
	is_str(b.data, "", "and keeps it a string");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i % 10);
	is_int(b.len, 20000, "printf grows it past many reallocations");
	ok(b.data[19998] == '9' && b.data[19999] == ',' && b.data[20000] == '\0', "the end is right");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "free leaves it empty and reusable");
	s = xasprintf("%s=%d%c", "port", 5432, '!');
	is_str(s, "port=5432!", "xasprintf formats into a new string");
	free(s);
	s = xasprintf("%s", "");
	is_str(s, "", "xasprintf of nothing is \"\"");
	free(s);
	s = xasprintf("%3000d|", 7);
	ok(strlen(s) == 3001 && s[2999] == '7' && s[3000] == '|',
	   "xasprintf: 3001 bytes, none cut");
	free(s);

	dir = mkdtemp(tmpl);
	ok(dir != NULL, "a temporary directory");
	file = path_join(dir, "f.txt");
	is_int(strncmp(file, dir, strlen(dir)), 0, "path_join starts with the directory");
	is_str(file + strlen(dir), "/f.txt", "and adds /name");
	fp = fopen(file, "w");
	fputs("line one\nline two\n", fp);
	fclose(fp);
	rc = buf_read_file(&b, file, &st);
	is_int(rc, 0, "buf_read_file reads a file");
	is_str(b.data, "line one\nline two\n", "with every byte");
	is_int(st.st_size, 18, "and its stat");
	/* Sizes around the buffer's powers of two, and a file whose size
	 * stat does not know (/proc): every byte, nothing more. */
	{
		static const size_t sizes[] = { 0, 1, 62, 63, 64, 65, 4095, 4096, 4097, 65534, 65535, 65536, 200000 };
		size_t k, j, bad = 0;

		for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			fp = fopen(file, "w");
			for (j = 0; j < sizes[k]; j++)
				fputc('a' + (int)(j % 26), fp);
			fclose(fp);
			rc = buf_read_file(&b, file, NULL);
			if (rc != 0 || b.len != sizes[k] || b.data[b.len] != '\0')
				bad++;
			for (j = 0; j < b.len && bad == 0; j++)
				if (b.data[j] != 'a' + (int)(j % 26))
					bad++;
		}
		is_int((int)bad, 0, "buf_read_file: files of 0 to 200000 bytes read exactly, NUL-terminated");
		rc = buf_read_file(&b, "/proc/self/status", NULL);
		ok(rc == 0 && b.len > 100 && strncmp(b.data, "Name:", 5) == 0 && strlen(b.data) == b.len,
		   "buf_read_file: a /proc file (st_size 0) is read whole");
	}
	rc = buf_read_file(&b, dir, NULL);
	is_int(rc, -EISDIR, "a directory is refused with -EISDIR");
	s = path_join(dir, "missing");
	is_int(buf_read_file(&b, s, NULL), -ENOENT, "a missing file gives -ENOENT");
	ok(path_is_dir(dir) && !path_is_file(dir), "path_is_dir / path_is_file on a directory");
	ok(path_is_file(file) && !path_is_dir(file), "and on a file");
	ok(!path_is_file(s) && !path_is_dir(s), "and on nothing");
	free(s);

	s = path_dir("a/b/c");
	is_str(s, "a/b", "path_dir of a/b/c");
	free(s);
	s = path_dir("c");
	is_str(s, ".", "path_dir of a bare name is .");
	free(s);
	s = path_dir("/c");
	is_str(s, "/", "path_dir of /c is /");
	free(s);

	unlink(file);
	rmdir(dir);
	free(file);
	buf_free(&b);
	return done_testing();
}
