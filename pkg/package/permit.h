/* Permissions (spec/permission.md): the originator of a package allows one agency to receive
 * it onward, in a document signed with the originator's key. */
#ifndef POUCH_PERMIT_H
#define POUCH_PERMIT_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/uuid.h"
#include "directory/home.h"
#include "package/envelope.h"

#define POUCH_PERMISSION_MAX (64 * 1024) /* a permission file is never larger */

struct pouch_permission {
	char id[POUCH_UUID_LEN];            /* the package */
	char sender[POUCH_CODE_MAX + 1];    /* its sender: the originator */
	char grantee[POUCH_CODE_MAX + 1];   /* the agency that may receive it onward */
	struct pouch_party originator;      /* who signed: agency and key */
	time_t issued, expires;
};

/* Makes a permission for our own package id to grantee, expiring expires_in seconds after now,
 * signed with our current key (passphrase: NULL lets gpg-agent ask). The permission file's text
 * goes to *file (*len bytes; caller frees); its fields to p when not NULL. */
int pouch_permission_make(const struct pouch_home *home, const char *id, const char *grantee,
			  long long expires_in, const char *passphrase, time_t now, char **file,
			  size_t *len, struct pouch_permission *p, struct pouch_err *err);

/* Checks the permission file's len bytes at file: its signature good and made by the key the
 * partner directory (or our identity) pins, valid at now, for the agency the permission names
 * as its originator, with that exact fingerprint; the body strict; the package sender and id
 * those given; the grantee the one given (NULL: any, the caller checks p->grantee); issued not in the future and not expired at now.
 * Fails closed: anything else is POUCH_E_REFUSED ("permission ... is refused: WHY"), or an
 * operational code. On success p holds the fields. */
int pouch_permission_check(const struct pouch_home *home, const char *file, size_t len,
			   const char *sender, const char *id, const char *grantee, time_t now,
			   struct pouch_permission *p, struct pouch_err *err);

/* The permission's fields as one line of JSON (caller frees; spec/cli/pouch-permit.schema.json);
 * NULL when out of memory. */
char *pouch_permission_json(const struct pouch_permission *p);

#endif
