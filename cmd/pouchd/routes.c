/* pouchd's route table and dispatch: route matching, client authentication, rate limiting,
 * and counting each request once it is finished. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/partner.h"
#include "server/protocol.h"
#include "server/reqparse.h"
#include "pouchd.h"

#define AUTH 1

/* Alphabetical by path, then method. */
const struct pd_route pd_routes[] = {
	{ "GET", "/v1/health", 0, NULL, NULL, pd_health, NULL },
	{ "GET", "/v1/metrics", 0, NULL, NULL, pd_metrics, NULL },
	{ "GET", "/v1/packages", AUTH, NULL, NULL, pd_list, NULL },
	{ "GET", "/v1/packages/{id}", AUTH, NULL, NULL, pd_fetch, NULL },
	{ "PUT", "/v1/packages/{id}", AUTH, pd_push_begin, pd_push_body, pd_push_end,
	  pd_push_cleanup },
	{ "GET", "/v1/packages/{id}/payload", AUTH, NULL, NULL, pd_fetch_payload, NULL },
	{ "PUT", "/v1/packages/{id}/receipt", AUTH, pd_receipt_begin, pd_receipt_body,
	  pd_receipt_end, pd_receipt_cleanup },
	{ "GET", "/v1/receipts", AUTH, NULL, NULL, pd_receipts, NULL },
	{ "GET", "/v1/uploads/{id}", AUTH, NULL, NULL, pd_upload_state, NULL },
	{ "PATCH", "/v1/uploads/{id}", AUTH, pd_upload_begin, pd_upload_body, pd_upload_end,
	  pd_upload_cleanup },
};
const size_t pd_nroutes = sizeof(pd_routes) / sizeof(pd_routes[0]);

/* The agency a verified client certificate names: its common name must be our own agency's
 * code or a partner's. */
static int client_agency(struct pouchd *pd, struct pd_req *q)
{
	struct pouch_err err = { 0 };
	const char *cn = NULL;
	int ret;

	switch (pouch_http_client(q->http, &cn)) {
	case POUCH_HTTP_CLIENT_NONE:
		pd_error(q, 401, "no_client_certificate", "this route needs a client certificate");
		return -1;
	case POUCH_HTTP_CLIENT_UNTRUSTED:
		pd_error(q, 403, "untrusted_client_certificate", "the client certificate is not "
			 "issued by this endpoint's client CA for client authentication, or its "
			 "key is too weak");
		return -1;
	case POUCH_HTTP_CLIENT_OK:
		break;
	}
	ret = pouch_agencymap_lookup(pd->agencies, cn, q->agency, &err);
	if (ret == POUCH_E_NOTFOUND) {
		pd_log("unknown client certificate name '%s'", cn);
		pd_error(q, 403, "unknown_agency", "the client certificate names '%s', which is "
			 "not an agency this endpoint knows", cn);
	} else if (ret < 0) {
		pd_fail(q, &err);
	}
	return ret < 0 ? -1 : 0;
}

/* 405 with the Allow header HTTP requires: the methods the path has. */
static void method_not_allowed(struct pd_req *q, const char *path)
{
	char allow[64] = "", id[POUCH_UUID_LEN], *body;
	const char *headers[] = { "Allow", allow, NULL };
	size_t i;

	for (i = 0; i < pd_nroutes; i++)
		if (pouch_req_match(pd_routes[i].pattern, path, id))
			snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
				 allow[0] ? ", " : "", pd_routes[i].method);
	body = pouch_proto_error("method_not_allowed", "this method is not allowed here");
	q->failed = 1;
	if (body)
		pouch_http_respond(q->http, 405, "application/json", body, strlen(body), headers);
	free(body);
	pouch_http_discard(q->http);
}

