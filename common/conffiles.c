/*
 * conffiles: include locations, include_dir listings and the open-file
 * stack for pgconf and hba (see conffiles.h).
 */
#include "conffiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "arena.h"

/* get_parent_directory: the path without its last component. */
static void
trim_directory(char *path)
{
	char *p;

	if (path[0] == '\0')
		return;
	for (p = path + strlen(path) - 1; *p == '/' && p > path; p--)
		;
	for (; *p != '/' && p > path; p--)
		;
	for (; p > path && *(p - 1) == '/'; p--)
		;
	if (p == path && *p == '/')
		p++;
	*p = '\0';
}

/*
 * The server opens the lexically cleaned name, so "sub/../x.conf" is
 * x.conf even when sub is a symlink; pg_file_settings shows that name.
 */
void
conf_canonicalize(char *path)
{
	int absolute = path[0] == '/';
	char *out = path + absolute;	/* the components written so far end here */
	const char *p = path + absolute;
	size_t depth = 0;		/* regular names written (not "..") */

	if (path[0] == '\0')
		return;
	while (*p) {
		const char *start = p;
		size_t len;

		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		while (*p == '/')
			p++;
		if (len == 0 || (len == 1 && start[0] == '.'))
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			if (depth > 0) {
				/* drop the last name written, and its separator */
				while (out > path + absolute && out[-1] != '/')
					out--;
				if (out > path + absolute)
					out--;
				depth--;
				continue;
			}
			if (absolute)
				continue;
		} else {
			depth++;
		}
		/* start >= out always: compacting in place moves bytes left */
		if (out > path + absolute)
			*out++ = '/';
		memmove(out, start, len);
		out += len;
	}
	if (out == path + absolute && !absolute)
		*out++ = '.';
	*out = '\0';
}

char *
conf_location(const char *loc, const char *calling)
{
	struct buf b;
	char *dir;

	buf_init(&b);
	if (loc[0] == '/' || !calling) {
		buf_adds(&b, loc);
	} else {
		dir = xstrdup(calling);
		trim_directory(dir);
		buf_adds(&b, dir);
		/* join_path_components: a separator only after a non-empty head */
		if (*loc) {
			if (*dir)
				buf_addc(&b, '/');
			buf_adds(&b, loc);
		}
		free(dir);
	}
	buf_adds(&b, "");
	conf_canonicalize(b.data);
	return buf_steal(&b);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
conf_dir_files(const char *dir, char ***names, size_t *n, char **failed)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	*names = NULL;
	*n = 0;
	*failed = NULL;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct stat st;
		char *name;

		if (len < 6 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		name = xasprintf("%s%s%s", dir, *dir ? "/" : "", de->d_name);
		conf_canonicalize(name);
		if (stat(name, &st) < 0) {
			*failed = name;
			rc = -1;
			break;
		}
		/* The server skips a directory named like a file, as it skips dot files. */
		if (S_ISDIR(st.st_mode)) {
			free(name);
			continue;
		}
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = name;
	}
	if (rc < 0) {
		int e = errno;

		closedir(d);
		conf_dir_files_free(*names, *n);
		*names = NULL;
		*n = 0;
		errno = e;
		return -1;
	}
	closedir(d);
	if (*n > 1)	/* qsort(NULL, 0) is undefined */
		qsort(*names, *n, sizeof **names, cmp_str);
	return 0;
}

void
conf_dir_files_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void
conf_stack_push(struct conf_stack *s, const struct stat *st)
{
	s->open[s->n].dev = st->st_dev;
	s->open[s->n].ino = st->st_ino;
	s->n++;
}

void
conf_stack_pop(struct conf_stack *s)
{
	s->n--;
}

int
conf_stack_has(const struct conf_stack *s, const char *path)
{
	struct stat st;
	int i;

	if (stat(path, &st) < 0)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->open[i].dev == st.st_dev && s->open[i].ino == st.st_ino)
			return 1;
	return 0;
}

int
conf_read_file(struct buf *b, const char *path, struct stat *st)
{
	struct stat sb;

	/* Smaller files fit the pages malloc already has. */
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= (off_t)2 << 20 &&
	    (size_t)sb.st_size < SIZE_MAX - 2 && b->cap < (size_t)sb.st_size + 2) {
		free(b->data);
		b->cap = (size_t)sb.st_size + 2;	/* what buf_read_file asks for: no realloc */
		b->data = xmalloc(b->cap);
		b->len = 0;
		b->data[0] = '\0';
		arena_advise_huge(b->data, b->cap);
	}
	return buf_read_file(b, path, st);
}

/* scanner_isspace of scansup.c */
static int scanner_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* SplitGUCList of varlena.c, separator ','. */
int
conf_split_list(const char *val, char ***names)
{
	char *s = xstrdup(val), *p = s;
	int n = 0, done = 0;

	if (names)
		*names = NULL;
	while (scanner_isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		free(s);
		return 0;
	}
	do {
		char *cur, *endp;

		if (*p == '"') {
			cur = p + 1;
			for (;;) {
				endp = strchr(p + 1, '"');
				if (!endp)
					goto bad;
				if (endp[1] != '"')
					break;
				memmove(endp, endp + 1, strlen(endp));
				p = endp;
			}
			*endp = '\0';
			p = endp + 1;
		} else {
			cur = p;
			while (*p && *p != ',' && !scanner_isspace((unsigned char)*p))
				p++;
			endp = p;
			if (cur == p)
				goto bad;
		}
		while (scanner_isspace((unsigned char)*p))
			p++;
		if (*p == ',') {
			p++;
			while (scanner_isspace((unsigned char)*p))
				p++;
		} else if (*p == '\0') {
			done = 1;
		} else {
			goto bad;
		}
		*endp = '\0';
		if (names) {
			*names = xrealloc(*names, (size_t)(n + 1) * sizeof **names);
			(*names)[n] = xstrdup(cur);
		}
		n++;
	} while (!done);
	free(s);
	return n;
bad:
	if (names && *names) {
		conf_split_list_free(*names, n);
		*names = NULL;
	}
	free(s);
	return -1;
}

void
conf_split_list_free(char **names, int n)
{
	conf_dir_files_free(names, n > 0 ? (size_t)n : 0);	/* the same array of strings */
}
