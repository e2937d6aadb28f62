/* The audit entries of the changes of trust: our identity and keys (init, key rotate, key add),
 * the partner directory (partner add, add-key, set, revoke, remove) and our endpoint (endpoint
 * set). docs/audit.md lists what each records. */
#ifndef POUCH_TRUST_H
#define POUCH_TRUST_H

#include <stddef.h>

#include "audit/audit.h"
#include "directory/agency.h"
#include "directory/partner.h"

/* Appends e to the audit trail, stamped now. The change is made already: when the entry cannot
 * be written, says so and returns EXIT_OPERATIONAL, else EXIT_OK. */
int trust_record(const struct pouch_audit_entry *e);

/* The fingerprints of keys (n of them), comma-separated, into buf (size bytes); the current
 * one of an agency's: see trust_agency_key. Returns buf. */
const char *trust_partner_keys(const struct pouch_partner *p, char *buf, size_t size);

/* The fingerprint of a's current (not retired) key, or NULL. */
const char *trust_agency_key(const struct pouch_agency *a);

#endif
