/* Inside delivery only: one run over the outbox (push_deliver.c: planning and recording), its
 * workers keeping several packages on their way per endpoint (push_pool.c), one attempt at
 * delivering a package to an endpoint (push_attempt.c), and packages taken as ours
 * (push_own.c). */
#ifndef POUCH_PUSH_INTERNAL_H
#define POUCH_PUSH_INTERNAL_H

#include <pthread.h>
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

/* One endpoint URL, the packages going there and how many may be on their way at once. */
struct push_target {
	char *url;                 /* without a trailing '/' */
	struct pouch_tls_paths tls;
	size_t *units;             /* its units, in the run's order */
	size_t nunits, next;       /* next: the first not yet started */
	int active;                /* units being delivered now */
	int limit;                 /* how many may be: 1 until one is delivered, and again after a
				    * failure, else the run's parallel */
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

/* What one attempt (or a delivery not tried) came to, as a worker posts it for the run to
 * record and report in order. */
struct push_event {
	struct push_outcome out;
	int counted;      /* an attempt was made (0: not tried, the endpoint being down) */
	int final;        /* 0: it is retried after wait_ms */
	uint64_t wait_ms;
};

/* One package at one target: the job first and the other jobs of its id there. */
struct push_unit {
	size_t first;
	long target;
	struct push_event *events; /* posted so far */
	size_t nevents, seen;      /* seen: those recorded */
	int finished;              /* its final event is posted */
};

/* One run of pouch_push_deliver. The units, their events and the targets' counters are shared
 * with the workers under mu; the jobs' attempts and done, the state and the summary belong to
 * the thread that records (the caller's). */
struct push_run {
	const struct pouch_home *h;
	struct pouch_state *s;
	const struct pouch_push_opts *o;
	struct pouch_push_summary *sum;
	struct push_target *targets;
	size_t ntargets;
	struct push_job *jobs;
	size_t njobs;
	struct push_unit *units;
	size_t nunits;
	int parallel;
	uint64_t waited_ms;     /* retry waits so far, added to o->now */
	pthread_mutex_t mu;
	pthread_cond_t posted;  /* an event was posted (the recorder waits) */
	pthread_cond_t changed; /* a target's counters changed, or stop (the workers wait) */
	int stop;               /* the run ends: no more attempts, waits cut short */
	struct pouch_err fail;  /* a worker's failure that ends the run (fail.code < 0) */
	pthread_mutex_t show;   /* the transfer and progress callbacks and report, one at a time */
	const void *shown;      /* the connection whose transfer the callbacks show, or NULL */
};

/* One worker's connection to a target: its own handle, kept between requests. */
struct push_conn {
	struct push_run *run;
	struct push_target *t;
	struct pouch_https *https; /* made on first use */
};

/* Sets out's kind and its reason (formatted). */
void push_set_reason(struct push_outcome *out, enum push_outcome_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One attempt at delivering j's package over c: its detached payload staged (resumed from the
 * endpoint's offset), then its envelope PUT, and once more both when the endpoint says the
 * payload is missing. The handle of c is made on first use. Returns 0 with out set, or < 0 on a
 * local failure of ours (out of memory) that ends the run. */
int push_attempt(struct push_conn *c, const struct push_job *j, struct push_outcome *out,
		 struct pouch_err *err);

/* The run's transfer and progress callbacks for a transfer over c (push_attempt.c): shown for
 * one connection at a time, the first to start one; the others go unshown. label NULL: it
 * ended. */
void push_show_transfer(struct push_conn *c, const char *label);
void push_show_progress(void *conn, const struct pouch_https_progress *p);

/* Delivers every unit of r with up to r->parallel workers per target (push_pool.c), calling
 * record for each run of events posted in order (the recorder's thread is the caller's) until
 * every unit is finished and recorded. Returns 0, or the first failure of record or of a
 * worker. */
int push_pool_run(struct push_run *r,
		  int (*record)(struct push_run *r, const size_t *unit, const struct push_event *ev,
				size_t n, struct pouch_err *err),
		  struct pouch_err *err);

/* Takes the envelope file at path, read whole into buf (len bytes, SHA-256 digest), as one this
 * home packed (push_own.c): when state.db records digest for the id its header names, the
 * header parses strictly, names our agency own as the sender with a key of ours that signs at
 * now, and a detached payload beside path is named as pack names it and has the size and
 * SHA-256 the header gives, v is filled and 1 returned without verifying the signature. A
 * genuine package of ours that is expired (POUCH_E_EXPIRED) or created in the future
 * (POUCH_E_VERIFY) is refused with verification's words. 0: not one we recorded, or in doubt:
 * verify it. */
int push_take_own(struct pouch_state *s, const struct pouch_agency *own, const char *path,
		  const char *buf, size_t len, const char *digest, time_t now,
		  struct pouch_verified *v, struct pouch_err *err);

#endif
