/* pouchd's responses and log: error bodies, the mapping of pouch's errors to statuses, JSON
 * bodies, query parameters, and the one log line per event. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timefmt.h"
#include "server/protocol.h"
#include "pouchd.h"

const unsigned pd_statuses[PD_NSTATUS] = { 200, 201, 206, 400, 401, 403, 404, 405, 409,
					   411, 413, 415, 416, 422, 429, 500, 503, 507 };

void pd_log(const char *fmt, ...)
{
	va_list ap;
	char line[1024], safe[4 * sizeof(line)], when[POUCH_TIME_LEN];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The one escape for every field: methods, paths, names and messages come from outside. */
	pouch_escape(line, safe, sizeof(safe));
	/* One line, one call: lines from concurrent requests never interleave. */
	fprintf(stderr, "%s pouchd: %s\n", pouch_time_format(time(NULL), when), safe);
}

void pd_json(struct pd_req *q, unsigned status, char *text)
{
	static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of "
				  "memory\"}}";

	if (!text) {
		pouch_http_respond(q->http, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		q->failed = 1;
		return;
	}
	pouch_http_respond(q->http, status, "application/json", text, strlen(text), NULL);
	free(text);
}

void pd_error(struct pd_req *q, unsigned status, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	q->failed = 1;
	pd_json(q, status, pouch_proto_error(code, msg));
	pouch_http_discard(q->http);
}

/* The one place pouch error codes become HTTP statuses. err's message names server files and
 * carries library text: it goes to the log, and the client gets a fixed text with the id. */
void pd_fail(struct pd_req *q, const struct pouch_err *err)
{
	const char *id = q->id[0] ? q->id : "-", *what = "package";
	int refusal = err->code == POUCH_E_USAGE || err->code == POUCH_E_VERIFY ||
		      err->code == POUCH_E_EXPIRED || err->code == POUCH_E_EXISTS ||
		      err->code == POUCH_E_NOTFOUND;

	if (q->route && strstr(q->route->pattern, "/receipt"))
		what = "the receipt for package";
	pd_log("%s %s: %s", refusal ? "refused" : "internal error", id, err->msg);
	switch (err->code) {
	case POUCH_E_USAGE:
		if (q->id[0])
			pd_error(q, 400, "bad_request", "%s %s is malformed", what, id);
		else
			pd_error(q, 400, "bad_request", "the request is malformed");
		break;
	case POUCH_E_VERIFY:
	case POUCH_E_EXPIRED:
		pd_error(q, 422, "not_genuine", "%s %s is not genuine (this endpoint's log says "
			 "why)", what, id);
		break;
	case POUCH_E_EXISTS:
		pd_error(q, 409, "id_conflict", "package %s is stored already with other content",
			 id);
		break;
	case POUCH_E_NOTFOUND:
		if (q->id[0])
			pd_error(q, 404, "not_found", "package %s is not stored here", id);
		else
			pd_error(q, 404, "not_found", "not found");
		break;
	case POUCH_E_NOSPACE:
		pd_log("store full: %s", err->msg);
		pd_error(q, 507, "insufficient_storage", "the server has no room to store this "
			 "now; nothing was stored; try again later");
		break;
	default:
		pd_error(q, 500, "internal", "the server failed; try again later");
		break;
	}
}

const char *pd_query(struct pd_req *q, const char *name)
{
	return pouch_http_query(q->http, name);
}
