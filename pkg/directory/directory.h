/* Changes to the partner directory that touch the records together with the keyring or the
 * TLS files beside them: adding a partner, changing its settings, rolling its key over,
 * importing a revocation, removing it. Each either completes or leaves the home as it was. */
#ifndef POUCH_DIRECTORY_H
#define POUCH_DIRECTORY_H

#include "directory/agency.h"
#include "base/err.h"
#include "directory/home.h"
#include "directory/partner.h"
#include "crypto/pgp.h"

struct pouch_partner_req {
	const char *code;
	const char *key_file;    /* the partner's public key, armored or binary */
	const char *fingerprint; /* when set, the key must have it (confirmed out of band) */
	const char *name;        /* optional */
	const char *endpoint;    /* optional, https only */
	const char *ca_file;     /* optional CA bundle (PEM) for the endpoint */
	const char *pin;         /* optional SHA-256 public-key pin for the endpoint, checked in
				  * addition to the CA (or the system CA store) */
	const char *client_cert; /* optional: our client certificate (PEM) for the endpoint... */
	const char *client_key;  /* ...and its unencrypted PEM private key: both or neither */
	const char *client_cn;   /* optional: the common name of the partner's own client
				  * certificates at our pouchd (default: its code) */
};

/* Vets the key in req->key_file (exactly one public key, not expired or revoked, able to sign
 * and encrypt, matching req->fingerprint, not ours nor another partner's), imports it and
 * writes the new record, copied into *out. The TLS files (pouch_x509_read_ca,
 * pouch_x509_read_client) are vetted first and copied into partners/ as CODE.ca.pem,
 * CODE.client.pem and CODE.client.key, mode 0600. The endpoint options need req->endpoint; a
 * client_cn (or, without one, the code) that our own agency or another partner goes by already
 * is refused. */
int pouch_directory_add(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_req *req, struct pouch_partner *out,
			struct pouch_err *err);

/* A change to an existing partner's settings; its keys are never touched. NULL or 0 leaves a
 * setting as it is. The TLS trust (ca_file, pin) and the client certificate are each replaced
 * as a whole when given: --ca alone leaves no pin, --pin alone no CA file. */
struct pouch_partner_change {
	const char *code;
	const char *endpoint;    /* a new endpoint, https only */
	int no_endpoint;         /* no endpoint, and so no TLS trust or client certificate */
	const char *ca_file;     /* a CA bundle (PEM) to copy in */
	const char *pin;         /* a public-key pin */
	int no_tls;              /* no CA file and no pin: the system CA store */
	const char *client_cert; /* our client certificate (PEM) to copy in, with client_key */
	const char *client_key;
	int no_client;           /* no client certificate */
	const char *client_cn;   /* the partner's client common name */
	int no_client_cn;        /* its client common name is its code again */
};

/* Checks c on its own, without the home: a valid code, something to change, no conflicting
 * parts, a valid endpoint, pin and client common name. Returns 0 or POUCH_E_USAGE. */
int pouch_directory_change_check(const struct pouch_partner_change *c, struct pouch_err *err);

/* Applies c to partner c->code's record: new files are vetted as for pouch_directory_add and
 * put in place (each through a temporary file and rename, what they replace kept), the record
 * is written (temporary file and rename), and only then are the files it no longer names
 * removed; if writing the record fails, the files are put back as they were. The saved record
 * goes to *out. An empty change, conflicting parts (a setting and its "no_" opposite, no_endpoint
 * with TLS parts, a certificate without its key) and TLS settings without an endpoint are
 * POUCH_E_USAGE; an unknown partner POUCH_E_NOTFOUND; a client common name already taken is
 * refused as for pouch_directory_add. */
int pouch_directory_set(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_change *c, struct pouch_partner *out,
			struct pouch_err *err);

/* Vets the public key in key_file as pouch_directory_add vets a partner's (with fingerprint
 * fpr, any spacing or case, when not NULL; not one of self's keys nor pinned for a partner)
 * and imports it into the home's keyring. The keyring's view of the key goes to info;
 * *imported is 1 when the keyring lacked the key before (the caller deletes it again if what
 * follows fails). Used for a gateway home's agency key. */
int pouch_directory_import_key(const struct pouch_home *h, const struct pouch_agency *self,
			       const char *key_file, const char *fpr, struct pouch_key_info *info,
			       int *imported, struct pouch_err *err);

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

/* Removes partner code's record, its TLS files (CA copy, client certificate and key) and its
 * keys from the keyring; revoked keys stay in the keyring so that an old copy without the
 * revocation cannot be pinned again. */
int pouch_directory_remove(const struct pouch_home *h, const char *code, struct pouch_err *err);

#endif
