/*
 * Unit tests for common/hba.c: the tokenizer (quotes, commas, +group,
 * @file, keywords quoted and not), every connection type, addresses and
 * masks, methods and options per target version, the PostgreSQL 15/16
 * additions, spans and the comment block above a rule, rule keys,
 * catch-all rules and the warnings.  What the server itself says about
 * these lines is proven by tests/server/hba-oracle.t; here the versions the
 * oracle cannot run (8.x, 9.x) get their share.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "diag.h"
#include "hba.h"
#include "pgversion.h"
#include "hba-model-dump.h"
#include "tap.h"

static struct hba_model M;

/* Parse text for version v; returns the first rule (or NULL). */
static const struct hba_rule *parse(int v, const char *text)
{
	struct diag_err err;

	hba_free(&M);
	hba_init(&M, v);
	memset(&err, 0, sizeof err);
	if (hba_parse_buf(&M, "t.conf", text, strlen(text), &err) < 0)
		return NULL;
	hba_validate(&M, NULL);
	return M.n ? &M.rules[0] : NULL;
}

static int valid(int v, const char *text)
{
	const struct hba_rule *r = parse(v, text);

	return r && !r->error;
}

static const char *error_of(int v, const char *text)
{
	const struct hba_rule *r = parse(v, text);

	return r ? r->error : "(no rule)";
}

static int has_warning(const struct hba_rule *r, const char *needle)
{
	size_t i;

	for (i = 0; r && i < r->nwarnings; i++)
		if (strstr(r->warnings[i], needle))
			return 1;
	return 0;
}

static char *key(int v, const char *text)
{
	struct buf b;
	const struct hba_rule *r = parse(v, text);

	buf_init(&b);
	if (r)
		hba_rule_key(r, &b);
	else
		buf_adds(&b, "");
	return buf_steal(&b);
}

static void same_key(const char *a, const char *b, const char *name)
{
	char *ka = key(150000, a), *kb = key(150000, b);

	if (!is_str(ka, kb, name))
		diag("%s | %s", a, b);
	free(ka);
	free(kb);
}

static void diff_key(const char *a, const char *b, const char *name)
{
	char *ka = key(150000, a), *kb = key(150000, b);

	ok(strcmp(ka, kb) != 0, name);
	free(ka);
	free(kb);
}

static void tokens(void)
{
	const struct hba_rule *r;

	r = parse(150000, "host \"a b\",c \"all\" 127.0.0.1/32 md5\n");
	ok(r && !r->error, "quoted names with a blank");
	is_int(r->databases.n, 2, "comma list: two databases");
	is_str(r->databases.tok[0].text, "a b", "quotes removed");
	ok(r->databases.tok[0].quoted && !r->databases.tok[1].quoted, "quoted flag per token");
	ok(r->users.tok[0].quoted, "\"all\" is quoted: a plain name");
	ok(!hba_rule_catch_all(r), "quoted \"all\" is not a catch-all");

	r = parse(150000, "host \"a\"\"b\" x 127.0.0.1/32 md5\n");
	is_str(r->databases.tok[0].text, "a\"b", "doubled quote inside quotes");
	r = parse(150000, "host a\"b c\"d x 127.0.0.1/32 md5\n");
	is_str(r->databases.tok[0].text, "ab cd", "quotes in the middle of a token");
	ok(!r->databases.tok[0].quoted, "quoting after the first character does not quote the token");
	r = parse(150000, "host a,b , c x 127.0.0.1/32 md5\n");
	ok(r && r->error, "\"a,b , c\": a blank after a comma ends the field");
	r = parse(150000, "host a, b c 127.0.0.1/32 md5\n");
	is_int(r->databases.n, 2, "\"a, b\": blanks after a comma continue the list");
	is_str(r->users.tok[0].text, "c", "next field after the list");
	r = parse(150000, "host a,,b c 127.0.0.1/32 md5\n");
	is_int(r->databases.n, 2, "an empty list element is skipped");
	r = parse(150000, "host \"\" x 127.0.0.1/32 md5\n");
	ok(r && !r->error && r->databases.n == 1 && r->databases.tok[0].text[0] == '\0', "\"\" is an empty name");
	r = parse(150000, "host all +ckan,\"+quoted\" 127.0.0.1/32 md5\n");
	is_str(r->users.tok[0].text, "+ckan", "+group kept as written");
	ok(r->users.tok[1].quoted, "\"+quoted\" is a name, not a group");
	r = parse(150000, "host @dbs x 127.0.0.1/32 md5\n");
	is_str(r->databases.tok[0].text, "@dbs", "@file kept when not following files");
	r = parse(150000, "host all all 127.0.0.1/32 md5 # comment\n");
	ok(r && !r->error && r->nopts == 0, "trailing comment");
	r = parse(150000, "host all all 127.0.0.1/32 md5#glued\n");
	is_str(r->method, "md5", "# glued to a token ends it");
	r = parse(150000, "host all all 127.0.0.1/32 ldap ldapserver=l ldapbasedn=dc=x ldapbindpasswd=\"pa#ss word\"\n");
	ok(r && !r->error, "ldap rule with a quoted bind password");
	is_str(r->opts[2].value, "pa#ss word", "# inside a quoted option is not a comment");
	r = parse(150000, "host \"unterminated all all 127.0.0.1/32 md5\n");
	is_str(r->error, "end-of-line before role specification", "unterminated quote runs to the end of the line");
	r = parse(150000, "  \thost\tall\tall\t127.0.0.1/32\tmd5\t\r\n");
	ok(r && !r->error, "tabs, leading blanks and CRLF");
}

