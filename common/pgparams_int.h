/*
 * pgparams_int: the generated snapshot tables, as tests/lib/gen-pgparams.sh
 * writes them, for pgparams.c, the generated data itself and
 * tests/unit/pgparams.c (which checks lookups against a plain scan of
 * them).  Tools include pgparams.h only.
 */
#ifndef CKP_PGPARAMS_INT_H
#define CKP_PGPARAMS_INT_H

#include <stddef.h>

#include "pgparams.h"

/*
 * How a table stores a parameter: offsets into one string table instead of
 * pointers (no relocations at start-up).
 */
#define PGP_NONE 0xffffffffu
struct pgparam_packed {
	unsigned int name, unit, enumvals, boot_val, context;	/* offsets, PGP_NONE for NULL */
	enum pgparam_type type;
};

extern const int pgparams_data_versions[];
extern const struct pgparam_packed *const pgparams_data_tables[];
extern const char pgparams_strtab[];
extern const size_t pgparams_data_sizes[];
extern const size_t pgparams_data_nversions;
extern const struct pgparam_change pgparams_data_changes[];
extern const size_t pgparams_data_nchanges;

#endif
