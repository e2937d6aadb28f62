/* Delivering the outbox: queued deliveries grouped by endpoint, a detached payload staged with
 * resume, the envelope PUT from disk, each answer classified, transient failures retried with
 * full-jitter backoff, and every attempt recorded in state.db and the audit trail. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "audit/audit.h"
#include "directory/endpoint.h"
#include "exchange/push.h"

#define RETRY_AFTER_MAX (24 * 3600) /* seconds of a Retry-After we believe */
#define OFFSET_ROUNDS 4             /* PATCH requests per attempt before giving up on a
				     * server that keeps moving the offset */

/* How an attempt ended. */
enum outcome_kind {
	OUT_DELIVERED,
	OUT_RETRY,  /* transient: worth trying again now */
	OUT_STUCK,  /* not the package's fault, but trying again now will not help */
	OUT_FAILED, /* refused for good */
};

struct outcome {
	enum outcome_kind kind;
	char reason[POUCH_ERR_MSG_MAX];
	uint64_t retry_after_ms;
};

/* One endpoint URL and the handle that reaches it. */
struct target {
	char *url;                 /* without a trailing '/' */
	struct pouch_tls_paths tls;
	struct pouch_https *https; /* made on first use */
	int down;                  /* set after an attempt gave up: the rest stay queued */
	char reason[POUCH_ERR_MSG_MAX];
};

/* One queued delivery. */
struct job {
	char id[POUCH_UUID_LEN];
	char recipient[POUCH_CODE_MAX + 1];
	char digest[POUCH_SHA256_HEX];
	uint64_t size;
	int64_t payload_size; /* -1: inline */
	long attempts;
	long target;          /* index into the targets, or -1: no endpoint (reason says why) */
	char reason[POUCH_ERR_MSG_MAX];
	int done;
};

struct run {
	const struct pouch_home *h;
	struct pouch_state *s;
	const struct pouch_push_opts *o;
	struct pouch_push_summary *sum;
	struct target *targets;
	size_t ntargets;
	struct job *jobs;
	size_t njobs;
	uint64_t waited_ms; /* retry waits so far, added to o->now */
};

static int nomem(struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

uint64_t pouch_push_backoff_ms(unsigned n, uint64_t retry_after_ms, uint32_t rnd)
{
	uint64_t ceiling = POUCH_PUSH_BACKOFF_CAP_MS, delay;

	if (n < 16 && ((uint64_t)POUCH_PUSH_BACKOFF_BASE_MS << n) < ceiling)
		ceiling = (uint64_t)POUCH_PUSH_BACKOFF_BASE_MS << n;
	delay = ((uint64_t)rnd * (ceiling + 1)) >> 32;
	return delay < retry_after_ms ? retry_after_ms : delay;
}

static uint32_t random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)time(NULL) * 2654435761u;
	return r;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static time_t run_now(const struct run *r)
{
	return r->o->now + (time_t)(r->waited_ms / 1000);
}

