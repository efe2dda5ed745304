/*
 * path: the few file-name operations the tools share.  Strings only, plus
 * stat(2); no normalisation beyond what each function says.
 */
#ifndef CKP_PATH_H
#define CKP_PATH_H

/* "dir/name", malloc'd. */
char *path_join(const char *dir, const char *name);

/* The directory part of path: "a/b" -> "a", "b" -> ".", "/b" -> "/"; malloc'd. */
char *path_dir(const char *path);

/* Whether path names a directory / a regular file (symlinks followed). */
int path_is_dir(const char *path);
int path_is_file(const char *path);

#endif