static void types(void)
{
	const char *t[] = { "local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc" };
	int i;

	for (i = 0; i < 6; i++) {
		char line[128];
		const struct hba_rule *r;

		snprintf(line, sizeof line, "%s all all %smd5\n", t[i], i ? "10.0.0.0/8 " : "");
		r = parse(150000, line);
		ok(r && !r->error && r->type == i, t[i]);
		is_str(hba_type_name(r ? r->type : -1), t[i], "type name");
	}
	is_str(error_of(110000, "hostgssenc all all 10.0.0.0/8 md5\n"), "invalid connection type \"hostgssenc\"",
	       "hostgssenc before 12");
	ok(valid(120000, "hostnogssenc all all 10.0.0.0/8 md5\n"), "hostnogssenc in 12");
	is_str(error_of(150000, "lokal all all trust\n"), "invalid connection type \"lokal\"", "unknown type");
	is_str(error_of(150000, "local,host all all trust\n"), "multiple values specified for connection type",
	       "two types");
	is_str(error_of(150000, "local\n"), "end-of-line before database specification", "type only");
	is_str(error_of(150000, "local all\n"), "end-of-line before role specification", "no user");
	is_str(error_of(150000, "local all all\n"), "end-of-line before authentication method", "no method");
	is_str(error_of(150000, "host all all\n"), "end-of-line before IP address specification", "no address");
	is_str(error_of(150000, "local all all md5,trust\n"), "multiple values specified for authentication type",
	       "two methods");
}

static void addresses(void)
{
	const struct hba_rule *r;
	char a[256], m[256];

	ok(valid(150000, "host all all 127.0.0.1/32 md5\n"), "IPv4 CIDR");
	ok(valid(150000, "host all all 127.0.0.1 255.255.255.255 md5\n"), "IPv4 address and mask");
	r = parse(150000, "host all all 127.0.0.1 255.255.255.255 md5\n");
	is_str(r->mask, "255.255.255.255", "mask kept");
	hba_rule_view_address(r, a, sizeof a, m, sizeof m);
	is_str(a, "127.0.0.1", "view address");
	is_str(m, "255.255.255.255", "view netmask");
	r = parse(150000, "host all all ::1/64 md5\n");
	hba_rule_view_address(r, a, sizeof a, m, sizeof m);
	is_str(m, "ffff:ffff:ffff:ffff::", "IPv6 /64 as the server prints it");
	ok(valid(150000, "host all all ::/0 md5\n"), "::/0");
	ok(valid(150000, "host all all 0.0.0.0/+8 md5\n"), "/+8 (strtol takes a sign)");
	ok(strstr(error_of(150000, "host all all 127.0.0.1/33 md5\n"), "invalid CIDR mask"), "/33");
	ok(strstr(error_of(150000, "host all all ::1/129 md5\n"), "invalid CIDR mask"), "IPv6 /129");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/ md5\n"), "invalid CIDR mask"), "empty CIDR");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8x md5\n"), "invalid CIDR mask"), "CIDR with junk");
	ok(strstr(error_of(150000, "host all all 10.0.0.0 255.255.255.256 md5\n"), "invalid IP mask"), "bad mask");
	ok(strstr(error_of(150000, "host all all 10.0.0.0 md5\n"), "invalid IP mask \"md5\""), "mask missing: method read as mask");
	is_str(error_of(150000, "host all all 10.0.0.0\n"), "end-of-line before netmask specification", "no mask");
	is_str(error_of(150000, "host all all 10.0.0.0 ::ffff md5\n"), "IP address and mask do not match", "family mismatch");
	is_str(error_of(150000, "host all all 10.0.0.0/8,::1/128 md5\n"), "multiple values specified for host address", "two addresses");
	r = parse(150000, "host all all 10.0.0.0 255.0.255.0 md5\n");
	ok(r && !r->error, "non-contiguous mask: the server takes it");
	ok(has_warning(r, "not contiguous"), "non-contiguous mask: warned");
	ok(strstr(error_of(150000, "host all all 300.1.1.1/32 md5\n"), "specifying both host name"), "300.1.1.1 is a host name");
	r = parse(150000, "host all all db.example.org md5\n");
	ok(r && !r->error && !r->mask, "host name");
	ok(valid(150000, "host all all .example.org md5\n"), "host name suffix");
	ok(strstr(error_of(90000, "host all all db.example.org md5\n"), "invalid IP address"), "no host names in 9.0");
	ok(valid(90100, "host all all db.example.org md5\n"), "host names in 9.1");
	ok(valid(150000, "host all all samehost md5\n"), "samehost");
	ok(valid(150000, "host all all samenet md5\n"), "samenet");
	ok(valid(150000, "host all all all md5\n"), "all");
	ok(strstr(error_of(80400, "host all all samenet md5\n"), "invalid IP address"), "samenet before 9.0");
	r = parse(150000, "host all all \"samenet\" md5\n");
	hba_rule_view_address(r, a, sizeof a, m, sizeof m);
	ok(r && !r->error && m[0] == '\0', "quoted samenet: a host name");
}

