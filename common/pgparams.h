/*
 * pgparams: what each PostgreSQL major version knows about its parameters:
 * names, types, units, enum values and defaults (snapshots of pg_settings
 * taken from real servers of every version, data/pg_settings/VER.tsv), and
 * the parameters renamed, removed or changed between versions
 * (data/pg_param_changes.tsv).  Both are data compiled into a table by the
 * build, not code.  Also the unit arithmetic that lets "128MB" equal
 * "16384" for shared_buffers.  Never prints, never exits.
 */
#ifndef CKP_PGPARAMS_H
#define CKP_PGPARAMS_H

#include <stddef.h>

enum pgparam_type { PGP_BOOL, PGP_INTEGER, PGP_REAL, PGP_STRING, PGP_ENUM };

struct pgparam {
	const char *name;
	enum pgparam_type type;
	const char *unit;	/* pg_settings.unit: "8kB", "kB", "MB", "ms", "s", "min", ... or NULL */
	const char *enumvals;	/* comma-separated, NULL when not an enum */
	const char *boot_val;	/* the built-in default as pg_settings shows it */
	const char *context;	/* postmaster, sighup, ... */
};

/* A change of a parameter between versions (one row of pg_param_changes.tsv). */
struct pgparam_change {
	const char *name;
	int version;		/* major version the change happened in, as 80400/90500/130000 */
	const char *change;	/* "renamed", "removed", "default_changed", "unit_changed", ... */
	const char *replacement;/* new name or NULL */
	const char *note;	/* the reason and source, for people */
	const char *conversion;	/* how a renamed parameter's value converts: "" = unchanged,
				 * "*16MB" = a number times 16MB, "map:true=Australia,false=Default" */
};

/* The major version of s, whose table reads it: "9.5" -> 90500, "15.4" -> 150000; -1 when not a
 * version.  pgversion_parse reads s. */
int pgparams_version(const char *s);

/* The versions with a built-in snapshot, ascending (e.g. 100000 ... 180000). */
size_t pgparams_versions(const int **out);

/* Whether a snapshot of exactly this major version is built in. */
int pgparams_known(int version);

/*
 * The parameter as version knows it, or NULL when that version has no such
 * parameter.  For a version without a snapshot, the nearest older snapshot
 * is used (and *exact, if given, is set to 0).  name is compared case-insensitively.
 */
const struct pgparam *pgparams_lookup(int version, const char *name, int *exact);

/*
 * The change that makes name unknown or different when going from version
 * old to new (old < new): the first row with old < row.version <= new.
 * NULL when none.
 */
const struct pgparam_change *pgparams_change(const char *name, int old_version, int new_version);

/*
 * A renamed parameter's value converted for its replacement (per the row's
 * conversion), malloc'd; NULL with *why when the value cannot be converted.
 */
char *pgparams_convert(const struct pgparam_change *c, const char *value, const char **why);

/*
 * Normalise a value as the server would store it for parameter p: booleans
 * to "on"/"off" (accepting on/off/true/false/yes/no/1/0 and unique prefixes,
 * case-insensitively), integers and reals with units converted to p's unit
 * and rounded as the server rounds, enums lower-cased, strings as they are.
 * p may be NULL (unknown parameter): the value is returned as it is.
 * Returns a malloc'd string, or NULL when the value is invalid for p (then
 * *why, if given, says why).
 */
char *pgparams_normalise(const struct pgparam *p, const char *value, const char **why);

/*
 * Whether name's value is a list the server takes apart (GUC_LIST_INPUT:
 * search_path, shared_preload_libraries, listen_addresses, ...), so that
 * ALTER SYSTEM takes it item by item.  Not in pg_settings: a table here.
 */
int pgparams_is_list(const char *name);

/*
 * Whether two normalised values (pgparams_normalise) mean the same: the
 * same text in the same unit, or numbers in two units of one kind (bytes
 * or time: a unit changed between versions, "8kB" against "kB") that
 * come to the same amount.  -1 ("off", "auto") equals only -1.  pa and pb
 * are the parameter in each value's version, NULL when unknown.
 */
int pgparams_equal(const struct pgparam *pa, const char *a, const struct pgparam *pb, const char *b);

#endif
