/*
 * pq: dlopen libpq the first time it is needed.  See pq.h for why.
 */
#include "pq.h"

#include <dlfcn.h>
#include <stddef.h>

static struct pq_api api;
static int state;	/* 0 not tried, 1 loaded, -1 failed */
static const char *failure;

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
	static const char *const names[] = { "libpq.so.5", "libpq.so" };
	void *handle = NULL;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0] && !handle; i++)
		handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		failure = dlerror();
		if (!failure)
			failure = "cannot load libpq.so.5";
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
	return &api;
}

const struct pq_api *pq_load(const char **why)
{
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
	return state == 1;
}
