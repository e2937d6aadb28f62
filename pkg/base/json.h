/* Helpers shared inside pkg/ only: strict JSON reading and writing of pouch's own records. */
#ifndef POUCH_JSON_H
#define POUCH_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "base/err.h"

#define POUCH_RECORD_MAX (1024 * 1024) /* largest record file pouch reads */
#define POUCH_JSON_DEPTH 16
#define POUCH_JSON_ITEMS_MAX 100000 /* `{ [ , :` outside strings: about 12 MiB once parsed */

/* Parses text strictly: duplicate keys rejected, no NUL, nothing after the value, nesting at
 * most POUCH_JSON_DEPTH, at most POUCH_JSON_ITEMS_MAX structural characters (both checked on
 * the text before anything is built, so a refusal costs no memory). Every JSON document pouch
 * reads goes through here. what names the input in messages. Returns a new reference in *out. */
int pouch_json_parse(const char *what, const char *text, size_t len, json_t **out,
		     struct pouch_err *err);

/* Parses the rest of fd the same way, streamed: neither the text nor more than the bounded tree
 * is ever in memory. More than max bytes is POUCH_E_REFUSED, a read error POUCH_E_IO, anything
 * malformed POUCH_E_CORRUPT. */
int pouch_json_parse_fd(const char *what, int fd, uint64_t max, json_t **out,
			struct pouch_err *err);

/* Reads and parses the record file at path (at most POUCH_RECORD_MAX bytes). A missing file is
 * POUCH_E_NOTFOUND; anything malformed is POUCH_E_CORRUPT: "<kind> '<path>' is corrupt: ...". */
int pouch_json_load_record(const char *kind, const char *path, json_t **out,
			   struct pouch_err *err);

/* Writes json (borrowed) to path atomically, indented, with a final newline, mode 0600. */
int pouch_json_save_record(const char *path, const json_t *json, int exclusive,
			   struct pouch_err *err);

/* Requires obj to be an object whose keys are all in the NULL-terminated list allowed.
 * Returns 0 or POUCH_E_CORRUPT with the unknown key named. */
int pouch_json_only_keys(const json_t *obj, const char *const *allowed, struct pouch_err *err);

/* Field readers for records: a missing or wrongly typed field is POUCH_E_CORRUPT. With nullable
 * set the field may be null (giving NULL / 0), but it must be there. */
int pouch_json_str(const json_t *obj, const char *key, int nullable, const char **out,
		   struct pouch_err *err);
int pouch_json_time(const json_t *obj, const char *key, int nullable, time_t *out,
		    struct pouch_err *err);

/* A new JSON string "YYYY-MM-DDTHH:MM:SSZ" for t, or JSON null for t == 0. */
json_t *pouch_json_time_new(time_t t);

/* Appends a copy of the size-byte elem to the heap array at *(void **)array holding *n
 * elements. Returns 0 or POUCH_E_NOMEM (the array is unchanged then). */
int pouch_array_push(void *array, size_t *n, size_t size, const void *elem,
		     struct pouch_err *err);

/* A JSON string literal for the NUL-terminated s, quotes included: control characters
 * escaped, bytes that are not UTF-8 each replaced by U+FFFD, so the result always parses. For
 * output built without a json_t (pouch's command-line messages); caller frees; NULL when out
 * of memory. */
char *pouch_json_quote(const char *s);

/* Serialises json for output (indented with pretty set, else compact); caller frees. */
char *pouch_json_text(const json_t *json, int pretty);

/* The version of the jansson library in use (static string). */
const char *pouch_json_version(void);

#endif
