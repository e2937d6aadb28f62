/* What pull shows: the packages it took in, good and quarantined (the incoming table), and
 * its reports as JSON. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "exchange/pull.h"
#include "exchange/state.h"
#include "package/open.h"

/* Lets it through f, after looking up whether it was opened. 1: list it, 0: skip, < 0. */
static int wanted(const struct pouch_home *h, const struct pouch_inbox_filter *f,
		  struct pouch_inbox_item *it, struct pouch_err *err)
{
	int ret = 0;

	if (it->good && it->header_sha256 && it->sender && it->id)
		ret = pouch_package_opened(h, it->sender, it->id, it->header_sha256, &it->opened,
					   err);
	if (ret < 0)
		return ret;
	return !f || !f->opened || (f->opened > 0) == (it->opened != 0);
}

int pouch_inbox_list(const struct pouch_home *h, const struct pouch_inbox_filter *f,
		     int (*fn)(const struct pouch_inbox_item *it, void *arg), void *arg,
		     struct pouch_err *err)
{
	struct pouch_state st;
	struct pouch_db_stmt *q = NULL;
	struct pouch_inbox_item it;
	char *path = NULL;
	int ret;

	if ((ret = pouch_state_open(h, &st, err)) < 0)
		return ret;
	ret = pouch_db_prepare(st.db,
			       "SELECT id, source, sender, digest, size, payload_size, "
			       "verdict = 'good', reason, priority, created, expires, received, "
			       "receipt IS NOT NULL, receipt_sent, name, header_sha256 FROM incoming "
			       "WHERE (?1 IS NULL OR sender = ?1) AND (?2 IS NULL OR priority = ?2) "
			       "AND (?3 IS NULL OR received >= ?3) AND (?4 IS NULL OR received < ?4) "
			       "ORDER BY CASE priority WHEN 'immediate' THEN 0 WHEN 'urgent' THEN 1 "
			       "WHEN 'routine' THEN 2 WHEN 'information' THEN 3 ELSE 4 END, "
			       "received, id, sender",
			       &q, err);
	if (ret >= 0 && f) {
		pouch_db_bind_text(q, 1, f->from);
		pouch_db_bind_text(q, 2, f->priority);
		if (f->since)
			pouch_db_bind_int64(q, 3, (int64_t)f->since);
		if (f->until)
			pouch_db_bind_int64(q, 4, (int64_t)f->until);
	}
	while (ret >= 0 && (ret = pouch_db_step(q, err)) == POUCH_DB_ROW) {
		memset(&it, 0, sizeof(it));
		it.id = pouch_db_column_text(q, 0);
		it.source = pouch_db_column_text(q, 1);
		it.sender = pouch_db_column_text(q, 2);
		it.digest = pouch_db_column_text(q, 3);
		it.size = (uint64_t)pouch_db_column_int64(q, 4);
		it.payload_size = pouch_db_column_is_null(q, 5) ? -1 : pouch_db_column_int64(q, 5);
		it.good = (int)pouch_db_column_int64(q, 6);
		it.reason = pouch_db_column_text(q, 7);
		it.priority = pouch_db_column_text(q, 8);
		it.created = (time_t)pouch_db_column_int64(q, 9);
		it.expires = (time_t)pouch_db_column_int64(q, 10);
		it.received = (time_t)pouch_db_column_int64(q, 11);
		it.has_receipt = (int)pouch_db_column_int64(q, 12);
		it.receipt_sent = (time_t)pouch_db_column_int64(q, 13);
		it.header_sha256 = pouch_db_column_text(q, 15);
		if ((ret = wanted(h, f, &it, err)) <= 0) {
			if (ret < 0)
				break;
			continue;
		}
		if (asprintf(&path, "%s/%s.pouch", it.good ? st.inbox : st.quarantine,
			     pouch_db_column_text(q, 14)) < 0) {
			path = NULL;
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			break;
		}
		it.path = path;
		ret = fn(&it, arg);
		free(path);
		path = NULL;
		if (ret)
			break;
	}
	pouch_db_finalize(q);
	pouch_state_close(&st);
	return ret == POUCH_DB_DONE ? 0 : ret;
}

char *pouch_inbox_item_json(const struct pouch_inbox_item *it)
{
	json_t *j;
	char *text;

	j = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:s, s:s?, s:s, s:I, s:o, s:s, s:s, "
		      "s:o, s:o}",
		      "id", it->id, "sender", it->sender, "endpoint", it->source, "priority",
		      it->priority, "created", pouch_json_time_new(it->created), "expires",
		      pouch_json_time_new(it->expires), "received",
		      pouch_json_time_new(it->received), "verdict",
		      it->good ? "good" : "bad", "reason", it->reason, "digest", it->digest,
		      "size", (json_int_t)it->size, "payload_size",
		      it->payload_size < 0 ? json_null() : json_integer(it->payload_size), "path",
		      it->path, "receipt",
		      !it->has_receipt	 ? "none"
		      : it->receipt_sent ? "sent"
					 : "pending",
		      "receipt_sent", pouch_json_time_new(it->receipt_sent), "opened",
		      pouch_json_time_new(it->opened));
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}

char *pouch_pull_event_json(const struct pouch_pull_event *ev)
{
	static const char *const names[] = {"good",    "quarantined", "receipt-sent",
					    "receipt", "warning",     "source-failed"};
	/* The package's sender, or for a receipt for what we sent its recipient. */
	const char *const keys[] = {"id", ev->kind == POUCH_PULL_RECEIPT ? "recipient" : "sender",
				    "verdict", "reason", "path"};
	const char *const vals[] = {ev->id, ev->agency, ev->verdict, ev->reason, ev->path};
	json_t *j;
	char *text = NULL;
	size_t i;
	int bad;

	j = json_pack("{s:s, s:s?, s:s?}", "type", names[ev->kind], "endpoint", ev->source,
		      "agency", ev->party);
	bad = !j;
	for (i = 0; !bad && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vals[i])
			bad = json_object_set_new(j, keys[i], json_string(vals[i])) < 0;
	if (!bad && ev->time)
		bad = json_object_set_new(j, "time", pouch_json_time_new(ev->time)) < 0;
	if (!bad)
		text = pouch_json_text(j, 0);
	json_decref(j);
	return text;
}
