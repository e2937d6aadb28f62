/* Opening a package addressed to us (spec/envelope.md section 6), and the record of the
 * package ids already opened (seen/ID in the home). */
#ifndef POUCH_OPEN_H
#define POUCH_OPEN_H

#include <time.h>

#include "pouch/err.h"
#include "pouch/home.h"
#include "pouch/verify.h"

struct pouch_opened {
	struct pouch_verified v; /* the verified package */
	char *dir;               /* where it was extracted */
	time_t seen_before;      /* when this same package was first opened; 0: never */
};

/* Verifies the package at path as pouch_package_verify does, requires that it is addressed to
 * us (or sent by us), decrypts it into a private temporary file with the plaintext capped at
 * the payload's size, requires the inner signature by the same pinned sender key, checks
 * pouch.json's binding against the header and the attachments against pouch.json, and only
 * then moves the result into out_dir (made here, mode 0700; files 0600; NULL: ./ID) and
 * records the id as seen. A different package reusing a seen id is POUCH_E_REFUSED as a
 * conflict. On failure nothing is written and nothing recorded. passphrase: for our key
 * (NULL: gpg-agent asks). */
int pouch_package_open(const struct pouch_home *home, const char *path, const char *out_dir,
		       const char *passphrase, time_t now, struct pouch_opened *res,
		       struct pouch_err *err);

/* Checks the len bytes of pouch.json at manifest (outside input: the signed plaintext's first
 * entry) against the verified header h and the attachments extracted into dir: valid JSON,
 * exactly the members of spec/envelope.md section 3, binding what h says, and listing exactly
 * the files in dir with their sizes and digests. The step of pouch_package_open after
 * extraction, on its own for tests and fuzzing. Returns 0, POUCH_E_VERIFY naming what is
 * wrong, POUCH_E_IO or POUCH_E_NOMEM. */
int pouch_manifest_check(const char *manifest, size_t len, const struct pouch_header *h,
			 const char *dir, struct pouch_err *err);

void pouch_opened_release(struct pouch_opened *res);

/* {"id","sender","dir","seen_before"} of an opened package, one line (caller frees); NULL when
 * out of memory. */
char *pouch_opened_json(const struct pouch_opened *res);

#endif
