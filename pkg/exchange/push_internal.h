/* Inside delivery only: one run over the outbox (push_deliver.c) and one attempt at delivering a
 * package to an endpoint (push_attempt.c). */
#ifndef POUCH_PUSH_INTERNAL_H
#define POUCH_PUSH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "directory/agency.h"
#include "directory/endpoint.h"
#include "exchange/push.h"
#include "package/verify.h"

/* How an attempt ended. */
enum push_outcome_kind {
	OUT_DELIVERED,
	OUT_RETRY,  /* transient: worth trying again now */
	OUT_STUCK,  /* not the package's fault, but trying again now will not help */
	OUT_FAILED, /* refused for good */
};

struct push_outcome {
	enum push_outcome_kind kind;
	char reason[POUCH_ERR_MSG_MAX];
	uint64_t retry_after_ms;
};

/* One endpoint URL and the handle that reaches it. */
struct push_target {
	char *url;                 /* without a trailing '/' */
	struct pouch_tls_paths tls;
	struct pouch_https *https; /* made on first use */
	int down;                  /* set after an attempt gave up: the rest stay queued */
	char reason[POUCH_ERR_MSG_MAX];
};

/* One queued delivery. */
struct push_job {
	char id[POUCH_UUID_LEN];
	char recipient[POUCH_CODE_MAX + 1];
	char digest[POUCH_SHA256_HEX];
	uint64_t size;
	int64_t payload_size; /* -1: inline */
	char priority[16];
	long attempts;
	long target;          /* index into the targets, or -1: no endpoint (reason says why) */
	char reason[POUCH_ERR_MSG_MAX];
	int done;
};

/* One run of pouch_push_deliver. */
struct push_run {
	const struct pouch_home *h;
	struct pouch_state *s;
	const struct pouch_push_opts *o;
	struct pouch_push_summary *sum;
	struct push_target *targets;
	size_t ntargets;
	struct push_job *jobs;
	size_t njobs;
	uint64_t waited_ms; /* retry waits so far, added to o->now */
};

/* Sets out's kind and its reason (formatted). */
void push_set_reason(struct push_outcome *out, enum push_outcome_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One attempt at delivering j's package to t: its detached payload staged (resumed from the
 * endpoint's offset), then its envelope PUT, and once more both when the endpoint says the
 * payload is missing. The handle of t is made on first use. Returns 0 with out set, or < 0 on a
 * local failure of ours (out of memory) that ends the run. */
int push_attempt(struct push_run *r, struct push_target *t, const struct push_job *j,
		 struct push_outcome *out, struct pouch_err *err);

/* Takes the envelope file at path, read whole into buf (len bytes, SHA-256 digest), as one this
 * home packed (push_own.c): when state.db records digest for the id its header names, the
 * header parses strictly, names our agency own as the sender with a key of ours that signs at
 * now, and a detached payload is named as pack names it, v is filled (its payload_path beside
 * path, not read here) and 1 returned without verifying the signature. A genuine package of
 * ours that is expired (POUCH_E_EXPIRED) or created in the future (POUCH_E_VERIFY) is refused
 * with verification's words. 0: not one we recorded, or in doubt: verify it. */
int push_take_own(struct pouch_state *s, const struct pouch_agency *own, const char *path,
		  const char *buf, size_t len, const char *digest, time_t now,
		  struct pouch_verified *v, struct pouch_err *err);

#endif
