/* Opening a package addressed to us (spec/envelope.md section 6), and the record of the
 * packages already opened (seen/SENDER.ID in the home). */
#ifndef POUCH_OPEN_H
#define POUCH_OPEN_H

#include <time.h>

#include "base/err.h"
#include "base/progress.h"
#include "directory/home.h"
#include "package/manifest.h"
#include "package/verify.h"

struct pouch_opened {
	struct pouch_verified v; /* the verified package */
	char *dir;               /* where it was extracted */
	time_t seen_before;      /* when this same package was first opened; 0: never */
};

/* Verifies the package at path as pouch_package_verify does, requires that it is addressed to
 * us (or sent by us), decrypts it into a private temporary file with the plaintext capped at
 * the payload's size, requires the inner signature by the same pinned sender key, checks
 * pouch.json's binding against the header and the attachments against pouch.json, and only
 * then records (sender, id) as seen and moves the result into out_dir (made here, mode 0700;
 * files 0600; NULL: ./ID). An id belongs to its sender: the same id from another sender is
 * another package. A different package from the same sender under a seen id is
 * POUCH_E_REFUSED as a conflict; the check and the record are one atomic step taken before
 * the move, so of two opens racing with different packages under one id exactly one succeeds,
 * and the other writes nothing. Two opens of the same package at once both succeed (into their
 * own directories), one of them with seen_before set. A record made before records were per
 * sender (seen/ID) still counts: a different package under its id is a conflict, whoever sent
 * it. On failure nothing is written and nothing recorded. passphrase: for our key (NULL:
 * gpg-agent asks). progress (NULL: none) follows the decryption, in bytes of plaintext of at
 * most the payload's size. */
int pouch_package_open(const struct pouch_home *home, const char *path, const char *out_dir,
		       const char *passphrase, const struct pouch_progress *progress, time_t now,
		       struct pouch_opened *res, struct pouch_err *err);

/* As pouch_package_open, for a package from the inbox: arrival (not NULL) is what the inbox
 * recorded when it verified the package on arrival (pouch_package_verify_arrived), so that a
 * package verified in time still opens after its sender's expiry. */
int pouch_package_open_arrived(const struct pouch_home *home, const char *path,
			       const char *out_dir, const char *passphrase,
			       const struct pouch_progress *progress, time_t now,
			       const struct pouch_arrival *arrival, struct pouch_opened *res,
			       struct pouch_err *err);

/* When the package from sender with id, whose header bytes have the SHA-256 digest, was first
 * opened here (its seen/ record), into *when; 0 when never (or when another package under its
 * id was). Returns 0 or an error reading the record. */
int pouch_package_opened(const struct pouch_home *home, const char *sender, const char *id,
			 const char *digest, time_t *when, struct pouch_err *err);

void pouch_opened_release(struct pouch_opened *res);

/* {"id","sender","path","seen_before"} of an opened package, one line (caller frees); NULL when
 * out of memory. */
char *pouch_opened_json(const struct pouch_opened *res);

#endif