static void methods(void)
{
	const char *ok15[] = { "trust", "reject", "md5", "password", "scram-sha-256", "pam", "ldap ldapprefix=x", "radius radiusservers=127.0.0.1 radiussecrets=s" };
	size_t i;

	for (i = 0; i < sizeof ok15 / sizeof ok15[0]; i++) {
		char line[256];

		snprintf(line, sizeof line, "host all all 10.0.0.0/8 %s\n", ok15[i]);
		ok(valid(150000, line), ok15[i]);
	}
	ok(valid(150000, "local all all peer\n"), "peer on local");
	ok(valid(150000, "host all all 10.0.0.0/8 ident\n"), "ident on host");
	is_str(hba_rule_view_method(parse(150000, "local all all ident\n")), "peer", "ident on local is peer");
	ok(valid(150000, "host all all 10.0.0.0/8 gss\n"), "gss");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 sspi\n"), "not supported by this build"), "sspi: not on Linux");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 bsd\n"), "not supported by this build"), "bsd: not on Linux");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 crypt\n"), "crypt"), "crypt rejected for 15");
	ok(strstr(error_of(80400, "host all all 10.0.0.0/8 crypt\n"), "crypt"), "crypt rejected for 8.4");
	ok(valid(80300, "host all all 10.0.0.0/8 crypt\n"), "crypt valid for 8.3");
	ok(valid(90300, "host all all 10.0.0.0/8 krb5\n"), "krb5 valid for 9.3");
	ok(strstr(error_of(90400, "host all all 10.0.0.0/8 krb5\n"), "krb5"), "krb5 rejected for 9.4");
	ok(strstr(error_of(90600, "host all all 10.0.0.0/8 scram-sha-256\n"), "scram-sha-256"), "scram-sha-256 rejected before 10");
	ok(valid(100000, "host all all 10.0.0.0/8 scram-sha-256\n"), "scram-sha-256 in 10");
	ok(valid(80300, "local all all ident sameuser\n"), "ident sameuser in 8.3");
	is_str(error_of(80400, "local all all ident sameuser\n"),
	       "authentication option not in name=value format: sameuser", "ident sameuser rejected for 8.4");
	ok(error_of(150000, "local all all ident sameuser\n") != NULL, "ident sameuser rejected for 15");
	ok(strstr(error_of(90000, "local all all peer\n"), "invalid authentication method"), "no peer before 9.1");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 peer\n"), "only supported on local"), "peer on host");
	ok(strstr(error_of(150000, "local all all gss\n"), "not supported on local"), "gss on local");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 cert\n"), "only supported on hostssl"), "cert on host");
	ok(valid(150000, "hostssl all all 10.0.0.0/8 cert\n"), "cert on hostssl");
	ok(strstr(error_of(150000, "local all all bogus\n"), "invalid authentication method \"bogus\""), "unknown method");
	ok(strstr(error_of(170000, "host all all 10.0.0.0/8 oauth issuer=x scope=y\n"), "invalid authentication method"), "no oauth in 17");
	ok(valid(180000, "host all all 10.0.0.0/8 oauth issuer=x scope=y\n"), "oauth in 18");
}

static void options_(void)
{
	const struct hba_rule *r;
	char **o;
	size_t n, i;

	ok(valid(150000, "local all all peer map=ckan\n"), "map with peer");
	ok(valid(150000, "host all all 10.0.0.0/8 ident map=ckan\n"), "map with ident");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 md5 map=x\n"), "only valid for authentication methods ident, peer"), "map with md5");
	is_str(hba_rule_map(parse(150000, "local all all peer map=a map=b\n")), "b", "the last map= counts");
	ok(hba_rule_map(parse(150000, "local all all peer\n")) == NULL, "no map");
	ok(valid(150000, "host all all 10.0.0.0/8 gss include_realm=0 krb_realm=EXAMPLE.ORG\n"), "gss options");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 md5 include_realm=1\n"), "gssapi and sspi"), "include_realm with md5");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 md5 krb_realm=X\n"), "gssapi and sspi"), "krb_realm with md5");
	ok(valid(150000, "local all all pam pamservice=ckan pam_use_hostname=1\n"), "pam options");
	ok(strstr(error_of(100000, "local all all pam pam_use_hostname=1\n"), "unrecognized"), "pam_use_hostname before 11");
	ok(strstr(error_of(150000, "local all all md5 pamservice=x\n"), "pam"), "pamservice with md5");
	ok(strstr(error_of(150000, "local all all md5 foo=bar\n"), "unrecognized authentication option name: \"foo\""), "unknown option");
	ok(strstr(error_of(150000, "local all all md5 map\n"), "not in name=value format"), "option without =");
	ok(valid(150000, "host all all 10.0.0.0/8 ldap ldapserver=l ldapbasedn=dc=x ldapbinddn=cn=a ldapbindpasswd=p ldapsearchattribute=uid\n"), "ldap search+bind");
	ok(valid(150000, "host all all 10.0.0.0/8 ldap ldapserver=l ldapprefix=cn= ldapsuffix=\",dc=x\" ldaptls=1 ldapport=636\n"), "ldap simple bind");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 ldap ldapserver=l ldapprefix=cn= ldapbasedn=dc=x\n"), "cannot mix"), "ldap mixed modes");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 ldap ldapserver=l\n"), "requires argument"), "ldap without basedn/prefix");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 ldap ldapbasedn=x ldapsearchattribute=u ldapsearchfilter=f\n"), "together"), "ldap attribute and filter");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 ldap ldapprefix=x ldapport=0\n"), "invalid LDAP port"), "ldapport=0");
	ok(strstr(error_of(100000, "host all all 10.0.0.0/8 ldap ldapbasedn=x ldapscheme=ldaps\n"), "unrecognized"), "ldapscheme before 11");
	ok(valid(150000, "host all all 10.0.0.0/8 ldap ldapurl=\"ldap://h/dc=x?uid?sub\"\n"), "ldapurl");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 ldap ldapurl=\"http://h/dc=x\"\n"), "LDAP URL"), "ldapurl with http");
	ok(valid(150000, "host all all 10.0.0.0/8 radius radiusservers=\"127.0.0.1,127.0.0.2\" radiussecrets=s radiusports=1812 radiusidentifiers=pg\n"), "radius lists");
	r = parse(150000, "host all all 10.0.0.0/8 radius radiusservers=\"a b\" radiussecrets=s\n");
	ok(r && r->error && r->silent, "radius server list syntax: rejected without a server error text");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 radius radiusservers=127.0.0.1\n"), "radiussecrets"), "radius without secret");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 radius radiusserver=127.0.0.1 radiussecret=s\n"), "unrecognized"), "radiusserver (singular) gone in 10");
	ok(valid(90600, "host all all 10.0.0.0/8 radius radiusserver=127.0.0.1 radiussecret=s\n"), "radiusserver (singular) in 9.6");
	ok(valid(150000, "hostssl all all 10.0.0.0/8 md5 clientcert=verify-ca\n"), "clientcert=verify-ca");
	ok(valid(150000, "hostssl all all 10.0.0.0/8 md5 clientcert=verify-full clientname=DN\n"), "clientname=DN");
	r = parse(150000, "hostssl all all 10.0.0.0/8 md5 clientcert=1\n");
	ok(r && r->error && r->silent, "clientcert=1 rejected for 14+ (the server logs it only)");
	ok(valid(130000, "hostssl all all 10.0.0.0/8 md5 clientcert=1\n"), "clientcert=1 valid for 13");
	ok(valid(110000, "hostssl all all 10.0.0.0/8 md5 clientcert=1\n"), "clientcert=1 valid for 11");
	ok(strstr(error_of(130000, "hostssl all all 10.0.0.0/8 md5 clientname=CN\n"), "unrecognized"), "clientname before 14");
	ok(strstr(error_of(150000, "host all all 10.0.0.0/8 md5 clientcert=verify-ca\n"), "hostssl"), "clientcert on host");
	ok(strstr(error_of(150000, "hostssl all all 10.0.0.0/8 cert clientcert=verify-ca\n"), "verify-full"), "cert needs verify-full");
	r = parse(150000, "host all all 10.0.0.0/8 gss map=g\n");
	n = hba_rule_view_options(r, &o);
	ok(n == 2 && strcmp(o[0], "include_realm=true") == 0 && strcmp(o[1], "map=g") == 0, "view options: gss defaults");
	for (i = 0; i < n; i++)
		free(o[i]);
	free(o);
	r = parse(150000, "host all all 10.0.0.0/8 ldap ldapserver=l ldapbasedn=dc=x\n");
	n = hba_rule_view_options(r, &o);
	ok(n == 3 && strcmp(o[2], "ldapscope=2") == 0, "view options: ldapscope as the server shows it");
	for (i = 0; i < n; i++)
		free(o[i]);
	free(o);
}

