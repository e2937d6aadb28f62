/* pouchd's health and metrics routes, and the per-agency request budget. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pouch/protocol.h"
#include "pouch/store.h"
#include "pouchd.h"

void pd_health(struct pouchd *pd, struct pd_req *q)
{
	pd_json(q, 200, pouch_proto_health(POUCH_VERSION,
					   pouch_store_writable(pd->store, time(NULL))));
}

static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int put(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < *cap - *len)
			break;
		char *bigger = realloc(*buf, *cap * 2 + (size_t)n);
		if (!bigger)
			return -1;
		*buf = bigger;
		*cap = *cap * 2 + (size_t)n;
	}
	*len += (size_t)n;
	return 0;
}

/* The connections open now, and those the server closed to keep room for partners. */
static int put_connections(struct pouchd *pd, char **buf, size_t *len, size_t *cap)
{
	struct pouch_httpd_stats st = { 0 };
	struct pouch_httpd *d = atomic_load(&pd->httpd);

	if (d)
		pouch_httpd_stats(d, &st);
	return put(buf, len, cap,
		   "# HELP pouchd_connections Connections open.\n"
		   "# TYPE pouchd_connections gauge\npouchd_connections %llu\n"
		   "# HELP pouchd_connections_waiting Connections waiting for a TLS handshake or a "
		   "request head.\n"
		   "# TYPE pouchd_connections_waiting gauge\npouchd_connections_waiting %llu\n"
		   "# HELP pouchd_connections_closed_total Connections the server closed, by reason.\n"
		   "# TYPE pouchd_connections_closed_total counter\n"
		   "pouchd_connections_closed_total{reason=\"head_timeout\"} %llu\n"
		   "pouchd_connections_closed_total{reason=\"displaced\"} %llu\n"
		   "pouchd_connections_closed_total{reason=\"address_limit\"} %llu\n"
		   "pouchd_connections_closed_total{reason=\"answered_during_body\"} %llu\n",
		   (unsigned long long)st.open, (unsigned long long)st.waiting,
		   (unsigned long long)st.timed_out, (unsigned long long)st.displaced,
		   (unsigned long long)st.refused, (unsigned long long)st.cut_short);
}

