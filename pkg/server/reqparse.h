/* Strict parsing of what an HTTP request brings from outside, before anything acts on it: the
 * method, the raw request target (path and query, still percent-encoded) and the decimal
 * numbers of headers and parameters. Pure functions over bytes, shared by pouchd and the client
 * (cursors), and the place to fuzz. */
#ifndef POUCH_REQPARSE_H
#define POUCH_REQPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define POUCH_REQ_TARGET_MAX 2048 /* the longest request target (path and query) taken */

/* The one decimal parser for numbers from outside (Content-Length, Upload-Offset, Range, limit,
 * cursors): 1 to 20 ASCII digits, no sign, no space, no leading zero (but "0" itself), at most
 * max. Stores the value in *out (which may be NULL). Returns 0 or POUCH_E_USAGE. */
int pouch_decimal_parse(const char *s, uint64_t max, uint64_t *out);

/* A method is an HTTP token (RFC 9110: letters, digits and !#$%&'*+-.^_`|~), 1 to 16
 * characters. Returns 0 or POUCH_E_USAGE with the reason. */
int pouch_req_method_check(const char *method, struct pouch_err *err);

/* Checks the raw request target ("/path?query", as it came on the request line) and decodes its
 * path into out (outmax bytes). Refused (POUCH_E_USAGE with the reason): not starting with '/',
 * longer than POUCH_REQ_TARGET_MAX, a byte outside RFC 3986's pchar, '/', '?' (and '=' '&' in
 * the query), a '%' not followed by two upper-case hex digits, an encoding that is not needed
 * (of a letter, digit or "-._~") or that decodes to a control byte (NUL included) or a '/',
 * decoded bytes that are not UTF-8, empty, "." or ".." path segments, and a fragment. */
int pouch_req_target_decode(const char *raw, char *out, size_t outmax, struct pouch_err *err);

/* Whether the decoded path matches pattern, whose one optional "{id}" segment must be a
 * package id (pouch_uuid_check); the id is then copied to id (POUCH_UUID_LEN bytes). Returns 1
 * on a match, else 0. */
int pouch_req_match(const char *pattern, const char *path, char *id);

/* The offset of a "Range: bytes=N-" header (N by pouch_decimal_parse): N, -1 when range is
 * NULL, -2 when it is not of that form. */
int64_t pouch_req_range(const char *range);

#endif