static void pg16(void)
{
	const struct hba_rule *r;

	ok(valid(160000, "host /^ckan_.*$ all 10.0.0.0/8 md5\n"), "regex database in 16");
	ok(valid(160000, "host all /^(ckan|datastore)_default$ 10.0.0.0/8 md5\n"), "regex user in 16");
	ok(strstr(error_of(160000, "host all /(unclosed 10.0.0.0/8 md5\n"), "invalid regular expression"), "bad regex in 16");
	ok(strstr(error_of(160000, "host all /a{2 10.0.0.0/8 md5\n"), "invalid regular expression"), "bad bound (the server's engine)");
	ok(valid(150000, "host all /(unclosed 10.0.0.0/8 md5\n"), "a /name is a plain name in 15");
	ok(valid(160000, "host all \"/(unclosed\" 10.0.0.0/8 md5\n"), "quoted /name is a name in 16");
	r = parse(160000, "include other.conf\nlocal all all peer\n");
	ok(r && r->include_kind && strcmp(r->include_kind, "include") == 0 && r->type == -1, "include line in 16");
	is_str(r->address, "other.conf", "include names its file");
	ok(strstr(error_of(150000, "include other.conf\n"), "invalid connection type"), "include is no type in 15");
	r = parse(160000, "include_dir conf.d\n");
	ok(r && r->include_kind && strcmp(r->include_kind, "include_dir") == 0, "include_dir");
	r = parse(160000, "include_if_exists x.conf\n");
	ok(r && r->include_kind && strcmp(r->include_kind, "include_if_exists") == 0, "include_if_exists");
	ok(error_of(160000, "include a b\n") != NULL, "include with two arguments is a bad rule");
	r = parse(150000, "host all all \\\n  127.0.0.1/32 md5\nlocal all all peer\n");
	ok(r && !r->error && r->line == 1 && r->last_line == 2, "continuation in 15 (as the server does)");
	is_int(M.rules[1].line, 3, "line numbers after a continuation");
	r = parse(140000, "host all all \\\n  127.0.0.1/32 md5\n");
	ok(r && r->error, "no continuation in 14");
}

static void spans(void)
{
	const char *text = "# header\n\n# about ckan\n# two lines\nhost ckan ckan 127.0.0.1/32 md5\r\nlocal all all peer\n\n  # indented\nlocal all postgres peer";
	const struct hba_rule *r = parse(150000, text);

	is_int(M.n, 3, "three rules");
	is_int(r->off, strlen("# header\n\n# about ckan\n# two lines\n"), "rule off");
	is_int(r->len, strlen("host ckan ckan 127.0.0.1/32 md5"), "rule len: no CR LF");
	is_int(r->lead_off, strlen("# header\n\n"), "lead_off: the comment block above");
	is_int(M.rules[1].lead_off, M.rules[1].off, "no comment above: lead_off == off");
	is_int(M.rules[2].lead_off, strlen(text) - strlen("  # indented\nlocal all postgres peer"), "indented comment");
	is_int(M.rules[2].off + M.rules[2].len, strlen(text), "last rule without a newline");
	is_int(M.rules[2].line, 9, "line number");
}

