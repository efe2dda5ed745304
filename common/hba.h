/*
 * hba: pg_hba.conf as a given PostgreSQL version reads it.  The tokenizer
 * follows src/backend/libpq/hba.c (next_token, tokenize_file,
 * parse_hba_line) of that version: fields separated by blanks, "quoted"
 * tokens, comma lists, +group, @file inclusion, keywords (all, sameuser,
 * samerole, replication) that lose their meaning when quoted, # comments
 * (not inside quotes), backslash line continuation from PostgreSQL 15 on
 * (proven against the server), and from 16 on: /regex users and databases,
 * include / include_if_exists / include_dir lines.  Each rule remembers
 * its file, lines and byte span (and the comment block just above it), so
 * that rules can be copied with their comments.  A rule the server would
 * reject carries the server's reason, as pg_hba_file_rules' error column
 * does.  pg_ident.conf goes through the same tokenizer, as in the server
 * (parse_ident_line): a model read with hba_init_ident holds its mapping
 * lines, as pg_ident_file_mappings shows them.  Never prints, never exits.
 */
#ifndef CKP_HBA_H
#define CKP_HBA_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"

enum hba_type { HBA_LOCAL, HBA_HOST, HBA_HOSTSSL, HBA_HOSTNOSSL, HBA_HOSTGSSENC, HBA_HOSTNOGSSENC };

struct hba_token {
	char *text;		/* without quotes */
	int quoted;		/* a quoted keyword is a plain name */
};

/* A comma list of tokens (databases or users), after @file expansion. */
struct hba_list {
	struct hba_token *tok;
	size_t n;
};

/* A numeric address and its mask as bytes, as the checks compare them. */
struct hba_net {
	unsigned char family;	/* AF_INET or AF_INET6 */
	unsigned char bits;	/* the mask's set bits */
	unsigned char contiguous;	/* they are all in front */
	unsigned char a[16], m[16];	/* the address (masked) and the mask: 4 or 16 bytes */
};

struct hba_option {
	char *name;
	char *value;
};

struct hba_rule {
	size_t file;		/* index into hba_model.files */
	int line;		/* first line of the rule, 1-based */
	int last_line;		/* last line (backslash continuation) */
	size_t off, len;	/* the rule's bytes in its file, without the final line end */
	size_t lead_off;	/* start of the comment lines directly above it (== off when none) */
	int type;		/* enum hba_type; -1 when the line is not a rule (include lines) */
	char *include_kind;	/* "include", "include_if_exists", "include_dir" (PG >= 16), else NULL */
	struct hba_list databases, users;
	/* the token of a list that holds one (most do): the list points here */
	struct hba_token one_db, one_user;
	char *address;		/* as written: CIDR, address, host name, "all", "samehost", "samenet"; NULL for local;
				   for include lines the file or directory named */
	char *mask;		/* the separate netmask field, or NULL */
	/*
	 * address and mask as the parser read them, so that the checks do
	 * not read them again: net_read 1 = net holds them, 2 = the address
	 * is not numeric (a name, a keyword), 0 = not read (an error).
	 */
	int net_read;
	struct hba_net net;
	char *method;		/* "scram-sha-256", "md5", "peer", ... */
	struct hba_option *opts;
	size_t nopts;
	char *error;		/* why the target version rejects this rule (pg_hba_file_rules.error); NULL = valid */
	char **warnings;	/* security and shadowing warnings, for people */
	size_t nwarnings;
	/*
	 * How pg_hba_file_rules shows the rule: parsed = the server builds it
	 * (the row has its fields, even when error is set: hostssl with
	 * ssl = off); silent = the server rejects it without an error text
	 * (an all-NULL row: bad clientcert value, unresolvable radius server).
	 */
	int parsed;
	int silent;
	/*
	 * A pg_ident.conf line (hba_init_ident): the map name, the system user
	 * (a regular expression when it starts with /) and the database user
	 * (from 16 also a /regex, all or +group; \1 takes the system user's
	 * match), without quotes, as pg_ident_file_mappings shows them.  Set
	 * when the line has no error (the view shows NULLs otherwise).
	 */
	char *map;
	struct hba_token system_user, pg_user;
};

struct hba_file {
	char *path;
	char *data;		/* NUL-terminated bytes */
	size_t len;
	char *tokens;		/* the rules' tokens: a copy of data's rule lines, cut by NULs */
};

struct hba_model {
	int version;		/* the target version the rules were read and checked for (150000) */
	struct hba_rule *rules;	/* in the server's order, include files expanded in place */
	size_t n;
	size_t cap;		/* room in rules: a file's line count, reserved before reading it */
	struct hba_file *files;
	size_t nfiles;
	struct arena arena;	/* token texts: the rules' lists, addresses, masks and methods */
	/*
	 * Read every line the general way, without the shortcuts for comment
	 * and blank lines and for plain tokens (which give the same model,
	 * faster).  For tests that prove so; set it after hba_init.
	 */
	int general;
	/* The file is a pg_ident.conf (hba_init_ident): rules are its mapping lines. */
	int ident;
};

/* What the validator needs to know about the target cluster. */
struct hba_context {
	int ssl_off;		/* the cluster has ssl = off: hostssl lines are rejected */
	const struct hba_model *ident;	/* the pg_ident.conf (hba_init_ident), to check map= options; NULL = unknown */
};

void hba_init(struct hba_model *m, int version);

/*
 * The same for a pg_ident.conf: hba_load and hba_parse_buf then read
 * mapping lines (MAP SYSTEM-USER PG-USER) with pg_hba.conf's tokenizer,
 * @files and (16 on) include lines, and set rule->error where the server's
 * parse_ident_line does: a missing field, a comma list in a field, a
 * system user (from 16 also a database user) that is not a valid regular
 * expression.
 */
