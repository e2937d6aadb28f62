/* Receipts (spec/receipt.schema.json): the statement a recipient signs for each package it
 * received, accepted or rejected with a reason, and how the sender checks one. */
#ifndef POUCH_RECEIPT_H
#define POUCH_RECEIPT_H

#include <stddef.h>
#include <time.h>

#include "crypto/digest.h"
#include "package/envelope.h"
#include "base/err.h"
#include "directory/home.h"
#include "base/uuid.h"
#include "base/validate.h"

#define POUCH_RECEIPT_MAX (64 * 1024) /* a receipt file is never larger */
#define POUCH_REASON_MAX 512          /* characters (code points) of a rejection's reason */

/* One receipt's body. */
struct pouch_receipt {
	char package[POUCH_UUID_LEN];         /* the package's id */
	char header_sha256[POUCH_SHA256_HEX]; /* SHA-256 of the package header's exact bytes */
	char sender[POUCH_CODE_MAX + 1];      /* the package's sender agency */
	struct pouch_party recipient;         /* who signs: agency and primary fingerprint */
	int accepted;                         /* 1 accepted, 0 rejected */
	char reason[POUCH_REASON_MAX * 4 + 1]; /* UTF-8; "" when accepted */
	time_t time;                          /* when the recipient decided */
};

/* The SHA-256 of len header bytes (the exact bytes an envelope's header member carries), as
 * lower-case hex into hex (POUCH_SHA256_HEX bytes): what a receipt's header_sha256 holds. */
int pouch_receipt_header_sha256(const char *header, size_t len, char *hex,
				struct pouch_err *err);

/* Makes our receipt for r->package: r's recipient is ignored and filled in from our identity
 * (our code and current key). r->reason must be "" when r->accepted, else 1 to
 * POUCH_REASON_MAX characters of UTF-8 without control characters; r->time must be set. The
 * body is signed with our current key (passphrase, borrowed, may be NULL: see
 * pouch_pgp_set_passphrase). *file receives the receipt file, one line of JSON and a newline,
 * *len bytes, NUL-terminated (caller frees). Returns 0, POUCH_E_USAGE for an invalid r,
 * POUCH_E_NOTINIT without an identity, POUCH_E_GPG and others when signing fails. */
int pouch_receipt_make(const struct pouch_home *home, const struct pouch_receipt *r,
		       const char *passphrase, char **file, size_t *len, struct pouch_err *err);

/* Verifies the receipt file of len bytes at file at time now: at most POUCH_RECEIPT_MAX
 * bytes, exactly the members of the file and of the body, each well formed; a good detached
 * signature over the body bytes by a key that pins, valid at now, to recipient.agency (a
 * partner's key, or ours: see pouch_signer_agency), and whose fingerprint is
 * recipient.fingerprint. On success r holds the body (zeroed otherwise). Whether the receipt
 * is for a package we know is the caller's to check (pouch_receipt_matches). Returns 0,
 * POUCH_E_VERIFY naming what is wrong ("receipt for package X is not genuine: ..."), or
 * another code when the home cannot be read (a corrupt directory fails closed). */
int pouch_receipt_verify(const struct pouch_home *home, const char *file, size_t len,
			 time_t now, struct pouch_receipt *r, struct pouch_err *err);

/* The parsing half of pouch_receipt_verify, without the signature check (and so without
 * gpg): the file's and the body's members, each well formed. On success r holds the body, NOT
 * verified: for tests and fuzzing; trust only what pouch_receipt_verify returns. Returns 0,
 * POUCH_E_VERIFY naming what is wrong, or POUCH_E_NOMEM. */
int pouch_receipt_parse(const char *file, size_t len, struct pouch_receipt *r,
			struct pouch_err *err);

/* Checks that the verified receipt r is for the package with header h whose header bytes have
 * the SHA-256 header_sha256 (hex): the same package id, header digest and sender agency, and a
 * recipient agency that h names (its fingerprint may differ from the header's: the recipient
 * may have rotated its key since). Returns 0 or POUCH_E_VERIFY naming the first difference. */
int pouch_receipt_matches(const struct pouch_receipt *r, const struct pouch_header *h,
			  const char *header_sha256, struct pouch_err *err);

/* r as one line of JSON for --json output (caller frees): {"package","header_sha256",
 * "sender","recipient":{"agency","fingerprint"},"verdict":"accepted"|"rejected",
 * "reason":null|STRING,"time"}. NULL when out of memory. */
char *pouch_receipt_json(const struct pouch_receipt *r);

#endif
