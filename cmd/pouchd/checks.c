/* pouchd's checks on a request before a handler reads its body or its store: declared length,
 * media type, room on the store's disk, and a list's page arguments. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/protocol.h"
#include "server/reqparse.h"
#include "server/store.h"
#include "pouchd.h"

/* Refuses a declared body longer than cap before reading it. */
int pd_length_ok(struct pd_req *q, uint64_t cap)
{
	const char *cl = pouch_http_header(q->http, "Content-Length");
	uint64_t n;

	if (!cl)
		return 1;
	if (pouch_decimal_parse(cl, UINT64_MAX, &n) < 0)
		return pd_error(q, 400, "bad_request", "bad Content-Length"), 0;
	if (n > cap)
		return pd_error(q, 413, "too_large", "the body is %" PRIu64 " bytes; the most "
				"this endpoint takes is %" PRIu64, n, cap), 0;
	return 1;
}

int pd_length(struct pd_req *q, uint64_t *len)
{
	const char *cl = pouch_http_header(q->http, "Content-Length");

	*len = cl ? strtoull(cl, NULL, 10) : 0;
	return cl != NULL;
}

int pd_room_ok(struct pouchd *pd, struct pd_req *q, uint64_t len)
{
	struct pouch_err err = { 0 };

	if (pouch_store_room(pd->store, len, &err) == 0)
		return 1;
	pd_fail(q, &err);
	return 0;
}

/* Requires the request's media type to be want (parameters after ';' allowed). */
int pd_media_ok(struct pd_req *q, const char *want)
{
	const char *ct = pouch_http_header(q->http, "Content-Type");
	size_t n = strlen(want);

	if (ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';'))
		return 1;
	pd_error(q, 415, "unsupported_media_type", "the body must be %s", want);
	return 0;
}

static int limit_of(struct pd_req *q, size_t *limit)
{
	const char *s = pd_query(q, "limit");
	uint64_t n;

	*limit = 100;
	if (!s)
		return 0;
	if (pouch_decimal_parse(s, POUCH_STORE_LIMIT_MAX, &n) < 0 || n < 1)
		return pd_error(q, 400, "bad_request", "limit must be 1 to %d",
				POUCH_STORE_LIMIT_MAX), -1;
	*limit = (size_t)n;
	return 0;
}

/* The after and limit parameters of a list: after must be a cursor this list gave the caller. */
int pd_page_args(struct pouchd *pd, struct pd_req *q, enum pouch_store_list list,
		 int64_t *after, size_t *limit)
{
	struct pouch_err err = { 0 };
	int ret;

	if (pouch_proto_cursor(pd_query(q, "after"), after, NULL) < 0)
		return pd_error(q, 400, "bad_request", "bad cursor in 'after'"), -1;
	if (pd_query(q, "after")) {
		ret = pouch_store_cursor_check(pd->store, list, q->agency, *after, &err);
		if (ret == POUCH_E_NOTFOUND)
			return pd_error(q, 400, "bad_request", "the cursor in 'after' is not one "
					"this endpoint gave you for this list"), -1;
		if (ret < 0)
			return pd_fail(q, &err), -1;
	}
	return limit_of(q, limit);
}
