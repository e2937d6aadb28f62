/* The exchange protocol's JSON bodies. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "server/protocol.h"
#include "server/reqparse.h"
#include "base/validate.h"

char *pouch_proto_error(const char *code, const char *message)
{
	char safe[1024];
	json_t *j;
	char *text;

	pouch_escape(message, safe, sizeof(safe));
	j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", safe);
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}

char *pouch_proto_health(const char *version, int writable)
{
	json_t *j = json_pack("{s:s,s:s,s:{s:b}}", "status", writable ? "ok" : "degraded",
			      "version", version, "store", "writable", writable);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}

static json_t *cursor_new(int64_t seq)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)seq);
	return json_string(buf);
}

static json_t *package_json(const struct pouch_store_record *rec)
{
	json_t *j, *rcpt = json_array(), *payload;
	size_t i;

	for (i = 0; rcpt && i < rec->nrecipients; i++)
		if (json_array_append_new(rcpt, json_string(rec->recipients[i])) < 0) {
			json_decref(rcpt);
			return NULL;
		}
	if (!rcpt)
		return NULL;
	payload = rec->detached ? json_pack("{s:I,s:s}", "size", (json_int_t)rec->payload_size,
					    "sha256", rec->payload_sha256)
				: json_null();
	j = json_pack("{s:s,s:s,s:o,s:s,s:I,s:o,s:o,s:o}", "id", rec->id, "sender", rec->sender,
		      "recipients", rcpt, "digest", rec->digest, "size", (json_int_t)rec->size,
		      "payload", payload, "received", pouch_json_time_new(rec->received), "cursor",
		      cursor_new(rec->seq));
	return j;
}

char *pouch_proto_package(const struct pouch_store_record *rec)
{
	json_t *j = package_json(rec);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}

char *pouch_proto_page_open(const char *member)
{
	char *text = NULL;

	return asprintf(&text, "{\"%s\":[", member) < 0 ? NULL : text;
}

char *pouch_proto_page_close(int64_t last, int has_last, const char *after, int has_more)
{
	json_t *next = has_last ? cursor_new(last) : after ? json_string(after) : json_null();
	json_t *j = json_pack("{s:o,s:b}", "next", next, "has_more", has_more);
	char *obj = j ? pouch_json_text(j, 0) : NULL, *text = NULL;

	/* {"next":...,"has_more":...} becomes the page's end: ],"next":...,"has_more":...} */
	if (obj && asprintf(&text, "],%s", obj + 1) < 0)
		text = NULL;
	json_decref(j);
	free(obj);
	return text;
}

static json_t *receipt_json(const struct pouch_store_receipt *rc)
{
	json_t *file = NULL;

	if (pouch_json_parse("receipt", rc->bytes, rc->len, &file, NULL) < 0)
		return NULL;
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "package", rc->package, "from", rc->from,
			 "verdict", rc->verdict, "received", pouch_json_time_new(rc->received),
			 "cursor", cursor_new(rc->seq), "receipt", file);
}

char *pouch_proto_receipt(const struct pouch_store_receipt *rc)
{
	json_t *j = receipt_json(rc);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}

char *pouch_proto_upload(const char *id, uint64_t offset, const char *code, const char *message)
{
	json_t *j = json_pack("{s:s,s:I}", "id", id, "offset", (json_int_t)offset);
	char *text;

	if (j && code &&
	    json_object_set_new(j, "error", json_pack("{s:s,s:s}", "code", code, "message",
						      message)) < 0) {
		json_decref(j);
		j = NULL;
	}
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}

int pouch_proto_cursor(const char *s, int64_t *seq, struct pouch_err *err)
{
	uint64_t v = 0;

	*seq = 0;
	if (s && pouch_decimal_parse(s, INT64_MAX, &v) < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "bad cursor");
	*seq = (int64_t)v;
	return 0;
}
