/* The outbox read back for `pouch outbox` and `pouch status`: each package with its deliveries
 * and the receipts that came back (verified again when shown), as JSON or as text. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "package/envelope.h"
#include "exchange/push.h"
#include "package/receipt.h"
#include "base/timefmt.h"

static char *dup_col(struct pouch_db_stmt *st, int i, int *oom)
{
	const char *t = pouch_db_column_text(st, i);
	char *c;

	if (!t)
		return NULL;
	c = strdup(t);
	if (!c)
		*oom = 1;
	return c;
}

static time_t time_col(struct pouch_db_stmt *st, int i)
{
	return pouch_db_column_is_null(st, i) ? 0 : (time_t)pouch_db_column_int64(st, i);
}

static void delivery_release(struct pouch_delivery_info *d)
{
	free(d->endpoint);
	free(d->reason);
	free(d->receipt);
	free(d->receipt_reason);
	free(d->receipt_problem);
	memset(d, 0, sizeof(*d));
}

void pouch_outgoing_info_release(struct pouch_outgoing_info *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->ndeliveries; i++)
		delivery_release(&o->deliveries[i]);
	free(o->deliveries);
	memset(o, 0, sizeof(*o));
}

void pouch_outgoing_list_free(struct pouch_outgoing_info *o, size_t n)
{
	size_t i;

	for (i = 0; o && i < n; i++)
		pouch_outgoing_info_release(&o[i]);
	free(o);
}

/* Reads the deliveries of o->id. */
static int load_deliveries(struct pouch_state *s, struct pouch_outgoing_info *o,
			   struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	struct pouch_delivery_info d;
	const void *blob;
	size_t len;
	int ret, oom;

	ret = pouch_db_prepare(s->db, "SELECT recipient, endpoint, state, attempts, last_attempt, "
			       "next_attempt, delivered, reason, receipt, receipt_verdict, "
			       "receipt_reason, receipt_time, receipt_received FROM delivery "
			       "WHERE id = ? ORDER BY pos", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, o->id);
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		memset(&d, 0, sizeof(d));
		oom = 0;
		snprintf(d.recipient, sizeof(d.recipient), "%s",
			 pouch_db_column_text(st, 0) ? pouch_db_column_text(st, 0) : "");
		d.endpoint = dup_col(st, 1, &oom);
		snprintf(d.state, sizeof(d.state), "%s",
			 pouch_db_column_text(st, 2) ? pouch_db_column_text(st, 2) : "");
		d.attempts = (long)pouch_db_column_int64(st, 3);
		d.last_attempt = time_col(st, 4);
		d.next_attempt = time_col(st, 5);
		d.delivered = time_col(st, 6);
		d.reason = dup_col(st, 7, &oom);
		blob = pouch_db_column_blob(st, 8, &len);
		if (blob) {
			d.receipt = malloc(len + 1);
			if (d.receipt) {
				memcpy(d.receipt, blob, len);
				d.receipt[len] = '\0';
				d.receipt_len = len;
			} else {
				oom = 1;
			}
		}
		snprintf(d.receipt_verdict, sizeof(d.receipt_verdict), "%s",
			 pouch_db_column_text(st, 9) ? pouch_db_column_text(st, 9) : "");
		d.receipt_reason = dup_col(st, 10, &oom);
		d.receipt_time = time_col(st, 11);
		d.receipt_received = time_col(st, 12);
		if (oom || pouch_array_push(&o->deliveries, &o->ndeliveries, sizeof(d), &d, err) < 0) {
			delivery_release(&d);
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			break;
		}
	}
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

#define OUTGOING_COLUMNS "id, sender, digest, size, header_sha256, priority, payload_size, " \
			 "created, expires, queued"

/* Fills o from a row of OUTGOING_COLUMNS, then its deliveries. */
static int from_row(struct pouch_state *s, struct pouch_db_stmt *st, struct pouch_outgoing_info *o,
		    struct pouch_err *err)
{
	const char *t;

	memset(o, 0, sizeof(*o));
	snprintf(o->id, sizeof(o->id), "%s", (t = pouch_db_column_text(st, 0)) ? t : "");
	snprintf(o->sender, sizeof(o->sender), "%s", (t = pouch_db_column_text(st, 1)) ? t : "");
	snprintf(o->digest, sizeof(o->digest), "%s", (t = pouch_db_column_text(st, 2)) ? t : "");
	o->size = (uint64_t)pouch_db_column_int64(st, 3);
	snprintf(o->header_sha256, sizeof(o->header_sha256), "%s",
		 (t = pouch_db_column_text(st, 4)) ? t : "");
	snprintf(o->priority, sizeof(o->priority), "%s", (t = pouch_db_column_text(st, 5)) ? t : "");
	o->payload_size = pouch_db_column_is_null(st, 6) ? -1 : pouch_db_column_int64(st, 6);
	o->created = time_col(st, 7);
	o->expires = time_col(st, 8);
	o->queued = time_col(st, 9);
	return load_deliveries(s, o, err);
}

