/* The JSON bodies of pouch's exchange protocol (spec/protocol.md, spec/openapi.yaml): what
 * pouchd writes and what the client reads. */
#ifndef POUCH_PROTOCOL_H
#define POUCH_PROTOCOL_H

#include <stdint.h>

#include "base/err.h"
#include "server/store.h"

/* {"error":{"code":CODE,"message":MESSAGE}} (caller frees); the message has its control bytes
 * escaped. NULL when out of memory. */
char *pouch_proto_error(const char *code, const char *message);

/* {"status":"ok"|"degraded","version":VERSION,"store":{"writable":BOOL}}: degraded when the
 * store takes no writes (caller frees); NULL when out of memory. */
char *pouch_proto_health(const char *version, int writable);

/* A package record {"id","sender","recipients","digest","size","payload","received","cursor"}
 * (caller frees); NULL when out of memory. */
char *pouch_proto_package(const struct pouch_store_record *rec);


/* A receipt record {"package","from","verdict","received","cursor","receipt":{...}} (caller
 * frees); NULL when out of memory or when the stored receipt bytes are not JSON. */
char *pouch_proto_receipt(const struct pouch_store_receipt *rc);

/* A page of records {"MEMBER":[RECORD,...],"next","has_more"} ("packages" or "receipts"),
 * made in pieces so that it streams: page_open gives {"MEMBER":[ , the records follow with
 * commas between them, and page_close gives ],"next":...,"has_more":...} where next is the
 * last record's cursor (has_last), else the request's after, else null. Caller frees; NULL
 * when out of memory. */
char *pouch_proto_page_open(const char *member);
char *pouch_proto_page_close(int64_t last, int has_last, const char *after, int has_more);

/* {"id","offset"}, with an error member {"code","message"} when code is not NULL (the 409
 * offset_mismatch body carries the offset too). */
char *pouch_proto_upload(const char *id, uint64_t offset, const char *code, const char *message);

/* Parses a cursor: NULL (0) or a decimal sequence number in pouchd's one form (no sign, no
 * leading zero, at most INT64_MAX; pouch_decimal_parse). Returns 0 or POUCH_E_USAGE. */
int pouch_proto_cursor(const char *s, int64_t *seq, struct pouch_err *err);

#endif
