/* The TLS settings records keep for an endpoint (struct pouch_tls_conf); inside pkg/ only: the
 * "tls" and "client" members that partner records and endpoint.json share, and putting the TLS
 * files they name in place with a way back. */
#ifndef POUCH_TLS_CONF_H
#define POUCH_TLS_CONF_H

#include <stddef.h>

#include "base/err.h"
#include "base/validate.h"
#include "crypto/x509.h"

struct json_t; /* jansson's json_t: base/json.h */

/* The TLS settings of one endpoint as a record keeps them. The files are named after the
 * record (PREFIX: a partner's code, or "endpoint" for our own) and live beside it: in partners/
 * for a partner, in the home for our own endpoint, mode 0600. The server's certificate is always
 * verified: against ca_file, or the system CA store without it; a pin is checked in addition. */
struct pouch_tls_conf {
	char *ca_file;               /* "PREFIX.ca.pem", or NULL: the system CA store */
	char pin[POUCH_PIN_LEN + 1]; /* "sha256//BASE64" of the server's public key, or "" */
	char *client_cert;           /* "PREFIX.client.pem": our client certificate (PEM, with its
				      * chain), or NULL: none */
	char *client_key;            /* "PREFIX.client.key": its unencrypted PEM private key; set
				      * exactly when client_cert is */
};

/* Frees what t holds and zeroes it; t may be zeroed. */
void pouch_tls_conf_release(struct pouch_tls_conf *t);

/* Replaces *slot with a copy of s (NULL: none), freeing the old string. Returns 0 or
 * POUCH_E_NOMEM (*slot unchanged). */
int pouch_str_replace(char **slot, const char *s, struct pouch_err *err);

/* Reads the members "tls" (required, null or {"ca_file", "pin"} with one or both) and
 * "client" (null or {"cert", "key"}; a missing one counts as null when client_optional is set:
 * records older than the member) of record j into t. File names must be prefix's. Returns 0 or
 * POUCH_E_CORRUPT; t is released on failure. */
int pouch_tls_conf_from_json(const struct json_t *j, const char *prefix, int client_optional,
			     struct pouch_tls_conf *t, struct pouch_err *err);

/* Sets the members "tls" and "client" of j from t. Returns 0, or -1 when out of memory. */
int pouch_tls_conf_to_json(struct json_t *j, const struct pouch_tls_conf *t);

/* What pouch_tls_conf_from_json would refuse, for a record about to be written (what names it):
 * POUCH_E_USAGE. */
int pouch_tls_conf_check(const struct pouch_tls_conf *t, const char *prefix, const char *what,
			 struct pouch_err *err);

/* Copies of t's strings into out (released first). Returns 0 or POUCH_E_NOMEM. */
int pouch_tls_conf_copy(struct pouch_tls_conf *out, const struct pouch_tls_conf *t,
			struct pouch_err *err);

#define POUCH_TLS_FILES 3 /* the CA bundle, the client certificate, its key */

/* New TLS files for one record: read and vetted first, then put in place, keeping what each
 * replaced until the record is saved. Start from a zeroed struct. */
struct pouch_tls_files {
	char *ca; /* the CA bundle read, or NULL */
	size_t ca_len;
	struct pouch_x509_client client; /* cert NULL: none read */
	struct {
		char *path;    /* where it went */
		char *old;     /* the content it replaced (wiped on release), when had_old */
		size_t old_len;
		int had_old;
	} put[POUCH_TLS_FILES];
	size_t nput;
};

/* Reads and vets the files named (each may be NULL; client_cert and client_key go together):
 * pouch_x509_read_ca and pouch_x509_read_client. */
int pouch_tls_files_read(struct pouch_tls_files *f, const char *ca_file, const char *client_cert,
			 const char *client_key, struct pouch_err *err);

/* Writes the files read into dir under prefix's names (mode 0600, temporary file and rename),
 * keeping what each replaced, and sets t's names for them (a CA read sets t->ca_file; a client
 * certificate read sets t->client_cert and t->client_key). On failure what was written is put
 * back. */
int pouch_tls_files_install(struct pouch_tls_files *f, const char *dir, const char *prefix,
			    struct pouch_tls_conf *t, struct pouch_err *err);

/* Puts back what pouch_tls_files_install replaced (removing files that were not there). */
void pouch_tls_files_rollback(struct pouch_tls_files *f);

/* Wipes and frees what f holds. */
void pouch_tls_files_release(struct pouch_tls_files *f);

/* Removes prefix's TLS files in dir that t does not name (a missing file is fine). */
int pouch_tls_files_prune(const char *dir, const char *prefix, const struct pouch_tls_conf *t,
			  struct pouch_err *err);

#endif
