/* X.509 material pouch copies into its home for TLS: CA bundles that a server certificate must
 * chain to, and our client certificate with its private key. The only module that reads
 * certificates with GnuTLS (the server module uses GnuTLS for its sessions, and this module for
 * the client certificate's name). */
#ifndef POUCH_X509_H
#define POUCH_X509_H

#include <stddef.h>

#include "base/err.h"

#define POUCH_X509_CERT_MAX (1024 * 1024) /* a CA bundle or a certificate with its chain */
#define POUCH_X509_KEY_MAX (64 * 1024)    /* a private key */
#define POUCH_X509_CN_MAX 256              /* bytes of a subject CN: 64 characters of UTF-8 */

/* Reads the CA bundle at path: PEM certificates that all parse, and no private key. *data
 * (NUL-terminated, *len bytes, caller frees) receives the file as it is. A file without a
 * certificate, or one that does not parse, is POUCH_E_USAGE; a private key in it or a file
 * over POUCH_X509_CERT_MAX is POUCH_E_REFUSED; a missing file POUCH_E_NOTFOUND; POUCH_E_IO. */
int pouch_x509_read_ca(const char *path, char **data, size_t *len, struct pouch_err *err);

/* Our client certificate and its private key, as read from their files. */
struct pouch_x509_client {
	char *cert; /* the certificate file: PEM, ours first, then its chain */
	size_t cert_len;
	char *key;  /* the key file: one unencrypted PEM private key; wiped on release */
	size_t key_len;
};

/* Reads and checks a client certificate and its key: cert_file must hold PEM certificates that
 * parse and no private key; key_file exactly one unencrypted PEM private key ("PRIVATE KEY",
 * "RSA PRIVATE KEY" or "EC PRIVATE KEY"), whose public key is the first certificate's. Fills
 * c (release with pouch_x509_client_release, also after a failure). Not PEM of the right kind
 * or not parsing is POUCH_E_USAGE; an encrypted key, a key in the certificate file or a file
 * over its cap (POUCH_X509_CERT_MAX, POUCH_X509_KEY_MAX) is POUCH_E_REFUSED; a key that does
 * not match the certificate POUCH_E_VERIFY; a missing file POUCH_E_NOTFOUND; POUCH_E_IO. The
 * messages never quote the key. */
int pouch_x509_read_client(const char *cert_file, const char *key_file,
			   struct pouch_x509_client *c, struct pouch_err *err);

/* The subject common name of the DER certificate der (len bytes) into cn (POUCH_X509_CN_MAX + 1
 * bytes), decoded as the certificate holds it: never the escaped form of a DN string, so ','
 * '+' '"' '\\' are plain characters. The subject must hold exactly one CN attribute, a
 * UTF8String or PrintableString of 1 to 64 characters of UTF-8 text without control characters;
 * anything else (none, two, another string type, a NUL inside) is POUCH_E_USAGE. */
int pouch_x509_subject_cn(const void *der, size_t len, char *cn, struct pouch_err *err);

/* Wipes the key, frees what c holds and zeroes it; c may be zeroed already. */
void pouch_x509_client_release(struct pouch_x509_client *c);

/* The version of the GnuTLS library in use (static string). */
const char *pouch_x509_version(void);

#endif
