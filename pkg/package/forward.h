/* Forwarding an opened package to new recipients (spec/forward.md): the handling rules decide,
 * and the new package carries its provenance inside the encryption. */
#ifndef POUCH_FORWARD_H
#define POUCH_FORWARD_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/uuid.h"
#include "directory/home.h"
#include "package/envelope.h"
#include "package/pack.h"

struct pouch_forward_req {
	const char *dir;          /* the opened package's directory (pouch open's output) */
	const char *permission;   /* path of a permission file (spec/permission.md), or NULL */
	struct pouch_pack_req pack; /* to, expires_in, no_self, outputs, passphrase, progress;
				     * report and priority are the original's */
};

struct pouch_forwarded {
	char id[POUCH_UUID_LEN];            /* the new package */
	char original[POUCH_UUID_LEN];      /* the package forwarded */
	char sender[POUCH_CODE_MAX + 1];    /* its sender */
	char originator[POUCH_CODE_MAX + 1]; /* the agency the intelligence came from */
	char grantee[POUCH_CODE_MAX + 1];   /* the agency a permission allowed, or "" */
	char priority[16];                  /* the original's, which the new package keeps */
};

/* Forwards the package opened in req->dir to req->pack.to: checks the origin's header
 * signature against the pinned key of its sender, that pouch.json binds that header, that this
 * home opened that package (its seen record), and the attachments against pouch.json's list;
 * checks a permission when given (signed by the originator's pinned key, for the original
 * package, granting one of the new recipients, in force); applies the handling rules
 * (pouch_handling_forward_check) to every new recipient; and only then packs the report and
 * attachments unchanged, with the original's priority, into a new package that carries the
 * provenance. A rule or a permission that refuses is POUCH_E_REFUSED naming it. res (filled
 * as far as known, also on refusal) names what happened. */
int pouch_forward(const struct pouch_home *home, const struct pouch_forward_req *req,
		  time_t now, struct pouch_forwarded *res, struct pouch_err *err);

#endif
