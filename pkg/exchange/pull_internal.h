/* Inside pouch_pull: one run's context and one source, shared by pull.c (packages) and
 * pull_receipts.c (our receipts sent, and the receipts for what we sent). */
#ifndef POUCH_PULL_INTERNAL_H
#define POUCH_PULL_INTERNAL_H

#include "base/json.h"
#include "directory/endpoint.h"
#include "exchange/https.h"
#include "exchange/pull.h"
#include "exchange/state.h"
#include "package/envelope.h"
#include "crypto/digest.h"
#include "base/uuid.h"
#include "base/validate.h"

/* One endpoint pulled from. */
struct pull_source {
	char party[POUCH_CODE_MAX + 1]; /* whose endpoint: a partner's code or ours */
	struct pouch_tls_paths tls;	/* tls.url is the source */
	struct pouch_https *https;	/* one connection for every request to it */
};

/* One run of pouch_pull. */
struct pull_run {
	const struct pouch_home *h;
	const struct pouch_pull_opts *o;
	struct pouch_pull_result *res;
	struct pouch_state st;
	size_t limit;
	size_t jobs;		    /* packages on their way at once per source */
	struct pull_pool *pool;	    /* the current source's workers */
};

/* A package record from a list, checked (it names files and goes into rows). */
struct pull_item {
	const char *id, *sender, *digest, *cursor;
	uint64_t size;
	int64_t payload; /* the detached payload's size, or -1 */
	char name[POUCH_CODE_MAX + 1 + POUCH_UUID_LEN]; /* its files' base name (name_item) */
};

struct pull_pool;

/* What verifying a download found. */
struct pull_verdict {
	int good;
	char reason[POUCH_ERR_MSG_MAX];
	int named;		/* the header was read and names the listed package */
	struct pouch_header hd; /* when named */
	char hsha[POUCH_SHA256_HEX];
	char digest[POUCH_SHA256_HEX]; /* of the envelope file as downloaded */
};

/* Where a listed package is in its page's pull. A worker moves FETCHING to FETCHED and
 * SENDING to SENT; the caller's thread does every other step (pull_page.c). */
enum pull_step {
	PULL_SKIP,     /* pulled before: only its cursor to save */
	PULL_FETCHING, /* queued or being downloaded, verified and answered */
	PULL_FETCHED,  /* ret 0: v and receipt filled; else err says why */
	PULL_SENDING,  /* stored; its receipt queued or being sent */
	PULL_SENT,     /* ret 0: status and (refused) warn; else err */
	PULL_DONE,     /* stored (or skipped) and its receipt dealt with */
	PULL_DROPPED,  /* not pulled this time: the run stopped before it */
};

/* One listed package of a page. */
struct pull_slot {
	struct pull_item it;
	enum pull_step step;
	int ret;
	struct pouch_err err;
	struct pull_verdict v;
	char *receipt; /* our receipt file (rlen bytes), or NULL when none can be made */
	size_t rlen;
	char *stored;  /* the envelope's path in inbox/ or quarantine/ once stored */
	int sent;      /* the endpoint took the receipt */
	int warn;      /* the endpoint refused it: warning says why */
	struct pouch_err warning;
};

/* Starts r->jobs workers for source s, each over a connection of its own (r->pool). */
int pull_pool_start(struct pull_run *r, struct pull_source *s, struct pouch_err *err);

/* Stops and frees r->pool's workers (none: nothing). */
void pull_pool_stop(struct pull_run *r);

/* Queues slot for a worker (its step FETCHING or SENDING). */
void pull_pool_queue(struct pull_run *r, struct pull_slot *slot);

/* Takes and gives back the pool's lock: a slot's step is read under it. */
void pull_pool_lock(struct pull_run *r);
void pull_pool_unlock(struct pull_run *r);

/* Under the pool's lock: with seen not NULL, waits while no worker finished a step since
 * *seen (and one is at work), then sets *seen; drops every queued FETCHING slot
 * (PULL_DROPPED) when drop is set. Returns how many slots are queued or being worked on. */
size_t pull_pool_wait(struct pull_run *r, unsigned long *seen, int drop);

/* Pulls the packages of one page of the list in order (pull_page.c). */
int pull_take_page(struct pull_run *r, struct pull_source *s, json_t *items,
		   struct pouch_err *err);

/* Stores slots[0..n) in one group: files moved into inbox/ or quarantine/, audit entries,
 * rows and the cursor after the last one in one transaction (pull_store.c). */