static void keys(void)
{
	same_key("host all all 127.0.0.1 255.255.255.255 md5", "host all all 127.0.0.1/32 md5", "mask notation");
	same_key("host  all\tall   127.0.0.1/32   md5  # c", "host all all 127.0.0.1/32 md5", "spacing and comments");
	same_key("host \"ckan\" all 127.0.0.1/32 md5", "host ckan all 127.0.0.1/32 md5", "quoting a plain name");
	same_key("host a,b all 127.0.0.1/32 md5", "host b,a all 127.0.0.1/32 md5", "list order");
	same_key("host all all ::1/128 md5", "host all all 0:0::1/128 md5", "IPv6 spelling");
	same_key("local all all peer map=a include_realm=1", "local all all peer map=a include_realm=1", "options");
	same_key("local all all ident", "local all all peer", "ident on local is peer");
	diff_key("host \"all\" all 127.0.0.1/32 md5", "host all all 127.0.0.1/32 md5", "quoted all differs");
	diff_key("host all all 127.0.0.1/32 md5", "host all all 127.0.0.1/32 scram-sha-256", "method differs");
	diff_key("host all all 127.0.0.1/32 md5", "hostssl all all 127.0.0.1/32 md5", "type differs");
	diff_key("host all all 127.0.0.1/32 md5", "host all all 127.0.0.1/24 md5", "mask differs");
	ok(hba_rule_catch_all(parse(150000, "host all all 0.0.0.0/0 md5\n")), "catch-all");
	ok(!hba_rule_catch_all(parse(150000, "host all ckan 0.0.0.0/0 md5\n")), "not a catch-all");
	ok(!hba_rule_catch_all(parse(150000, "host all \"all\" 0.0.0.0/0 md5\n")), "quoted all: not a catch-all");
}

static void warnings(void)
{
	const struct hba_rule *r;
	struct hba_model ident;
	struct hba_context ctx = { 1, &ident };
	struct diag_err err;
	static const char maps[] = "# maps\n\"ckan\"  www-data  ckan_default\n";

	hba_init_ident(&ident, 150000);
	ok(hba_parse_buf(&ident, "pg_ident.conf", maps, sizeof maps - 1, &err) == 0, "pg_ident.conf read");

	ok(has_warning(parse(150000, "host all all 127.0.0.1/32 trust\n"), "trust"), "trust on host");
	ok(!has_warning(parse(150000, "local all all trust\n"), "trust"), "trust on local: no warning");
	ok(has_warning(parse(150000, "host all all 127.0.0.1/32 password\n"), "clear text"), "password method");
	ok(has_warning(parse(150000, "host all all 0.0.0.0/0 md5\n"), "any address"), "0.0.0.0/0 without SSL");
	ok(has_warning(parse(150000, "host all all ::/0 scram-sha-256\n"), "any address"), "::/0 without SSL");
	ok(!has_warning(parse(150000, "hostssl all all 0.0.0.0/0 scram-sha-256\n"), "any address"), "hostssl: no warning");
	r = parse(150000, "host all all 10.0.0.0/8 md5\nhost ckan ckan 10.1.0.0/16 scram-sha-256\n");
	ok(has_warning(&M.rules[1], "never matches: line 1"), "shadowed rule");
	(void)r;
	parse(150000, "host ckan ckan 10.0.0.0/8 md5\nhost all all 10.0.0.0/8 scram-sha-256\n");
	ok(!has_warning(&M.rules[1], "never matches"), "wider rule after a narrower one is not shadowed");
	parse(150000, "host all all 10.0.0.0/8 md5\nhost replication all 10.0.0.0/8 md5\n");
	ok(!has_warning(&M.rules[1], "never matches"), "all does not cover replication");
	parse(150000, "hostssl all all 10.0.0.0/8 md5\nlocal all all peer map=ckan\nlocal all all peer map=nomap\n");
	hba_validate(&M, &ctx);
	is_str(M.rules[0].error, "hostssl record cannot match because SSL is disabled", "hostssl with ssl = off");
	ok(!has_warning(&M.rules[1], "pg_ident"), "map defined in pg_ident.conf");
	ok(has_warning(&M.rules[2], "pg_ident"), "map missing from pg_ident.conf");
	is_int(hba_errors(&M), 1, "hba_errors counts rules with an error");
	hba_free(&ident);
}

