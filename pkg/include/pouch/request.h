/* The parts of a pouchd request that come from the client and are parsed, kept pure (no
 * server, no I/O) so that tests and the fuzz harness reach them: the path against a route
 * pattern, decimal numbers in headers and parameters, and the Range header. */
#ifndef POUCH_REQUEST_H
#define POUCH_REQUEST_H

#include <stdint.h>

#include "pouch/err.h"
#include "pouch/uuid.h"

/* Whether the decoded path matches pattern, whose one optional "{id}" segment must be a
 * package id (pouch_uuid_check); the id is then copied to id (POUCH_UUID_LEN bytes). Returns 1
 * on a match, else 0. */
int pouch_req_match(const char *pattern, const char *path, char *id);

/* Parses s, a header or parameter value, as a whole unsigned decimal number into *out: digits
 * only. Returns 0, or POUCH_E_USAGE for anything else (empty, a sign, blanks, trailing bytes,
 * overflow). */
int pouch_req_uint(const char *s, uint64_t *out, struct pouch_err *err);

/* The offset of a "Range: bytes=N-" header: N, -1 when range is NULL, -2 when it is not of
 * that form. */
int64_t pouch_req_range(const char *range);

#endif
