/* Validation of the values that enter pouch from users and partners: agency codes,
 * fingerprints, display names, endpoint URLs and TLS public-key pins. */
#ifndef POUCH_VALIDATE_H
#define POUCH_VALIDATE_H

#include <stddef.h>

#include "base/err.h"

#define POUCH_CODE_MAX 32
#define POUCH_FPR_LEN 40
#define POUCH_NAME_MAX 128
#define POUCH_URL_MAX 2048
#define POUCH_PIN_LEN 52 /* "sha256//" and 44 base64 characters */

/* Agency codes: 2 to 32 characters of A-Z, 0-9 and '-', starting and ending with a letter or
 * digit (e.g. GB-NCA-CEOP). Returns 0 or POUCH_E_USAGE. */
int pouch_agency_code_check(const char *code, struct pouch_err *err);

/* Normalises an OpenPGP v4 fingerprint (40 hex digits; spaces allowed, any case) into out
 * (41 bytes, upper case). Returns 0 or POUCH_E_USAGE. */
int pouch_fpr_normalize(const char *in, char *out, struct pouch_err *err);

/* Display names (agency and partner names): 1 to 128 bytes of valid UTF-8 without control
 * characters or any of "<>()". what names the field in the message. */
int pouch_name_check(const char *what, const char *name, struct pouch_err *err);

/* Endpoint URLs: https://host[:port][/path], host a DNS name, IPv4 or [IPv6] literal, no user
 * information, query or fragment. Returns 0 or POUCH_E_USAGE. */
int pouch_endpoint_check(const char *url, struct pouch_err *err);

/* Normalises a SHA-256 public-key pin, given as "sha256//BASE64", bare BASE64 or 64 hex
 * digits, into out (POUCH_PIN_LEN + 1 bytes) as "sha256//BASE64". Returns 0 or POUCH_E_USAGE. */
int pouch_pin_normalize(const char *in, char *out, struct pouch_err *err);

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not one: overlong forms,
 * surrogates and code points above U+10FFFF are not. */
size_t pouch_utf8_seq(const unsigned char *s);

/* Whether the n-byte UTF-8 character at p is a control character: C0, DEL or C1 (U+0080 to
 * U+009F). */
int pouch_utf8_is_control(const unsigned char *p, size_t n);

/* The code point of the n-byte valid UTF-8 sequence at p (n as pouch_utf8_seq gives it). */
unsigned pouch_utf8_cp(const unsigned char *p, size_t n);

/* Whether code point cp is one that changes how the text around it is shown without being
 * seen itself: bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069), zero-width and other invisible format characters
 * (U+00AD, U+200B, U+2060-U+2064, U+FEFF, fillers, tags), line and paragraph separators
 * (U+2028, U+2029), and the non-characters U+FFFE and U+FFFF. Such characters are escaped on
 * output and refused in names that are shown. */
int pouch_unicode_is_hidden(unsigned cp);

/* Copies s into out (outmax bytes) with control bytes, hidden characters (above), backslashes
 * and non-UTF-8 bytes escaped as \xNN, so that a string from outside is safe to print on a
 * terminal or in a log. */
void pouch_escape(const char *s, char *out, size_t outmax);

#endif
