/* The sending side of the exchange: packages we signed go into the home's durable outbox
 * (outgoing + delivery rows of state.db, files in outbox/), are delivered to each recipient's
 * endpoint over HTTPS with retries, and are read back for `pouch outbox` and `pouch status`.
 * This module is the only writer of the outgoing and delivery rows (bar the receipt_* columns,
 * which pull fills in). */
#ifndef POUCH_PUSH_H
#define POUCH_PUSH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/digest.h"
#include "base/err.h"
#include "directory/home.h"
#include "exchange/https.h"
#include "exchange/state.h"
#include "base/uuid.h"
#include "base/validate.h"

#define POUCH_PUSH_RETRIES 4          /* further attempts in one run, by default */
#define POUCH_PUSH_RETRIES_MAX 20     /* the most a caller may ask for */
#define POUCH_PUSH_BACKOFF_BASE_MS 1000
#define POUCH_PUSH_BACKOFF_CAP_MS 30000
#define POUCH_PUSH_PARALLEL 4         /* packages on their way at once per endpoint, by default */
#define POUCH_PUSH_PARALLEL_MAX 16    /* the most a caller may ask for */

/* What pouch_push_queue did with one file. */
struct pouch_push_queued {
	char id[POUCH_UUID_LEN];
	int added; /* 1: newly queued; 0: already in the outbox with the same digest */
};

/* Takes the n packages at paths into the outbox, all or none. Each must verify
 * (pouch_package_verify against h at now) and be sent by our own agency; a file whose exact
 * bytes this home recorded as packed (pouch_push_packed_record) is taken without verifying its
 * signature again (its header parsed, our key and its times checked). Its files are copied
 * into s->outbox (ID.pouch, and ID.pouch.pgp when detached: temporary name, fsync, rename,
 * directory fsync) and then one transaction inserts every new outgoing row with a queued
 * delivery per recipient (endpoint: the URL to use instead of the recipient's, or NULL) and
 * appends a "push" audit entry per new package. A package already in the outbox with the same
 * envelope digest is not queued again (added 0); the same id with another digest is refused.
 * out receives n entries (caller-allocated). The caller should hold the "push" state lock.
 * Returns 0; POUCH_E_VERIFY (not genuine; the message names the file), POUCH_E_REFUSED (not
 * sent by us, or a conflicting id), POUCH_E_USAGE (a malformed endpoint URL), POUCH_E_IO and
 * others. On failure nothing is queued (files already copied for a new package stay as
 * orphans that the next queue replaces). */
int pouch_push_queue(const struct pouch_home *h, struct pouch_state *s, const char *const *paths,
		     size_t n, const char *endpoint, time_t now, struct pouch_push_queued *out,
		     struct pouch_err *err);

/* Records in h's state.db that this home made the envelope file of package id whose bytes have
 * the SHA-256 digest (64 hex digits), as pack, pack --batch and forward do once it is written:
 * pouch_push_queue then takes that exact file without verifying its signature again. Safe from
 * several processes at once; durable once it returns 0. Errors of the state database. */
int pouch_push_packed_record(const struct pouch_home *h, const char *id, const char *digest,
			     time_t now, struct pouch_err *err);

/* As pouch_push_packed_record for n packages (id[i], digest[i]) in one transaction: all
 * recorded, or none. */
int pouch_push_packed_record_many(const struct pouch_home *h, const char *const *id,
				  const char *const *digest, size_t n, time_t now,
				  struct pouch_err *err);

/* The outcome of one delivery (one recipient of one package) as reported during a run. */
enum pouch_push_verdict {
	POUCH_PUSH_DELIVERED, /* the endpoint stored the package (201, or 200 for a resend) */
	POUCH_PUSH_QUEUED,    /* not delivered in this run; stays queued with reason */
	POUCH_PUSH_FAILED,    /* permanently refused (a 4xx other than 429); reason is why */
	POUCH_PUSH_RETRY,     /* an attempt failed transiently; retrying after wait_ms */
};

/* One report; every pointer is valid during the callback only. */
struct pouch_push_report {
	enum pouch_push_verdict verdict;
	const char *id;
	const char *recipient; /* an agency code */
	const char *url;       /* the endpoint, or NULL when none could be found */
	const char *reason;    /* NULL when delivered */
	long attempts;         /* the delivery's attempts so far, this one included */
	uint64_t wait_ms;      /* POUCH_PUSH_RETRY only */
	const char *priority;  /* the package's, from its header */
};

