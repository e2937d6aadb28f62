/* Pulling: fetching the packages addressed to us from our own endpoint and our partners',
 * verifying each on arrival into the inbox or quarantine, answering each with our signed
 * receipt, and collecting the receipts our recipients gave for what we sent. */
#ifndef POUCH_PULL_H
#define POUCH_PULL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/err.h"
#include "base/uuid.h"
#include "base/validate.h"
#include "crypto/digest.h"
#include "directory/home.h"
#include "exchange/https.h"

#define POUCH_PULL_LIMIT 100	  /* items asked for per page by default */
#define POUCH_PULL_LIMIT_MAX 1000 /* the most a page may hold (the protocol's maximum) */
#define POUCH_PULL_JOBS 4	  /* packages on their way at once per source by default */

/* What a pull reports as it goes. */
enum pouch_pull_kind {
	POUCH_PULL_GOOD,	  /* a package verified and stored: path */
	POUCH_PULL_QUARANTINED,	  /* a package failed verification: reason, path */
	POUCH_PULL_RECEIPT_SENT,  /* the endpoint took our receipt for id */
	POUCH_PULL_RECEIPT,	  /* a receipt for a package we sent verified and was stored:
				   * agency is the recipient, verdict and reason its own */
	POUCH_PULL_WARNING,	  /* something refused or left for later: reason says
				   * what (a receipt that does not verify, ours that the
				   * endpoint would not take) */
	POUCH_PULL_SOURCE_FAILED, /* the source could not be pulled (further): reason; the other
				   * sources still run */
};

/* One report; every pointer is valid during the callback only and may be NULL where it does not
 * apply. */
struct pouch_pull_event {
	enum pouch_pull_kind kind;
	const char *source;  /* the endpoint's URL */
	const char *party;   /* whose endpoint it is: a partner's code, or ours */
	const char *id;	     /* the package */
	const char *agency;  /* the package's sender, or for POUCH_PULL_RECEIPT the recipient */
	const char *verdict; /* "accepted" or "rejected" (receipts) */
	const char *reason;  /* one line */
	const char *path;    /* the stored envelope file */
	time_t time;	     /* POUCH_PULL_RECEIPT: the time the receipt states */
	const char *priority; /* a package's, when its header could be read */
};

/* How to pull. Everything is borrowed for the call. */
struct pouch_pull_opts {
	const char *from;	/* only this party's endpoint (our own code: our own endpoint),
				 * or NULL: ours and every partner's that has one */
	const char *passphrase; /* our key's, to sign receipts (NULL: see pouch_receipt_make) */
	size_t limit;		/* page size asked for, 1 to POUCH_PULL_LIMIT_MAX; 0: default */
	size_t jobs;		/* packages downloaded, verified and answered at once per source,
				 * each over a connection of its own; 0: POUCH_PULL_JOBS */
	time_t now;		/* the time of the run: verification, receipts, rows */
	/* Each report as it happens, or NULL. */
	void (*event)(void *arg, const struct pouch_pull_event *ev);
	/* A transfer of a package file: start (label: the package id), progress as
	 * pouch_https_req.progress, end. Each may be NULL. */
	void (*transfer_start)(void *arg, const char *label);
	void (*progress)(void *arg, const struct pouch_https_progress *p);
	void (*transfer_end)(void *arg);
	void *arg;
};

/* Counts of what one pull did. */
struct pouch_pull_result {
	unsigned sources;	/* sources tried */
	unsigned failed;	/* sources that failed (POUCH_PULL_SOURCE_FAILED) */
	unsigned good;		/* packages stored in the inbox */
	unsigned quarantined;	/* packages quarantined */
	unsigned receipts_sent; /* our receipts the endpoints took */
	unsigned receipts;	/* receipts for what we sent, verified and stored */
	unsigned warnings;	/* POUCH_PULL_WARNING events */
};

/* Pulls from each source in turn under the home's "pull" lock (pouch_state_lock). Per source:
 * the packages listed after the saved cursor, page by page; each one not pulled before is
 * downloaded into incoming/ (resumed from what an interrupted run left there), verified as
 * pouch_package_verify does (and its SHA-256 and id must be the ones the endpoint listed),
 * answered with our receipt (accepted, or rejected with the reason; none when the header cannot
 * be read), o->jobs packages at once over a connection each; then in listing order, a group at
 * a time, moved into inbox/ or quarantine/ and recorded together with the cursor after the
 * group's last package (never past one not stored); then the receipts are sent. Events come in
 * listing order, from the caller's thread. Receipts not yet taken by the source are sent again. Then the receipts
 * for packages we sent are listed after their cursor; each is verified (pouch_receipt_verify,
 * pouch_receipt_matches against our outgoing row) and stored on its delivery row, or reported
 * and skipped. Audit entries: pull, verify, receipt-sent, receipt-received. A source that fails
 * (network, an error status, a malformed answer) is reported through o->event and counted in
 * res; the others still run. Killed at any point, a later pull neither loses nor duplicates a
 * package or a receipt. Returns 0 (look at res), or an error that stops the whole pull:
 * POUCH_E_USAGE (bad limit), POUCH_E_NOTFOUND (no endpoint to pull from, an unknown --from
 * party), POUCH_E_REFUSED (another pull is running), the errors of the state, the audit trail,
 * signing a receipt (POUCH_E_GPG) or the file system. */
