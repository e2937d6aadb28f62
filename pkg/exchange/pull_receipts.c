/* pouch pull's receipts: ours, sent to each source until it takes them (verbatim, so a resend
 * is the same receipt), and the ones our recipients gave for what we sent, verified against our
 * outgoing rows and stored on the deliveries. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "audit/audit.h"
#include "package/receipt.h"
#include "exchange/pull_internal.h"

/* One incoming row whose receipt the source has not taken. */
struct unsent {
	char id[POUCH_UUID_LEN];
	char name[POUCH_CODE_MAX + 1 + POUCH_UUID_LEN]; /* the row's key: "SENDER.ID" */
	char sender[POUCH_CODE_MAX + 1];
	int accepted;
	char *file;
	size_t len;
};

/* The next unsent receipt of source url after the row named last (""), only the row named only
 * when not NULL.
 * Returns POUCH_DB_ROW with u filled (u->file to free), POUCH_DB_DONE, or an error. */
static int next_unsent(struct pull_run *r, const char *url, const char *only, const char *last,
		       struct unsent *u, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	const void *blob;
	int ret;

	ret = pouch_db_prepare(r->st.db,
			       "SELECT id, sender, verdict = 'good', receipt, name FROM "
			       "incoming WHERE source = ? AND receipt IS NOT NULL AND receipt_sent "
			       "IS NULL AND name > ? AND (?3 IS NULL OR name = ?3) ORDER BY name "
			       "LIMIT 1",
			       &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, url);
	pouch_db_bind_text(st, 2, last);
	pouch_db_bind_text(st, 3, only);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW) {
		snprintf(u->id, sizeof(u->id), "%s", pouch_db_column_text(st, 0));
		snprintf(u->sender, sizeof(u->sender), "%s", pouch_db_column_text(st, 1));
		snprintf(u->name, sizeof(u->name), "%s", pouch_db_column_text(st, 4));
		u->accepted = (int)pouch_db_column_int64(st, 2);
		blob = pouch_db_column_blob(st, 3, &u->len);
		if (!(u->file = malloc(u->len + 1)))
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		else if (u->len)
			memcpy(u->file, blob, u->len);
		if (u->file)
			u->file[u->len] = '\0';
	}
	pouch_db_finalize(st);
	return ret;
}

static int mark_sent(struct pull_run *r, const char *name, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_db_prepare(r->st.db, "UPDATE incoming SET receipt_sent = ? WHERE name = ?",
				    &st, err)) < 0)
		return ret;
	pouch_db_bind_int64(st, 1, r->o->now);
	pouch_db_bind_text(st, 2, name);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

int pull_put_receipt(struct pull_source *s, struct pouch_https *https, const char *id,
		     const char *file, size_t len, int *taken, struct pouch_err *warning,
		     struct pouch_err *err)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	struct pouch_https_req req;
	struct pouch_https_resp resp = {0};
	char *url = pull_url(s, "/v1/packages/%s/receipt", id);
	int ret;

	*taken = 0;
	if (!url)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	pouch_https_req_init(&req, "PUT", url);
	req.headers = headers;
	req.body = file;
	req.body_len = len;
	if ((ret = pouch_https_request(https, &req, &resp, err)) < 0)
		goto out;
	if (resp.status == 200 || resp.status == 201)
		*taken = 1;
	else if (resp.status >= 400 && resp.status < 500 && resp.status != 429)
		/* Refused: kept, and offered again by the next pull. */
		pull_status_error(s, &resp, "our receipt was not taken", warning);
	else
		ret = pull_status_error(s, &resp, "cannot send our receipt", err);
out:
	pouch_https_resp_release(&resp);
	free(url);
	return ret;
}

/* The receipt-sent entries and the rows of n receipts taken, in one append and one
 * transaction. */
static int record_sent(struct pull_run *r, const struct pouch_audit_entry *e,
		       const char *const *names, size_t n, struct pouch_err *err)
{
	size_t i;
	int ret;

	if (!n)
		return 0;
	if ((ret = pouch_audit_append_many(r->h, e, n, r->o->now, err)) < 0 ||
	    (ret = pouch_db_begin(r->st.db, err)) < 0)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = mark_sent(r, names[i], err);
	if (!ret)
		ret = pouch_db_commit(r->st.db, err);
	if (ret < 0)
		pouch_db_rollback(r->st.db);
	return ret;
}

static struct pouch_audit_entry sent_entry(const struct pull_source *s, const char *id,
					   const char *sender, int accepted)
{
	return (struct pouch_audit_entry){.event = "receipt-sent",
					  .id = id,
					  .agency = sender,
					  .verdict = accepted ? "accepted" : "rejected",
					  .endpoint = s->tls.url};
}

