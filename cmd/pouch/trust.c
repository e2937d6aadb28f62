/* The audit entries of the changes of trust. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "trust.h"

int trust_record(const struct pouch_audit_entry *e)
{
	struct pouch_err err = { 0 };

	if (pouch_audit_append(&cli.home, e, time(NULL), &err) < 0) {
		pouch_fail(&err);
		pouch_error("the %s is made but not recorded in the audit trail", e->event);
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

const char *trust_partner_keys(const struct pouch_partner *p, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	/* Whole fingerprints only: the list stops at the last one that fits. */
	for (i = 0; i < p->nkeys && len + strlen(p->keys[i].fpr) + 2 <= size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "",
					p->keys[i].fpr);
	return buf;
}

const char *trust_agency_key(const struct pouch_agency *a)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (!a->keys[i].retired)
			return a->keys[i].fpr;
	return a->nkeys ? a->keys[a->nkeys - 1].fpr : NULL;
}
