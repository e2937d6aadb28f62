/* Package ids: random (version 4) UUIDs, lower-case strings. */
#ifndef POUCH_UUID_H
#define POUCH_UUID_H

#include "base/err.h"

#define POUCH_UUID_LEN 37 /* 36 characters and the NUL */

/* Writes a new random UUID from the kernel's random source into out (POUCH_UUID_LEN bytes). */
int pouch_uuid_new(char *out, struct pouch_err *err);

/* Returns 0 when s is a version 4 UUID in lower case (8-4-4-4-12 hex digits), else
 * POUCH_E_USAGE. */
int pouch_uuid_check(const char *s, struct pouch_err *err);

#endif
