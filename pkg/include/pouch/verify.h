/* Verifying a package on arrival (spec/envelope.md section 5): no private key needed. */
#ifndef POUCH_VERIFY_H
#define POUCH_VERIFY_H

#include <time.h>

#include "pouch/envelope.h"
#include "pouch/err.h"
#include "pouch/home.h"

struct pouch_verified {
	struct pouch_header h;       /* the verified header */
	struct pouch_envelope env;   /* the envelope as read */
	char *payload_path;          /* the detached payload file, or NULL when inline */
};

/* Verifies the package whose envelope is at path, at time now: its header signature by a key
 * the partner directory (or our own identity) pins for the sender the header names, in a valid
 * state; the header's strict form; the payload's size and SHA-256; created not in the future
 * (60 s of skew) and expires in the future. POUCH_E_VERIFY says why not, naming the package;
 * POUCH_E_IO and others are operational. On success v holds the result (release it). */
int pouch_package_verify(const struct pouch_home *home, const char *path, time_t now,
			 struct pouch_verified *v, struct pouch_err *err);

void pouch_verified_release(struct pouch_verified *v);

/* The verdict as one line of JSON (caller frees): for a good package (v set, reason NULL)
 * {"verdict":"good","package":PATH,"id",...header fields...}, for a bad one (v NULL)
 * {"verdict":"bad","package":PATH,"reason":REASON}. NULL when out of memory. */
char *pouch_verdict_json(const char *path, const struct pouch_verified *v, const char *reason);

#endif
