/* pouch pull's conversation with a source: its URLs, error answers, the pages of its lists and
 * the cursors saved between pulls. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "exchange/pull_internal.h"

void pull_emit(struct pull_run *r, const struct pull_source *s, struct pouch_pull_event *ev)
{
	ev->source = s->tls.url;
	ev->party = s->party;
	if (ev->kind == POUCH_PULL_GOOD)
		r->res->good++;
	else if (ev->kind == POUCH_PULL_QUARANTINED)
		r->res->quarantined++;
	else if (ev->kind == POUCH_PULL_RECEIPT_SENT)
		r->res->receipts_sent++;
	else if (ev->kind == POUCH_PULL_RECEIPT)
		r->res->receipts++;
	else if (ev->kind == POUCH_PULL_WARNING)
		r->res->warnings++;
	else
		r->res->failed++;
	if (r->o->event)
		r->o->event(r->o->arg, ev);
}

char *pull_url(const struct pull_source *s, const char *fmt, ...)
{
	const char *base = s->tls.url;
	size_t n = strlen(base);
	char *path = NULL, *url = NULL;
	va_list ap;
	int ok;

	va_start(ap, fmt);
	ok = vasprintf(&path, fmt, ap) >= 0;
	va_end(ap);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (ok && asprintf(&url, "%.*s%s", (int)n, base, path) < 0)
		url = NULL;
	if (ok)
		free(path);
	return url;
}

int pull_status_error(const struct pull_source *s, const struct pouch_https_resp *resp,
		      const char *what, struct pouch_err *err)
{
	const char *code = NULL, *msg = NULL;
	char ecode[128] = "", emsg[512] = "";
	json_t *j = NULL, *e;

	if (resp->body && pouch_json_parse("error", resp->body, resp->body_len, &j, NULL) == 0 &&
	    (e = json_object_get(j, "error")) && json_is_object(e)) {
		code = json_string_value(json_object_get(e, "code"));
		msg = json_string_value(json_object_get(e, "message"));
	}
	if (code)
		pouch_escape(code, ecode, sizeof(ecode));
	if (msg)
		pouch_escape(msg, emsg, sizeof(emsg));
	json_decref(j);
	return pouch_err_set(err, POUCH_E_NET, "%s: %s answered %ld%s%s%s%s", what, s->tls.url,
			     resp->status, code ? ": " : "", ecode, msg ? ": " : "", emsg);
}

/* s with every byte outside the URL's unreserved set percent-encoded (caller frees). */
static char *query_value(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(strlen(s) * 3 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

/* GETs one page of the list kind after cursor (NULL: from the start) and checks its frame:
 * *page (release with json_decref) holds the array *items, *next (NULL or a string) and
 * *has_more. A failed request, an error status or a malformed page is POUCH_E_NET. */
static int pull_page(struct pull_run *r, struct pull_source *s, const char *kind,
		     const char *cursor, json_t **page, json_t **items, const char **next,
		     int *has_more, struct pouch_err *err)
{
	struct pouch_https_req req;
	struct pouch_https_resp resp = {0};
	json_t *j = NULL, *n, *m;
	char *url = NULL, *after = cursor ? query_value(cursor) : NULL;
	int ret;

	*page = NULL;
	if ((cursor && !after) ||
	    !(url = after ? pull_url(s, "/v1/%s?after=%s&limit=%zu", kind, after, r->limit)
			  : pull_url(s, "/v1/%s?limit=%zu", kind, r->limit))) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	pouch_https_req_init(&req, "GET", url);
	req.max_response = 64ULL * 1024 * 1024;
	if ((ret = pouch_https_request(s->https, &req, &resp, err)) < 0)
		goto out;
	if (resp.status != 200) {
		ret = pull_status_error(
		    s, &resp,
		    kind[0] == 'p' ? "cannot list the packages" : "cannot list the receipts", err);
		goto out;
	}
	if (pouch_json_parse("page", resp.body ? resp.body : "", resp.body_len, &j, err) < 0 ||
	    !json_is_object(j) || !json_is_array(*items = json_object_get(j, kind)) ||
	    !(n = json_object_get(j, "next")) || !(json_is_null(n) || json_is_string(n)) ||
	    !json_is_boolean(m = json_object_get(j, "has_more"))) {
		ret = pouch_err_set(err, POUCH_E_NET, "malformed list of %s from %s", kind,
				    s->tls.url);
		goto out;
	}
	*next = json_string_value(n);
	*has_more = json_is_true(m);
	*page = j;
	j = NULL;
out:
	json_decref(j);
	pouch_https_resp_release(&resp);
	free(url);
	free(after);
	return ret;
}

int pull_cursor_get(struct pull_run *r, const char *url, const char *kind, char **out,
		    struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	*out = NULL;
	if ((ret = pouch_db_prepare(r->st.db,
				    "SELECT value FROM cursor WHERE source = ? AND "
				    "kind = ?",
				    &st, err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, url);
	pouch_db_bind_text(st, 2, kind);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW && !(*out = strdup(pouch_db_column_text(st, 0))))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

int pull_cursor_set(struct pull_run *r, const char *url, const char *kind, const char *value,
		    struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_db_prepare(r->st.db,
				    "INSERT INTO cursor (source, kind, value) "
				    "VALUES (?, ?, ?) ON CONFLICT (source, kind) DO UPDATE SET "
				    "value = excluded.value",
				    &st, err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, url);
	pouch_db_bind_text(st, 2, kind);
	pouch_db_bind_text(st, 3, value);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

int pull_list(struct pull_run *r, struct pull_source *s, const char *kind,
	      int (*take)(struct pull_run *r, struct pull_source *s, json_t *items,
			  struct pouch_err *err),
	      struct pouch_err *err)
{
	json_t *page = NULL, *items = NULL;
	const char *next = NULL;
	char *cursor = NULL;
	int more = 1, ret;

	if ((ret = pull_cursor_get(r, s->tls.url, kind, &cursor, err)) < 0)
		return ret;
	while (more) {
		if ((ret = pull_page(r, s, kind, cursor, &page, &items, &next, &more, err)) < 0)
			break;
		ret = take(r, s, items, err);
		/* A page that moves nothing forward would repeat for ever. */
		if (!ret && more && (!json_array_size(items) || !next))
			ret = pouch_err_set(err, POUCH_E_NET,
					    "the list of %s from %s does not move "
					    "on",
					    kind, s->tls.url);
		if (!ret && next && (ret = pull_cursor_set(r, s->tls.url, kind, next, err)) == 0) {
			free(cursor);
			if (!(cursor = strdup(next)))
				ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		}
		json_decref(page);
		page = NULL;
		if (ret < 0)
			break;
	}
	free(cursor);
	return ret;
}
