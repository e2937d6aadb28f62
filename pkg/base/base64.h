/* Standard base64 (RFC 4648 section 4, with padding). */
#ifndef POUCH_BASE64_H
#define POUCH_BASE64_H

#include <stddef.h>

/* Encodes len bytes of in into a newly allocated NUL-terminated string (caller frees);
 * NULL when out of memory. */
char *pouch_base64_encode(const unsigned char *in, size_t len);

/* Decodes the NUL-terminated in into out (room for outmax bytes). Returns the number of bytes
 * decoded, or -1 for anything but canonical padded base64 or when out is too small. */
long pouch_base64_decode(const char *in, unsigned char *out, size_t outmax);

#endif
