/* A signed document as pouch carries it outside an envelope: a JSON object
 * {"pouch": FORMAT, MEMBER: BASE64 of the body's exact bytes, "signature": BASE64 of a detached
 * binary OpenPGP signature over them}, as the envelope carries its header (spec/envelope.md
 * section 1): the signed bytes travel verbatim, never re-serialised. */
#ifndef POUCH_SIGNED_H
#define POUCH_SIGNED_H

#include <stddef.h>

#include "base/err.h"

/* The document's text (one line with a final newline; *out caller frees, *len its length). */
int pouch_signed_wrap(const char *format, const char *member, const char *body, size_t body_len,
		      const char *sig, size_t sig_len, char **out, size_t *len,
		      struct pouch_err *err);

/* Parses len bytes of text strictly: exactly the three members, format as given, canonical
 * base64. The body (NUL-terminated) and signature go to *body and *sig (caller frees both, also
 * on failure). Anything else is POUCH_E_VERIFY naming what. */
int pouch_signed_unwrap(const char *text, size_t len, const char *format, const char *member,
			char **body, size_t *body_len, char **sig, size_t *sig_len,
			struct pouch_err *err);

#define POUCH_ORIGIN_FORMAT "origin/1"

/* Writes DIR/origin.json, the signed document POUCH_ORIGIN_FORMAT with member "header": the
 * envelope's signed header bytes (header_len) and their signature (sig_len), the sender's
 * binding a forward carries on (spec/forward.md). pouch_package_open writes it for every package
 * it opens. */
int pouch_origin_write(const char *dir, const char *header, size_t header_len, const char *sig,
		       size_t sig_len, struct pouch_err *err);

#endif