static void set_reason(struct outcome *out, enum outcome_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(struct outcome *out, enum outcome_kind kind, const char *fmt, ...)
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
static void error_reason(const struct pouch_https_resp *resp, struct outcome *out, char *code,
			 enum outcome_kind kind)
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
		set_reason(out, kind, "%s: %s", c, m);
	else
		set_reason(out, kind, "the endpoint answered HTTP %ld", resp->status);
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
static void classify_status(const struct pouch_https_resp *resp, struct outcome *out)
{
	char code[64];
	long st = resp->status;

	if (st >= 500 && st <= 599) {
		error_reason(resp, out, code, OUT_RETRY);
		if (!code[0])
			set_reason(out, OUT_RETRY, "the endpoint answered HTTP %ld", st);
	} else if (st == 429) {
		error_reason(resp, out, code, OUT_RETRY);
		out->retry_after_ms = retry_after_ms(resp);
	} else if (st >= 300 && st <= 399) {
		set_reason(out, OUT_FAILED, "the endpoint answered HTTP %ld (a redirect, which pouch "
			   "never follows)", st);
	} else if (st >= 400 && st <= 499) {
		error_reason(resp, out, code, OUT_FAILED);
		if (strcmp(code, "upload_busy") == 0)
			out->kind = OUT_RETRY;
	} else {
		set_reason(out, OUT_STUCK, "the endpoint answered HTTP %ld, which pouch does not "
			   "expect here", st);
	}
}

/* Classifies a request that got no answer (ret < 0). */
static int classify_transport(int ret, const struct pouch_https_resp *resp,
			      const struct pouch_err *e, struct outcome *out)
{
	if (ret == POUCH_E_NOMEM)
		return ret;
	set_reason(out, ret == POUCH_E_NET && resp->fault == POUCH_HTTPS_TRANSIENT ? OUT_RETRY
										: OUT_STUCK,
		   "%s", e->msg);
	return 0;
}

/* ---- one attempt ---- */

static int ensure_handle(struct target *t, struct outcome *out, struct pouch_err *err)
{
	struct pouch_https_opts ho = { 0 };
	struct pouch_err e = { 0 };
	int ret;

	if (t->https)
		return 0;
	ho.ca_file = t->tls.ca_file;
	ho.pin = t->tls.pin;
	ho.client_cert = t->tls.client_cert;
	ho.client_key = t->tls.client_key;
	ret = pouch_https_new(&ho, &t->https, &e);
	if (ret == POUCH_E_NOMEM)
		return pouch_err_set(err, ret, "%s", e.msg);
	if (ret < 0)
		set_reason(out, OUT_STUCK, "%s", e.msg);
	return 0;
}

/* Performs one request; a transport failure is classified into out (kind set, return 1). */
static int request(struct target *t, struct pouch_https_req *rq, struct pouch_https_resp *resp,
		   struct outcome *out, struct pouch_err *err)
{
	struct pouch_err e = { 0 };
	int ret;

	ret = pouch_https_request(t->https, rq, resp, &e);
	if (ret == 0)
		return 0;
	if (classify_transport(ret, resp, &e, out) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "%s", e.msg);
	return 1;
}

/* Opens the outbox file ID.SUFFIX of j and checks its size is size: the descriptor, or -1 with
 * out set (a missing or changed file is not worth a retry). */
static int open_outbox(struct run *r, const struct job *j, const char *suffix, uint64_t size,
		       struct outcome *out)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.%s", r->s->outbox, j->id, suffix);
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size == size)
		return fd;
	set_reason(out, OUT_STUCK, "cannot read '%s' in the outbox: %s", path,
		   errno ? strerror(errno) : "its size changed");
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Sends len bytes of fd from offset as the body of METHOD url (with headers), showing progress
 * as what of j. As request. */
static int send_file(struct run *r, struct target *t, const struct job *j, const char *what,
		     const char *method, const char *url, const char *const *headers, int fd,
		     uint64_t offset, uint64_t len, struct pouch_https_resp *resp,
		     struct outcome *out, struct pouch_err *err)
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
	rq.progress = r->o->progress;
	rq.progress_arg = r->o->arg;
	snprintf(label, sizeof(label), "%.8s %s", j->id, what);
	if (r->o->transfer)
		r->o->transfer(r->o->arg, label);
	ret = request(t, &rq, resp, out, err);
	if (r->o->transfer)
		r->o->transfer(r->o->arg, NULL);
	return ret;
}

/* Stages the detached payload of j at t: the server's offset, then PATCH from there. Returns 0
 * when all of it is staged, 1 with out set when not, < 0 on a local failure of ours that ends
 * the run. */
static int upload_payload(struct run *r, struct target *t, const struct job *j,
			  struct outcome *out, struct pouch_err *err)
{
	char *url = NULL, offset_hdr[64], code[64];
	const char *headers[3] = { NULL, "Content-Type: application/offset+octet-stream", NULL };
	struct pouch_https_resp resp = { 0 };
	struct pouch_https_req rq;
	uint64_t total = (uint64_t)j->payload_size, offset = 0;
	int fd = -1, ret = 1, round;