void hba_init_ident(struct hba_model *m, int version);

/* The first mapping line without error that defines map, or NULL. */
const struct hba_rule *hba_ident_find(const struct hba_model *ident, const char *map);
void hba_free(struct hba_model *m);

/*
 * Read path as the version in m reads it, following @file and (PG >= 16)
 * include directives.  Returns 0, or -1 with err for what stops the whole
 * file: unreadable, binary garbage (NUL bytes), an include loop, and before
 * 16 an @file that includes itself (the server then fails to read the
 * whole file too).  A rule the server would reject (unknown type or method,
 * missing fields, bad address or mask, an unterminated quote, an @file or
 * include that cannot be opened, ...) does not stop reading: it gets
 * rule->error, with the server's wording where it has one, as
 * pg_hba_file_rules flags that line and loads the others.
 */
int hba_load(struct hba_model *m, const char *path, struct diag_err *err);

/*
 * Parse data as one file named path, without following @file or includes:
 * bytes not yet on disk (pghba-copy reads its merged result back before
 * writing it).
 */
int hba_parse_buf(struct hba_model *m, const char *path, const char *data, size_t len, struct diag_err *err);

/*
 * Check every rule for the target version and cluster: methods and options
 * the version does not have or the method does not take (crypt, krb5,
 * "ident sameuser", scram-sha-256 before 10, ...), regular expressions that
 * do not compile (PCRE2), hostssl with ssl = off, map= names missing from
 * pg_ident.conf (when ctx->ident is given).  Sets rule->error.  Adds
 * warnings: trust on a host* rule, clear-text password, 0.0.0.0/0 or ::/0
 * with a password method without SSL, a rule that can never match because
 * an earlier rule shadows it.  ctx may be NULL.
 */
void hba_validate(struct hba_model *m, const struct hba_context *ctx);

/* The number of rules with an error. */
size_t hba_errors(const struct hba_model *m);

/*
 * A canonical form of a rule's meaning (type, databases, users, address in
 * CIDR form, method, options sorted), to tell whether two files hold the
 * same rule whatever the spacing, quoting or mask notation.
 */
void hba_rule_key(const struct hba_rule *r, struct buf *out);

/*
 * The same without the method and its options: two rules with equal match
 * keys take the same connections, and the first one decides how.
 */
void hba_rule_match_key(const struct hba_rule *r, struct buf *out);

/*
 * Whether a host rule's address takes a client at addr (a numeric IPv4 or
 * IPv6 address): 1 yes, 0 no, -1 cannot tell here (a host name, samenet).
 * Local rules and "all" take every client.
 */
int hba_rule_match_address(const struct hba_rule *r, const char *addr);

/* A connection attempt, as hba_match sees it (no replication connections). */
struct hba_conn {
	int local;		/* over a Unix socket, else TCP */
	int ssl;		/* the connection is encrypted with SSL */
	const char *database;
	const char *user;
	const char *addr;	/* TCP: the client's address, numeric or not */
};

/*
 * Whether rule r takes connection c, as check_hba does: type (local, host
 * with or without SSL; never hostgssenc), database, user, address.  1 yes,
 * 0 no (also for a rule with an error or an include line), -1 cannot tell
 * here: +group, samerole and /regex entries, host names and samenet.
 */
int
hba_match(const struct hba_rule *r, const struct hba_conn *c);

/*
 * The rule of m that decides c: the first one hba_match does not rule out,
 * or NULL when none (the server refuses).  *uncertain: that rule only may
 * take c (hba_match said -1), so a later one may decide instead.
 */
const struct hba_rule *
hba_first_match(const struct hba_model *m, const struct hba_conn *c, int *uncertain);

/*
 * A rule among m's first upto rules that takes every connection r would
 * take, so that r placed after them never matches, or NULL (also when it
 * cannot tell: +groups, /regexes, host names, samenet).  Asks
 * hba_first_match, as --check-login does, of connections that stand for
 * all of r's: each database and user of its lists (a name no rule holds
 * for "all"), with and without SSL, the first and last address of its
 * network.  When more than one rule shares r's connections, the first
 * one is named.
 */
const struct hba_rule *
hba_shadowing_rule(const struct hba_model *m, size_t upto, const struct hba_rule *r);

/* Whether the rule matches every database and every user ("all all"). */
int hba_rule_catch_all(const struct hba_rule *r);

/* The names of the pg_ident.conf maps a rule uses (map=NAME), or NULL. */
const char *hba_rule_map(const struct hba_rule *r);

/* The type's keyword ("host", ...). */
const char *hba_type_name(int type);


/*
 * The rule as pg_hba_file_rules shows it (for --list and the oracle test).
 * view_method: the server's name ("ident" on a local line is "peer").
 * view_address: address and netmask as the server prints them (numeric,
 * normalised: 127.0.0.1/32 is 127.0.0.1 and 255.255.255.255); empty
 * strings for local lines, mask empty for names and keywords.
 * view_options: the options array's elements ("map=x", "include_realm=true",
 * "ldapscope=2", ...) in the server's order; returns the count and a
 * malloc'd array of malloc'd strings in *out (NULL when none).
 */
const char *hba_rule_view_method(const struct hba_rule *r);
void hba_rule_view_address(const struct hba_rule *r, char *addr, size_t addrsz, char *mask, size_t masksz);
size_t hba_rule_view_options(const struct hba_rule *r, char ***out);

#endif
