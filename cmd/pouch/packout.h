/* What pack and forward share: where -o puts a new package, and the steps after it is made
 * (the audit record, the result on stdout). */
#ifndef POUCH_PACKOUT_H
#define POUCH_PACKOUT_H

#include <stddef.h>
#include <time.h>

#include "audit/audit.h"
#include "package/pack.h"

/* Where -o points: an existing directory keeps ID.pouch (req->out_dir), anything else names
 * the new package file (req->out_file), which must not exist and whose directory must.
 * Returns an exit status, the error printed. */
int cli_pack_output(const char *out, struct pouch_pack_req *req);

/* The codes joined by commas, as the audit trail takes them (caller frees); NULL when out of
 * memory. */
char *cli_codes_join(const char *const *to, size_t n);

/* After pouch_pack made package id as req says: records e (its id and digest filled here) in
 * the audit trail, removing the package again when that fails (without a record there is no
 * package), then prints the id (or with --json {"id","path","detached"} and extra members
 * when extra is not NULL: JSON members text, "\"k\":v,...") and a note. Returns an exit status. */
int cli_pack_done(const struct pouch_pack_req *req, const char *id, struct pouch_audit_entry *e,
		  const char *pass, time_t now, const char *extra);

/* Records a refusal in the audit trail: event, id and agency (either may be NULL), verdict
 * "refused", the reason err's message. A failure to record is warned about. */
void cli_audit_refusal(const char *event, const char *id, const char *agency,
		       const struct pouch_err *err, time_t now);

#endif