int pouch_push_get(struct pouch_state *s, const char *id, struct pouch_outgoing_info *o,
		   struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = pouch_db_prepare(s->db, "SELECT " OUTGOING_COLUMNS " FROM outgoing WHERE id = ?", &st,
			       err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, id);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' in the outbox", id);
	else if (ret == POUCH_DB_ROW)
		ret = from_row(s, st, o, err);
	pouch_db_finalize(st);
	if (ret < 0)
		pouch_outgoing_info_release(o);
	return ret;
}

int pouch_push_list(struct pouch_state *s, int all, struct pouch_outgoing_info **out, size_t *n,
		    struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	struct pouch_outgoing_info o;
	int ret;

	*out = NULL;
	*n = 0;
	ret = pouch_db_prepare(s->db, all ? "SELECT " OUTGOING_COLUMNS " FROM outgoing "
				      "ORDER BY queued, id"
				    : "SELECT " OUTGOING_COLUMNS " FROM outgoing WHERE EXISTS "
				      "(SELECT 1 FROM delivery d WHERE d.id = outgoing.id AND "
				      "d.state IN ('queued', 'failed')) ORDER BY queued, id", &st, err);
	if (ret < 0)
		return ret;
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		if ((ret = from_row(s, st, &o, err)) < 0)
			break;
		if ((ret = pouch_array_push(out, n, sizeof(o), &o, err)) < 0) {
			pouch_outgoing_info_release(&o);
			break;
		}
	}
	pouch_db_finalize(st);
	if (ret < 0) {
		pouch_outgoing_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ret;
	}
	return 0;
}

/* The header of o's envelope in the outbox into hd. */
static int outbox_header(struct pouch_state *s, const struct pouch_outgoing_info *o,
			 struct pouch_header *hd, struct pouch_err *err)
{
	struct pouch_envelope env = { 0 };
	char *path = NULL;
	int ret;

	if (asprintf(&path, "%s/%s.pouch", s->outbox, o->id) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_envelope_read(path, &env, err);
	if (ret == 0)
		ret = pouch_header_decode(env.header, env.header_len, hd, err);
	pouch_envelope_release(&env);
	free(path);
	return ret;
}

int pouch_push_check_receipts(const struct pouch_home *h, struct pouch_state *s,
			      struct pouch_outgoing_info *o, time_t now, struct pouch_err *err)
{
	struct pouch_header hd;
	struct pouch_receipt r;
	struct pouch_err why;
	struct pouch_delivery_info *d;
	int have_header = 0, ret = 0;
	size_t i;

