/* pouchd's receipt routes: a recipient files its signed receipt; a sender lists the receipts
 * for what it sent. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "server/protocol.h"
#include "package/receipt.h"
#include "server/store.h"
#include "pouchd.h"

struct body {
	char *buf;
	size_t len;
};

void pd_receipt_begin(struct pouchd *pd, struct pd_req *q)
{
	struct body *b;

	(void)pd;
	if (!pd_media_ok(q, "application/json") || !pd_length_ok(q, POUCH_RECEIPT_MAX))
		return;
	b = calloc(1, sizeof(*b));
	if (b)
		b->buf = malloc(POUCH_RECEIPT_MAX + 1);
	q->data = b;
	if (!b || !b->buf)
		pd_error(q, 500, "internal", "out of memory");
}

void pd_receipt_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len)
{
	struct body *b = q->data;

	(void)pd;
	if (b->len + len > POUCH_RECEIPT_MAX) {
		pd_error(q, 413, "too_large", "a receipt is at most %d bytes",
			 POUCH_RECEIPT_MAX);
		return;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

/* The receipt must be the authenticated recipient's, for this stored package. */
static int check(struct pouchd *pd, struct pd_req *q, const struct pouch_receipt *r)
{
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };

	if (strcmp(r->package, q->id) != 0)
		return pd_error(q, 400, "id_mismatch", "the path names package %s, the receipt %s",
				q->id, r->package), -1;
	if (strcmp(r->recipient.agency, q->agency) != 0)
		return pd_error(q, 403, "sender_mismatch", "the receipt is signed by %s, but the "
				"client certificate is %s's", r->recipient.agency, q->agency), -1;
	/* The receipt names the package's sender: ids are unique per sender only. */
	if (pouch_store_get(pd->store, q->agency, r->sender, q->id, &rec, &err) < 0)
		return pd_fail(q, &err), -1;
	if (strcmp(rec.header_sha256, r->header_sha256) != 0)
		return pd_error(q, 422, "not_genuine", "the receipt is not for package %s as "
				"stored here", q->id), -1;
	return 0;
}

void pd_receipt_end(struct pouchd *pd, struct pd_req *q)
{
	struct body *b = q->data;
	struct pouch_receipt r;
	struct pouch_store_receipt rc = { 0 };
	struct pouch_err err = { 0 };
	int existing = 0, ret;

	b->buf[b->len] = '\0';
	ret = pouch_receipt_verify(&pd->home, b->buf, b->len, time(NULL), &r, &err);
	if (ret < 0) {
		pd_fail(q, &err);
		return;
	}
	if (check(pd, q, &r) < 0)
		return;
	if (pouch_sha256_buf(b->buf, b->len, rc.sha256, &err) < 0) {
		pd_fail(q, &err);
		return;
	}
	memcpy(rc.package, r.package, sizeof(rc.package));
	memcpy(rc.sender, r.sender, sizeof(rc.sender));
	memcpy(rc.from, r.recipient.agency, sizeof(rc.from));
	snprintf(rc.verdict, sizeof(rc.verdict), "%s", r.accepted ? "accepted" : "rejected");
	rc.bytes = b->buf;
	rc.len = b->len;
	rc.received = time(NULL);
	ret = pouch_store_receipt_put(pd->store, &rc, &existing, &err);
	if (ret == POUCH_E_EXISTS) {
		pd_error(q, 409, "receipt_conflict", "%s filed another receipt for %s "
			 "already", q->agency, q->id);
		return;
	}
	if (ret < 0) {
		pd_fail(q, &err);
		return;
	}
	pd_json(q, existing ? 200 : 201, pouch_proto_receipt(&rc));
}

void pd_receipt_cleanup(struct pouchd *pd, struct pd_req *q)
{
	struct body *b = q->data;

	(void)pd;
	if (b)
		free(b->buf);
	free(b);
	q->data = NULL;
}