/* How pouch_push_deliver runs; start from zero. */
struct pouch_push_opts {
	const char *const *ids; /* the packages whose queued deliveries to attempt, or NULL: every
				 * queued delivery in the outbox (a flush; next_attempt is not
				 * waited for: the caller asked for it now) */
	size_t nids;
	int retries;            /* further attempts after a transient failure, 0 to
				 * POUCH_PUSH_RETRIES_MAX */
	time_t now;             /* the run's time; retry waits are added to it */
	int parallel;           /* packages on their way at once per endpoint, each over a kept
				 * connection of its own, 1 to POUCH_PUSH_PARALLEL_MAX; 0:
				 * POUCH_PUSH_PARALLEL */
	/* Each delivery's outcome (and each retry) as it happens, or NULL. */
	void (*report)(void *arg, const struct pouch_push_report *r);
	/* Called with a short label before a transfer that may take a while (a payload upload, an
	 * envelope PUT) and with NULL after it; progress is passed to the HTTPS requests. Or
	 * NULL. */
	void (*transfer)(void *arg, const char *label);
	void (*progress)(void *arg, const struct pouch_https_progress *p);
	void *arg;              /* for report, transfer and progress */
};

/* Counts of the outcomes of one run (retries not counted). */
struct pouch_push_summary {
	size_t delivered, queued, failed;
};

/* Delivers the queued deliveries o selects. They are grouped by endpoint URL (a delivery's own
 * URL, else the recipient's endpoint from the directory; with the TLS settings of our own
 * endpoint for a URL equal to it, else the recipient's) and each package goes to each URL once
 * for all its recipients there, over one HTTPS handle per URL: a detached payload is staged
 * first (GET /v1/uploads/ID, then PATCH from the server's offset: an interrupted upload
 * resumes), then PUT /v1/packages/ID with the envelope streamed from the outbox. 201 or 200
 * with our digest: delivered. A transient failure (the transport, 5xx, 429, upload_busy) is
 * retried after pouch_push_backoff_ms up to o->retries times, then left queued with its reason
 * and next_attempt; after that the rest of that URL's packages stay queued untried (the same
 * reason). TLS, pin, certificate and local faults leave it queued without a retry; another 4xx
 * (or a 3xx) fails it with the server's "code: message". Every attempt updates the delivery
 * rows (attempts, last_attempt, state, reason) and appends a "push-attempt" audit entry per
 * recipient. The caller should hold the "push" state lock. Returns 0 when the run completed
 * (whatever the outcomes: see sum), else POUCH_E_IO, POUCH_E_CORRUPT, POUCH_E_NOMEM and others
 * for the state or the audit trail failing, or POUCH_E_USAGE for bad options. */
int pouch_push_deliver(const struct pouch_home *h, struct pouch_state *s,
		       const struct pouch_push_opts *o, struct pouch_push_summary *sum,
		       struct pouch_err *err);

/* A final report (not POUCH_PUSH_RETRY) as a JSON object (caller frees; a line of
 * spec/cli/pouch-push.schema.json): {"type":"delivery","id","recipient","endpoint": URL|null,
 * "state":"delivered"|"queued"|"failed","reason": null|STRING,"attempts": N}. NULL when out of
 * memory. */
char *pouch_push_report_json(const struct pouch_push_report *r);

/* The delay before retry n (from 0): rnd mapped onto [0, min(cap, base * 2^n)] (full jitter),
 * but never less than retry_after_ms (a server's Retry-After). Pure, for tests. */
uint64_t pouch_push_backoff_ms(unsigned n, uint64_t retry_after_ms, uint32_t rnd);

/* One delivery row as read back. Times are 0 when not set; strings NULL when not set. */
struct pouch_delivery_info {
	char recipient[POUCH_CODE_MAX + 1];
	char *endpoint;       /* the URL given at queue time, or NULL: the recipient's */
	char state[16];       /* "queued", "delivered" or "failed" */
	long attempts;
	time_t last_attempt, next_attempt, delivered;
	char *reason;
	char *receipt;        /* the receipt file as received, NUL-terminated, or NULL */
	size_t receipt_len;
	char receipt_verdict[16]; /* "accepted", "rejected", or "" without a receipt */
	char *receipt_reason;
	time_t receipt_time, receipt_received;
	/* Filled by pouch_push_check_receipts: 1 when the receipt verified again, else 0 with
	 * problem saying why (NULL when not checked or no receipt). */
	int receipt_verified;
	char *receipt_problem;
};

/* One outgoing package with its deliveries, in recipient order. */
struct pouch_outgoing_info {
	char id[POUCH_UUID_LEN];
	char sender[POUCH_CODE_MAX + 1];
	char digest[POUCH_SHA256_HEX];
	char header_sha256[POUCH_SHA256_HEX];
	char priority[16];
	uint64_t size;
	int64_t payload_size; /* -1: inline */
	time_t created, expires, queued;
	struct pouch_delivery_info *deliveries;
	size_t ndeliveries;
};

