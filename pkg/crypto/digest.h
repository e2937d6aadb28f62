/* SHA-256, streaming, on libgcrypt (the only module that includes gcrypt.h). */
#ifndef POUCH_DIGEST_H
#define POUCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define POUCH_SHA256_LEN 32
#define POUCH_SHA256_HEX 65 /* 64 lower-case hex digits and the NUL */

struct pouch_sha256;

/* Starts a digest. Returns 0, or POUCH_E_NOMEM / POUCH_E_IO when libgcrypt cannot. */
int pouch_sha256_new(struct pouch_sha256 **out, struct pouch_err *err);

/* Adds len bytes at buf. */
void pouch_sha256_update(struct pouch_sha256 *d, const void *buf, size_t len);

/* Writes the digest of everything added so far, as lower-case hex, into hex
 * (POUCH_SHA256_HEX bytes). The digest can go on being updated afterwards. */
void pouch_sha256_hex(struct pouch_sha256 *d, char *hex);

/* Releases d (NULL allowed). */
void pouch_sha256_free(struct pouch_sha256 *d);

/* Reads fd from its current offset to its end; the size read goes to *size and the digest,
 * as hex, to hex. */
int pouch_sha256_fd(int fd, char *hex, uint64_t *size, struct pouch_err *err);

/* The SHA-256 of len bytes at buf, as hex, into hex (POUCH_SHA256_HEX bytes). */
int pouch_sha256_buf(const void *buf, size_t len, char *hex, struct pouch_err *err);

#endif