int pull_store(struct pull_run *r, struct pull_source *s, struct pull_slot *slots, size_t n,
	       struct pouch_err *err);

/* The names of a page's packages, checked against the rows and each other: a package
 * pulled before is PULL_SKIP (pull_store.c). */
int pull_name(struct pull_run *r, struct pull_source *s, struct pull_slot *slots, size_t n,
	      struct pouch_err *err);

/* Marks the receipts of slots[0..n) that the endpoint took as sent, with their audit
 * entries, in one transaction (pull_receipts.c). */
int pull_sent(struct pull_run *r, struct pull_source *s, struct pull_slot **slots, size_t n,
	      struct pouch_err *err);

/* PUTs the receipt file (len bytes) for package id on https: *taken is 1 when the endpoint
 * took it; a refusal (a 4xx other than 429) is 0 with *taken 0 and the reason in warning;
 * another answer or a network failure is POUCH_E_NET (pull_receipts.c). */
int pull_put_receipt(struct pull_source *s, struct pouch_https *https, const char *id,
		     const char *file, size_t len, int *taken, struct pouch_err *warning,
		     struct pouch_err *err);

/* Reads and checks one package record of a list (POUCH_E_NET when malformed). */
int pull_item_read(const struct pull_source *s, json_t *j, struct pull_item *it,
		   struct pouch_err *err);

/* Downloads url into final (through final.part, resumed from what it holds) unless final is
 * there already with size bytes. */
int pull_download(struct pull_run *r, struct pull_source *s, struct pouch_https *https,
		  const char *id, const char *url, const char *final, uint64_t size,
		  struct pouch_err *err);

/* A worker's step for one package: its files downloaded into incoming/, verified, and our
 * receipt made (pull_fetch.c). */
int pull_fetch(struct pull_run *r, struct pull_source *s, struct pouch_https *https,
	       struct pull_slot *slot, struct pouch_err *err);

/* Verifies the downloaded package at path as pouch verify does, and against the list's
 * record, into *v. Only a failure to check at all is an error. */
int pull_check(struct pull_run *r, const char *path, const struct pull_item *it,
	       struct pull_verdict *v, struct pouch_err *err);

/* Reports ev (its kind and fields set by the caller) with the source filled in, and counts it. */
void pull_emit(struct pull_run *r, const struct pull_source *s, struct pouch_pull_event *ev);

/* The source's URL followed by path (formatted), newly allocated; NULL when out of memory. */
char *pull_url(const struct pull_source *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* POUCH_E_NET for an answer other than 2xx to the request what: "WHAT: URL answered STATUS:
 * CODE: MESSAGE" with the error body's code and message when it has them (escaped). */
int pull_status_error(const struct pull_source *s, const struct pouch_https_resp *resp,
		      const char *what, struct pouch_err *err);

/* Goes through the list kind ("packages" or "receipts") at source s page by page from the
 * saved cursor, calling take for each page's array of items (stopping at its error) and saving
 * the cursor after each page. A failed request, an error status or a malformed page is POUCH_E_NET naming the
 * source. */
int pull_list(struct pull_run *r, struct pull_source *s, const char *kind,
	      int (*take)(struct pull_run *r, struct pull_source *s, json_t *items,
			  struct pouch_err *err),
	      struct pouch_err *err);

/* The saved cursor of kind at source url into *out (caller frees; NULL when none). */
int pull_cursor_get(struct pull_run *r, const char *url, const char *kind, char **out,
		    struct pouch_err *err);

/* Saves value as the cursor of kind at url (inside the caller's transaction, if any). */
int pull_cursor_set(struct pull_run *r, const char *url, const char *kind, const char *value,
		    struct pouch_err *err);

/* Sends the receipts of this source's incoming rows that the source has not taken yet (only
 * the row whose files are named name when name is not NULL) and marks them sent. A receipt the
 * source refuses (a 4xx other than 429) is a warning and stays unsent; a network failure or
 * another status is POUCH_E_NET. */
int pull_send_receipts(struct pull_run *r, struct pull_source *s, const char *name,
		       struct pouch_err *err);

/* Lists the receipts for packages we sent at this source after the saved cursor, verifying and
 * storing each (pouch_pull_receipt_store) or reporting it; the cursor is saved after each
 * page. POUCH_E_NET when the source fails. */
int pull_fetch_receipts(struct pull_run *r, struct pull_source *s, struct pouch_err *err);

#endif
