/* pouchd's package routes: push (verified on arrival before anything is stored), list, fetch
 * the envelope, fetch the detached payload with resume. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "directory/agency.h"
#include "crypto/digest.h"
#include "base/fs.h"
#include "directory/partner.h"
#include "server/protocol.h"
#include "package/receipt.h"
#include "server/reqparse.h"
#include "server/store.h"
#include "package/verify.h"
#include "pouchd.h"

/* A push in progress: the envelope streams into the request directory. */
struct push {
	struct pouch_store_req *req;
	char *path;
	int fd;
	uint64_t cap, len;
	struct pouch_sha256 *sha;
	int keep_upload; /* refused, but the staged upload stays: unfinished, or in use */
};

static uint64_t envelope_cap(const struct pouchd *pd)
{
	return pd->conf.max_package < POUCH_ENVELOPE_MAX ? pd->conf.max_package
							 : POUCH_ENVELOPE_MAX;
}

void pd_push_begin(struct pouchd *pd, struct pd_req *q)
{
	struct push *p;
	struct pouch_err err = { 0 };
	char name[POUCH_UUID_LEN + 8];
	uint64_t len;

	if (!pd_media_ok(q, "application/json") || !pd_length_ok(q, envelope_cap(pd)))
		return;
	pd_length(q, &len);
	if (!pd_room_ok(pd, q, len))
		return;
	p = calloc(1, sizeof(*p));
	if (!p) {
		pd_error(q, 500, "internal", "out of memory");
		return;
	}
	p->fd = -1;
	p->cap = envelope_cap(pd);
	q->data = p;
	snprintf(name, sizeof(name), "%s.pouch", q->id);
	if (pouch_store_req_new(pd->store, &p->req, &err) < 0 ||
	    pouch_sha256_new(&p->sha, &err) < 0) {
		pd_fail(q, &err);
		return;
	}
	p->path = pouch_path_join(pouch_store_req_dir(p->req), name);
	if (!p->path) {
		pd_error(q, 500, "internal", "out of memory");
		return;
	}
	p->fd = open(p->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (p->fd < 0) {
		pouch_store_write_failed(pd->store, errno, "create an envelope", &err);
		pd_fail(q, &err);
	}
}

void pd_push_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len)
{
	struct push *p = q->data;
	struct pouch_err err = { 0 };

	if (p->len + len > p->cap) {
		pd_error(q, 413, "too_large", "the envelope passes %" PRIu64 " bytes", p->cap);
		return;
	}
	if (pouch_fs_write_all(p->fd, data, len) < 0) {
		pouch_store_write_failed(pd->store, errno, "write an envelope", &err);
		pd_fail(q, &err);
		return;
	}
	pouch_sha256_update(p->sha, data, len);
	p->len += len;
}

/* Every recipient must be our own agency or a partner: someone who can fetch the package. */
static int recipients_known(struct pouchd *pd, struct pd_req *q, const struct pouch_header *h)
{
	struct pouch_agency self = { 0 };
	struct pouch_err err = { 0 };
	size_t i;
	int ok = 1;

	if (pouch_agency_load(pd->home.agency, &self, &err) < 0) {
		pd_fail(q, &err);
		return 0;
	}
	for (i = 0; ok && i < h->nrecipients; i++) {
		struct pouch_partner p = { 0 };
		const char *code = h->recipients[i].agency;
		if (strcmp(code, self.code) == 0)
			continue;
		if (pouch_partner_load(&pd->home, code, &p, &err) < 0) {
			if (err.code == POUCH_E_NOTFOUND)
				pd_error(q, 422, "unknown_recipient", "recipient '%s' of package %s "
					 "is not an agency this endpoint serves", code, q->id);
			else
				pd_fail(q, &err);
			ok = 0;
		}
		pouch_partner_release(&p);
	}
	pouch_agency_release(&self);
	return ok;
}

/* A repeat of a stored push answers with the original record, without verifying again. Only
 * the caller's own packages count: an id another agency used is no conflict. */
static int repeat(struct pouchd *pd, struct pd_req *q, const char *digest)
{
	struct pouch_store_record rec;

	if (pouch_store_get(pd->store, q->agency, q->agency, q->id, &rec, NULL) < 0)
		return 0;
	if (strcmp(rec.digest, digest) == 0)
		pd_json(q, 200, pouch_proto_package(&rec));
	else
		pd_error(q, 409, "id_conflict", "package %s is stored already with other content",
			 q->id);
	return 1;
}