	for (i = 0; i < o->ndeliveries; i++) {
		d = &o->deliveries[i];
		free(d->receipt_problem);
		d->receipt_problem = NULL;
		d->receipt_verified = 0;
		if (!d->receipt)
			continue;
		pouch_err_clear(&why);
		ret = pouch_receipt_verify(h, d->receipt, d->receipt_len, now, &r, &why);
		if (ret == 0 && !have_header) {
			ret = outbox_header(s, o, &hd, &why);
			have_header = ret == 0;
			if (ret < 0 && ret != POUCH_E_NOMEM)
				ret = pouch_err_set(&why, POUCH_E_VERIFY, "the package's envelope "
						    "in the outbox cannot be read: %s", why.msg);
		}
		if (ret == 0)
			ret = pouch_receipt_matches(&r, &hd, o->header_sha256, &why);
		if (ret == 0 && strcmp(r.recipient.agency, d->recipient) != 0)
			ret = pouch_err_set(&why, POUCH_E_VERIFY, "the receipt is signed by %s, not "
					    "by the recipient %s", r.recipient.agency,
					    d->recipient);
		if (ret == 0) {
			d->receipt_verified = 1;
			continue;
		}
		if (ret != POUCH_E_VERIFY) {
			if (err)
				*err = why;
			return ret;
		}
		d->receipt_problem = strdup(why.msg);
		if (!d->receipt_problem)
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	return 0;
}

static json_t *delivery_json(const struct pouch_delivery_info *d)
{
	json_t *receipt = json_null();

	if (d->receipt)
		receipt = json_pack("{s:s, s:s?, s:o, s:o, s:b, s:s?}", "verdict",
				    d->receipt_verdict, "reason", d->receipt_reason, "time",
				    pouch_json_time_new(d->receipt_time), "received",
				    pouch_json_time_new(d->receipt_received), "verified",
				    d->receipt_verified, "problem", d->receipt_problem);
	return json_pack("{s:s, s:s?, s:s, s:I, s:o, s:o, s:s?, s:o}", "recipient", d->recipient,
			 "endpoint", d->endpoint, "state", d->state, "attempts",
			 (json_int_t)d->attempts, "last_attempt",
			 pouch_json_time_new(d->last_attempt), "delivered",
			 pouch_json_time_new(d->delivered), "reason", d->reason, "receipt", receipt);
}

static json_t *outgoing_json(const struct pouch_outgoing_info *o)
{
	json_t *j, *arr = json_array();
	size_t i;

	for (i = 0; arr && i < o->ndeliveries; i++) {
		if (json_array_append_new(arr, delivery_json(&o->deliveries[i])) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr)
		return NULL;
	j = json_pack("{s:s, s:s, s:o, s:o}", "id", o->id, "priority", o->priority, "queued",
		      pouch_json_time_new(o->queued), "deliveries", arr);
	return j;
}

char *pouch_outgoing_json(const struct pouch_outgoing_info *o, int pretty)
{
	json_t *j = outgoing_json(o);
	char *text = j ? pouch_json_text(j, pretty) : NULL;

	json_decref(j);
	return text;
}

char *pouch_outgoing_list_json(const struct pouch_outgoing_info *o, size_t n, int pretty)
{
	json_t *arr = json_array();
	char *text = NULL;
	size_t i;

	for (i = 0; arr && i < n; i++) {
		if (json_array_append_new(arr, outgoing_json(&o[i])) < 0)
			goto out;
	}
	text = arr ? pouch_json_text(arr, pretty) : NULL;
out:
	json_decref(arr);
	return text;
}

char *pouch_push_report_json(const struct pouch_push_report *r)
{
	static const char *const words[] = { "delivered", "queued", "failed", "retry" };
	json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:I}", "type", "delivery", "id",
			      r->id, "recipient", r->recipient, "endpoint", r->url, "state",
			      words[r->verdict],
			      "reason", r->reason, "attempts", (json_int_t)r->attempts);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}

/* Appends the formatted text to the heap string *buf of *len bytes; sets *oom on failure. */
static void append(char **buf, size_t *len, int *oom, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char **buf, size_t *len, int *oom, const char *fmt, ...)
{
	va_list ap;
	char *more = NULL, *grown;
	int n;
	size_t i;

	if (*oom)
		return;
	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	grown = n < 0 ? NULL : realloc(*buf, *len + (size_t)n + 1);
	if (!grown) {
		if (n >= 0)
			free(more);
		*oom = 1;
		return;
	}
	/* One line per item: a stored reason's control bytes become spaces. */
	for (i = 0; i < (size_t)n; i++)
		if ((unsigned char)more[i] < 0x20 || more[i] == 0x7f)
			more[i] = ' ';
	memcpy(grown + *len, more, (size_t)n + 1);
	*buf = grown;
	*len += (size_t)n;
	free(more);
}

static void newline(char **buf, size_t *len, int *oom)
{
	char *grown = *oom ? NULL : realloc(*buf, *len + 2);

	if (!grown) {
		*oom = 1;
		return;
	}
	grown[(*len)++] = '\n';
	grown[*len] = '\0';
	*buf = grown;
}

char *pouch_outgoing_text(const struct pouch_outgoing_info *o)
{
	char t1[POUCH_TIME_LEN], t2[POUCH_TIME_LEN], *buf = NULL;
	const struct pouch_delivery_info *d;
	size_t i, len = 0;
	int oom = 0;

	append(&buf, &len, &oom, "package %s (priority %s), queued %s", o->id, o->priority,
	       pouch_time_format(o->queued, t1));
	for (i = 0; i < o->ndeliveries; i++) {
		d = &o->deliveries[i];
		if (strcmp(d->state, "delivered") != 0) {
			newline(&buf, &len, &oom);
			append(&buf, &len, &oom, "  %s: %s (attempts %ld)%s%s", d->recipient,
			       d->state, d->attempts, d->reason ? ": " : "",
			       d->reason ? d->reason : "");
			continue;
		}
		newline(&buf, &len, &oom);
		append(&buf, &len, &oom, "  %s: delivered %s (attempts %ld), ", d->recipient,
		       pouch_time_format(d->delivered, t1), d->attempts);
		if (!d->receipt)
			append(&buf, &len, &oom, "no receipt yet");
		else if (!d->receipt_verified)
			append(&buf, &len, &oom, "receipt does not verify: %s",
			       d->receipt_problem ? d->receipt_problem : "not checked");
		else
			append(&buf, &len, &oom, "receipt %s %s%s%s", d->receipt_verdict,
			       pouch_time_format(d->receipt_time, t2),
			       d->receipt_reason && strcmp(d->receipt_verdict, "rejected") == 0
				       ? ": " : "",
			       d->receipt_reason && strcmp(d->receipt_verdict, "rejected") == 0
				       ? d->receipt_reason : "");
	}
	if (oom) {
		free(buf);
		return NULL;
	}
	return buf;
}
