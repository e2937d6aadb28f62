/* Receipts in pouchd's package store: filing one (idempotently) and listing those for packages
 * a caller sent, each with its own monotonic seq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/store_internal.h"

static int check_receipt(const struct pouch_store_receipt *rc, struct pouch_err *err)
{
	int ret;

	if ((ret = pouch_uuid_check(rc->package, err)) < 0 ||
	    (ret = pouch_agency_code_check(rc->sender, err)) < 0 ||
	    (ret = pouch_agency_code_check(rc->from, err)) < 0)
		return ret;
	if (strcmp(rc->verdict, "accepted") != 0 && strcmp(rc->verdict, "rejected") != 0)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot file a receipt with verdict '%s'",
				     rc->verdict);
	if (!store_is_digest(rc->sha256) || (!rc->bytes && rc->len))
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot file a receipt for '%s': bad digest or bytes",
				     rc->package);
	return 0;
}

/* The package's seq, when it is stored and rc->from is one of its recipients. */
static int find_package(struct pouch_store *s, const struct pouch_store_receipt *rc,
			int64_t *seq, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = pouch_db_prepare(s->w.db, STORE_SQL_RECEIPT_PACKAGE, &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, rc->sender);
	pouch_db_bind_text(st, 2, rc->package);
	pouch_db_bind_text(st, 3, rc->from);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "package '%s' is not stored",
				    rc->package);
	if (ret == POUCH_DB_ROW) {
		*seq = pouch_db_column_int64(st, 0);
		ret = 0;
	}
	pouch_db_finalize(st);
	return ret;
}

/* A receipt from rc->from filed already: the same one (*found 1, rc given its seq and time) or
 * a conflict. */
static int find_receipt(struct pouch_store *s, int64_t package, struct pouch_store_receipt *rc,
			int *found, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	char sha[POUCH_SHA256_HEX];
	int ret;

	*found = 0;
	ret = pouch_db_prepare(s->w.db, STORE_SQL_RECEIPT_FIND, &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_int64(st, 1, package);
	pouch_db_bind_text(st, 2, rc->from);
	ret = pouch_db_step(st, err);
	if (ret != POUCH_DB_ROW)
		goto out;
	ret = store_column(s, st, 1, sha, sizeof(sha), err);
	if (ret < 0)
		goto out;
	if (strcmp(sha, rc->sha256) != 0) {
		ret = pouch_err_set(err, POUCH_E_EXISTS,
				    "'%s' filed another receipt for package '%s' already", rc->from,
				    rc->package);
		goto out;
	}
	rc->seq = pouch_db_column_int64(st, 0);
	rc->received = (time_t)pouch_db_column_int64(st, 2);
	*found = 1;
	ret = 0;
out:
	pouch_db_finalize(st);
	return ret;
}

static int insert_receipt(struct pouch_store *s, int64_t package, struct pouch_store_receipt *rc,
			  struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = pouch_db_prepare(s->w.db,
			       "INSERT INTO receipts (package, sender, agency, verdict, sha256, "
			       "body, received) VALUES (?,?,?,?,?,?,?)",
			       &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_int64(st, 1, package);
	pouch_db_bind_text(st, 2, rc->sender);
	pouch_db_bind_text(st, 3, rc->from);
	pouch_db_bind_text(st, 4, rc->verdict);
	pouch_db_bind_text(st, 5, rc->sha256);
	pouch_db_bind_blob(st, 6, rc->bytes, rc->len);
	pouch_db_bind_int64(st, 7, (int64_t)rc->received);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		rc->seq = pouch_db_last_rowid(s->w.db);
	pouch_db_finalize(st);
	return ret;
}

int pouch_store_receipt_put(struct pouch_store *s, struct pouch_store_receipt *rc,
			    int *existing, struct pouch_err *err)
{
	int64_t package = 0;
	int ret;

	*existing = 0;
	ret = check_receipt(rc, err);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&s->w.lock);
	ret = find_package(s, rc, &package, err);
	if (ret == 0)
		ret = find_receipt(s, package, rc, existing, err);
	if (ret == 0 && !*existing)
		ret = store_note(s, insert_receipt(s, package, rc, err));
	if (ret >= 0 && !*existing)
		atomic_fetch_add(&s->nreceipts, 1);
	pthread_mutex_unlock(&s->w.lock);
	return ret;
}

/* Fills the receipt item from the current row of the list query, copying the bytes. */
static int read_receipt(struct store_pager *pg, struct pouch_db_stmt *st, void *item,
			struct pouch_err *err)
{
	struct pouch_store_receipt *rc = item;
	const void *body;
	size_t len = 0;
	int ret;

	rc->seq = pouch_db_column_int64(st, 0);
	if ((ret = store_column(pg->s, st, 1, rc->package, sizeof(rc->package), err)) < 0 ||
	    (ret = store_column(pg->s, st, 2, rc->from, sizeof(rc->from), err)) < 0 ||
	    (ret = store_column(pg->s, st, 3, rc->verdict, sizeof(rc->verdict), err)) < 0 ||
	    (ret = store_column(pg->s, st, 4, rc->sha256, sizeof(rc->sha256), err)) < 0 ||
	    (ret = store_column(pg->s, st, 7, rc->sender, sizeof(rc->sender), err)) < 0)
		return ret;
	rc->received = (time_t)pouch_db_column_int64(st, 5);
	body = pouch_db_column_blob(st, 6, &len);
	rc->bytes = malloc(len + 1);
	if (!rc->bytes)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (len)
		memcpy(rc->bytes, body, len);
	rc->bytes[len] = '\0';
	rc->len = len;
	return 0;
}

int pouch_store_receipt_list(struct pouch_store *s, const char *caller, int64_t after,
			     size_t limit, struct pouch_store_receipt_page *page,
			     struct pouch_err *err)
{
	struct store_pager pg = {
		.s = s,
		.sql = STORE_SQL_RECEIPT_LIST,
		.read = read_receipt,
		STORE_PAGER_OF(page),
	};
	int ret;

	memset(page, 0, sizeof(*page));
	ret = store_page(&pg, caller, after, limit, err);
	if (ret < 0)
		pouch_store_receipt_page_release(page);
	return ret;
}

void pouch_store_receipt_page_release(struct pouch_store_receipt_page *page)
{
	size_t i;

	if (!page)
		return;
	for (i = 0; i < page->n; i++)
		free(page->items[i].bytes);
	free(page->items);
	memset(page, 0, sizeof(*page));
}