/* Takes the staged detached payload into the request directory. */
static int take_payload(struct pouchd *pd, struct pd_req *q, struct push *p)
{
	struct pouch_envelope env = { 0 };
	struct pouch_header h;
	struct pouch_err err = { 0 };
	uint64_t size = 0;
	int ret;

	ret = pouch_envelope_read(p->path, &env, &err);
	if (!ret && env.detached)
		ret = pouch_header_decode(env.header, env.header_len, &h, &err);
	if (ret < 0) {
		pouch_envelope_release(&env);
		return pd_fail(q, &err), -1;
	}
	ret = env.detached ? 1 : 0;
	pouch_envelope_release(&env);
	if (!ret)
		return 0;
	ret = pouch_store_upload_take(pd->store, p->req, q->agency, q->id, &size, &err);
	p->keep_upload = 1;
	if (ret == POUCH_E_NOTFOUND)
		return pd_error(q, 422, "payload_missing", "upload the detached payload of %s "
				"first (PATCH /v1/uploads/%s)", q->id, q->id), -1;
	if (ret == POUCH_UPLOAD_BUSY)
		return pd_error(q, 409, "upload_busy", "the payload of %s is being uploaded",
				q->id), -1;
	if (ret < 0)
		return pd_fail(q, &err), -1;
	/* The header is not verified yet: its size only tells an unfinished upload (kept, to be
	 * completed: it goes back when the request ends) from a wrong one (verification). */
	if (size < h.payload_size)
		return pd_error(q, 422, "payload_missing", "the payload of %s has %llu of its %llu "
				"bytes; finish the upload first", q->id, (unsigned long long)size,
				(unsigned long long)h.payload_size), -1;
	p->keep_upload = 0;
	return 1;
}

static void store(struct pouchd *pd, struct pd_req *q, struct push *p,
		  const struct pouch_verified *v, const char *digest, int detached)
{
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };
	char header_sha[POUCH_SHA256_HEX];
	struct pouch_store_put in = {
		.h = &v->h,
		.sender = q->agency,
		.detached = detached,
		.digest = digest,
		.header_sha256 = header_sha,
		.received = time(NULL),
	};
	int existing = 0, ret;

	ret = pouch_receipt_header_sha256(v->env.header, v->env.header_len, header_sha, &err);
	if (!ret)
		ret = pouch_store_put(pd->store, p->req, &in, &rec, &existing, &err);
	if (ret == POUCH_E_EXISTS) {
		pd_error(q, 409, "id_conflict", "package %s is stored already with other "
			 "content", q->id);
		return;
	}
	if (ret < 0) {
		pd_fail(q, &err);
		return;
	}
	if (!existing)
		atomic_fetch_add(&pd->metrics.accepted, 1);
	pd_json(q, existing ? 200 : 201, pouch_proto_package(&rec));
}

void pd_push_end(struct pouchd *pd, struct pd_req *q)
{
	struct push *p = q->data;
	struct pouch_verified v = { 0 };
	struct pouch_err err = { 0 };
	char digest[POUCH_SHA256_HEX];
	int detached;

	pouch_sha256_hex(p->sha, digest);
	if (close(p->fd) < 0) {
		p->fd = -1;
		pd_error(q, 500, "internal", "the server cannot store the body");
		return;
	}
	p->fd = -1;
	if (repeat(pd, q, digest))
		return;
	detached = take_payload(pd, q, p);
	if (detached < 0)
		goto refused;
	if (pouch_package_verify(&pd->home, p->path, time(NULL), &v, &err) < 0) {
		pd_fail(q, &err);
		goto refused;
	}
	if (strcmp(v.h.sender.agency, q->agency) != 0) {
		pd_error(q, 403, "sender_mismatch", "package %s is signed by %s, but the client "
			 "certificate is %s's", q->id, v.h.sender.agency, q->agency);
		goto refused;
	}
	if (strcmp(v.h.id, q->id) != 0) {
		pd_error(q, 400, "id_mismatch", "the path names package %s, the header %s", q->id,
			 v.h.id);
		goto refused;
	}
	if (!recipients_known(pd, q, &v.h))
		goto refused;
	store(pd, q, p, &v, digest, detached);
	pouch_verified_release(&v);
	return;
refused:
	pouch_verified_release(&v);
	atomic_fetch_add(&pd->metrics.refused, 1);
}