static void files(void)
{
	struct diag_err err;
	int rc;

	hba_free(&M);
	hba_init(&M, 150000);
	rc = hba_load(&M, "tests/data/hba/at-file.conf", &err);
	ok(rc == 0 && M.n == 2, "@file fixture loads");
	if (rc == 0 && M.n == 2)
		ok(M.rules[1].users.n == 3 && strcmp(M.rules[1].users.tok[2].text, "datastore_ro") == 0, "@file tokens expanded, comments skipped");
	else
		ok(0, "@file tokens expanded");
	hba_free(&M);
	hba_init(&M, 150000);
	memset(&err, 0, sizeof err);
	rc = hba_load(&M, "tests/data/hba/at-missing.conf", &err);
	ok(rc == 0 && M.n == 2 && !M.rules[0].error && M.rules[1].error &&
	   strstr(M.rules[1].error, "could not open secondary authentication file \"@no-such-file\""),
	   "missing @file: an error on its line, the other rules read (15)");
	hba_free(&M);
	hba_init(&M, 160000);
	rc = hba_load(&M, "tests/data/hba/at-missing.conf", &err);
	ok(rc == 0 && M.n == 2 && M.rules[1].error && strstr(M.rules[1].error, "could not open file \""),
	   "missing @file: 16's wording");
	hba_free(&M);
	hba_init(&M, 150000);
	ok(hba_load(&M, "tests/data/hba/at-loop.conf", &err) < 0, "@file loop stops the whole file before 16");
	hba_free(&M);
	hba_init(&M, 160000);
	rc = hba_load(&M, "tests/data/hba/at-loop.conf", &err);
	ok(rc == 0 && hba_errors(&M) > 0, "from 16 the loop is an error on its line");
	hba_free(&M);
	hba_init(&M, 160000);
	rc = hba_load(&M, "tests/data/hba/include-16.conf", &err);
	ok(rc == 0 && M.nfiles == 3, "includes: three files read (README in conf.d skipped)");
	hba_free(&M);
	hba_init(&M, 150000);
	rc = hba_load(&M, "tests/data/hba/ckan-9.1.conf", &err);
	ok(rc == 0 && hba_errors(&M) == 3, "9.1 CKAN file for 15: ident sameuser, krb5, crypt rejected");
	hba_free(&M);
	hba_init(&M, 90100);
	rc = hba_load(&M, "tests/data/hba/ckan-9.1.conf", &err);
	ok(rc == 0 && hba_errors(&M) == 2, "9.1 CKAN file for 9.1: krb5 fine, crypt and ident sameuser not");
	hba_free(&M);
	hba_init(&M, 150000);
	rc = hba_load(&M, "tests/data/hba/debian-15.conf", &err);
	ok(rc == 0 && M.n >= 6 && hba_errors(&M) == 0, "Debian 15 default file is clean");
	hba_free(&M);
	hba_init(&M, 150000);
	ok(hba_parse_buf(&M, "x", "a\0b", 3, &err) < 0, "NUL byte: not an authentication file");
	is_int(pgversion_major(pgversion_parse("9.1")), 90100, "version 9.1");
	is_int(pgversion_major(pgversion_parse("15")), 150000, "version 15");
	is_int(pgversion_major(pgversion_parse("9.4.26")), 90400, "version 9.4.26");
	is_int(pgversion_major(pgversion_parse("x")), -1, "bad version");
}


/* ---- the shortcuts agree with the general path */

/*
 * Comment and blank lines skip the tokenizer, plain tokens skip next_token
 * (hba_model.general off).  Random files made of lines that are, or nearly
 * are, comments and blanks (a backslash at the end, a comma or quote first,
 * CR line ends, no final line end) and of tokens plain or not (quotes in
 * the middle, commas, # right after a token, @, tokens at the length limit
 * before 16) must give the same model both ways, for versions with and
 * without backslash continuation.
 */
static void quiet_lines(void)
{
	static const char *const fixed[] = {
		"", " ", "\t \t", "\r", " \r\r", "# a comment", "   # indented", "\t#tab", "#", "# ends in a backslash \\",
		"#\\", " \\", "\\", "# \\\r", "# x\\ \r", ",# comma first", ", ,", "\"#\" all all peer", "\"\" # q",
		"local all all peer", "local all all peer # trailing", "host all all 10.0.0.0/8 md5",
		"host all all 127.0.0.1 255.255.255.255 trust", "local all all peer \\", "local all \\",
		"host db user 010.1.1.1/32 md5", "include x.conf", "\t\tlocal\tall\tall\tpeer\t",
		"host \"a\"b,c@d, e all 10.0.0.0/8 md5", "local a,\"b c\",d all peer#x", "local @f all peer",
		"local a\"b\" all peer", "local all,#x", "local all all peer,", "local all all,, peer",
		"host all all 10.0.0.0/8 md5 map=x,y", "local all all\tpeer\r# c", "local \"all\",all x peer",
	};
	/* tokens of 10238 to 10240 bytes (the limit before 16 is 10239) followed by , # or a blank */
	static const char after[] = ",# ";
	char *longs[9];
	const char *pool[sizeof fixed / sizeof fixed[0] + 9];
	static const int versions[] = { 90100, 140000, 150000, 160000 };
	unsigned long seed = 12345;
	struct buf text, fast, general;
	int iter, bad = 0, v;
	size_t i;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		pool[i] = fixed[i];
	for (i = 0; i < 9; i++) {
		size_t n = 10238 + i / 3;

		longs[i] = xmalloc(n + 32);
		memcpy(longs[i], "local ", 6);
		memset(longs[i] + 6, 'x', n);
		snprintf(longs[i] + 6 + n, 26, "%call peer", after[i % 3]);
		pool[sizeof fixed / sizeof fixed[0] + i] = longs[i];
	}
	buf_init(&text);
	buf_init(&fast);
	buf_init(&general);
	for (iter = 0; iter < 3000 && !bad; iter++) {
		int nlines, j;

		buf_reset(&text);
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		nlines = 1 + (int)((seed >> 33) % 8);
		for (j = 0; j < nlines; j++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf_adds(&text, pool[(seed >> 33) % (sizeof pool / sizeof pool[0])]);
			if (j < nlines - 1 || (seed >> 20) % 2)
				buf_adds(&text, (seed >> 24) % 4 ? "\n" : "\r\n");
		}
		for (v = 0; v < 4 && !bad; v++) {
			hba_dump_parse(versions[v], 0, text.data, text.len, &fast);
			hba_dump_parse(versions[v], 1, text.data, text.len, &general);
			if (strcmp(fast.data, general.data) != 0) {
				bad = 1;
				diag("version %d, file:\n%s\nfast:\n%s\ngeneral:\n%s", versions[v], text.data, fast.data,
				     general.data);
			}
		}
	}
	ok(!bad, "comment line and plain token shortcuts: same model as the general path (3000 random files, 4 versions)");
	for (i = 0; i < 9; i++)
		free(longs[i]);
	/* and the shortcut is taken: a big comment block still yields its lead */
	hba_dump_parse(150000, 0, "# one\n#two\\\nlocal all all peer\n\n# three\nlocal all all trust\n", 57, &fast);
	ok(strstr(fast.data, "n=1\n") != NULL, "a comment ending in a backslash swallows the next line (15)");
	hba_dump_parse(140000, 0, "# one\n#two\\\nlocal all all peer\n\n# three\nlocal all all trust\n", 57, &fast);
	ok(strstr(fast.data, "n=2\n") != NULL && strstr(fast.data, "lead=0 ") != NULL,
	   "before 15 it does not; the comment block above the rule starts at its first line");
	buf_free(&text);
	buf_free(&fast);
	buf_free(&general);
}

