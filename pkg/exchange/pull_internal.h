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
};

/* A package record from a list, checked (it names files and goes into rows). */
struct pull_item {
	const char *id, *sender, *digest, *cursor;
	uint64_t size;
	int64_t payload; /* the detached payload's size, or -1 */
	char name[POUCH_CODE_MAX + 1 + POUCH_UUID_LEN]; /* its files' base name (name_item) */
};

/* What verifying a download found. */
struct pull_verdict {
	int good;
	char reason[POUCH_ERR_MSG_MAX];
	int named;		/* the header was read and names the listed package */
	struct pouch_header hd; /* when named */
	char hsha[POUCH_SHA256_HEX];
	char digest[POUCH_SHA256_HEX]; /* of the envelope file as downloaded */
};

/* Reads and checks one package record of a list (POUCH_E_NET when malformed). */
int pull_item_read(const struct pull_source *s, json_t *j, struct pull_item *it,
		   struct pouch_err *err);

/* Downloads url into final (through final.part, resumed from what it holds) unless final is
 * there already with size bytes. */
int pull_download(struct pull_run *r, struct pull_source *s, const char *id, const char *url,
		  const char *final, uint64_t size, struct pouch_err *err);

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
 * saved cursor, calling take for each item (stopping at its error) and saving the cursor after
 * each page. A failed request, an error status or a malformed page is POUCH_E_NET naming the
 * source. */
int pull_list(struct pull_run *r, struct pull_source *s, const char *kind,
	      int (*take)(struct pull_run *r, struct pull_source *s, json_t *item,
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
