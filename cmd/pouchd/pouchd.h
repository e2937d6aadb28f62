/* pouchd: the server's state, the per-request state and the route handlers (one file per group
 * of routes: packages.c, uploads.c, receipts.c, metrics.c; the table is in routes.c).
 *
 * Beneath them: respond.c (responses, log), checks.c (checks before a body), rate.c (budgets).
 * Adding a route: a handler in the file of its group, its prototype below, a row in routes[] in
 * routes.c, the route in spec/protocol.md and spec/openapi.yaml, and a test in tests/e2e/t5*.sh.
 */
#ifndef POUCHD_H
#define POUCHD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "directory/home.h"
#include "server/agencymap.h"
#include "server/httpd.h"
#include "server/srvconf.h"
#include "server/store.h"
#include "base/uuid.h"
#include "base/validate.h"

struct pouch_store;
struct pd_req;

/* Statuses the metrics count one by one; anything else counts as "other". */
#define PD_NSTATUS 18
extern const unsigned pd_statuses[PD_NSTATUS];

struct pd_metrics {
	atomic_ullong requests[16][PD_NSTATUS + 1]; /* per route and status */
	atomic_ullong unrouted;
	atomic_ullong malformed; /* refused as unparsable, by pouchd or libmicrohttpd */
	atomic_ullong bytes_in, bytes_out;
	atomic_ullong duration_us;
	atomic_ullong accepted, refused;
};

struct pd_rate; /* per-agency request budget */

struct pouchd {
	struct pouch_srvconf conf;
	struct pouch_home home;
	struct pouch_agencymap *agencies; /* client common names to agencies, kept fresh */
	struct pouch_store *store;
	struct pd_rate *rate;
	_Atomic(struct pouch_httpd *) httpd; /* set while serving */
	struct pd_metrics metrics;
	atomic_uint listings; /* list responses in progress (at most conf.max_listings) */
	const struct pd_route *routes; /* pd_routes: what metrics labels its counts with */
	size_t nroutes;
	time_t started;
};

/* One route: method, path pattern ("{id}" matches a package id), whether it needs a client
 * certificate, and its handlers. body may be NULL: the route takes no body. */
struct pd_route {
	const char *method;
	const char *pattern;
	int auth;
	void (*begin)(struct pouchd *pd, struct pd_req *q);
	void (*body)(struct pouchd *pd, struct pd_req *q, const char *data, size_t len);
	void (*end)(struct pouchd *pd, struct pd_req *q);
	void (*cleanup)(struct pouchd *pd, struct pd_req *q);
};

/* A request in progress. */
struct pd_req {
	struct pouch_http_req *http;
	const struct pd_route *route;
	int route_index;
	char agency[POUCH_CODE_MAX + 1]; /* the authenticated client's agency, or "" */
	char id[POUCH_UUID_LEN];         /* the {id} of the path, or "" */
	struct timespec start;
	int failed;       /* an error response is queued: ignore the rest of the body */
	void *data;       /* the route's own state, freed by its cleanup */
};

/* Responds with the JSON error body {"error":{"code","message"}} and the status; the message
 * is formatted, one line. Marks q failed. */
void pd_error(struct pd_req *q, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Responds with the pouch error err: its code picks the status (one switch in routes.c). */
void pd_fail(struct pd_req *q, const struct pouch_err *err);

/* Responds with a JSON body (text, taken over and freed; NULL means out of memory: 500). */
void pd_json(struct pd_req *q, unsigned status, char *text);

/* Checks on a request before its body: a declared Content-Length of at most cap, the media
 * type want. Each responds with the error and returns 0 when the check fails, else 1. */
int pd_length_ok(struct pd_req *q, uint64_t cap);
int pd_media_ok(struct pd_req *q, const char *want);

/* After pd_length_ok: whether a Content-Length is declared, its value in *len (else 0). */
int pd_length(struct pd_req *q, uint64_t *len);

/* Before a body is stored: room for len more bytes on the store's disk (else 507, 0). */
int pd_room_ok(struct pouchd *pd, struct pd_req *q, uint64_t len);

/* The after (cursor) and limit (1 to 1000, default 100) of a request for list; responds 400 and
 * returns -1 when they are bad, or after is not a cursor that list gave the caller. */
int pd_page_args(struct pouchd *pd, struct pd_req *q, enum pouch_store_list list,
		 int64_t *after, size_t *limit);

/* A query parameter's value or NULL. */
const char *pd_query(struct pd_req *q, const char *name);

/* Logs one line on stderr: the UTC time (RFC 3339), " pouchd: " and the message (never request
 * or package contents), escaped as a whole with pouch_escape: no control byte from a request
 * reaches the log. Every line pouchd writes, errors and usage errors too, goes through here. */
void pd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The httpd callbacks that dispatch to routes[]. */
extern const struct pouch_httpd_ops pd_ops;
extern const struct pd_route pd_routes[];
extern const size_t pd_nroutes;

/* Rate limiting: allowed (0) or the seconds to wait before asking again. */
int pd_rate_new(unsigned per_minute, struct pd_rate **out);
void pd_rate_free(struct pd_rate *r);
unsigned pd_rate_take(struct pd_rate *r, const char *agency, time_t now);

/* The handlers. */
void pd_health(struct pouchd *pd, struct pd_req *q);
void pd_metrics(struct pouchd *pd, struct pd_req *q);
void pd_push_begin(struct pouchd *pd, struct pd_req *q);
void pd_push_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len);
void pd_push_end(struct pouchd *pd, struct pd_req *q);
void pd_push_cleanup(struct pouchd *pd, struct pd_req *q);
void pd_list(struct pouchd *pd, struct pd_req *q);
void pd_fetch(struct pouchd *pd, struct pd_req *q);
void pd_fetch_payload(struct pouchd *pd, struct pd_req *q);
void pd_upload_state(struct pouchd *pd, struct pd_req *q);
void pd_upload_begin(struct pouchd *pd, struct pd_req *q);
void pd_upload_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len);
void pd_upload_end(struct pouchd *pd, struct pd_req *q);
void pd_upload_cleanup(struct pouchd *pd, struct pd_req *q);
void pd_receipt_begin(struct pouchd *pd, struct pd_req *q);
void pd_receipt_body(struct pouchd *pd, struct pd_req *q, const char *data, size_t len);
void pd_receipt_end(struct pouchd *pd, struct pd_req *q);
void pd_receipt_cleanup(struct pouchd *pd, struct pd_req *q);
void pd_receipts(struct pouchd *pd, struct pd_req *q);

#endif
