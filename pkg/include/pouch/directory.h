/* Changes to the partner directory that touch both the records and the keyring: adding a
 * partner, rolling its key over, importing a revocation, removing it. Each either completes
 * or leaves the home as it was. */
#ifndef POUCH_DIRECTORY_H
#define POUCH_DIRECTORY_H

#include "pouch/agency.h"
#include "pouch/err.h"
#include "pouch/home.h"
#include "pouch/partner.h"

struct pouch_partner_req {
	const char *code;
	const char *key_file;    /* the partner's public key, armored or binary */
	const char *fingerprint; /* when set, the key must have it (confirmed out of band) */
	const char *name;        /* optional */
	const char *endpoint;    /* optional, https only */
	const char *ca_file;     /* optional CA bundle (PEM) for the endpoint */
	const char *pin;         /* optional SHA-256 public-key pin for the endpoint */
};

/* Vets the key in req->key_file (exactly one public key, not expired or revoked, able to sign
 * and encrypt, matching req->fingerprint, not ours nor another partner's), imports it and
 * writes the new record, copied into *out. */
int pouch_directory_add(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_req *req, struct pouch_partner *out,
			struct pouch_err *err);

/* Pins one more key (vetted as above) for partner req->code: a rollover. With overlap > 0,
 * the keys already pinned without an end get one overlap seconds from now. */
int pouch_directory_add_key(const struct pouch_home *h, const struct pouch_agency *self,
			    const struct pouch_partner_req *req, long long overlap,
			    struct pouch_partner *out, struct pouch_err *err);

/* Imports the revocation certificate in file for one of partner code's pinned keys; from then
 * on that key's state is POUCH_KEY_REVOKED. The revoked fingerprint goes to fpr. A certificate
 * for any other key changes nothing and is POUCH_E_VERIFY. */
int pouch_directory_revoke(const struct pouch_home *h, const char *code, const char *file,
			   char *fpr, struct pouch_err *err);

/* Removes partner code's record, its CA copy and its keys from the keyring; revoked keys stay
 * in the keyring so that an old copy without the revocation cannot be pinned again. */
int pouch_directory_remove(const struct pouch_home *h, const char *code, struct pouch_err *err);

#endif
