/* pouch.json, the signed plaintext's first entry (spec/envelope.md section 3), checked against
 * the verified header: its binding, its salt, its SHA-256 and its attachment list. */
#ifndef POUCH_MANIFEST_H
#define POUCH_MANIFEST_H

#include <stddef.h>

#include "base/err.h"
#include "base/json.h"
#include "package/archive.h"
#include "package/envelope.h"

#define POUCH_MANIFEST_ATTACHMENTS_MAX 1024 /* attachments a package may list */

/* What the extraction needs to check pouch.json, and what pouch.json lists. */
struct pouch_listing {
	const struct pouch_header *h;     /* the verified header (borrowed) */
	json_t *m;                        /* pouch.json, parsed */
	struct pouch_archive_file *files; /* borrowing m's strings */
};

/* The list callback of pouch_archive_extract, ctx a struct pouch_listing: checks the len bytes
 * of pouch.json at manifest (outside input) against ctx->h as pouch_manifest_check does and
 * gives the attachments the archive must hold. Release ctx with pouch_listing_release. */
int pouch_manifest_list(void *ctx, const char *manifest, size_t len,
			const struct pouch_archive_file **files, size_t *n, struct pouch_err *err);

void pouch_listing_release(struct pouch_listing *l);

/* Checks the len bytes of pouch.json at manifest (outside input: the signed plaintext's first
 * entry) against the verified header h: valid JSON, exactly the members of spec/envelope.md
 * section 3, binding what h says, a salt, bytes whose SHA-256 is h's content digest, a
 * well-formed attachment list and a valid report that agrees with h and the list. The step of
 * pouch_package_open before any attachment is extracted (which then holds the archive to the
 * list), and of a forward and a provenance check on the pouch.json they hold. Returns 0,
 * POUCH_E_VERIFY naming what is wrong or POUCH_E_NOMEM. */
int pouch_manifest_check(const char *manifest, size_t len, const struct pouch_header *h,
			 struct pouch_err *err);

#endif
