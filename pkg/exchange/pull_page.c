/* pouch pull, one page of the package list: every package not pulled before goes to the
 * workers (pull_pool.c: download, verify, our receipt); the caller's thread stores what they
 * finished in listing order, in groups (pull_store: one sync of each directory, one audit
 * append and one transaction moving the cursor per group, never past a package not stored),
 * hands the stored packages' receipts back to the workers to send, records those taken in
 * groups too, and reports each package in listing order. The first failure in listing order
 * stops the page: what was stored before it stays, nothing after it is stored, and the
 * downloads left in incoming/ are resumed by the next pull. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "exchange/pull_internal.h"

/* Packages stored, or receipts recorded, in one group while more are on their way: each group
 * costs a sync of each directory, an audit append and a commit. */
#define GROUP 32

/* A page's progress. */
struct page {
	struct pull_slot *slots;
	size_t n;
	size_t stored; /* slots[0..stored) are stored (or skipped), or dropped after a failure */
	size_t shown;  /* slots[0..shown) are reported */
	int ret;       /* the first failure */
	struct pouch_err err;
	unsigned long seen; /* the workers' steps seen */
};

/* Reports a stored package, then what became of its receipt. */
static void report(struct pull_run *r, struct pull_source *s, struct pull_slot *sl)
{
	struct pouch_pull_event ev = {0};

	if (!sl->stored)
		return;
	ev.kind = sl->v.good ? POUCH_PULL_GOOD : POUCH_PULL_QUARANTINED;
	ev.id = sl->it.id;
	ev.agency = sl->v.named ? sl->v.hd.sender.agency : sl->it.sender;
	ev.reason = sl->v.good ? NULL : sl->v.reason;
	ev.path = sl->stored;
	ev.priority = sl->v.named ? sl->v.hd.priority : NULL;
	pull_emit(r, s, &ev);
	if (!sl->sent && !sl->warn)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = sl->sent ? POUCH_PULL_RECEIPT_SENT : POUCH_PULL_WARNING;
	ev.id = sl->it.id;
	ev.agency = sl->it.sender;
	ev.verdict = sl->sent ? (sl->v.good ? "accepted" : "rejected") : NULL;
	ev.reason = sl->sent ? NULL : sl->warning.msg;
	pull_emit(r, s, &ev);
}

static void fail(struct page *pg, int ret, const struct pouch_err *err)
{
	if (pg->ret < 0)
		return;
	pg->ret = ret;
	pg->err = *err;
}

/* Stores the finished slots from pg->stored on, in order, up to the first one not finished;
 * a failed download or check stops the page there. */
static void store_ready(struct pull_run *r, struct pull_source *s, struct page *pg)
{
	struct pouch_err err = {0};
	size_t from = pg->stored, to = from, i;
	int more, ret;

	pull_pool_lock(r);
	while (to < pg->n && (pg->slots[to].step == PULL_SKIP ||
			      (pg->slots[to].step == PULL_FETCHED && pg->slots[to].ret == 0)))
		to++;
	if (to < pg->n && pg->slots[to].step == PULL_FETCHED && pg->ret == 0 && to == from)
		fail(pg, pg->slots[to].ret, &pg->slots[to].err);
	/* While the next package is on its way, the group waits to grow. */
	more = to < pg->n && pg->slots[to].step == PULL_FETCHING && to - from < GROUP;
	pull_pool_unlock(r);
	if (pg->ret < 0 || to == from || more)
		return;
	if ((ret = pull_store(r, s, &pg->slots[from], to - from, &err)) < 0) {
		fail(pg, ret, &err);
		return;
	}
	for (i = from; i < to; i++) {
		if (pg->slots[i].receipt && pg->slots[i].stored) {
			pg->slots[i].step = PULL_SENDING;
			pull_pool_queue(r, &pg->slots[i]);
		} else {
			pg->slots[i].step = PULL_DONE;
		}
	}
	pg->stored = to;
}

/* Records the receipts the workers finished sending, in one group. */
static void record_sent(struct pull_run *r, struct pull_source *s, struct page *pg)
{
	struct pull_slot **sent = NULL;
	struct pouch_err err = {0};
	size_t i, k = 0;
	int ret;

	if (!(sent = calloc(pg->n, sizeof(*sent)))) {
		fail(pg, pouch_err_set(&err, POUCH_E_NOMEM, "out of memory"), &err);
		return;
	}
	pull_pool_lock(r);
	for (i = 0; i < pg->stored; i++)
		if (pg->slots[i].step == PULL_SENT)
			sent[k++] = &pg->slots[i];
	/* While more receipts are on their way, the group waits to grow. */
	if (k < GROUP && pg->ret == 0 && pull_pool_wait(r, NULL, 0))
		k = 0;
	pull_pool_unlock(r);
	if (k && (ret = pull_sent(r, s, sent, k, &err)) < 0) {
		fail(pg, ret, &err);
		/* Not recorded as taken: the next pull sends it again. */
		for (i = 0; i < k; i++)
			sent[i]->sent = 0;
	}
	for (i = 0; i < k; i++) {
		if (sent[i]->ret < 0)
			fail(pg, sent[i]->ret, &sent[i]->err);
		sent[i]->step = PULL_DONE;
	}
	free(sent);
}

/* Reports the slots done from pg->shown on, in listing order. */
static void report_done(struct pull_run *r, struct pull_source *s, struct page *pg)
{
	while (pg->shown < pg->stored && pg->slots[pg->shown].step == PULL_DONE)
		report(r, s, &pg->slots[pg->shown++]);
}

/* Whether a worker still has a slot of the page, or (not stopping) something is left to do. */
static int pending(struct pull_run *r, struct page *pg)
{
	size_t busy;

	pull_pool_lock(r);
	busy = pull_pool_wait(r, NULL, pg->ret < 0);
	pull_pool_unlock(r);
	return busy || (pg->ret == 0 && pg->shown < pg->n);
}

int pull_take_page(struct pull_run *r, struct pull_source *s, json_t *items,
		   struct pouch_err *err)
{
	struct page pg = {0};
	struct pouch_err merr = {0};
	size_t i, n = json_array_size(items);
	int mret = 0, ret;

	if (!n)
		return 0;
	if (!(pg.slots = calloc(n, sizeof(*pg.slots))))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	/* A malformed record stops the page there; the ones before it are pulled. */
	for (pg.n = 0; pg.n < n; pg.n++)
		if ((mret = pull_item_read(s, json_array_get(items, pg.n), &pg.slots[pg.n].it,
					   &merr)) < 0)
			break;
	if ((ret = pull_name(r, s, pg.slots, pg.n, err)) < 0)
		goto out;
	for (i = 0; i < pg.n; i++)
		if (pg.slots[i].step == PULL_FETCHING)
			pull_pool_queue(r, &pg.slots[i]);
	do {
		/* Nothing more to do until a worker finishes a step. */
		pull_pool_lock(r);
		pull_pool_wait(r, &pg.seen, 0);
		pull_pool_unlock(r);
		store_ready(r, s, &pg);
		record_sent(r, s, &pg);
		report_done(r, s, &pg);
	} while (pending(r, &pg));
	if (!pg.ret && mret < 0) {
		pg.ret = mret;
		pg.err = merr;
	}
	if ((ret = pg.ret) < 0)
		*err = pg.err;
out:
	for (i = 0; i < pg.n; i++) {
		free(pg.slots[i].receipt);
		free(pg.slots[i].stored);
	}
	free(pg.slots);
	return ret;
}
