/* OpenPGP through GPGME: the only module that includes gpgme.h. One struct pouch_pgp is one
 * GPGME context bound to one GNUPGHOME, with network key lookup and automatic key import off.
 * Keys are always chosen by full primary fingerprint, never by user ID, key ID or pattern, and
 * a fingerprint that more than one certificate holds is an error (POUCH_E_CORRUPT), never a
 * choice. */
#ifndef POUCH_PGP_H
#define POUCH_PGP_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/progress.h"
#include "base/validate.h"

struct pouch_pgp;

/* What pouch needs to know of one OpenPGP key. */
struct pouch_key_info {
	char fpr[POUCH_FPR_LEN + 1]; /* primary key fingerprint, upper case */
	char uid[256];               /* first user ID, escaped for printing */
	time_t created;
	time_t expires;              /* 0: does not expire */
	int secret;                  /* secret key material is present */
	int revoked, expired, disabled, invalid;
	int can_sign;                /* a usable primary key or subkey can sign */
	int can_encrypt;             /* a usable subkey (or primary) can encrypt */
};

/* Opens a context on gnupghome (one thread at a time uses it). The first home a process opens is
 * its home: GPGME's default from then on, and its keyring listed once for the whole run, shared
 * by every context on it in every thread, listed again when pouch changes the keyring, when its
 * files change on disk, or when a key in it reaches its expiry time. Another home's keys are
 * listed once per context, on the same terms. Returns 0, POUCH_E_NOMEM or POUCH_E_GPG. */
int pouch_pgp_new(const char *gnupghome, struct pouch_pgp **out, struct pouch_err *err);

/* Releases pgp (NULL allowed). */
void pouch_pgp_free(struct pouch_pgp *pgp);

/* Makes later operations that need the secret key take this passphrase through loopback
 * pinentry instead of asking gpg-agent's pinentry. The string is borrowed: it must outlive
 * pgp, and the caller wipes it. NULL returns to gpg-agent's pinentry (pouch_pgp_open never
 * uses it). */
void pouch_pgp_set_passphrase(struct pouch_pgp *pgp, const char *passphrase);

/* Reports the plaintext pouch_pgp_open writes to progress (NULL: none), as bytes done of its
 * max_plain. The callback is borrowed: it must outlive pgp. */
void pouch_pgp_set_progress(struct pouch_pgp *pgp, const struct pouch_progress *progress);

/* Generates an agency key: an ed25519 primary key (sign, certify) with a cv25519 encryption
 * subkey, both expiring after expires_in seconds (0: never), user ID uid. With protect unset
 * the secret key has no passphrase. The new primary fingerprint goes to fpr. On failure
 * nothing is left in the keyring. */
int pouch_pgp_generate(struct pouch_pgp *pgp, const char *uid, long long expires_in,
		       int protect, char *fpr, struct pouch_err *err);

/* Lists the keys in buf (armored or binary) without importing them. *keys receives a newly
 * allocated array of *n entries (caller frees). An unreadable buffer is POUCH_E_VERIFY. */
int pouch_pgp_inspect(struct pouch_pgp *pgp, const char *buf, size_t len,
		      struct pouch_key_info **keys, size_t *n, struct pouch_err *err);

/* Imports the public key in buf and requires that no secret key was read and, with expect_fpr
 * set, that exactly the key expect_fpr was considered. Before anything is imported, refuses
 * (POUCH_E_REFUSED, keyring unchanged) a certificate that holds one key twice or a key, by
 * fingerprint or keygrip, that another certificate (in buf or in the keyring) holds: such a
 * certificate would make lookups ambiguous or take over another agency's key. Returns 0,
 * POUCH_E_REFUSED, POUCH_E_VERIFY or POUCH_E_GPG. */
int pouch_pgp_import_key(struct pouch_pgp *pgp, const char *buf, size_t len,
			 const char *expect_fpr, struct pouch_err *err);

/* Imports a revocation certificate (or a key carrying one). The caller learns which key it
 * revoked, if any, by looking the keys up afterwards. Secret key material is POUCH_E_VERIFY.
 * Use it on a scratch keyring first. */
int pouch_pgp_import_revocation(struct pouch_pgp *pgp, const char *buf, size_t len,
				struct pouch_err *err);

/* Looks up the key with primary fingerprint fpr in the keyring (secret set: the secret key).
 * A missing key is POUCH_E_NOTFOUND; one held by more than one certificate POUCH_E_CORRUPT. */
