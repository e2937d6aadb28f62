/* pouchd's health and metrics routes. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/protocol.h"
#include "server/store.h"
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
	for (i = 0; !bad && i < pd->nroutes && i < 16; i++) {
		for (s = 0; !bad && s <= PD_NSTATUS; s++) {
			unsigned long long n = atomic_load(&m->requests[i][s]);
			char code[8];
			if (!n)
				continue;
			snprintf(code, sizeof(code), "%u", s < PD_NSTATUS ? pd_statuses[s] : 0);
			bad = put(&buf, &len, &cap,
				  "pouchd_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} "
				  "%llu\n", pd->routes[i].method, pd->routes[i].pattern,
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