int pull_sent(struct pull_run *r, struct pull_source *s, struct pull_slot **slots, size_t n,
	      struct pouch_err *err)
{
	struct pouch_audit_entry *e = calloc(n + 1, sizeof(*e));
	const char **names = calloc(n + 1, sizeof(*names));
	size_t i, k = 0;
	int ret;

	if (!e || !names) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (slots[i]->sent) {
			e[k] = sent_entry(s, slots[i]->it.id, slots[i]->it.sender,
					  slots[i]->v.good);
			names[k++] = slots[i]->it.name;
		}
	ret = record_sent(r, e, names, k, err);
out:
	free(e);
	free(names);
	return ret;
}

/* PUTs one receipt and records it taken, or reports it refused. */
static int send_one(struct pull_run *r, struct pull_source *s, const struct unsent *u,
		    struct pouch_err *err)
{
	struct pouch_pull_event ev = {0};
	struct pouch_err serr = {0};
	struct pouch_audit_entry e = sent_entry(s, u->id, u->sender, u->accepted);
	const char *name = u->name;
	int taken = 0, ret;

	if ((ret = pull_put_receipt(s, s->https, u->id, u->file, u->len, &taken, &serr, err)) < 0 ||
	    (taken && (ret = record_sent(r, &e, &name, 1, err)) < 0))
		return ret;
	ev.kind = taken ? POUCH_PULL_RECEIPT_SENT : POUCH_PULL_WARNING;
	ev.verdict = taken ? e.verdict : NULL;
	ev.reason = taken ? NULL : serr.msg;
	ev.id = u->id;
	ev.agency = u->sender;
	pull_emit(r, s, &ev);
	return 0;
}

int pull_send_receipts(struct pull_run *r, struct pull_source *s, const char *name,
		       struct pouch_err *err)
{
	struct unsent u;
	char last[sizeof(u.name)] = "";
	int ret;

	for (;;) {
		memset(&u, 0, sizeof(u));
		if ((ret = next_unsent(r, s->tls.url, name, last, &u, err)) != POUCH_DB_ROW)
			break;
		memcpy(last, u.name, sizeof(last));
		ret = send_one(r, s, &u, err);
		free(u.file);
		if (ret < 0)
			break;
	}
	return ret < 0 ? ret : 0;
}

/* The outgoing row of the package r names, as a header for pouch_receipt_matches: its id,
 * sender and the recipients of its deliveries; hsha gets its header's SHA-256. */