/* Whether the answer refuses the push (and so the staged upload that came with it): a 4xx
 * but 429, unless the upload was found unfinished or in use. A 5xx (507 too) or a client gone
 * away keeps it for the retry. */
static int refused(const struct pd_req *q, const struct push *p)
{
	unsigned status = pouch_http_status(q->http);

	return status >= 400 && status < 500 && status != 429 && !(p && p->keep_upload) &&
	       q->agency[0];
}

void pd_push_cleanup(struct pouchd *pd, struct pd_req *q)
{
	struct push *p = q->data;

	/* A forged or wrong push must not leave its bytes staged, where they would stand in for
	 * the genuine payload until they expire. */
	if (refused(q, p))
		pouch_store_upload_drop(pd->store, p ? p->req : NULL, q->agency, q->id, NULL);
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	pouch_sha256_free(p->sha);
	free(p->path);
	/* Whatever was not stored goes: a client that went away mid-upload leaves nothing. */
	pouch_store_req_free(p->req);
	free(p);
	q->data = NULL;
}

static int open_stored(struct pouchd *pd, struct pd_req *q, int payload,
		       struct pouch_store_record *rec, int *fd)
{
	struct pouch_err err = { 0 };
	char *env = NULL, *pay = NULL;
	const char *path, *sender = pd_query(q, "sender");

	*fd = -1;
	if (sender && pouch_agency_code_check(sender, NULL) < 0)
		return pd_error(q, 400, "bad_request", "bad agency code in 'sender'"), -1;
	if (pouch_store_get(pd->store, q->agency, sender, q->id, rec, &err) < 0 ||
	    pouch_store_files(pd->store, rec, &env, &pay, &err) < 0)
		return pd_fail(q, &err), -1;
	path = payload ? pay : env;
	if (!path) {
		free(env);
		return pd_error(q, 404, "not_found", "package %s has no detached payload", q->id),
		       -1;
	}
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		pd_log("cannot open '%s': %s", path, strerror(errno));
	free(env);
	free(pay);
	if (*fd < 0)
		return pd_error(q, 500, "internal", "the server cannot read the package"), -1;
	return 0;
}

void pd_fetch(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_store_record rec;
	char etag[POUCH_SHA256_HEX + 2];
	int fd;

	if (open_stored(pd, q, 0, &rec, &fd) < 0)
		return;
	snprintf(etag, sizeof(etag), "\"%s\"", rec.digest);
	const char *headers[] = { "ETag", etag, NULL };
	pouch_http_respond_fd(q->http, 200, "application/json", fd, 0, rec.size, headers);
}

void pd_fetch_payload(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_store_record rec;
	int64_t start = pouch_req_range(pouch_http_header(q->http, "Range"));
	char span[96], etag[POUCH_SHA256_HEX + 2];
	int fd;

	if (start == -2) {
		pd_error(q, 400, "bad_request", "only 'Range: bytes=N-' is supported");
		return;
	}
	if (open_stored(pd, q, 1, &rec, &fd) < 0)
		return;
	snprintf(etag, sizeof(etag), "\"%s\"", rec.payload_sha256);
	if (start < 0) {
		const char *headers[] = { "Accept-Ranges", "bytes", "ETag", etag, NULL };
		pouch_http_respond_fd(q->http, 200, "application/octet-stream", fd, 0,
				      rec.payload_size, headers);
		return;
	}
	if ((uint64_t)start >= rec.payload_size) {
		close(fd);
		snprintf(span, sizeof(span), "bytes */%" PRIu64, rec.payload_size);
		const char *headers[] = { "Content-Range", span, NULL };
		char *body = pouch_proto_error("range_not_satisfiable", "the payload is shorter");
		q->failed = 1;
		if (body)
			pouch_http_respond(q->http, 416, "application/json", body, strlen(body),
					   headers);
		free(body);
		return;
	}
	snprintf(span, sizeof(span), "bytes %" PRId64 "-%" PRIu64 "/%" PRIu64, start,
		 rec.payload_size - 1, rec.payload_size);
	const char *headers[] = { "Accept-Ranges", "bytes", "Content-Range", span, "ETag", etag,
				  NULL };
	pouch_http_respond_fd(q->http, 206, "application/octet-stream", fd, (uint64_t)start,
			      rec.payload_size - (uint64_t)start, headers);
}
