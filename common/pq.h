/*
 * pq: libpq, loaded on first use.  Linking libpq costs every start ~4 ms and
 * two dozen shared objects (design.md, "Start-up cost"), so no binary links
 * it: the few PQ* functions the suite uses are looked up with dlopen/dlsym
 * the first time a connection is opened or an edited URL is verified.
 * Only this module loads libpq.
 */
#ifndef CKP_PQ_H
#define CKP_PQ_H

#include <libpq-fe.h>

struct pq_api {
	PQconninfoOption *(*conninfoParse)(const char *conninfo, char **errmsg);
	void (*conninfoFree)(PQconninfoOption *opts);
	void (*freemem)(void *ptr);
	PGconn *(*connectdbParams)(const char *const *keywords, const char *const *values, int expand_dbname);
	ConnStatusType (*status)(const PGconn *conn);
	char *(*errorMessage)(const PGconn *conn);
	void (*finish)(PGconn *conn);
	int (*serverVersion)(const PGconn *conn);
	const char *(*parameterStatus)(const PGconn *conn, const char *name);
	PGresult *(*exec)(PGconn *conn, const char *query);
	ExecStatusType (*resultStatus)(const PGresult *res);
	char *(*resultErrorMessage)(const PGresult *res);
	int (*ntuples)(const PGresult *res);
	int (*nfields)(const PGresult *res);
	char *(*getvalue)(const PGresult *res, int row, int col);
	int (*getisnull)(const PGresult *res, int row, int col);
	void (*clear)(PGresult *res);
	PGPing (*ping)(const char *conninfo);
	PGPing (*pingParams)(const char *const *keywords, const char *const *values,
			     int expand_dbname);
};

/*
 * The loaded API, or NULL when libpq cannot be loaded (then *why, if given,
 * says why).  Loads at most once per process.
 */
const struct pq_api *pq_load(const char **why);

/*
 * Start loading libpq in a thread and return at once, for a caller that
 * will need it after work of its own (ckan-pgurl set syncs the file while
 * libpq loads); the next pq_load waits for it.
 */
void pq_preload(void);

/* Whether libpq has been loaded in this process (for tests of start-up cost). */
int pq_loaded(void);

#endif
