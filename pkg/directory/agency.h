/* The agency identity record (agency.json in the home): our code, name and keys. Exactly one
 * key is current (signs); a rotated-out key stays for verifying until its verify_until. A
 * gateway home's record (pouchd's) holds the agency's public keys only: "gateway": true. */
#ifndef POUCH_AGENCY_H
#define POUCH_AGENCY_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/validate.h"

struct pouch_agency_key {
	char fpr[POUCH_FPR_LEN + 1];
	time_t created;
	time_t expires;      /* 0: does not expire */
	time_t retired;      /* 0: the current key */
	time_t verify_until; /* for a retired key: end of the overlap */
};

struct pouch_agency {
	char code[POUCH_CODE_MAX + 1];
	char name[POUCH_NAME_MAX + 1];
	time_t created;
	int gateway; /* 1: the keyring holds the agency's public keys only, no secret key
		      * (the member "gateway": true; records without it are not gateways) */
	struct pouch_agency_key *keys;
	size_t nkeys;
};

/* Loads and validates the record at path. A malformed record is POUCH_E_CORRUPT naming path.
 * Release with pouch_agency_release. */
int pouch_agency_load(const char *path, struct pouch_agency *a, struct pouch_err *err);

/* Writes the record atomically (mode 0600); with exclusive set an existing file is kept. */
int pouch_agency_save(const char *path, const struct pouch_agency *a, int exclusive,
		      struct pouch_err *err);

/* Frees what a holds; a may be zeroed. */
void pouch_agency_release(struct pouch_agency *a);

/* Appends a key (copied) to a. Returns 0 or POUCH_E_NOMEM. */
int pouch_agency_add_key(struct pouch_agency *a, const struct pouch_agency_key *k,
			 struct pouch_err *err);

/* The current (signing) key, or NULL when a record has none. */
const struct pouch_agency_key *pouch_agency_current(const struct pouch_agency *a);

/* The record as JSON text for --json output (spec/cli/pouch-whoami.schema.json): the code as
 * "agency", the current key's fingerprint and expiry at the top level and "gateway" (true or
 * false); caller frees. NULL when out of memory. */
char *pouch_agency_json(const struct pouch_agency *a);

#endif