static void route(struct pouchd *pd, struct pd_req *q)
{
	const char *method = pouch_http_method(q->http), *path = pouch_http_path(q->http);
	char id[POUCH_UUID_LEN];
	int path_known = 0;
	const char *why = pouch_http_malformed(q->http);
	size_t i;
	unsigned wait;

	if (why) {
		atomic_fetch_add(&pd->metrics.malformed, 1);
		pd_error(q, 400, "bad_request", "%s", why);
		return;
	}
	for (i = 0; i < pd_nroutes; i++) {
		if (!pouch_req_match(pd_routes[i].pattern, path, id))
			continue;
		path_known = 1;
		if (strcmp(pd_routes[i].method, method) != 0)
			continue;
		q->route = &pd_routes[i];
		q->route_index = (int)i;
		if (strstr(pd_routes[i].pattern, "{id}"))
			memcpy(q->id, id, sizeof(q->id));
		break;
	}
	if (!q->route) {
		if (path_known)
			method_not_allowed(q, path);
		else
			pd_error(q, 404, "not_found", "no such route");
		return;
	}
	if (q->route->auth && client_agency(pd, q) < 0)
		return;
	if (q->route->auth && (wait = pd_rate_take(pd->rate, q->agency, time(NULL))) > 0) {
		char after[16];
		char *body = pouch_proto_error("rate_limited", "too many requests; try again "
					       "later");
		const char *headers[] = { "Retry-After", after, NULL };

		snprintf(after, sizeof(after), "%u", wait);
		q->failed = 1;
		if (body)
			pouch_http_respond(q->http, 429, "application/json", body, strlen(body),
					   headers);
		free(body);
		pouch_http_discard(q->http);
		return;
	}
	/* Refused before the body is read: a client cannot hold the connection with it. */
	if (!q->route->body && pouch_http_has_body(q->http)) {
		pd_error(q, 413, "too_large", "this route takes no request body");
		return;
	}
	if (q->route->begin)
		q->route->begin(pd, q);
}

static void on_begin(void *ctx, struct pouch_http_req *r)
{
	struct pouchd *pd = ctx;
	struct pd_req *q = calloc(1, sizeof(*q));

	*pouch_http_state(r) = q;
	if (!q) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out "
					  "of memory\"}}";
		pouch_http_respond(r, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	q->http = r;
	q->route_index = -1;
	clock_gettime(CLOCK_MONOTONIC, &q->start);
	route(pd, q);
}

static void on_body(void *ctx, struct pouch_http_req *r, const char *data, size_t len)
{
	struct pd_req *q = *pouch_http_state(r);

	if (!q || q->failed || !q->route)
		return;
	if (!q->route->body) {
		pd_error(q, 413, "too_large", "this route takes no request body");
		return;
	}
	q->route->body(ctx, q, data, len);
}

static void on_end(void *ctx, struct pouch_http_req *r)
{
	struct pd_req *q = *pouch_http_state(r);

	if (q && q->route && !q->failed)
		q->route->end(ctx, q);
}

static void count(struct pouchd *pd, const struct pd_req *q, unsigned status, uint64_t us)
{
	struct pd_metrics *m = &pd->metrics;
	size_t s = PD_NSTATUS;

	for (size_t i = 0; i < PD_NSTATUS; i++)
		if (pd_statuses[i] == status)
			s = i;
	if (q->route_index >= 0 && q->route_index < 16)
		atomic_fetch_add(&m->requests[q->route_index][s], 1);
	else
		atomic_fetch_add(&m->unrouted, 1);
	atomic_fetch_add(&m->bytes_in, pouch_http_received(q->http));
	atomic_fetch_add(&m->bytes_out, pouch_http_sent(q->http));
	atomic_fetch_add(&m->duration_us, us);
}

static void on_finished(void *ctx, struct pouch_http_req *r, int complete)
{
	struct pouchd *pd = ctx;
	struct pd_req *q = *pouch_http_state(r);
	struct timespec now;
	uint64_t us;
	unsigned status;

	if (!q) {
		if (pouch_http_refused(r)) {
			atomic_fetch_add(&pd->metrics.malformed, 1);
			pd_log("- %.200s refused by the HTTP parser (its own answer)",
			       pouch_http_target(r));
		}
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (uint64_t)(now.tv_sec - q->start.tv_sec) * 1000000u +
	     (uint64_t)((now.tv_nsec - q->start.tv_nsec) / 1000);
	status = pouch_http_status(r);
	if (q->route && q->route->cleanup)
		q->route->cleanup(pd, q);
	count(pd, q, status, us);
	pd_log("%.16s %.200s status=%u%s agency=%s id=%s in=%llu out=%llu ms=%llu",
	       pouch_http_method(r), q->route ? q->route->pattern : pouch_http_target(r), status,
	       complete ? "" : " aborted", q->agency[0] ? q->agency : "-",
	       q->id[0] ? q->id : "-", (unsigned long long)pouch_http_received(r),
	       (unsigned long long)pouch_http_sent(r), (unsigned long long)(us / 1000));
	free(q);
}

const struct pouch_httpd_ops pd_ops = {
	.begin = on_begin,
	.body = on_body,
	.end = on_end,
	.finished = on_finished,
};