int pouch_pull(const struct pouch_home *h, const struct pouch_pull_opts *o,
	       struct pouch_pull_result *res, struct pouch_err *err);

/* ev as one line of JSON (caller frees; spec/cli/pouch-pull.schema.json):
 * {"type":"good"|"quarantined"|"receipt-sent"|"receipt"|"warning"|"source-failed","endpoint",
 * "agency" (whose endpoint)} and, where set, "id", "sender" (the package's; for "receipt":
 * "recipient"), "verdict", "reason", "path", "time". NULL when out of memory. */
char *pouch_pull_event_json(const struct pouch_pull_event *ev);

struct pouch_receipt;
struct pouch_state;

/* Checks the receipt file (len bytes) that a recipient gave for a package we sent, at time now,
 * and stores it: pouch_receipt_verify, then pouch_receipt_matches against our outgoing row of
 * that package (its id, header SHA-256, sender and delivery recipients), then it goes on the
 * delivery row of (package, recipient agency) with when (received) unless that row holds a
 * receipt already. On success r (may be NULL) holds the receipt and *stored (may be NULL) is 1
 * when it was new, 0 when the same receipt was there. Returns 0; POUCH_E_VERIFY when it does not
 * verify or names a package we did not send or a recipient it did not have; POUCH_E_EXISTS
 * when the delivery holds another receipt; database errors. */
int pouch_pull_receipt_store(const struct pouch_home *h, struct pouch_state *s, const char *file,
			     size_t len, time_t now, struct pouch_receipt *r, int *stored,
			     struct pouch_err *err);

/* One package in the inbox (incoming table), for pouch inbox. Strings are valid during the
 * callback only; NULL when unknown (a header that could not be read). */
struct pouch_inbox_item {
	const char *id, *source, *sender, *digest;
	uint64_t size;
	int64_t payload_size; /* -1: inline */
	int good;	      /* 1: inbox/, 0: quarantine/ */
	const char *reason;   /* why quarantined; NULL when good */
	const char *priority;
	time_t created, expires; /* 0 when unknown */
	time_t received;
	int has_receipt;     /* 0: no receipt could be made (header unreadable) */
	time_t receipt_sent; /* 0: not yet taken by the endpoint */
	const char *path;    /* the envelope file */
	const char *header_sha256; /* of its header bytes; NULL when unknown */
	time_t opened;       /* when it was first opened here (pouch open); 0: never */
};

/* Which packages pouch_inbox_list lists; zeroed: all. */
struct pouch_inbox_filter {
	const char *from;     /* only this sender's */
	const char *priority; /* only this priority's */
	int opened;           /* 1: only those opened, -1: only those not opened, 0: both */
	time_t since, until;  /* received at or after since, before until; 0: no bound */
};

/* Calls fn for each package pulled in that f (NULL: none) lets through, by priority
 * (immediate first, then urgent, routine, information, unknown), then oldest first (received,
 * then id), until fn returns non-zero, which is returned. Returns 0 or the state's errors. */
int pouch_inbox_list(const struct pouch_home *h, const struct pouch_inbox_filter *f,
		     int (*fn)(const struct pouch_inbox_item *it, void *arg), void *arg,
		     struct pouch_err *err);

/* it as one line of JSON (caller frees; spec/cli/pouch-inbox.schema.json): {"id","sender",
 * "endpoint","priority","created","expires","received","verdict":"good"|"bad","reason",
 * "digest","size","payload_size","path","receipt":"sent"|"pending"|"none","receipt_sent",
 * "opened"}. NULL when out of memory. */
char *pouch_inbox_item_json(const struct pouch_inbox_item *it);

/* A good package in the inbox, as pouch_inbox_find returns it. */
struct pouch_inbox_entry {
	char id[POUCH_UUID_LEN];
	char sender[POUCH_CODE_MAX + 1];
	char header_sha256[POUCH_SHA256_HEX];
	time_t received;
	char *path; /* its envelope in inbox/ */
};

/* Finds the package ref names in the inbox, for pouch open ID and pouch show ID: ref is an id,
 * or the start of one (at least 4 characters), optionally after "SENDER/" (ids are per
 * sender). Returns 0 with e filled (release with pouch_inbox_entry_release);
 * POUCH_E_NOTFOUND "no package 'REF' in the inbox"; POUCH_E_USAGE when several match (the
 * message lists them as SENDER/ID); POUCH_E_REFUSED when it is quarantined (the message says
 * why); the state's errors. */
int pouch_inbox_find(const struct pouch_home *h, const char *ref, struct pouch_inbox_entry *e,
		     struct pouch_err *err);

/* Whether ref has the form pouch_inbox_find takes (so is no file name pouch would take for
 * one): 1 or 0. */
int pouch_inbox_ref(const char *ref);

void pouch_inbox_entry_release(struct pouch_inbox_entry *e);

#endif
