/* Package ids: random (version 4) UUIDs, lower-case strings. */
#ifndef POUCH_UUID_H
#define POUCH_UUID_H

#include <stddef.h>

#include "base/err.h"

#define POUCH_UUID_LEN 37 /* 36 characters and the NUL */

/* Fills the len bytes at buf from the kernel's random source. Returns 0 or POUCH_E_IO. */
int pouch_random_bytes(void *buf, size_t len, struct pouch_err *err);

/* Writes a new random UUID from the kernel's random source into out (POUCH_UUID_LEN bytes). */
int pouch_uuid_new(char *out, struct pouch_err *err);

/* Returns 0 when s is a version 4 UUID in lower case (8-4-4-4-12 hex digits), else
 * POUCH_E_USAGE. */
int pouch_uuid_check(const char *s, struct pouch_err *err);

#endif
