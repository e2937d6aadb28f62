/* One attempt at delivering a package to an endpoint: the detached payload staged with resume
 * (the endpoint's offset, then PATCH from there), the envelope PUT from disk, and each answer
 * classified as delivered, worth a retry, stuck or refused for good. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "exchange/push_internal.h"

#define RETRY_AFTER_MAX (24 * 3600) /* seconds of a Retry-After we believe */
#define OFFSET_ROUNDS 4             /* PATCH requests per attempt before giving up on a
				     * server that keeps moving the offset */

static int nomem(struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

void push_set_reason(struct push_outcome *out, enum push_outcome_kind kind, const char *fmt, ...)
{
	va_list ap;

	out->kind = kind;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* ---- the answers ---- */

/* Parses a JSON answer body (NULL when it is not a JSON object). */
static json_t *body_json(const struct pouch_https_resp *resp)
{
	json_t *j = NULL;

	if (!resp->body || pouch_json_parse("answer", resp->body, resp->body_len, &j, NULL) < 0)
		return NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The "offset" member of an answer: 0 and *off set, or -1. */
static int body_offset(const struct pouch_https_resp *resp, uint64_t *off)
{
	json_t *j = body_json(resp), *v;
	int ret = -1;

	v = j ? json_object_get(j, "offset") : NULL;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*off = (uint64_t)json_integer_value(v);
		ret = 0;
	}
	json_decref(j);
	return ret;
}

/* The error code of an answer into code (64 bytes; "" when none) and "code: message" (or the
 * bare status) into out->reason. */
static void error_reason(const struct pouch_https_resp *resp, struct push_outcome *out,
			 char *code, enum push_outcome_kind kind)
{
	json_t *j = body_json(resp), *e;
	const char *c = NULL, *m = NULL;
	size_t i;

	e = j ? json_object_get(j, "error") : NULL;
	if (json_is_object(e)) {
		c = json_string_value(json_object_get(e, "code"));
		m = json_string_value(json_object_get(e, "message"));
	}
	snprintf(code, 64, "%s", c ? c : "");
	if (c && m)
		push_set_reason(out, kind, "%s: %s", c, m);
	else
		push_set_reason(out, kind, "the endpoint answered HTTP %ld", resp->status);
	/* A reason is one line: a server's control bytes become spaces. */
	for (i = 0; out->reason[i]; i++)
		if ((unsigned char)out->reason[i] < 0x20 || out->reason[i] == 0x7f)
			out->reason[i] = ' ';
	json_decref(j);
}

/* Seconds of a Retry-After header (delta-seconds form), 0 when absent or not understood. */
static uint64_t retry_after_ms(const struct pouch_https_resp *resp)
{
	const char *v = pouch_https_resp_header(resp, "Retry-After");
	unsigned long long s = 0;
	char *end;

	if (!v || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	s = strtoull(v, &end, 10);
	if (*end)
		return 0;
	if (errno || s > RETRY_AFTER_MAX)
		s = RETRY_AFTER_MAX;
	return (uint64_t)s * 1000;
}

/* Classifies an answer that is not the success the step wanted. */
static void classify_status(const struct pouch_https_resp *resp, struct push_outcome *out)
{
	char code[64];
	long st = resp->status;

	if (st >= 500 && st <= 599) {
		error_reason(resp, out, code, OUT_RETRY);
		if (!code[0])
			push_set_reason(out, OUT_RETRY, "the endpoint answered HTTP %ld", st);
	} else if (st == 429) {
		error_reason(resp, out, code, OUT_RETRY);
		out->retry_after_ms = retry_after_ms(resp);
	} else if (st >= 300 && st <= 399) {
		push_set_reason(out, OUT_FAILED, "the endpoint answered HTTP %ld (a redirect, which "
				"pouch never follows)", st);
	} else if (st >= 400 && st <= 499) {
		error_reason(resp, out, code, OUT_FAILED);
		if (strcmp(code, "upload_busy") == 0)
			out->kind = OUT_RETRY;
	} else {
		push_set_reason(out, OUT_STUCK, "the endpoint answered HTTP %ld, which pouch does "
				"not expect here", st);
	}
}

/* Classifies a request that got no answer (ret < 0). */
static int classify_transport(int ret, const struct pouch_https_resp *resp,
			      const struct pouch_err *e, struct push_outcome *out)
{
	if (ret == POUCH_E_NOMEM)
		return ret;
	push_set_reason(out,
			ret == POUCH_E_NET && resp->fault == POUCH_HTTPS_TRANSIENT ? OUT_RETRY
										   : OUT_STUCK,
			"%s", e->msg);
	return 0;
}

void push_show_transfer(struct push_conn *c, const char *label)
{
	struct push_run *r = c->run;

	pthread_mutex_lock(&r->show);
	if (label && !r->shown) {
		r->shown = c;
		if (r->o->transfer)
			r->o->transfer(r->o->arg, label);
	} else if (!label && r->shown == c) {
		r->shown = NULL;
		if (r->o->transfer)
			r->o->transfer(r->o->arg, NULL);
	}
	pthread_mutex_unlock(&r->show);
}

void push_show_progress(void *conn, const struct pouch_https_progress *p)
{
	struct push_conn *c = conn;
	struct push_run *r = c->run;

	pthread_mutex_lock(&r->show);
	if (r->shown == c)
		r->o->progress(r->o->arg, p);
	pthread_mutex_unlock(&r->show);
}

/* ---- one attempt ---- */

static int ensure_handle(struct push_conn *c, struct push_outcome *out, struct pouch_err *err)
{
	const struct push_target *t = c->t;
	struct pouch_https_opts ho = { 0 };
	struct pouch_err e = { 0 };
	int ret;

	if (c->https)
		return 0;
	ho.ca_file = t->tls.ca_file;
	ho.pin = t->tls.pin;
	ho.client_cert = t->tls.client_cert;
	ho.client_key = t->tls.client_key;
	ret = pouch_https_new(&ho, &c->https, &e);
	if (ret == POUCH_E_NOMEM)
		return pouch_err_set(err, ret, "%s", e.msg);
	if (ret < 0)
		push_set_reason(out, OUT_STUCK, "%s", e.msg);
	return 0;
}

/* Performs one request; a transport failure is classified into out (kind set, return 1). */
static int request(struct push_conn *c, struct pouch_https_req *rq,
		   struct pouch_https_resp *resp, struct push_outcome *out, struct pouch_err *err)
{
	struct pouch_err e = { 0 };
	int ret;

	ret = pouch_https_request(c->https, rq, resp, &e);
	if (ret == 0)
		return 0;
	if (classify_transport(ret, resp, &e, out) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "%s", e.msg);
	return 1;
}

/* Opens the outbox file ID.SUFFIX of j and checks its size is size: the descriptor, or -1 with
 * out set (a missing or changed file is not worth a retry). */
static int open_outbox(const struct push_run *r, const struct push_job *j, const char *suffix,
		       uint64_t size, struct push_outcome *out)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.%s", r->s->outbox, j->id, suffix);
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size == size)
		return fd;
	push_set_reason(out, OUT_STUCK, "cannot read '%s' in the outbox: %s", path,
			errno ? strerror(errno) : "its size changed");
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Sends len bytes of fd from offset as the body of METHOD url (with headers), showing progress
 * as what of j. As request. */
static int send_file(struct push_conn *c, const struct push_job *j, const char *what,
		     const char *method, const char *url, const char *const *headers, int fd,
		     uint64_t offset, uint64_t len, struct pouch_https_resp *resp,
		     struct push_outcome *out, struct pouch_err *err)
{
	struct pouch_https_req rq;
	char label[64];
	int ret;

	pouch_https_req_init(&rq, method, url);
	rq.headers = headers;
	rq.body_fd = fd;
	rq.body_offset = offset;
	rq.body_len = len;
	rq.timeout_ms = -1;
	if (c->run->o->progress) {
		rq.progress = push_show_progress;
		rq.progress_arg = c;
	}
	snprintf(label, sizeof(label), "%.8s %s", j->id, what);
	push_show_transfer(c, label);
	ret = request(c, &rq, resp, out, err);
	push_show_transfer(c, NULL);
	return ret;
}

/* Stages the detached payload of j at t: the server's offset, then PATCH from there. Returns 0
 * when all of it is staged, 1 with out set when not, < 0 on a local failure of ours that ends
 * the run. */
static int upload_payload(struct push_conn *c, const struct push_job *j,
			  struct push_outcome *out, struct pouch_err *err)
{
	char *url = NULL, offset_hdr[64], code[64];
	const char *headers[3] = { NULL, "Content-Type: application/offset+octet-stream", NULL };
	struct pouch_https_resp resp = { 0 };
	struct pouch_https_req rq;
	uint64_t total = (uint64_t)j->payload_size, offset = 0;
	int fd = -1, ret = 1, round;

	if (asprintf(&url, "%s/v1/uploads/%s", c->t->url, j->id) < 0) {
		url = NULL;
		ret = nomem(err);
		goto out;
	}
	if ((fd = open_outbox(c->run, j, "pouch.pgp", total, out)) < 0)
		goto out;
	pouch_https_req_init(&rq, "GET", url);
	if ((ret = request(c, &rq, &resp, out, err)) != 0)
		goto out;
	ret = 1;
	if (resp.status != 200 || body_offset(&resp, &offset) < 0) {
		if (resp.status == 200)
			push_set_reason(out, OUT_STUCK, "the endpoint gave no upload offset");
		else
			classify_status(&resp, out);
		goto out;
	}
	for (round = 0; offset < total && round < OFFSET_ROUNDS; round++) {
		pouch_https_resp_release(&resp);
		snprintf(offset_hdr, sizeof(offset_hdr), "Upload-Offset: %llu",
			 (unsigned long long)offset);
		headers[0] = offset_hdr;
		if ((ret = send_file(c, j, "payload", "PATCH", url, headers, fd, offset,
				     total - offset, &resp, out, err)) != 0)
			goto out;
		ret = 1;
		/* 409 offset_mismatch: the endpoint holds another size; go on from there. */
		code[0] = '\0';
		if (resp.status == 409)
			error_reason(&resp, out, code, OUT_FAILED);
		if ((resp.status == 200 || strcmp(code, "offset_mismatch") == 0) &&
		    body_offset(&resp, &offset) == 0)
			continue;
		classify_status(&resp, out);
		goto out;
	}
	if (offset != total) {
		push_set_reason(out, offset < total ? OUT_RETRY : OUT_STUCK, "the endpoint holds "
				"%llu bytes of the %llu-byte payload", (unsigned long long)offset,
				(unsigned long long)total);
		goto out;
	}
	ret = 0;
out:
	pouch_https_resp_release(&resp);
	if (fd >= 0)
		close(fd);
	free(url);
	return ret;
}

/* PUTs the envelope of j to t. Returns 0 when delivered, 1 with out set when not, 2 when the
 * endpoint says the payload is missing, < 0 on a failure that ends the run. */
static int put_envelope(struct push_conn *c, const struct push_job *j,
			struct push_outcome *out, struct pouch_err *err)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	struct pouch_https_resp resp = { 0 };
	char *url = NULL, code[64];
	const char *digest;
	json_t *rec = NULL;
	int fd = -1, ret = 1;

	if (asprintf(&url, "%s/v1/packages/%s", c->t->url, j->id) < 0) {
		url = NULL;
		ret = nomem(err);
		goto out;
	}
	if ((fd = open_outbox(c->run, j, "pouch", j->size, out)) < 0)
		goto out;
	if ((ret = send_file(c, j, "envelope", "PUT", url, headers, fd, 0, j->size, &resp,
			     out, err)) != 0)
		goto out;
	ret = 1;
	if (resp.status == 200 || resp.status == 201) {
		rec = body_json(&resp);
		digest = rec ? json_string_value(json_object_get(rec, "digest")) : NULL;
		if (!digest || strcmp(digest, j->digest) != 0) {
			push_set_reason(out, OUT_STUCK, "the endpoint answered %ld but recorded %s",
					resp.status, digest ? "another digest" : "no digest");
			goto out;
		}
		out->kind = OUT_DELIVERED;
		out->reason[0] = '\0';
		ret = 0;
		goto out;
	}
	classify_status(&resp, out);
	if (resp.status == 422 && j->payload_size >= 0) {
		error_reason(&resp, out, code, OUT_FAILED);
		if (strcmp(code, "payload_missing") == 0)
			ret = 2;
	}
out:
	json_decref(rec);
	pouch_https_resp_release(&resp);
	if (fd >= 0)
		close(fd);
	free(url);
	return ret;
}

int push_attempt(struct push_conn *c, const struct push_job *j, struct push_outcome *out,
		 struct pouch_err *err)
{
	int ret, again;

	memset(out, 0, sizeof(*out));
	if ((ret = ensure_handle(c, out, err)) < 0)
		return ret;
	if (!c->https)
		return 0;
	for (again = 0; again < 2; again++) {
		if (j->payload_size >= 0) {
			ret = upload_payload(c, j, out, err);
			if (ret != 0)
				return ret < 0 ? ret : 0;
		}
		ret = put_envelope(c, j, out, err);
		if (ret != 2)
			return ret < 0 ? ret : 0;
	}
	return 0;
}