/* The outgoing package id with its deliveries into o (release with
 * pouch_outgoing_info_release). POUCH_E_NOTFOUND "no package 'ID' in the outbox"; others. */
int pouch_push_get(struct pouch_state *s, const char *id, struct pouch_outgoing_info *o,
		   struct pouch_err *err);

/* The outgoing packages in the order they were queued: with all set every one, else those with
 * a delivery not delivered (queued or failed). *out is a new array of *n entries (free with
 * pouch_outgoing_list_free). */
int pouch_push_list(struct pouch_state *s, int all, struct pouch_outgoing_info **out, size_t *n,
		    struct pouch_err *err);

/* Verifies each stored receipt of o again at now (pouch_receipt_verify, then
 * pouch_receipt_matches against the header of the envelope in the outbox) and sets each
 * delivery's receipt_verified and receipt_problem. A receipt that does not verify is not an
 * error (its problem says why); the return is < 0 only when the check cannot run (POUCH_E_IO,
 * POUCH_E_NOMEM, a corrupt directory). */
int pouch_push_check_receipts(const struct pouch_home *h, struct pouch_state *s,
			      struct pouch_outgoing_info *o, time_t now, struct pouch_err *err);

/* o as a JSON object (caller frees; compact, or indented with pretty): {"id","priority",
 * "queued","deliveries":[{"recipient","endpoint","state","attempts","last_attempt",
 * "delivered","reason","receipt": null | {"verdict","reason","time","received","verified",
 * "problem"}}]}, times as RFC 3339 strings or null. NULL when out of memory. */
char *pouch_outgoing_json(const struct pouch_outgoing_info *o, int pretty);

/* n packages as a JSON array of the objects pouch_outgoing_json makes (caller frees). */
char *pouch_outgoing_list_json(const struct pouch_outgoing_info *o, size_t n, int pretty);

/* o as text for people (caller frees; lines joined by newlines, no final one):
 *   package ID (priority P), queued TIME
 *     CODE: delivered TIME (attempts N), receipt accepted TIME
 *     CODE: delivered TIME (attempts N), receipt rejected TIME: REASON
 *     CODE: delivered TIME (attempts N), receipt does not verify: WHY
 *     CODE: delivered TIME (attempts N), no receipt yet
 *     CODE: queued (attempts N): REASON       (": REASON" left out before any attempt)
 *     CODE: failed (attempts N): REASON
 * with TIME in RFC 3339 UTC and a receipt's TIME the one it states. Reasons have their control
 * bytes replaced. NULL when out of memory. */
char *pouch_outgoing_text(const struct pouch_outgoing_info *o);

/* The whole id of the package in the outbox whose id is prefix or starts with it, into id
 * (POUCH_UUID_LEN bytes). POUCH_E_NOTFOUND "no package 'PREFIX' in the outbox"; POUCH_E_USAGE
 * when several start with it (the message lists them); database errors. */
int pouch_push_resolve(struct pouch_state *s, const char *prefix, char *id,
		       struct pouch_err *err);

/* Changes by hand the deliveries of the package prefix names (pouch_push_resolve; its whole id
 * into id), to recipient to only when not NULL. retry set: each delivery not delivered (queued,
 * failed or cancelled) is queued again, its reason and next_attempt cleared, for the next run
 * to try at once; else each queued or failed one is cancelled ("cancelled by hand"): never
 * tried again, and left out of pouch_push_list without all. One transaction, then an audit
 * entry per delivery changed ("outbox-retry", verdict queued; "outbox-cancel", verdict
 * cancelled, with the reason). *count gets how many changed. Returns 0; POUCH_E_NOTFOUND (no
 * such package, or to is not one of its recipients); POUCH_E_REFUSED when no delivery was left
 * to change ("nothing to retry: ..."); POUCH_E_USAGE (an ambiguous prefix); database and audit
 * errors. The caller should hold the "push" state lock. */
int pouch_push_change(const struct pouch_home *h, struct pouch_state *s, int retry,
		      const char *prefix, const char *to, time_t now, char *id, size_t *count,
		      struct pouch_err *err);

/* Cancels every queued or failed delivery to the agency code, with reason (such as "partner
 * removed"), as pouch_push_change does; *count gets how many. Returns 0 or the errors of the
 * database and the audit trail. */
int pouch_push_cancel_partner(const struct pouch_home *h, struct pouch_state *s,
			      const char *code, const char *reason, time_t now, size_t *count,
			      struct pouch_err *err);

/* Frees what o holds and zeroes it (zeroed allowed). */
void pouch_outgoing_info_release(struct pouch_outgoing_info *o);

/* Frees an array from pouch_push_list (NULL allowed). */
void pouch_outgoing_list_free(struct pouch_outgoing_info *o, size_t n);

#endif
