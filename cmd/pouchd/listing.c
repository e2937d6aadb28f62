/* pouchd's list routes, GET /v1/packages and GET /v1/receipts, streamed: a page of up to 1,000
 * records is read from the store a batch at a time as the client takes it, so that a page
 * costs a batch's memory, not the page's; at most max_listings pages are in progress. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/protocol.h"
#include "server/store.h"
#include "pouchd.h"

#define PACKAGE_BATCH 32
#define RECEIPT_BATCH 2 /* a receipt file is up to 64 KiB */

/* One page in progress. */
struct listing {
	struct pouchd *pd;
	int receipts; /* GET /v1/receipts, else GET /v1/packages */
	char caller[POUCH_CODE_MAX + 1];
	char *after; /* the request's after (NULL: none), for the end of an empty page */
	int64_t last; /* the cursor of the last record read */
	size_t left;  /* records the page may still take */
	int has_more; /* the last batch had more after it */
	int sent;     /* records rendered so far */
	int opened;   /* the page's start is rendered */
	int closed;   /* and its end */
	struct pouch_store_page pk;
	struct pouch_store_receipt_page rc;
	char *out; /* rendered text not sent yet: out[off..len) */
	size_t len, off;
};

/* Reads the next batch after ls->last. */
static int fetch(struct listing *ls, struct pouch_err *err)
{
	struct pouch_store *s = ls->pd->store;
	size_t max = ls->receipts ? RECEIPT_BATCH : PACKAGE_BATCH, n;
	int ret;

	if (max > ls->left)
		max = ls->left;
	if (ls->receipts) {
		ret = pouch_store_receipt_list(s, ls->caller, ls->last, max, &ls->rc, err);
		n = ls->rc.n;
		ls->has_more = ls->rc.has_more;
		if (n)
			ls->last = ls->rc.items[n - 1].seq;
	} else {
		ret = pouch_store_list(s, ls->caller, ls->last, max, &ls->pk, err);
		n = ls->pk.n;
		ls->has_more = ls->pk.has_more;
		if (n)
			ls->last = ls->pk.items[n - 1].seq;
	}
	ls->left -= n;
	return ret;
}

/* Renders the batch read (after the page's start, for the first), then reads the next one or
 * renders the page's end. */
static int render(struct listing *ls)
{
	size_t n = ls->receipts ? ls->rc.n : ls->pk.n, i;
	struct pouch_err err = { 0 };
	FILE *f = open_memstream(&ls->out, &ls->len);
	char *piece;
	int bad = !f;

	if (f && !ls->opened) {
		piece = pouch_proto_page_open(ls->receipts ? "receipts" : "packages");
		bad = !piece || fputs(piece, f) < 0;
		free(piece);
		ls->opened = 1;
	}
	for (i = 0; !bad && i < n; i++) {
		piece = ls->receipts ? pouch_proto_receipt(&ls->rc.items[i])
				     : pouch_proto_package(&ls->pk.items[i]);
		bad = !piece || fprintf(f, "%s%s", ls->sent++ ? "," : "", piece) < 0;
		free(piece);
	}
	pouch_store_receipt_page_release(&ls->rc);
	pouch_store_page_release(&ls->pk);
	if (!bad && ls->has_more && ls->left > 0) {
		bad = fetch(ls, &err) < 0;
		if (bad)
			pd_log("cannot list for %s: %s", ls->caller, err.msg);
	} else if (!bad) {
		piece = pouch_proto_page_close(ls->last, ls->sent > 0, ls->after, ls->has_more);
		bad = !piece || fputs(piece, f) < 0;
		free(piece);
		ls->closed = 1;
	}
	if (f && fclose(f) != 0)
		bad = 1;
	ls->off = 0;
	return bad ? -1 : 0;
}

static ssize_t reader(void *ctx, char *buf, size_t max)
{
	struct listing *ls = ctx;
	size_t n = 0, k;

	while (n < max) {
		if (ls->off == ls->len) {
			free(ls->out);
			ls->out = NULL;
			ls->len = ls->off = 0;
			if (ls->closed)
				break;
			if (render(ls) < 0)
				return -1;
			continue;
		}
		k = ls->len - ls->off < max - n ? ls->len - ls->off : max - n;
		memcpy(buf + n, ls->out + ls->off, k);
		ls->off += k;
		n += k;
	}
	return (ssize_t)n;
}

static void release(void *ctx)
{
	struct listing *ls = ctx;

	atomic_fetch_sub(&ls->pd->listings, 1);
	pouch_store_receipt_page_release(&ls->rc);
	pouch_store_page_release(&ls->pk);
	free(ls->after);
	free(ls->out);
	free(ls);
}

/* 503 with Retry-After: every listing slot is taken. */
static void busy(struct pd_req *q)
{
	char *body = pouch_proto_error("unavailable", "too many lists in progress; try again in a "
				       "moment");
	const char *headers[] = { "Retry-After", "1", NULL };

	q->failed = 1;
	if (body)
		pouch_http_respond(q->http, 503, "application/json", body, strlen(body), headers);
	free(body);
}

static void list(struct pouchd *pd, struct pd_req *q, int receipts)
{
	struct pouch_err err = { 0 };
	struct listing *ls;
	const char *after = pd_query(q, "after");
	int64_t from;
	size_t limit;

	if (pd_page_args(pd, q, receipts ? POUCH_STORE_RECEIPTS : POUCH_STORE_PACKAGES, &from,
			 &limit) < 0)
		return;
	if (atomic_fetch_add(&pd->listings, 1) >= pd->conf.max_listings) {
		atomic_fetch_sub(&pd->listings, 1);
		busy(q);
		return;
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls || (after && !(ls->after = strdup(after)))) {
		free(ls);
		atomic_fetch_sub(&pd->listings, 1);
		pd_error(q, 500, "internal", "out of memory");
		return;
	}
	ls->pd = pd;
	ls->receipts = receipts;
	snprintf(ls->caller, sizeof(ls->caller), "%s", q->agency);
	ls->last = from;
	ls->left = limit;
	/* The first batch before the status, so that a failure is still an error response. */
	if (fetch(ls, &err) < 0) {
		pd_fail(q, &err);
		release(ls);
		return;
	}
	pouch_http_respond_stream(q->http, 200, "application/json", reader, release, ls, NULL);
}

void pd_list(struct pouchd *pd, struct pd_req *q)
{
	list(pd, q, 0);
}

void pd_receipts(struct pouchd *pd, struct pd_req *q)
{
	list(pd, q, 1);
}