int pouch_pgp_key(struct pouch_pgp *pgp, const char *fpr, int secret,
		  struct pouch_key_info *info, struct pouch_err *err);

/* Exports the public keys named in fprs (n of them) armored and minimal into *out
 * (NUL-terminated, caller frees). */
int pouch_pgp_export(struct pouch_pgp *pgp, const char *const *fprs, size_t n, char **out,
		     size_t *len, struct pouch_err *err);

/* Deletes the key fpr from the keyring, with its secret part when secret is set. A missing
 * key is not an error. */
int pouch_pgp_delete(struct pouch_pgp *pgp, const char *fpr, int secret, struct pouch_err *err);

/* Signs len bytes at buf with our secret key signer (primary fingerprint), as one detached
 * binary signature in *sig (*siglen bytes, caller frees). Requires exactly one new signature
 * over a SHA-256 or stronger digest, and no invalid signer. */
int pouch_pgp_sign_detached(struct pouch_pgp *pgp, const char *signer, const void *buf,
			    size_t len, char **sig, size_t *siglen, struct pouch_err *err);

/* Checks a detached signature over buf by the rules of ../shared/OPENPGP.md (steps 4 to 7 short
 * of pinning): exactly one signature, over a SHA-256 or stronger digest, status good, right key
 * usage, not of validity never, a full fingerprint held by one certificate, a key that is not
 * revoked, expired, disabled or invalid. The primary
 * fingerprint of the signing key goes to signer (41 bytes): the caller compares it with the
 * fingerprint the partner directory pins. Anything else is POUCH_E_VERIFY. */
int pouch_pgp_verify_detached(struct pouch_pgp *pgp, const void *buf, size_t len,
			      const void *sig, size_t siglen, char *signer, struct pouch_err *err);

/* Reads plaintext from in_fd (a pipe, say) and writes to out_fd one binary OpenPGP message
 * signed by signer and encrypted to the n keys in recipients (primary fingerprints), streaming
 * in 1 MiB pieces. Requires no invalid recipient or signer and exactly one new signature, over
 * SHA-256 or stronger. The message's SHA-256, taken as it is written, goes to sha256 (hex,
 * POUCH_SHA256_HEX bytes) and its size to *size, when they are not NULL. out_fd is written
 * from its offset, its writeback started as it goes (the caller still fsyncs). The
 * descriptors stay open. */
int pouch_pgp_seal(struct pouch_pgp *pgp, const char *signer, const char *const *recipients,
		   size_t n, int in_fd, int out_fd, char *sha256, unsigned long long *size,
		   struct pouch_err *err);

/* Decrypts the OpenPGP message read from in_fd (a regular file or memfd at offset 0) into
 * out_fd (a private temporary file the caller owns), refusing a compressed message (a second
 * pass unwraps the encryption and reads every packet, the literal data passed over) and more
 * than max_plain bytes of plaintext, and checks it by the rules of ../shared/OPENPGP.md (steps
 * 2 to 7 short of pinning): no error at all (NO_DATA included), an integrity-protected cipher,
 * exactly one good signature by a valid key. A message encrypted with a passphrase is
 * POUCH_E_REFUSED before GnuPG runs, and no passphrase is ever asked for: our key's comes only
 * from pouch_pgp_set_passphrase or gpg-agent's cache. The signing key's primary fingerprint
 * goes to signer and the signature's creation time to *signed_at. On POUCH_E_VERIFY the caller
 * must discard out_fd's content: it may hold part of a plaintext that failed. */
int pouch_pgp_open(struct pouch_pgp *pgp, int in_fd, int out_fd, unsigned long long max_plain,
		   char *signer, time_t *signed_at, struct pouch_err *err);

/* As pouch_pgp_open, the plaintext handed to fn(arg, buf, len) in pieces of up to 1 MiB as it
 * is decrypted, none of it trusted until this returns 0 (a negative return from fn fails the
 * decryption with POUCH_E_IO). The message is read with pread from in_fd's offset, which is
 * kept. The pass that refuses compression runs in a thread beside the decryption. */
int pouch_pgp_open_to(struct pouch_pgp *pgp, int in_fd,
		      int (*fn)(void *arg, const void *buf, size_t len), void *arg,
		      unsigned long long max_plain, char *signer, time_t *signed_at,
		      struct pouch_err *err);

/* The versions of GPGME and of the gpg program it runs (static strings; *gpg is NULL when
 * GPGME finds no gpg). */
void pouch_pgp_versions(const char **gpgme, const char **gpg);

#endif
