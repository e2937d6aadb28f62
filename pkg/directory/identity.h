/* Our agency's identity: creating it with its key, rotating the key, exporting it. A gateway
 * home (pouchd's) holds the agency's public key only: it verifies, it never signs or decrypts. */
#ifndef POUCH_IDENTITY_H
#define POUCH_IDENTITY_H

#include <stddef.h>

#include "directory/agency.h"
#include "base/err.h"
#include "directory/home.h"

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

/* Creates a gateway home for agency code (name: its name, NULL for the code): like
 * pouch_identity_create, but instead of generating a key it imports the agency's public key from
 * key_file, vetted as a partner's key is (pouch_directory_import_key: one public key, able to sign,
 * with a usable encryption subkey, not expired or revoked), which must have fingerprint fpr
 * (required: POUCH_E_USAGE without it). agency.json is marked "gateway": true. On failure the
 * home is as it was. */
int pouch_identity_create_gateway(const struct pouch_home *h, const char *code, const char *name,
				  const char *key_file, const char *fpr, int force,
				  struct pouch_agency *out, struct pouch_err *err);

/* Requires an identity that holds our secret key, for what signs or decrypts: a gateway home
 * is POUCH_E_NOTINIT with "this home is a gateway for CODE: it holds no secret key"; a home
 * without an identity POUCH_E_NOTINIT as for pouch_identity_load. */
int pouch_identity_require_secret(const struct pouch_home *h, struct pouch_err *err);

/* Loads the identity of an initialised home (POUCH_E_NOTINIT otherwise). */
int pouch_identity_load(const struct pouch_home *h, struct pouch_agency *out,
			struct pouch_err *err);

/* Generates a new key for a, retires the current one (verifiable for overlap more seconds)
 * and saves the record. The new key becomes current; *out_fpr receives its fingerprint. A
 * gateway home is refused as by pouch_identity_require_secret. */
int pouch_identity_rotate(const struct pouch_home *h, struct pouch_agency *a,
			  const struct pouch_key_opts *ko, long long overlap, char *out_fpr,
			  struct pouch_err *err);

/* In a gateway home, follows the agency's key rotation: imports its new public key from
 * key_file (vetted as for pouch_identity_create_gateway, with fingerprint fpr, required), makes
 * it current and retires the current key, which still verifies for overlap more seconds; saves
 * the record. *out_fpr receives the new fingerprint. A home that is not a gateway is
 * POUCH_E_USAGE; a key already ours or pinned for a partner is refused. */
int pouch_identity_gateway_add_key(const struct pouch_home *h, struct pouch_agency *a,
				   const char *key_file, const char *fpr, long long overlap,
				   char *out_fpr, struct pouch_err *err);

/* Exports our current public key, armored, into *out (caller frees). */
int pouch_identity_export(const struct pouch_home *h, const struct pouch_agency *a, char **out,
			  size_t *len, struct pouch_err *err);

#endif
