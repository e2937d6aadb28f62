/* The envelope (spec/envelope.md): its signed header and the envelope file that carries the
 * header's exact bytes, their detached signature and the payload (inline or detached). */
#ifndef POUCH_ENVELOPE_H
#define POUCH_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/digest.h"
#include "base/err.h"
#include "base/uuid.h"
#include "base/validate.h"

#define POUCH_INLINE_MAX (8ULL * 1024 * 1024)      /* larger payloads travel detached */
#define POUCH_ENVELOPE_MAX (16ULL * 1024 * 1024)   /* an envelope file is never larger */
#define POUCH_HEADER_MAX (64 * 1024)
#define POUCH_RECIPIENTS_MAX 64

struct pouch_party {
	char agency[POUCH_CODE_MAX + 1];
	char fpr[POUCH_FPR_LEN + 1];
};

struct pouch_header {
	char id[POUCH_UUID_LEN];
	struct pouch_party sender;
	struct pouch_party recipients[POUCH_RECIPIENTS_MAX];
	size_t nrecipients;
	time_t created, expires;
	char priority[16];
	char classification[16]; /* the report's classification tier */
	char tlp[24];            /* the report's TLP label */
	char content_sha256[POUCH_SHA256_HEX]; /* of the exact pouch.json bytes in the payload */
	uint64_t payload_size;
	char payload_sha256[POUCH_SHA256_HEX];
};

/* 1 when s is 64 lower-case hex digits (a SHA-256, or pouch.json's salt, as pouch writes
 * them), else 0. */
int pouch_is_hex256(const char *s);

/* Returns 0 when p is a priority pouch knows (immediate, urgent, routine, information),
 * else POUCH_E_USAGE. */
int pouch_priority_check(const char *p, struct pouch_err *err);

/* Serialises h into the exact header bytes that get signed (*out, caller frees). Validates h
 * first (POUCH_E_USAGE). */
int pouch_header_encode(const struct pouch_header *h, char **out, size_t *len,
			struct pouch_err *err);

/* Parses header bytes strictly into h: exactly the members of spec/envelope.md section 2, each
 * well formed, recipients distinct. Anything else is POUCH_E_VERIFY. */
int pouch_header_decode(const char *bytes, size_t len, struct pouch_header *h,
			struct pouch_err *err);

/* An envelope file as read: the decoded header bytes and signature, and where the payload is. */
struct pouch_envelope {
	char *header;    /* exact signed bytes, NUL-terminated */
	size_t header_len;
	char *sig;
	size_t sig_len;
	unsigned char *payload; /* inline payload, decoded; NULL when detached */
	size_t payload_len;
	char *detached;  /* the detached payload's file name (unchecked), or NULL */
};

/* Reads and strictly parses the envelope file at path (at most POUCH_ENVELOPE_MAX bytes).
 * Anything malformed is POUCH_E_VERIFY naming what. Release with pouch_envelope_release. */
int pouch_envelope_read(const char *path, struct pouch_envelope *e, struct pouch_err *err);

/* Parses the len bytes of an envelope file at text (outside input) strictly into e, as
 * pouch_envelope_read does after reading the file; the message does not name a file. Returns
 * 0, POUCH_E_VERIFY or POUCH_E_NOMEM; release e with pouch_envelope_release. */
int pouch_envelope_parse(const char *text, size_t len, struct pouch_envelope *e,
			 struct pouch_err *err);

void pouch_envelope_release(struct pouch_envelope *e);

/* Writes an envelope to the open file out_fd: the header bytes and signature, and either the
 * payload read from payload_fd inline (detached NULL) or the name of the detached payload
 * file. Streams the payload; does not close the descriptors. */
int pouch_envelope_write(int out_fd, const char *header, size_t header_len, const char *sig,
			 size_t sig_len, int payload_fd, const char *detached,
			 struct pouch_err *err);

#endif
