/* Managing the outbox by hand: a delivery queued again (pouch outbox retry) or cancelled
 * (pouch outbox cancel, and every delivery to a partner that is removed), each change recorded
 * in the audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/json.h"
#include "exchange/push.h"

#define CANDIDATES_SHOWN 8

/* Whether s may be the start of a package id: lower-case hex digits and '-' only. */
static int id_chars(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
			return 0;
	return i > 0 && i < POUCH_UUID_LEN;
}

int pouch_push_resolve(struct pouch_state *s, const char *prefix, char *id,
		       struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	char list[CANDIDATES_SHOWN * (POUCH_UUID_LEN + 2) + 8] = "";
	size_t n = 0, len = 0;
	const char *t;
	int ret;

	if (!id_chars(prefix))
		return pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' in the outbox",
				     prefix);
	ret = pouch_db_prepare(s->db, "SELECT id FROM outgoing WHERE substr(id, 1, length(?1)) "
			       "= ?1 ORDER BY id", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, prefix);
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		t = pouch_db_column_text(st, 0);
		if (!t)
			continue;
		if (n == 0 || strcmp(t, prefix) == 0)
			snprintf(id, POUCH_UUID_LEN, "%s", t);
		if (n < CANDIDATES_SHOWN)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", n ? ", " : "",
						t);
		else if (n == CANDIDATES_SHOWN)
			len += (size_t)snprintf(list + len, sizeof(list) - len, ", ...");
		n++;
		if (strcmp(t, prefix) == 0) { /* a whole id is never ambiguous */
			n = 1;
			break;
		}
	}
	pouch_db_finalize(st);
	if (ret < 0)
		return ret;
	if (n == 0)
		return pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' in the outbox",
				     prefix);
	if (n > 1)
		return pouch_err_set(err, POUCH_E_USAGE, "'%s' is ambiguous: %zu packages in the "
				     "outbox start with it (%s)", prefix, n, list);
	return 0;
}

/* One delivery changed, kept for its audit entry. */
struct changed {
	char id[POUCH_UUID_LEN];
	char recipient[POUCH_CODE_MAX + 1];
};

/* Selects the deliveries to change (id or to may be NULL: any), changes them in one
 * transaction and then records each. */
static int change(const struct pouch_home *h, struct pouch_state *s, int retry, const char *id,
		  const char *to, const char *reason, time_t now, size_t *count,
		  struct pouch_err *err)
{
	static const char *const pick[] = {
		"SELECT id, recipient FROM delivery WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL "
		"OR recipient = ?2) AND state IN ('queued', 'failed') ORDER BY id, pos",
		"SELECT id, recipient FROM delivery WHERE (?1 IS NULL OR id = ?1) AND (?2 IS NULL "
		"OR recipient = ?2) AND state != 'delivered' ORDER BY id, pos",
	};
	static const char *const set[] = {
		"UPDATE delivery SET state = 'cancelled', next_attempt = NULL, reason = ?3 WHERE "
		"id = ?1 AND recipient = ?2 AND state IN ('queued', 'failed')",
		"UPDATE delivery SET state = 'queued', next_attempt = NULL, reason = NULL WHERE "
		"id = ?1 AND recipient = ?2 AND state != 'delivered'",
	};
	struct pouch_db_stmt *st = NULL;
	struct changed *c = NULL, one;
	size_t i, n = 0;
	const char *t;
	int ret;

	*count = 0;
	if ((ret = pouch_db_begin(s->db, err)) < 0)
		return ret;
	ret = pouch_db_prepare(s->db, pick[retry], &st, err);
	if (ret >= 0) {
		pouch_db_bind_text(st, 1, id);
		pouch_db_bind_text(st, 2, to);
	}
	while (ret >= 0 && (ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		memset(&one, 0, sizeof(one));
		snprintf(one.id, sizeof(one.id), "%s", (t = pouch_db_column_text(st, 0)) ? t : "");
		snprintf(one.recipient, sizeof(one.recipient), "%s",
			 (t = pouch_db_column_text(st, 1)) ? t : "");
		ret = pouch_array_push(&c, &n, sizeof(one), &one, err);
	}
	pouch_db_finalize(st);
	st = NULL;
	if (ret >= 0)
		ret = pouch_db_prepare(s->db, set[retry], &st, err);
	for (i = 0; ret >= 0 && i < n; i++) {
		pouch_db_reset(st);
		pouch_db_bind_text(st, 1, c[i].id);
		pouch_db_bind_text(st, 2, c[i].recipient);
		if (!retry)
			pouch_db_bind_text(st, 3, reason);
		ret = pouch_db_step(st, err);
	}
	pouch_db_finalize(st);
	if (ret < 0) {
		pouch_db_rollback(s->db);
		goto out;
	}
	if ((ret = pouch_db_commit(s->db, err)) < 0)
		goto out;
	for (i = 0; ret >= 0 && i < n; i++)
		ret = pouch_audit_append(h, &(struct pouch_audit_entry){
			.event = retry ? "outbox-retry" : "outbox-cancel", .id = c[i].id,
			.agency = c[i].recipient, .verdict = retry ? "queued" : "cancelled",
			.reason = retry ? NULL : reason }, now, err);
	*count = n;
out:
	free(c);
	return ret < 0 ? ret : 0;
}

/* Whether package id has a delivery to to (any when to is NULL). */
static int has_recipient(struct pouch_state *s, const char *id, const char *to,
			 struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = pouch_db_prepare(s->db, "SELECT 1 FROM delivery WHERE id = ?1 AND (?2 IS NULL OR "
			       "recipient = ?2)", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, id);
	pouch_db_bind_text(st, 2, to);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret;
}

int pouch_push_change(const struct pouch_home *h, struct pouch_state *s, int retry,
		      const char *prefix, const char *to, time_t now, char *id, size_t *count,
		      struct pouch_err *err)
{
	int ret;

	*count = 0;
	if ((ret = pouch_push_resolve(s, prefix, id, err)) < 0)
		return ret;
	ret = has_recipient(s, id, to, err);
	if (ret < 0)
		return ret;
	if (ret == POUCH_DB_DONE)
		return pouch_err_set(err, POUCH_E_NOTFOUND, "package %s is not for '%s'", id, to);
	ret = change(h, s, retry, id, to, retry ? NULL : "cancelled by hand", now, count, err);
	if (ret < 0)
		return ret;
	if (*count == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "nothing to %s: every delivery of package "
				     "%s%s%s was %s", retry ? "retry" : "cancel", id,
				     to ? " to " : "", to ? to : "",
				     retry ? "delivered" : "delivered or cancelled");
	return 0;
}

int pouch_push_cancel_partner(const struct pouch_home *h, struct pouch_state *s,
			      const char *code, const char *reason, time_t now, size_t *count,
			      struct pouch_err *err)
{
	return change(h, s, 0, NULL, code, reason, now, count, err);
}