/*
 * Plain dotted quads skip getaddrinfo: every address made of up to five
 * parts from a set of tricky numbers (leading zeros are octal to inet_aton,
 * 256, empty parts, hex, signs) must be read as getaddrinfo reads it: an
 * address (the same one) or not.
 */
static void dotted_quads(void)
{
	static const char *const parts[] = { "0", "1", "9", "10", "99", "100", "255", "256", "00", "010", "0x1", "1000", "", "+1", "25a" };
	size_t np = sizeof parts / sizeof parts[0];
	size_t idx[5];
	int nparts, bad = 0, count = 0;

	for (nparts = 1; nparts <= 5 && !bad; nparts++) {
		size_t total = 1, c;
		int k;

		for (k = 0; k < nparts; k++)
			total *= nparts >= 4 ? (k % 2 ? np : 8) : np;
		for (c = 0; c < total && !bad; c++) {
			char addr[64], line[128], want[NI_MAXHOST], got[256], mask[256];
			struct addrinfo hints, *res = NULL;
			size_t rest = c, off = 0;
			const struct hba_rule *r;
			int ret;

			for (k = 0; k < nparts; k++) {
				size_t base = nparts >= 4 ? (k % 2 ? np : 8) : np;

				idx[k] = rest % base;
				rest /= base;
				off += (size_t)snprintf(addr + off, sizeof addr - off, "%s%s", k ? "." : "", parts[idx[k]]);
			}
			if (addr[0] == '\0')
				continue;
			memset(&hints, 0, sizeof hints);
			hints.ai_flags = AI_NUMERICHOST;
			hints.ai_family = AF_UNSPEC;
			ret = getaddrinfo(addr, NULL, &hints, &res);
			want[0] = '\0';
			if (ret == 0 && res &&
			    getnameinfo(res->ai_addr, res->ai_addrlen, want, sizeof want, NULL, 0, NI_NUMERICHOST) != 0)
				strcpy(want, "???");
			if (res)
				freeaddrinfo(res);
			snprintf(line, sizeof line, "host all all %s 255.255.255.255 md5\n", addr);
			r = parse(150000, line);
			if (!r) {
				bad = 1;
				diag("%s: no rule", addr);
				break;
			}
			hba_rule_view_address(r, got, sizeof got, mask, sizeof mask);
			count++;
			if (ret == 0 ? (r->error || strcmp(got, want) != 0 || strcmp(mask, "255.255.255.255") != 0)
				     : !r->error) {
				bad = 1;
				diag("%s: getaddrinfo %s \"%s\"; hba: error %s, address \"%s\"", addr,
				     ret == 0 ? "reads" : "rejects", want, r->error ? r->error : "none", got);
			}
		}
	}
	ok(!bad && count > 10000, "dotted quads: read as getaddrinfo reads them");
	ok(valid(150000, "host all all 10.1.2.3/24 md5\n"), "10.1.2.3/24");
	ok(valid(150000, "host all all 010.1.2.3 255.0.0.0 md5\n"), "010.1.2.3: octal to inet_aton, still an address");
	{
		char *k = key(150000, "host all all 010.1.2.3/32 md5\n");

		is_str(k, "host all all 8.1.2.3/32 md5", "010.1.2.3 is 8.1.2.3");
		free(k);
	}
}

/* hba_match on the first rule of text, read for version v. */
static int
match(int v, const char *text, const struct hba_conn *c)
{
	const struct hba_rule *r;

	r = parse(v, text);
	return r ? hba_match(r, c) : -2;
}

