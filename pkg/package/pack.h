/* Packing: a report and its attachments become one sealed package (spec/envelope.md). */
#ifndef POUCH_PACK_H
#define POUCH_PACK_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/progress.h"
#include "directory/home.h"
#include "base/uuid.h"

#include "report/report.h"

struct pouch_pack_req {
	const char *const *to;     /* recipient agency codes */
	size_t nto;
	const char *report;        /* path of the report (spec/report.md) */
	const char *const *attach; /* paths of the attachments */
	size_t nattach;
	const char *priority;      /* NULL, or what the report's priority.level must be */
	long long expires_in;      /* seconds from now */
	int no_self;               /* do not encrypt to our own key as well */
	const char *out_dir;       /* where the package goes */
	const char *out_file;      /* or NULL: the envelope's path instead of out_dir/ID.pouch */
	const char *passphrase;    /* for our key; NULL: gpg-agent asks */
	struct pouch_progress progress; /* bytes of report and attachments archived; or none */
	struct pouch_report_errors *report_errors; /* out: an invalid report's errors; or NULL */
	char *priority_used;       /* out: the package's priority (16 bytes); or NULL */
	const char *provenance;    /* pouch.json's provenance (a JSON object's text; a forward's,
				    * spec/forward.md), or NULL */
	char *envelope_sha256;     /* out: the SHA-256 of the envelope file's bytes as written
				    * (POUCH_SHA256_HEX bytes); or NULL */
};

/* Packs req into out_dir/ID.pouch (and out_dir/ID.pouch.pgp when the payload is larger than
 * POUCH_INLINE_MAX), or with out_file set into out_file (and ID.pouch.pgp in its directory: a
 * verifier looks for the detached payload only under that name), streaming: no existing file
 * is ever replaced (POUCH_E_EXISTS); no attachment or payload is held whole in memory. Every
 * recipient must be in the partner directory with a valid key; attachments keep their base
 * names, which must be valid and distinct. The report must be valid (spec/report.md;
 * POUCH_E_REFUSED, its errors in req->report_errors); its attachments list is filled in or must
 * match the files; the header takes its priority (and req->priority, when set, must equal it:
 * POUCH_E_USAGE). Nothing is left in out_dir on failure; the package's
 * files appear complete or not at all. The package id goes to id. */
int pouch_pack(const struct pouch_home *home, const struct pouch_pack_req *req, time_t now,
	       char *id, struct pouch_err *err);

#endif
