/* The partner directory: one record per partner agency (partners/CODE.json in the home), with
 * the pinned primary fingerprints of its keys, each valid within a window, its endpoint with
 * the TLS settings for it (trust, our client certificate), and the common name its own client
 * certificates carry. The format is spec/partner.schema.json. */
#ifndef POUCH_PARTNER_H
#define POUCH_PARTNER_H

#include <stddef.h>
#include <time.h>

#include "directory/tls_conf.h"
#include "base/err.h"
#include "directory/home.h"
#include "base/validate.h"

#define POUCH_CLIENT_CN_MAX 64                        /* characters */
#define POUCH_CLIENT_CN_BYTES (4 * POUCH_CLIENT_CN_MAX) /* UTF-8 bytes, at most */

struct pouch_pgp;

struct pouch_partner_key {
	char fpr[POUCH_FPR_LEN + 1];
	time_t added;
	time_t valid_from;
	time_t valid_until; /* 0: open-ended */
	time_t expires;     /* the key's own expiry when pinned; 0: none */
	time_t revoked;     /* when pouch learnt of a revocation; 0: none known */
};

struct pouch_partner {
	char code[POUCH_CODE_MAX + 1];
	char name[POUCH_NAME_MAX + 1]; /* may be empty */
	char *endpoint;                /* NULL: none */
	struct pouch_tls_conf tls;     /* for endpoint; its files are inside partners/ */
	char client_cn[POUCH_CLIENT_CN_BYTES + 1]; /* the common name of the partner's client
						    * certificates at our pouchd; "": its code */
	time_t created, updated;
	struct pouch_partner_key *keys;
	size_t nkeys;
};

/* Loads partner code's record. A partner not in the directory is POUCH_E_NOTFOUND; a record
 * that fails validation is POUCH_E_CORRUPT naming the file. Records written before the members
 * "client" and "client_cn" existed load with both null. */
int pouch_partner_load(const struct pouch_home *h, const char *code, struct pouch_partner *p,
		       struct pouch_err *err);

/* Validates and writes p atomically; with exclusive set an existing record is never replaced
 * (POUCH_E_EXISTS). */
int pouch_partner_save(const struct pouch_home *h, const struct pouch_partner *p, int exclusive,
		       struct pouch_err *err);

/* Frees what p holds; p may be zeroed. */
void pouch_partner_release(struct pouch_partner *p);

/* Appends a copy of k to p. */
int pouch_partner_add_key(struct pouch_partner *p, const struct pouch_partner_key *k,
			  struct pouch_err *err);

/* Client certificate common names, as pouchd reads them from a certificate (decoded, so ','
 * '+' and the like are plain characters): 1 to 64 characters of UTF-8 without control
 * characters (C0, DEL, C1) or bidirectional controls (U+202A to U+202E, U+2066 to U+2069),
 * compared byte for byte. Returns 0 or POUCH_E_USAGE. */
int pouch_client_cn_check(const char *cn, struct pouch_err *err);

/* The subject common name that partner p's client certificates carry: its client_cn, else its
 * code. */
const char *pouch_partner_client_cn(const struct pouch_partner *p);

/* The agency that a client certificate with common name cn identifies, for pouchd: our own (the
 * identity in h) when cn is our code, else the partner whose pouch_partner_client_cn is cn. Its
 * code goes to code (POUCH_CODE_MAX + 1 bytes). Returns 0; POUCH_E_NOTFOUND when no agency has
 * that name; POUCH_E_CORRUPT when two do, or a record is corrupt (fails closed); the errors of
 * loading the identity. */
int pouch_partner_by_client_cn(const struct pouch_home *h, const char *cn, char *code,
			       struct pouch_err *err);

/* Sorted codes of the partners in the directory, from the record file names; *codes is a
 * newly allocated array (free with pouch_partner_codes_free). */
int pouch_partner_codes(const struct pouch_home *h, char ***codes, size_t *n,
			struct pouch_err *err);
void pouch_partner_codes_free(char **codes, size_t n);

/* Where a pinned key stands at a given time. */
enum pouch_key_state {
	POUCH_KEY_VALID,
	POUCH_KEY_NOT_YET,  /* before its window */
	POUCH_KEY_ENDED,    /* after its window */
	POUCH_KEY_EXPIRED,  /* the key itself expired */
	POUCH_KEY_REVOKED,  /* the key is revoked */
	POUCH_KEY_MISSING,  /* the key is not in the keyring */
};

/* The state of pinned key k at time when, from the record and the keyring (revocation and
 * expiry as GnuPG sees them now). Only POUCH_KEY_VALID may verify. */
int pouch_partner_key_state(struct pouch_pgp *pgp, const struct pouch_partner_key *k,
			    time_t when, enum pouch_key_state *state, struct pouch_err *err);

/* "valid", "not-yet-valid", "ended", "expired", "revoked", "missing". */
const char *pouch_key_state_name(enum pouch_key_state s);

/* p as JSON text (caller frees). With states (one state per key) it is what --json prints
 * (spec/cli/pouch-partner-show.schema.json): each key with its "state", no "format", the code as
 * "agency"; with states NULL the record as partners/CODE.json holds it. pretty indents. NULL
 * when out of memory. */
char *pouch_partner_json(const struct pouch_partner *p, const enum pouch_key_state *states,
			 int pretty);

#endif
