/* A package in the inbox by the name a person types: its id, the start of it, or SENDER/ID
 * (ids are per sender), for pouch open ID and pouch show ID. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/pull.h"
#include "exchange/state.h"

#define REF_MIN 4          /* the shortest start of an id taken */
#define CANDIDATES_SHOWN 8 /* candidates an ambiguous reference names */

/* The id part of a reference: lower-case hex and '-', REF_MIN to 36 characters. */
static int id_part(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
			return 0;
	return i >= REF_MIN && i < POUCH_UUID_LEN;
}

/* Splits ref into its sender (into sender, "" when none) and its id part; 0 when malformed. */
static int split(const char *ref, char *sender, const char **idp)
{
	const char *slash = strchr(ref, '/');
	size_t len;

	sender[0] = '\0';
	*idp = ref;
	if (slash) {
		len = (size_t)(slash - ref);
		if (len == 0 || len > POUCH_CODE_MAX)
			return 0;
		for (size_t i = 0; i < len; i++) /* codes are taken in any case */
			sender[i] = ref[i] >= 'a' && ref[i] <= 'z' ? (char)(ref[i] - 'a' + 'A') : ref[i];
		sender[len] = '\0';
		if (pouch_agency_code_check(sender, NULL) < 0)
			return 0;
		*idp = slash + 1;
	}
	return id_part(*idp);
}

int pouch_inbox_ref(const char *ref)
{
	char sender[POUCH_CODE_MAX + 1];
	const char *id;

	return split(ref, sender, &id);
}

void pouch_inbox_entry_release(struct pouch_inbox_entry *e)
{
	if (!e)
		return;
	free(e->path);
	memset(e, 0, sizeof(*e));
}

/* What the search found so far. */
struct found {
	size_t n;
	int exact;         /* the id part matched a whole id */
	int good;
	char reason[256];  /* why the match is quarantined */
	char name[256];    /* its files' base name */
	char list[CANDIDATES_SHOWN * (POUCH_CODE_MAX + POUCH_UUID_LEN + 2) + 8];
	size_t len;
};

/* Notes one matching row (id, sender, name, good, reason, header_sha256, received). */
static void note(struct found *f, struct pouch_db_stmt *q, const char *idpart,
		 struct pouch_inbox_entry *e)
{
	const char *id = pouch_db_column_text(q, 0), *sender = pouch_db_column_text(q, 1);
	const char *t;
	int exact = id && strcmp(id, idpart) == 0;

	if (!id || !sender || (f->exact && !exact))
		return;
	if (exact && !f->exact) { /* a whole id wins over ids it starts */
		f->exact = 1;
		f->n = 0;
		f->len = 0;
	}
	if (f->n < CANDIDATES_SHOWN)
		f->len += (size_t)snprintf(f->list + f->len, sizeof(f->list) - f->len, "%s%s/%s",
					   f->n ? ", " : "", sender, id);
	else if (f->n == CANDIDATES_SHOWN)
		f->len += (size_t)snprintf(f->list + f->len, sizeof(f->list) - f->len, ", ...");
	f->n++;
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->sender, sizeof(e->sender), "%s", sender);
	snprintf(f->name, sizeof(f->name), "%s", (t = pouch_db_column_text(q, 2)) ? t : "");
	f->good = (int)pouch_db_column_int64(q, 3);
	snprintf(f->reason, sizeof(f->reason), "%s", (t = pouch_db_column_text(q, 4)) ? t : "");
	snprintf(e->header_sha256, sizeof(e->header_sha256), "%s",
		 (t = pouch_db_column_text(q, 5)) ? t : "");
	e->received = (time_t)pouch_db_column_int64(q, 6);
}

int pouch_inbox_find(const struct pouch_home *h, const char *ref, struct pouch_inbox_entry *e,
		     struct pouch_err *err)
{
	struct pouch_state st;
	struct pouch_db_stmt *q = NULL;
	struct found f;
	char sender[POUCH_CODE_MAX + 1];
	const char *idpart;
	int ret;

	memset(e, 0, sizeof(*e));
	memset(&f, 0, sizeof(f));
	if (!split(ref, sender, &idpart))
		return pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' in the inbox", ref);
	if ((ret = pouch_state_open(h, &st, err)) < 0)
		return ret;
	ret = pouch_db_prepare(st.db, "SELECT id, sender, name, verdict = 'good', reason, "
			       "header_sha256, received FROM incoming WHERE substr(id, 1, "
			       "length(?1)) = ?1 AND (?2 IS NULL OR sender = ?2) ORDER BY sender, id",
			       &q, err);
	if (ret >= 0) {
		pouch_db_bind_text(q, 1, idpart);
		pouch_db_bind_text(q, 2, sender[0] ? sender : NULL);
	}
	while (ret >= 0 && (ret = pouch_db_step(q, err)) == POUCH_DB_ROW)
		note(&f, q, idpart, e);
	pouch_db_finalize(q);
	if (ret < 0)
		goto out;
	if (f.n == 0)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "no package '%s' in the inbox", ref);
	else if (f.n > 1)
		ret = pouch_err_set(err, POUCH_E_USAGE, "'%s' is ambiguous: %zu packages in the inbox "
				    "match (%s); give more of the id, or SENDER/ID", ref, f.n, f.list);
	else if (!f.good)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "package %s/%s is in quarantine: %s",
				    e->sender, e->id, f.reason);
	else if (!e->header_sha256[0])
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "the inbox's record of %s/%s has no header "
				    "digest", e->sender, e->id);
	else if (asprintf(&e->path, "%s/%s.pouch", st.inbox, f.name) < 0) {
		e->path = NULL;
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
out:
	pouch_state_close(&st);
	if (ret < 0)
		pouch_inbox_entry_release(e);
	return ret < 0 ? ret : 0;
}
