/* Endpoints as pouch reaches them over HTTPS: our own (endpoint.json in the home: the pouchd
 * this agency pulls from and publishes to, format spec/endpoint.schema.json), the TLS settings
 * that records keep for an endpoint, and those settings with absolute paths for the client. */
#ifndef POUCH_ENDPOINT_H
#define POUCH_ENDPOINT_H

#include <time.h>

#include "base/err.h"
#include "directory/home.h"
#include "base/validate.h"
#include "directory/tls_conf.h"

#define POUCH_ENDPOINT_FILE "endpoint.json"
#define POUCH_ENDPOINT_PREFIX "endpoint" /* our own files: endpoint.ca.pem, endpoint.client.* */

/* Our own endpoint. */
struct pouch_endpoint {
	char *url;                 /* https://host[:port][/path] */
	struct pouch_tls_conf tls; /* file names inside the home */
	time_t updated;
};

/* Loads endpoint.json from the home into e (release with pouch_endpoint_release). No endpoint
 * set is POUCH_E_NOTFOUND; a record that fails validation is POUCH_E_CORRUPT naming the file. */
int pouch_endpoint_load(const struct pouch_home *h, struct pouch_endpoint *e,
			struct pouch_err *err);

/* Validates e and writes it to endpoint.json atomically (mode 0600). It does not touch the
 * files e names: see pouch_endpoint_set. */
int pouch_endpoint_save(const struct pouch_home *h, const struct pouch_endpoint *e,
			struct pouch_err *err);

/* Frees what e holds and zeroes it; e may be zeroed. */
void pouch_endpoint_release(struct pouch_endpoint *e);

/* e as JSON text for --json output (caller frees): endpoint.json without its "format"
 * (spec/cli/pouch-endpoint-show.schema.json), indented with pretty set. NULL when out of
 * memory. */
char *pouch_endpoint_json(const struct pouch_endpoint *e, int pretty);

/* What pouch_endpoint_set sets: everything, as a whole. */
struct pouch_endpoint_req {
	const char *url;         /* required, https only */
	const char *ca_file;     /* a CA bundle (PEM) to copy into the home, or NULL */
	const char *pin;         /* the server's public-key SHA-256 (any form pouch_pin_normalize
				  * takes), or NULL */
	const char *client_cert; /* our client certificate (PEM) to copy (with client_key), or
				  * NULL */
	const char *client_key;  /* its unencrypted PEM private key, or NULL */
};

/* Sets our own endpoint to exactly req: vets the files (pouch_x509_read_ca,
 * pouch_x509_read_client), copies them into the home (mode 0600, each written to a temporary
 * file and renamed), writes endpoint.json, and only then removes the files of an earlier
 * setting that req no longer has. On failure the home is as it was. The saved record goes to
 * *out. Errors: POUCH_E_USAGE (a bad URL or pin, a client certificate without its key), those
 * of the x509 readers, POUCH_E_IO, POUCH_E_NOMEM. */
int pouch_endpoint_set(const struct pouch_home *h, const struct pouch_endpoint_req *req,
		       struct pouch_endpoint *out, struct pouch_err *err);

/* The TLS settings of one party's endpoint for the HTTPS client, paths absolute when the home's
 * are (pouch's command line makes them so). Each string is newly allocated; NULL where not
 * set. */
struct pouch_tls_paths {
	char *url;         /* the endpoint; never NULL after success */
	char *ca_file;     /* the CA bundle, or NULL: the system CA store */
	char *pin;         /* "sha256//BASE64", checked in addition to the CA, or NULL */
	char *client_cert; /* our client certificate for that endpoint, or NULL */
	char *client_key;  /* its private key; set exactly when client_cert is */
};

/* Fills out with the TLS settings to reach code's endpoint: our own endpoint (endpoint.json)
 * when code is NULL or our own agency code, else partner code's (its directory record). Release
 * out with pouch_tls_paths_release, also after a failure. Errors: POUCH_E_NOTFOUND when that
 * party has no endpoint (our own not set, the partner's endpoint null) or code is not in the
 * directory; POUCH_E_CORRUPT when a record is invalid or names a file that is missing;
 * POUCH_E_NOTINIT without an identity; POUCH_E_USAGE for a malformed code; POUCH_E_NOMEM. */
int pouch_endpoint_tls(const struct pouch_home *h, const char *code, struct pouch_tls_paths *out,
		       struct pouch_err *err);

/* Frees the strings in t and zeroes it; t may be zeroed. */
void pouch_tls_paths_release(struct pouch_tls_paths *t);

#endif
