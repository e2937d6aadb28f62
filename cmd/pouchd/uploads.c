/* pouchd's upload routes: a detached payload staged in pieces, resumable from its offset. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server/protocol.h"
#include "server/reqparse.h"
#include "server/store.h"
#include "pouchd.h"

static void offset_mismatch(struct pd_req *q, uint64_t actual)
{
	q->failed = 1;
	pd_json(q, 409, pouch_proto_upload(q->id, actual, "offset_mismatch", "the staged upload "
					   "holds a different number of bytes"));
	pouch_http_discard(q->http);
}

static void answer(struct pd_req *q, int ret, uint64_t actual, const struct pouch_err *err)
{
	if (ret == POUCH_UPLOAD_OFFSET)
		offset_mismatch(q, actual);
	else if (ret == POUCH_UPLOAD_TOO_LARGE)
		pd_error(q, 413, "too_large", "the payload passes this endpoint's maximum; nothing "
			 "was appended");
	else if (ret == POUCH_UPLOAD_QUOTA)
		pd_error(q, 507, "quota_exceeded", "%s's staged uploads would pass its quota; "
			 "nothing was appended: push or wait for them to expire", q->agency);
	else if (ret == POUCH_UPLOAD_BUSY)
		pd_error(q, 409, "upload_busy", "the payload of %s is being uploaded", q->id);
	else if (ret < 0)
		pd_fail(q, err);
}

void pd_upload_state(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_err err = { 0 };
	uint64_t offset = 0;

	if (pouch_store_upload_offset(pd->store, q->agency, q->id, &offset, &err) < 0) {
		pd_fail(q, &err);
		return;
	}
	pd_json(q, 200, pouch_proto_upload(q->id, offset, NULL, NULL));
}

void pd_upload_begin(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_store_append *a = NULL;
	struct pouch_err err = { 0 };
	const char *h = pouch_http_header(q->http, "Upload-Offset");
	uint64_t max = pd->conf.max_package, actual = 0, len, offset = 0;
	int ret, has_len;

	if (!pd_media_ok(q, "application/offset+octet-stream"))
		return;
	if (pouch_decimal_parse(h, INT64_MAX, &offset) < 0) {
		pd_error(q, 400, "bad_request", "Upload-Offset must be the staged size");
		return;
	}
	/* The offset plus the declared length: over the maximum, refused before any write. */
	if (!pd_length_ok(q, offset < max ? max - offset : 0))
		return;
	has_len = pd_length(q, &len);
	if (!pd_room_ok(pd, q, len))
		return;
	ret = pouch_store_append_begin(pd->store, q->agency, q->id, offset, max, &a, &actual,
				       &err);
	if (ret != 0) {
		answer(q, ret, actual, &err);
		return;
	}
	q->data = a;
	ret = has_len ? pouch_store_append_reserve(a, len, &err) : 0;
	if (ret != 0)
		answer(q, ret, 0, &err);
}

void pd_upload_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len)
{
	struct pouch_err err = { 0 };
	int ret;

	(void)pd;
	ret = pouch_store_append_write(q->data, data, len, &err);
	if (ret != 0)
		answer(q, ret, 0, &err);
}

void pd_upload_end(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_err err = { 0 };
	uint64_t offset = 0;
	int ret;

	(void)pd;
	ret = pouch_store_append_end(q->data, &offset, &err);
	q->data = NULL;
	if (ret != 0) {
		answer(q, ret, 0, &err);
		return;
	}
	pd_json(q, 200, pouch_proto_upload(q->id, offset, NULL, NULL));
}

void pd_upload_cleanup(struct pouchd *pd, struct pd_req *q)
{
	(void)pd;
	/* A client that went away keeps what arrived: it resumes from there. */
	pouch_store_append_abort(q->data);
	q->data = NULL;
}