static int outgoing_header(struct pouch_db *db, const char *id, struct pouch_header *hd, char *hsha,
			   struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	memset(hd, 0, sizeof(*hd));
	if ((ret = pouch_db_prepare(db, "SELECT sender, header_sha256 FROM outgoing WHERE id = ?",
				    &st, err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, id);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		ret = pouch_err_set(err, POUCH_E_VERIFY,
				    "the receipt is for package %s, which we "
				    "did not send",
				    id);
	if (ret == POUCH_DB_ROW) {
		snprintf(hd->id, sizeof(hd->id), "%s", id);
		snprintf(hd->sender.agency, sizeof(hd->sender.agency), "%s",
			 pouch_db_column_text(st, 0));
		snprintf(hsha, POUCH_SHA256_HEX, "%s", pouch_db_column_text(st, 1));
	}
	pouch_db_finalize(st);
	st = NULL;
	if (ret < 0 || (ret = pouch_db_prepare(db,
					       "SELECT recipient FROM delivery WHERE id = ? "
					       "ORDER BY pos",
					       &st, err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, id);
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW &&
	       hd->nrecipients < POUCH_RECIPIENTS_MAX)
		snprintf(hd->recipients[hd->nrecipients++].agency, sizeof(hd->recipients[0].agency),
			 "%s", pouch_db_column_text(st, 0));
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

int pouch_pull_receipt_store(const struct pouch_home *h, struct pouch_state *s, const char *file,
			     size_t len, time_t now, struct pouch_receipt *out, int *stored,
			     struct pouch_err *err)
{
	struct pouch_receipt r;
	struct pouch_header hd;
	struct pouch_db_stmt *st = NULL;
	char hsha[POUCH_SHA256_HEX];
	const void *have;
	size_t havelen;
	int ret;

	if (stored)
		*stored = 0;
	if ((ret = pouch_receipt_verify(h, file, len, now, &r, err)) < 0 ||
	    (ret = outgoing_header(s->db, r.package, &hd, hsha, err)) < 0 ||
	    (ret = pouch_receipt_matches(&r, &hd, hsha, err)) < 0 ||
	    (ret = pouch_db_prepare(s->db,
				    "SELECT receipt FROM delivery WHERE id = ? AND "
				    "recipient = ?",
				    &st, err)) < 0)
		goto out;
	pouch_db_bind_text(st, 1, r.package);
	pouch_db_bind_text(st, 2, r.recipient.agency);
	if ((ret = pouch_db_step(st, err)) < 0)
		goto out;
	have = pouch_db_column_blob(st, 0, &havelen);
	if (!pouch_db_column_is_null(st, 0)) {
		if (havelen != len || memcmp(have, file, len) != 0)
			ret = pouch_err_set(err, POUCH_E_EXISTS,
					    "%s gave another receipt for package "
					    "%s already",
					    r.recipient.agency, r.package);
		goto out;
	}
	pouch_db_finalize(st);
	st = NULL;
	if ((ret = pouch_db_prepare(s->db,
				    "UPDATE delivery SET receipt = ?, receipt_verdict = ?, "
				    "receipt_reason = ?, receipt_time = ?, receipt_received = ? "
				    "WHERE id = ? AND recipient = ? AND receipt IS NULL",
				    &st, err)) < 0)
		goto out;
	pouch_db_bind_blob(st, 1, file, len);
	pouch_db_bind_text(st, 2, r.accepted ? "accepted" : "rejected");
	pouch_db_bind_text(st, 3, r.accepted ? NULL : r.reason);
	pouch_db_bind_int64(st, 4, r.time);
	pouch_db_bind_int64(st, 5, now);
	pouch_db_bind_text(st, 6, r.package);
	pouch_db_bind_text(st, 7, r.recipient.agency);
	if ((ret = pouch_db_step(st, err)) >= 0 && stored)
		*stored = 1;
out:
	pouch_db_finalize(st);
	if (ret >= 0 && out)
		*out = r;
	return ret < 0 ? ret : 0;
}

/* Takes one receipt record of a list: stored and reported, or refused and reported. */
static int take_receipt(struct pull_run *r, struct pull_source *s, json_t *item,
			struct pouch_err *err)
{
	struct pouch_receipt rc;
	struct pouch_pull_event ev = {0};
	struct pouch_err rerr = {0};
	json_t *obj = json_object_get(item, "receipt");
	const char *pkg = json_string_value(json_object_get(item, "package"));
	const char *from = json_string_value(json_object_get(item, "from"));
	char *file = json_is_object(obj) ? json_dumps(obj, JSON_COMPACT) : NULL;
	char epkg[64], efrom[64];
	int stored = 0, ret;

	pouch_escape(pkg ? pkg : "?", epkg, sizeof(epkg));
	pouch_escape(from ? from : "?", efrom, sizeof(efrom));
	if (!file)
		ret = pouch_err_set(&rerr, POUCH_E_VERIFY, "malformed receipt record");
	else
		ret = pouch_pull_receipt_store(r->h, &r->st, file, strlen(file), r->o->now, &rc,
					       &stored, &rerr);
	if (ret == POUCH_E_VERIFY || ret == POUCH_E_EXISTS) {
		pouch_err_prefix(&rerr, "receipt for package %s from %s refused", epkg, efrom);
		ret = pouch_audit_append(r->h,
					 &(struct pouch_audit_entry){.event = "receipt-received",
								     .id = pkg,
								     .agency = from,
								     .verdict = "refused",
								     .reason = rerr.msg,
								     .endpoint = s->tls.url},
					 r->o->now, err);
		ev.kind = POUCH_PULL_WARNING;
		ev.id = epkg;
		ev.agency = efrom;
		ev.reason = rerr.msg;
		if (!ret)
			pull_emit(r, s, &ev);
	} else if (ret < 0) {
		*err = rerr;
	} else if (stored) {
		ret = pouch_audit_append(
		    r->h,
		    &(struct pouch_audit_entry){.event = "receipt-received",
						.id = rc.package,
						.agency = rc.recipient.agency,
						.verdict = rc.accepted ? "accepted" : "rejected",
						.reason = rc.accepted ? NULL : rc.reason,
						.endpoint = s->tls.url},
		    r->o->now, err);
		ev.kind = POUCH_PULL_RECEIPT;
		ev.id = rc.package;
		ev.agency = rc.recipient.agency;
		ev.verdict = rc.accepted ? "accepted" : "rejected";
		ev.reason = rc.accepted ? NULL : rc.reason;
		ev.time = rc.time;
		if (!ret)
			pull_emit(r, s, &ev);
	}
	free(file);
	return ret;
}

static int take_receipts(struct pull_run *r, struct pull_source *s, json_t *items,
			 struct pouch_err *err)
{
	json_t *j;
	size_t i;
	int ret = 0;

	json_array_foreach(items, i, j)
	{
		if ((ret = take_receipt(r, s, j, err)) < 0)
			break;
	}
	return ret;
}

int pull_fetch_receipts(struct pull_run *r, struct pull_source *s, struct pouch_err *err)
{
	return pull_list(r, s, "receipts", take_receipts, err);
}