	if (asprintf(&url, "%s/v1/uploads/%s", t->url, j->id) < 0) {
		url = NULL;
		ret = nomem(err);
		goto out;
	}
	if ((fd = open_outbox(r, j, "pouch.pgp", total, out)) < 0)
		goto out;
	pouch_https_req_init(&rq, "GET", url);
	if ((ret = request(t, &rq, &resp, out, err)) != 0)
		goto out;
	ret = 1;
	if (resp.status != 200 || body_offset(&resp, &offset) < 0) {
		if (resp.status == 200)
			set_reason(out, OUT_STUCK, "the endpoint gave no upload offset");
		else
			classify_status(&resp, out);
		goto out;
	}
	for (round = 0; offset < total && round < OFFSET_ROUNDS; round++) {
		pouch_https_resp_release(&resp);
		snprintf(offset_hdr, sizeof(offset_hdr), "Upload-Offset: %llu",
			 (unsigned long long)offset);
		headers[0] = offset_hdr;
		if ((ret = send_file(r, t, j, "payload", "PATCH", url, headers, fd, offset,
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
		set_reason(out, offset < total ? OUT_RETRY : OUT_STUCK, "the endpoint holds %llu "
			   "bytes of the %llu-byte payload", (unsigned long long)offset,
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
static int put_envelope(struct run *r, struct target *t, const struct job *j, struct outcome *out,
			struct pouch_err *err)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	struct pouch_https_resp resp = { 0 };
	char *url = NULL, code[64];
	const char *digest;
	json_t *rec = NULL;
	int fd = -1, ret = 1;

	if (asprintf(&url, "%s/v1/packages/%s", t->url, j->id) < 0) {
		url = NULL;
		ret = nomem(err);
		goto out;
	}
	if ((fd = open_outbox(r, j, "pouch", j->size, out)) < 0)
		goto out;
	if ((ret = send_file(r, t, j, "envelope", "PUT", url, headers, fd, 0, j->size, &resp,
			     out, err)) != 0)
		goto out;
	ret = 1;
	if (resp.status == 200 || resp.status == 201) {
		rec = body_json(&resp);
		digest = rec ? json_string_value(json_object_get(rec, "digest")) : NULL;
		if (!digest || strcmp(digest, j->digest) != 0) {
			set_reason(out, OUT_STUCK, "the endpoint answered %ld but recorded %s",
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

/* One attempt at delivering j's package to t: payload, envelope, and once more both when the
 * endpoint says the payload is missing. 0 with out set, or < 0 to end the run. */
static int attempt(struct run *r, struct target *t, const struct job *j, struct outcome *out,
		   struct pouch_err *err)
{
	int ret, again;

	memset(out, 0, sizeof(*out));
	if ((ret = ensure_handle(t, out, err)) < 0)
		return ret;
	if (!t->https)
		return 0;
	for (again = 0; again < 2; again++) {
		if (j->payload_size >= 0) {
			ret = upload_payload(r, t, j, out, err);
			if (ret != 0)
				return ret < 0 ? ret : 0;
		}
		ret = put_envelope(r, t, j, out, err);
		if (ret != 2)
			return ret < 0 ? ret : 0;
	}
	return 0;
}

/* ---- recording ---- */

static const char *verdict_word(enum outcome_kind k)
{
	return k == OUT_DELIVERED ? "delivered" : k == OUT_FAILED ? "failed" : "queued";
}

/* Records an attempt (counted when counted is set) with outcome out on delivery j at time now,
 * and appends its audit entry. */
static int record(struct run *r, struct job *j, const char *url, const struct outcome *out,
		  int counted, time_t now, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	uint64_t next_ms;
	int ret;

	if (out->kind == OUT_DELIVERED) {
		ret = pouch_db_prepare(r->s->db, "UPDATE delivery SET state = 'delivered', attempts "
				       "= attempts + 1, last_attempt = ?1, next_attempt = NULL, "
				       "delivered = ?1, reason = NULL WHERE id = ?2 AND "
				       "recipient = ?3", &st, err);
	} else if (out->kind == OUT_FAILED) {
		ret = pouch_db_prepare(r->s->db, "UPDATE delivery SET state = 'failed', attempts = "
				       "attempts + 1, last_attempt = ?1, next_attempt = NULL, "
				       "reason = ?4 WHERE id = ?2 AND recipient = ?3", &st, err);
	} else {
		ret = pouch_db_prepare(r->s->db, counted ? "UPDATE delivery SET attempts = attempts "
				       "+ 1, last_attempt = ?1, next_attempt = ?5, reason = ?4 WHERE "
				       "id = ?2 AND recipient = ?3"
				       : "UPDATE delivery SET next_attempt = ?5, reason = ?4 WHERE "
					 "id = ?2 AND recipient = ?3 AND ?1 IS NOT NULL", &st, err);
	}
	if (ret < 0)
		return ret;
	next_ms = pouch_push_backoff_ms((unsigned)(j->attempts < 16 ? j->attempts : 16),
					out->retry_after_ms, UINT32_MAX);
	pouch_db_bind_int64(st, 1, (int64_t)now);
	pouch_db_bind_text(st, 2, j->id);
	pouch_db_bind_text(st, 3, j->recipient);
	if (out->kind != OUT_DELIVERED)
		pouch_db_bind_text(st, 4, out->reason);
	if (out->kind == OUT_RETRY || out->kind == OUT_STUCK)
		pouch_db_bind_int64(st, 5, (int64_t)now + (int64_t)(next_ms / 1000));
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	if (ret < 0)
		return ret;
	if (!counted)
		return 0;
	j->attempts++;
	return pouch_audit_append(r->h, &(struct pouch_audit_entry){ .event = "push-attempt",
					  .id = j->id, .agency = j->recipient, .endpoint = url,
					  .verdict = verdict_word(out->kind),
					  .reason = out->kind == OUT_DELIVERED ? NULL : out->reason },
				  now, err);
}

static void report(struct run *r, const struct job *j, const char *url,
		   enum pouch_push_verdict v, const char *reason, uint64_t wait_ms)
{
	struct pouch_push_report rep = { v, j->id, j->recipient, url, reason, j->attempts,
					 wait_ms };

	if (v == POUCH_PUSH_DELIVERED)
		r->sum->delivered++;
	else if (v == POUCH_PUSH_QUEUED)
		r->sum->queued++;
	else if (v == POUCH_PUSH_FAILED)
		r->sum->failed++;
	if (r->o->report)
		r->o->report(r->o->arg, &rep);
}

static enum pouch_push_verdict final_verdict(enum outcome_kind k)
{
	return k == OUT_DELIVERED ? POUCH_PUSH_DELIVERED
				  : k == OUT_FAILED ? POUCH_PUSH_FAILED : POUCH_PUSH_QUEUED;
}

/* Records out for the jobs of package first at target t (marking them done) and reports each
 * final outcome unless the attempt will be retried. */
static int record_all(struct run *r, size_t first, long t, const struct outcome *out,
		      int counted, int final, struct pouch_err *err)
{
	const char *url = t >= 0 ? r->targets[t].url : NULL;
	time_t now = run_now(r);
	size_t i;
	int ret;

	if ((ret = pouch_db_begin(r->s->db, err)) < 0)
		return ret;
	for (i = first; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->done || j->target != t || strcmp(j->id, r->jobs[first].id) != 0 ||
		    (t < 0 && i != first))
			continue;
		if ((ret = record(r, j, url, out, counted, now, err)) < 0) {
			pouch_db_rollback(r->s->db);
			return ret;
		}
	}
	if ((ret = pouch_db_commit(r->s->db, err)) < 0)
		return ret;
	for (i = first; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->done || j->target != t || strcmp(j->id, r->jobs[first].id) != 0 ||
		    (t < 0 && i != first))
			continue;
		if (final) {
			j->done = 1;
			report(r, j, url, final_verdict(out->kind),
			       out->kind == OUT_DELIVERED ? NULL : out->reason, 0);
		}
	}
	return 0;
}

/* Delivers the package of jobs[first] to its target, retrying transient failures. */
static int deliver_package(struct run *r, size_t first, struct pouch_err *err)
{
	struct job *j = &r->jobs[first];
	struct target *t = &r->targets[j->target];
	struct outcome out;
	uint64_t wait;
	unsigned n;
	int ret;

	if (t->down) {
		memset(&out, 0, sizeof(out));
		set_reason(&out, OUT_STUCK, "%s", t->reason);
		return record_all(r, first, j->target, &out, 0, 1, err);
	}
	for (n = 0;; n++) {
		if ((ret = attempt(r, t, j, &out, err)) < 0)
			return ret;
		if (out.kind != OUT_RETRY || (int)n >= r->o->retries ||
		    out.retry_after_ms > POUCH_PUSH_BACKOFF_CAP_MS)
			break;
		if ((ret = record_all(r, first, j->target, &out, 1, 0, err)) < 0)
			return ret;
		wait = pouch_push_backoff_ms(n, out.retry_after_ms, random32());
		report(r, j, t->url, POUCH_PUSH_RETRY, out.reason, wait);
		sleep_ms(wait);
		r->waited_ms += wait;
	}
	if (out.kind == OUT_RETRY || out.kind == OUT_STUCK) {
		t->down = 1;
		snprintf(t->reason, sizeof(t->reason), "%s", out.reason);
	}
	return record_all(r, first, j->target, &out, 1, 1, err);
}

/* ---- planning ---- */

static void strip_slash(char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
}

/* The target for url with the TLS settings tls (taken over: zeroed here), found or added. */
static int target_for(struct run *r, struct pouch_tls_paths *tls, long *index,
		      struct pouch_err *err)
{
	struct target t = { 0 };
	size_t i;

	strip_slash(tls->url);
	for (i = 0; i < r->ntargets; i++) {
		if (strcmp(r->targets[i].url, tls->url) == 0) {
			pouch_tls_paths_release(tls);
			*index = (long)i;
			return 0;
		}
	}
	t.url = tls->url;
	t.tls = *tls;
	if (pouch_array_push(&r->targets, &r->ntargets, sizeof(t), &t, err) < 0) {
		pouch_tls_paths_release(tls);
		return POUCH_E_NOMEM;
	}
	memset(tls, 0, sizeof(*tls));
	*index = (long)r->ntargets - 1;
	return 0;
}

/* Works out where job j goes (endpoint: the URL it was queued with, or NULL). A party without a
 * usable endpoint leaves j without a target and its reason set. */
static int resolve(struct run *r, struct job *j, const char *endpoint, struct pouch_err *err)
{
	struct pouch_tls_paths tls = { 0 }, own = { 0 };
	struct pouch_err e = { 0 };
	char *url = NULL;
	int ret;

	j->target = -1;
	if (!endpoint) {
		ret = pouch_endpoint_tls(r->h, j->recipient, &tls, &e);
		if (ret == POUCH_E_NOMEM)
			return pouch_err_set(err, ret, "%s", e.msg);
		if (ret < 0) {
			snprintf(j->reason, sizeof(j->reason), "%s", e.msg);
			pouch_tls_paths_release(&tls);
			return 0;
		}
		return target_for(r, &tls, &j->target, err);
	}
	/* A given URL: our own endpoint's TLS when it is our own endpoint, else the recipient's
	 * settings when it has a record, else the system's CAs and no client certificate. */
	url = strdup(endpoint);
	if (!url)
		return nomem(err);
	strip_slash(url);
	ret = pouch_endpoint_tls(r->h, NULL, &own, &e);
	if (ret == 0) {
		strip_slash(own.url);
		if (strcmp(own.url, url) == 0) {
			free(url);
			return target_for(r, &own, &j->target, err);
		}
	}
	pouch_tls_paths_release(&own);
	ret = pouch_endpoint_tls(r->h, j->recipient, &tls, &e);
	if (ret == POUCH_E_NOMEM) {
		free(url);
		pouch_tls_paths_release(&tls);
		return pouch_err_set(err, ret, "%s", e.msg);
	}
	if (ret < 0)
		pouch_tls_paths_release(&tls);
	free(tls.url);
	tls.url = url;
	return target_for(r, &tls, &j->target, err);
}

static int selected(const struct pouch_push_opts *o, const char *id)
{
	size_t i;

	if (!o->ids)
		return 1;
	for (i = 0; i < o->nids; i++)
		if (strcmp(o->ids[i], id) == 0)
			return 1;
	return 0;
}

/* Loads the queued deliveries o selects, in the order they were queued, and resolves each. */
static int plan(struct run *r, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	struct job j;
	const char *t;
	char *endpoint;
	int ret;

	ret = pouch_db_prepare(r->s->db, "SELECT d.id, d.recipient, d.endpoint, d.attempts, "
			       "o.digest, o.size, o.payload_size FROM delivery d JOIN outgoing o "
			       "ON o.id = d.id WHERE d.state = 'queued' ORDER BY o.queued, d.id, "
			       "d.pos", &st, err);
	if (ret < 0)
		return ret;
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		memset(&j, 0, sizeof(j));
		snprintf(j.id, sizeof(j.id), "%s", (t = pouch_db_column_text(st, 0)) ? t : "");
		if (!selected(r->o, j.id))
			continue;
		snprintf(j.recipient, sizeof(j.recipient), "%s",
			 (t = pouch_db_column_text(st, 1)) ? t : "");
		j.attempts = (long)pouch_db_column_int64(st, 3);
		snprintf(j.digest, sizeof(j.digest), "%s",
			 (t = pouch_db_column_text(st, 4)) ? t : "");
		j.size = (uint64_t)pouch_db_column_int64(st, 5);
		j.payload_size = pouch_db_column_is_null(st, 6) ? -1 : pouch_db_column_int64(st, 6);
		endpoint = NULL;
		if ((t = pouch_db_column_text(st, 2)) && !(endpoint = strdup(t))) {
			ret = nomem(err);
			break;
		}
		ret = resolve(r, &j, endpoint, err);
		free(endpoint);
		if (ret < 0 || (ret = pouch_array_push(&r->jobs, &r->njobs, sizeof(j), &j, err)) < 0)
			break;
	}
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

int pouch_push_deliver(const struct pouch_home *h, struct pouch_state *s,
		       const struct pouch_push_opts *o, struct pouch_push_summary *sum,
		       struct pouch_err *err)
{
	struct run r = { h, s, o, sum, NULL, 0, NULL, 0, 0 };
	struct outcome out;
	size_t i;
	int ret;

	memset(sum, 0, sizeof(*sum));
	if (o->retries < 0 || o->retries > POUCH_PUSH_RETRIES_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "retries must be from 0 to %d",
				     POUCH_PUSH_RETRIES_MAX);
	if ((ret = plan(&r, err)) < 0)
		goto out;
	for (i = 0; i < r.njobs; i++) {
		if (r.jobs[i].done)
			continue;
		if (r.jobs[i].target < 0) {
			memset(&out, 0, sizeof(out));
			set_reason(&out, OUT_STUCK, "%s", r.jobs[i].reason);
			ret = record_all(&r, i, -1, &out, 0, 1, err);
		} else {
			ret = deliver_package(&r, i, err);
		}
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < r.ntargets; i++) {
		pouch_https_free(r.targets[i].https);
		pouch_tls_paths_release(&r.targets[i].tls);
	}
	free(r.targets);
	free(r.jobs);
	return ret;
}
