/*
 * hba-model-dump.h: everything a tool reads from a pg_hba.conf model, as
 * one string, for tests that compare two ways of reading a file (the unit
 * test and the fuzz target: the shortcuts against the general path).
 */
#ifndef CKP_HBA_MODEL_DUMP_H
#define CKP_HBA_MODEL_DUMP_H

#include <string.h>

#include "buf.h"
#include "diag.h"
#include "hba.h"

static void hba_dump_model(const struct hba_model *m, struct buf *out)
{
	size_t i, k;

	buf_reset(out);
	buf_printf(out, "n=%zu\n", m->n);
	for (i = 0; i < m->n; i++) {
		const struct hba_rule *r = &m->rules[i];
		char addr[256], mask[256];

		hba_rule_view_address(r, addr, sizeof addr, mask, sizeof mask);
		buf_printf(out, "%d-%d off=%zu len=%zu lead=%zu type=%d inc=%s addr=%s mask=%s view=%s/%s method=%s err=%s parsed=%d silent=%d\n",
			   r->line, r->last_line, r->off, r->len, r->lead_off, r->type,
			   r->include_kind ? r->include_kind : "-", r->address ? r->address : "-",
			   r->mask ? r->mask : "-", addr, mask, r->method ? r->method : "-",
			   r->error ? r->error : "-", r->parsed, r->silent);
		for (k = 0; k < r->databases.n; k++)
			buf_printf(out, " db[%s]%d", r->databases.tok[k].text, r->databases.tok[k].quoted);
		for (k = 0; k < r->users.n; k++)
			buf_printf(out, " user[%s]%d", r->users.tok[k].text, r->users.tok[k].quoted);
		for (k = 0; k < r->nopts; k++)
			buf_printf(out, " opt[%s=%s]", r->opts[k].name, r->opts[k].value);
		for (k = 0; k < r->nwarnings; k++)
			buf_printf(out, " warn[%s]", r->warnings[k]);
		buf_addc(out, '\n');
	}
}

/* data read as one file for version, with (general = 0) or without the
 * shortcuts, then validated and dumped; a refused file dumps its error. */
static void hba_dump_parse(int version, int general, const char *text, size_t len, struct buf *out)
{
	struct hba_model m;
	struct diag_err err;

	hba_init(&m, version);
	m.general = general;
	memset(&err, 0, sizeof err);
	if (hba_parse_buf(&m, "t.conf", text, len, &err) < 0) {
		buf_reset(out);
		buf_printf(out, "rc=-1 %s", err.msg);
	} else {
		hba_validate(&m, NULL);
		hba_dump_model(&m, out);
	}
	hba_free(&m);
}

#endif
