/* Verifying a package on arrival (spec/envelope.md section 5): no private key needed. */
#ifndef POUCH_VERIFY_H
#define POUCH_VERIFY_H

#include <time.h>

#include "package/envelope.h"
#include "base/err.h"
#include "directory/home.h"

/* The clock skew allowed between agencies, in seconds. */
#define POUCH_CLOCK_SKEW 60

struct pouch_verified {
	struct pouch_header h;       /* the verified header */
	struct pouch_envelope env;   /* the envelope as read */
	char *payload_path;          /* the detached payload file, or NULL when inline */
};

/* Verifies the package whose envelope is at path, at time now: its header signature by a key
 * the partner directory (or our own identity) pins for the sender the header names, in a valid
 * state; the header's strict form; the payload's size and SHA-256; created not in the future
 * (60 s of skew) and expires in the future. POUCH_E_VERIFY says why not, naming the package
 * ("package 'PATH' is not genuine: ..."); a genuine package past its expiry is POUCH_E_EXPIRED
 * ("package 'PATH' expired on TIME"); POUCH_E_IO and others are operational. On success v holds
 * the result (release it). */
int pouch_package_verify(const struct pouch_home *home, const char *path, time_t now,
			 struct pouch_verified *v, struct pouch_err *err);

/* What the inbox recorded of a package it verified on arrival. */
struct pouch_arrival {
	time_t received;           /* when it was verified into the inbox */
	const char *header_sha256; /* the SHA-256 of its header bytes then */
};

/* As pouch_package_verify, for a package from the inbox (arrival not NULL): its header must be
 * the one verified on arrival (else POUCH_E_VERIFY), and its times are checked against when it
 * arrived: its sender's expiry bounds delivery, not reading. Keys are still checked at now (a
 * key revoked since stops it). arrival NULL: pouch_package_verify. */
int pouch_package_verify_arrived(const struct pouch_home *home, const char *path, time_t now,
				 const struct pouch_arrival *arrival, struct pouch_verified *v,
				 struct pouch_err *err);

void pouch_verified_release(struct pouch_verified *v);

/* Checks that the payload's inner signature, made at signed_at, belongs to the package h: no
 * earlier than h->created less the clock skew, and no later than the clock skew plus one second
 * a MiB of payload after it (GnuPG dates the signature when the sealed stream ends).
 * POUCH_E_VERIFY otherwise. */
int pouch_signed_in_time(const struct pouch_header *h, time_t signed_at, struct pouch_err *err);

struct pouch_pgp;

/* The agency whose pinned key signer (a primary fingerprint) is: our own identity's keys (a
 * retired one until its verify_until) or a partner's. Returns 0 when a key valid at now pins it
 * (agency set), 1 when nobody pins it, 2 when the pinning key is not valid at now (agency set,
 * state names why: see pouch_key_state_name; 16 bytes), < 0 on an error (a corrupt directory
 * fails closed). */
int pouch_signer_agency(const struct pouch_home *home, struct pouch_pgp *pgp, const char *signer,
			time_t now, char *agency, char *state, struct pouch_err *err);

/* Checks the detached signature sig (siglen bytes) over len bytes at buf and pins its key: a
 * good signature (pouch_pgp_verify_detached) by a key pouch_signer_agency pins with a valid key
 * at now. signer (41 bytes) and agency (POUCH_CODE_MAX + 1) receive who signed. POUCH_E_VERIFY
 * says "WHAT does not verify: ...", "signed by key F, which no partner in the directory pins"
 * or "signed by key F of AGENCY, which is STATE"; other codes are operational. */
int pouch_signature_check(const struct pouch_home *home, struct pouch_pgp *pgp, const char *what,
			  const void *buf, size_t len, const void *sig, size_t siglen, time_t now,
			  char *signer, char *agency, struct pouch_err *err);

/* A good package's verdict as one line of JSON (caller frees; spec/cli/pouch-verify.schema.json):
 * {"verdict":"good","path":PATH,"id","sender","fingerprint" (the signing key's),"recipients"
 * (codes),"keys" (the keys it is encrypted to),"priority","created","expires","payload"}. NULL
 * when out of memory. */
char *pouch_verdict_json(const char *path, const struct pouch_verified *v);

#endif
