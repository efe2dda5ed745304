/*
 * path: joining, splitting and testing file names.
 */
#include "path.h"

#include <string.h>
#include <sys/stat.h>

#include "buf.h"

char *path_join(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

int path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
