/* Our agency's identity: creating it with its key, rotating the key, exporting it. */
#ifndef POUCH_IDENTITY_H
#define POUCH_IDENTITY_H

#include <stddef.h>

#include "pouch/agency.h"
#include "pouch/err.h"
#include "pouch/home.h"

struct pouch_key_opts {
	long long expires_in;   /* seconds; 0: never */
	int protect;            /* 0: no passphrase on the secret key */
	const char *passphrase; /* borrowed; NULL with protect: gpg-agent's pinentry asks */
};

/* Creates the home (0700) if needed and a new identity in it: an ed25519 + cv25519 key with
 * user ID "NAME (pouch agency CODE)". An existing identity is POUCH_E_EXISTS unless force;
 * with force it is replaced (its key stays in the keyring, unused). On failure the home is as
 * it was: whatever directories this call created are removed again. The record goes to *out. */
int pouch_identity_create(const struct pouch_home *h, const char *code, const char *name,
			  const struct pouch_key_opts *ko, int force, struct pouch_agency *out,
			  struct pouch_err *err);

/* Loads the identity of an initialised home (POUCH_E_NOTINIT otherwise). */
int pouch_identity_load(const struct pouch_home *h, struct pouch_agency *out,
			struct pouch_err *err);

/* Generates a new key for a, retires the current one (verifiable for overlap more seconds)
 * and saves the record. The new key becomes current; *out_fpr receives its fingerprint. */
int pouch_identity_rotate(const struct pouch_home *h, struct pouch_agency *a,
			  const struct pouch_key_opts *ko, long long overlap, char *out_fpr,
			  struct pouch_err *err);

/* Exports our current public key, armored, into *out (caller frees). */
int pouch_identity_export(const struct pouch_home *h, const struct pouch_agency *a, char **out,
			  size_t *len, struct pouch_err *err);

#endif