/* hba_match and hba_first_match: which rule decides a connection, as check_hba walks the file. */
static void
matching(void)
{
	struct hba_conn c = { .local = 0, .ssl = 0, .database = "ckan", .user = "ckan_default",
			      .addr = "10.1.2.3" };
	const struct hba_rule *r;
	int uncertain;

	is_int(match(150000, "host all all 10.0.0.0/8 md5\n", &c), 1, "host all all takes it");
	is_int(match(150000, "host ckan ckan_default 10.1.2.3/32 md5\n", &c), 1,
	       "by name and address");
	is_int(match(150000, "local all all trust\n", &c), 0, "local never takes TCP");
	is_int(match(150000, "hostssl all all all md5\n", &c), 0, "hostssl: not without SSL");
	is_int(match(150000, "hostnossl all all all md5\n", &c), 1, "hostnossl: without SSL");
	is_int(match(150000, "hostgssenc all all all md5\n", &c), 0, "never hostgssenc");
	is_int(match(150000, "host other all all md5\n", &c), 0, "another database");
	is_int(match(150000, "host \"all\" all all md5\n", &c), 0, "\"all\" is a name");
	is_int(match(150000, "host all all 192.168.0.0/16 md5\n", &c), 0,
	       "another network");
	is_int(match(150000, "host all +admins all md5\n", &c), -1, "+group: cannot tell");
	is_int(match(150000, "host samerole all all md5\n", &c), -1,
	       "samerole: cannot tell");
	is_int(match(160000, "host all /^ckan all md5\n", &c), -1, "a regex: cannot tell");
	is_int(match(150000, "host all all db.example.org md5\n", &c), -1,
	       "a host name: cannot tell");
	c.database = "ckan_default";
	is_int(match(150000, "host sameuser all all md5\n", &c), 1, "sameuser");
	c.ssl = 1;
	is_int(match(150000, "hostssl all all all md5\n", &c), 1, "hostssl: with SSL");
	is_int(match(150000, "hostnossl all all all md5\n", &c), 0, "hostnossl: not with SSL");
	c.local = 1;
	c.addr = NULL;
	is_int(match(150000, "local all all peer\n", &c), 1, "local takes the socket");
	is_int(match(150000, "host all all all md5\n", &c), 0, "host does not");

	parse(150000, "local all all peer\nhost other all all md5\nhost all +g all md5\n"
		      "host all all all scram-sha-256\n");
	c.local = 0;
	c.addr = "127.0.0.1";
	r = hba_first_match(&M, &c, &uncertain);
	ok(r && r->line == 3 && uncertain, "the first rule that may match decides, uncertain");
	parse(150000, "local all all peer\nhost all bad all md5 foo=bar\nhost all all all md5\n");
	c.user = "bad";
	r = hba_first_match(&M, &c, &uncertain);
	ok(r && r->line == 3 && !uncertain, "a rule with an error never matches");
	parse(150000, "local all all peer\n");
	ok(!hba_first_match(&M, &c, &uncertain), "no rule: the server refuses");
}

/*
 * hba_shadowing_rule: the rule before a point that takes every connection
 * a later one would, found by hba_first_match.  The last line of text is
 * the rule asked about; the ones above it are the earlier rules.
 */
static int
shadowed_by(const char *text)
{
	const struct hba_rule *r;

	parse(150000, text);
	if (M.n == 0)
		return -2;
	r = hba_shadowing_rule(&M, M.n - 1, &M.rules[M.n - 1]);
	return r ? r->line : 0;
}

static void
shadowing(void)
{
	static const struct {
		const char *text;	/* the earlier rules, then the one asked about */
		int line;		/* the rule named, 0 for none */
		const char *name;
	} cases[] = {
		{ "host ckan all 10.0.0.0/8 md5\nhost ckan u 10.1.0.0/16 md5\n",
		  1, "a network inside an earlier one" },
		{ "host ckan all 10.0.0.0/16 md5\nhost ckan u 10.0.0.0/8 md5\n",
		  0, "a network around an earlier one" },
		{ "host ckan all 10.0.0.0/25 md5\nhost ckan all 10.0.0.128/25 md5\n"
		  "host ckan u 10.0.0.0/24 md5\n",
		  0, "two halves take both ends but not by one rule: cannot tell, not shadowed" },
		{ "hostssl ckan all all md5\nhost ckan u 10.0.0.1/32 md5\n",
		  0, "hostssl leaves host's non-SSL connections" },
		{ "host ckan all all md5\nhostssl ckan u 10.0.0.1/32 md5\n",
		  1, "host takes hostssl's" },
		{ "hostnossl all all all md5\nhostssl all all all md5\nhost ckan u ::1/128 md5\n",
		  1, "both SSL cases taken: the first rule is named" },
		{ "host ckan,other all all md5\nhost ckan,other u 10.0.0.1/32 md5\n",
		  1, "each database of a list" },
		{ "host ckan all all md5\nhost ckan,other u 10.0.0.1/32 md5\n",
		  0, "a database the earlier rule lacks" },
		{ "host ckan all all md5\nhost all u 10.0.0.1/32 md5\n",
		  0, "all databases are not one" },
		{ "host all all all md5\nhost all u all md5\n",
		  1, "all within all" },
		{ "host sameuser all all md5\nhost all all all md5\n",
		  0, "sameuser does not take all databases" },
		{ "host all +admins all md5\nhost ckan u 10.0.0.1/32 md5\n",
		  0, "a +group: cannot tell" },
		{ "host ckan all 10.0.0.0/8 md5\nhost ckan +g 10.0.0.1/32 md5\n",
		  0, "a rule with a +group is not probed" },
		{ "local all all peer\nlocal ckan u md5\n",
		  1, "local within local" },
		{ "host all all all md5\nlocal ckan u md5\n",
		  0, "host never takes local" },
		{ "host all all all md5\nhost ckan u db.example.org md5\n",
		  0, "a host name is not probed" },
		{ "host ckan all 10.0.0.0/8 md5\nhost ckan u 10.0.0.0 255.0.255.0 md5\n",
		  0, "a non-contiguous mask is not probed" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_int(shadowed_by(cases[i].text), cases[i].line, cases[i].name);
}

int main(void)
{
	hba_init(&M, 150000);
	tokens();
	types();
	addresses();
	methods();
	options_();
	pg16();
	shadowing();
	spans();
	keys();
	warnings();
	files();
	quiet_lines();
	dotted_quads();
	matching();
	hba_free(&M);
	return done_testing();
}
