/* Inside the OpenPGP module only (pgp.c: contexts and keys; pgp_message.c: signatures and
 * messages; pgp_unwrap.c: inside a message's encryption): the context structure and helpers
 * they share. Includes gpgme.h. */
#ifndef POUCH_PGP_INTERNAL_H
#define POUCH_PGP_INTERNAL_H

#include <gpgme.h>

#include "pouch/pgp.h"

struct pouch_pgp {
	gpgme_ctx_t ctx;
	const char *passphrase;
	char *home; /* the GNUPGHOME, for messages */
};

/* GPGME's text for e, in buf. */
const char *pgp_strerror(gpgme_error_t e, char *buf, size_t len);

/* Sets err to "what: GPGME's text" with code; returns code. */
int pgp_fail(struct pouch_err *err, int code, const char *what, gpgme_error_t e);

/* Describes key in info: primary fingerprint, first user ID, capabilities of usable subkeys. */
void pgp_fill_info(gpgme_key_t key, struct pouch_key_info *info);

/* Refuses a message in in_fd (seekable; read from its offset, which is kept) with a compressed
 * data packet anywhere, or a packet other than signatures, markers or padding before or after
 * its one literal data: gpg unwraps the encryption (pgp_unwrap.c). Returns 0 also when the
 * message cannot be unwrapped (the decryption proper says why), POUCH_E_VERIFY, POUCH_E_GPG or
 * POUCH_E_IO. */
int pgp_refuse_compressed(struct pouch_pgp *pgp, int in_fd, struct pouch_err *err);

#endif