/* Prometheus text format 0.0.4: counters and gauges, no agency labels. */
void pd_metrics(struct pouchd *pd, struct pd_req *q)
{
	struct pd_metrics *m = &pd->metrics;
	size_t cap = 8192, len = 0, i, s;
	char *buf = malloc(cap);
	uint64_t packages = 0, receipts = 0;
	int bad = !buf;

	pouch_store_counts(pd->store, &packages, &receipts, NULL);
	bad = bad || put(&buf, &len, &cap, "# HELP pouchd_requests_total Requests by route, "
			 "method and status.\n# TYPE pouchd_requests_total counter\n");
	for (i = 0; !bad && i < pd_nroutes && i < 16; i++) {
		for (s = 0; !bad && s <= PD_NSTATUS; s++) {
			unsigned long long n = atomic_load(&m->requests[i][s]);
			char code[8];
			if (!n)
				continue;
			snprintf(code, sizeof(code), "%u", s < PD_NSTATUS ? pd_statuses[s] : 0);
			bad = put(&buf, &len, &cap,
				  "pouchd_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} "
				  "%llu\n", pd_routes[i].method, pd_routes[i].pattern,
				  s < PD_NSTATUS ? code : "other", n);
		}
	}
	bad = bad || put(&buf, &len, &cap,
			 "# HELP pouchd_unrouted_requests_total Requests matching no route.\n"
			 "# TYPE pouchd_unrouted_requests_total counter\n"
			 "pouchd_unrouted_requests_total %llu\n"
			 "# HELP pouchd_malformed_requests_total Requests refused as unparsable.\n"
			 "# TYPE pouchd_malformed_requests_total counter\n"
			 "pouchd_malformed_requests_total %llu\n"
			 "# HELP pouchd_received_bytes_total Request body bytes received.\n"
			 "# TYPE pouchd_received_bytes_total counter\n"
			 "pouchd_received_bytes_total %llu\n"
			 "# HELP pouchd_sent_bytes_total Response body bytes queued.\n"
			 "# TYPE pouchd_sent_bytes_total counter\n"
			 "pouchd_sent_bytes_total %llu\n"
			 "# HELP pouchd_request_seconds_total Time spent on requests.\n"
			 "# TYPE pouchd_request_seconds_total counter\n"
			 "pouchd_request_seconds_total %.6f\n"
			 "# HELP pouchd_packages_accepted_total Pushed packages stored.\n"
			 "# TYPE pouchd_packages_accepted_total counter\n"
			 "pouchd_packages_accepted_total %llu\n"
			 "# HELP pouchd_packages_refused_total Pushed packages refused.\n"
			 "# TYPE pouchd_packages_refused_total counter\n"
			 "pouchd_packages_refused_total %llu\n"
			 "# HELP pouchd_packages Packages in the store.\n"
			 "# TYPE pouchd_packages gauge\npouchd_packages %llu\n"
			 "# HELP pouchd_receipts Receipts in the store.\n"
			 "# TYPE pouchd_receipts gauge\npouchd_receipts %llu\n"
			 "# HELP pouchd_start_time_seconds When pouchd started (Unix time).\n"
			 "# TYPE pouchd_start_time_seconds gauge\npouchd_start_time_seconds %lld\n",
			 (unsigned long long)atomic_load(&m->unrouted),
			 (unsigned long long)atomic_load(&m->malformed),
			 (unsigned long long)atomic_load(&m->bytes_in),
			 (unsigned long long)atomic_load(&m->bytes_out),
			 (double)atomic_load(&m->duration_us) / 1e6,
			 (unsigned long long)atomic_load(&m->accepted),
			 (unsigned long long)atomic_load(&m->refused), (unsigned long long)packages,
			 (unsigned long long)receipts, (long long)pd->started);
	bad = bad || put_connections(pd, &buf, &len, &cap);
	if (bad) {
		free(buf);
		pd_error(q, 500, "internal", "out of memory");
		return;
	}
	pouch_http_respond(q->http, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len,
			   NULL);
	free(buf);
}

/* A token bucket per agency: per_minute requests, refilled continuously. */
struct bucket {
	char agency[POUCH_CODE_MAX + 1];
	double tokens;
	time_t at;
};

struct pd_rate {
	pthread_mutex_t lock;
	unsigned per_minute;
	struct bucket *b;
	size_t n;
};

int pd_rate_new(unsigned per_minute, struct pd_rate **out)
{
	struct pd_rate *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r)
		return -1;
	pthread_mutex_init(&r->lock, NULL);
	r->per_minute = per_minute;
	return 0;
}

void pd_rate_free(struct pd_rate *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->b);
	free(r);
}

static struct bucket *find(struct pd_rate *r, const char *agency, time_t now)
{
	struct bucket *more;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->b[i].agency, agency) == 0)
			return &r->b[i];
	more = realloc(r->b, (r->n + 1) * sizeof(*more));
	if (!more)
		return NULL;
	r->b = more;
	snprintf(r->b[r->n].agency, sizeof(r->b[r->n].agency), "%s", agency);
	r->b[r->n].tokens = r->per_minute;
	r->b[r->n].at = now;
	return &r->b[r->n++];
}

unsigned pd_rate_take(struct pd_rate *r, const char *agency, time_t now)
{
	struct bucket *b;
	unsigned wait = 0;

	if (!r || r->per_minute == 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	b = find(r, agency, now);
	if (!b) {
		wait = 1;
	} else {
		if (now > b->at) {
			b->tokens += (double)(now - b->at) * r->per_minute / 60.0;
			if (b->tokens > r->per_minute)
				b->tokens = r->per_minute;
			b->at = now;
		}
		if (b->tokens >= 1.0)
			b->tokens -= 1.0;
		else
			wait = (unsigned)((1.0 - b->tokens) * 60.0 / r->per_minute) + 1;
	}
	pthread_mutex_unlock(&r->lock);
	return wait;
}
