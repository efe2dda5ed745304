/*
 * pq: dlopen libpq the first time it is needed.  See pq.h for why.
 */
#include "pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static struct pq_api api;
static int state;	/* 0 not tried, 1 loaded, -1 failed */
static const char *failure;
static char dl_failure[512];	/* dlerror()'s text is the loading thread's own */
static pthread_t loader;
static int loading;		/* a pq_preload thread runs or has not been joined */

#define LOAD(field, sym)                                                  \
	do {                                                              \
		*(void **)(&api.field) = dlsym(handle, sym);              \
		if (!api.field) {                                         \
			failure = "libpq has no symbol " sym;             \
			return NULL;                                      \
		}                                                         \
	} while (0)

static const struct pq_api *load(void)
{
	/*
	 * Exactly the soname, as the dynamic linker would look it up had we
	 * linked libpq: "libpq.so.5" is what Debian's libpq5 package ships (and
	 * what the ckan-pgtools package depends on).  The unversioned
	 * "libpq.so" is a development symlink (libpq-dev) and may point at an
	 * ABI we were not built for.
	 */
	void *handle = dlopen("libpq.so.5", RTLD_LAZY | RTLD_LOCAL);

	if (!handle) {
		const char *e = dlerror();

		snprintf(dl_failure, sizeof dl_failure, "%s", e ? e : "cannot load libpq.so.5");
		failure = dl_failure;
		return NULL;
	}
	LOAD(conninfoParse, "PQconninfoParse");
	LOAD(conninfoFree, "PQconninfoFree");
	LOAD(freemem, "PQfreemem");
	LOAD(connectdbParams, "PQconnectdbParams");
	LOAD(status, "PQstatus");
	LOAD(errorMessage, "PQerrorMessage");
	LOAD(finish, "PQfinish");
	LOAD(serverVersion, "PQserverVersion");
	LOAD(parameterStatus, "PQparameterStatus");
	LOAD(exec, "PQexec");
	LOAD(resultStatus, "PQresultStatus");
	LOAD(resultErrorMessage, "PQresultErrorMessage");
	LOAD(ntuples, "PQntuples");
	LOAD(nfields, "PQnfields");
	LOAD(getvalue, "PQgetvalue");
	LOAD(getisnull, "PQgetisnull");
	LOAD(clear, "PQclear");
	LOAD(ping, "PQping");
	LOAD(pingParams, "PQpingParams");
	return &api;
}

static void *load_in_background(void *unused)
{
	(void)unused;
	state = load() ? 1 : -1;
	return NULL;
}

static void join_loader(void)
{
	if (loading) {
		pthread_join(loader, NULL);
		loading = 0;
	}
}

void pq_preload(void)
{
	if (state != 0 || loading)
		return;
	/* Without a thread, pq_load simply loads it when asked.  A process
	 * that exits first waits for the load: no exit in mid-dlopen. */
	loading = pthread_create(&loader, NULL, load_in_background, NULL) == 0;
	if (loading)
		atexit(join_loader);
}

const struct pq_api *pq_load(const char **why)
{
	join_loader();
	if (state == 0)
		state = load() ? 1 : -1;
	if (state < 0) {
		if (why)
			*why = failure;
		return NULL;
	}
	return &api;
}

int pq_loaded(void)
{
	join_loader();
	return state == 1;
}
