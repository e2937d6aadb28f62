/* Reading pouchd's package store: one package's record for a caller, its files, the pages of
 * packages addressed to a caller, and the counts for metrics. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/store_internal.h"

const char *const store_sql_indexed[] = {
	STORE_SQL_LIST,		   STORE_SQL_RECIPIENTS,      STORE_SQL_LOAD,
	STORE_SQL_GET_ANY,	   STORE_SQL_NAME_TAKEN,      STORE_SQL_CURSOR_PACKAGES,
	STORE_SQL_CURSOR_RECEIPTS, STORE_SQL_RECEIPT_PACKAGE, STORE_SQL_RECEIPT_FIND,
	STORE_SQL_RECEIPT_LIST,
};
const size_t store_nsql_indexed = sizeof(store_sql_indexed) / sizeof(store_sql_indexed[0]);

int store_column(const struct pouch_store *s, struct pouch_db_stmt *st, int i, char *out,
		 size_t outmax, struct pouch_err *err)
{
	const char *v = pouch_db_column_text(st, i);

	if (!v || strlen(v) >= outmax)
		return pouch_err_set(err, POUCH_E_CORRUPT,
				     "the index '%s' is corrupt: column %d %s",
				     pouch_db_path(s->w.db), i, v ? "too long" : "missing");
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int store_stmt(struct store_conn *c, const char *sql, struct pouch_db_stmt **out,
	       struct pouch_err *err)
{
	struct store_stmt *free_slot = NULL;
	size_t i;
	int ret;

	for (i = 0; i < STORE_STMTS; i++) {
		if (c->stmts[i].sql && strcmp(c->stmts[i].sql, sql) == 0) {
			*out = c->stmts[i].st;
			return 0;
		}
		if (!c->stmts[i].sql && !free_slot)
			free_slot = &c->stmts[i];
	}
	ret = pouch_db_prepare(c->db, sql, out, err);
	if (ret == 0 && free_slot)
		*free_slot = (struct store_stmt){ .sql = sql, .st = *out };
	return ret;
}

void store_stmt_done(struct store_conn *c, struct pouch_db_stmt *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < STORE_STMTS; i++)
		if (c->stmts[i].st == st) {
			pouch_db_reset(st);
			return;
		}
	pouch_db_finalize(st);
}

void store_conn_close(struct store_conn *c)
{
	size_t i;

	for (i = 0; i < STORE_STMTS; i++) {
		pouch_db_finalize(c->stmts[i].st);
		c->stmts[i] = (struct store_stmt){ 0 };
	}
	pouch_db_close(c->db);
	c->db = NULL;
}

/* Checks that limit is 1 to POUCH_STORE_LIMIT_MAX and after not negative (POUCH_E_USAGE). */
static int check_page(int64_t after, size_t limit, struct pouch_err *err)
{
	if (after < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot list after %lld: negative",
				     (long long)after);
	if (limit < 1 || limit > POUCH_STORE_LIMIT_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot list %zu items: 1 to %d", limit,
				     POUCH_STORE_LIMIT_MAX);
	return 0;
}

/* Fills rec from the current row of st (STORE_RECORD_COLUMNS) and its recipients through rst, a
 * prepared "recipients of package ?" statement. */
static int read_record(struct pouch_store *s, struct pouch_db_stmt *st,
		       struct pouch_db_stmt *rst, struct pouch_store_record *rec,
		       struct pouch_err *err)
{
	int ret;

	memset(rec, 0, sizeof(*rec));
	rec->seq = pouch_db_column_int64(st, 0);
	if ((ret = store_column(s, st, 1, rec->id, sizeof(rec->id), err)) < 0 ||
	    (ret = store_column(s, st, 2, rec->sender, sizeof(rec->sender), err)) < 0 ||
	    (ret = store_column(s, st, 3, rec->digest, sizeof(rec->digest), err)) < 0 ||
	    (ret = store_column(s, st, 9, rec->name, sizeof(rec->name), err)) < 0 ||
	    (ret = store_column(s, st, 7, rec->header_sha256, sizeof(rec->header_sha256), err)) < 0)
		return ret;
	rec->size = (uint64_t)pouch_db_column_int64(st, 4);
	rec->detached = !pouch_db_column_is_null(st, 5);
	if (rec->detached) {
		rec->payload_size = (uint64_t)pouch_db_column_int64(st, 5);
		ret = store_column(s, st, 6, rec->payload_sha256, sizeof(rec->payload_sha256), err);
		if (ret < 0)
			return ret;
	}
	rec->received = (time_t)pouch_db_column_int64(st, 8);
	pouch_db_reset(rst);
	pouch_db_bind_int64(rst, 1, rec->seq);
	while ((ret = pouch_db_step(rst, err)) == POUCH_DB_ROW) {
		if (rec->nrecipients == POUCH_RECIPIENTS_MAX)
			return pouch_err_set(err, POUCH_E_CORRUPT,
					     "the index '%s' is corrupt: too many recipients",
					     pouch_db_path(s->w.db));
		ret = store_column(s, rst, 0, rec->recipients[rec->nrecipients],
				   sizeof(rec->recipients[0]), err);
		if (ret < 0)
			return ret;
		rec->nrecipients++;
	}
	return ret;
}

static int prepare_recipients(struct store_conn *c, struct pouch_db_stmt **out,
			      struct pouch_err *err)
{
	return store_stmt(c, STORE_SQL_RECIPIENTS, out, err);
}

/* Loads the one record that sql (bound to a and b) finds: POUCH_E_NOTFOUND when none,
 * POUCH_E_USAGE when there are more. */
static int load_one(struct pouch_store *s, struct store_conn *c, const char *sql, const char *a,
		    const char *b, const char *id, struct pouch_store_record *rec,
		    struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL, *rst = NULL;
	int ret;

	if ((ret = store_stmt(c, sql, &st, err)) < 0 ||
	    (ret = prepare_recipients(c, &rst, err)) < 0)
		goto out;
	pouch_db_bind_text(st, 1, a);
	pouch_db_bind_text(st, 2, b);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "package '%s' is not stored", id);
	if (ret < 0)
		goto out;
	ret = read_record(s, st, rst, rec, err);
	if (ret == 0)
		ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW)
		ret = pouch_err_set(err, POUCH_E_USAGE, "package '%s' was sent by more than one "
				    "agency: name its sender", id);
out:
	store_stmt_done(c, rst);
	store_stmt_done(c, st);
	return ret;
}

int store_load(struct pouch_store *s, struct store_conn *c, const char *sender, const char *id,
	       struct pouch_store_record *rec, struct pouch_err *err)
{
	return load_one(s, c, STORE_SQL_LOAD, sender, id, id, rec, err);
}

static int visible(const struct pouch_store_record *rec, const char *caller)
{
	size_t i;

	for (i = 0; i < rec->nrecipients; i++)
		if (strcmp(rec->recipients[i], caller) == 0)
			return 1;
	return strcmp(rec->sender, caller) == 0;
}

int pouch_store_get(struct pouch_store *s, const char *caller, const char *sender,
		    const char *id, struct pouch_store_record *rec, struct pouch_err *err)
{
	int ret;

	if ((ret = pouch_agency_code_check(caller, err)) < 0 ||
	    (sender && (ret = pouch_agency_code_check(sender, err)) < 0) ||
	    (ret = pouch_uuid_check(id, err)) < 0)
		return ret;
	pthread_mutex_lock(&s->r.lock);
	if (sender)
		ret = store_load(s, &s->r, sender, id, rec, err);
	else
		ret = load_one(s, &s->r, STORE_SQL_GET_ANY, id, caller, id, rec, err);
	pthread_mutex_unlock(&s->r.lock);
	if (ret == 0 && !visible(rec, caller))
		/* Whether it exists is not for the caller to learn. */
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "package '%s' is not stored", id);
	if (ret < 0)
		memset(rec, 0, sizeof(*rec));
	return ret;
}

int pouch_store_files(const struct pouch_store *s, const struct pouch_store_record *rec,
		      char **envelope, char **payload, struct pouch_err *err)
{
	*envelope = NULL;
	*payload = NULL;
	if (asprintf(envelope, "%s/%s.pouch", s->packages, rec->name) < 0) {
		*envelope = NULL;
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	if (rec->detached && asprintf(payload, "%s/%s.pouch.pgp", s->packages, rec->name) < 0) {
		free(*envelope);
		*envelope = NULL;
		*payload = NULL;
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	return 0;
}

/* Under the reader's lock: steps the bound query, reading the first limit rows into
 * pg->items; a row beyond only tells that more follow. */
static int page_locked(struct store_pager *pg, struct pouch_db_stmt *st, size_t limit,
		       struct pouch_err *err)
{
	char *items = *(void **)pg->items;
	int ret;

	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		if (*pg->n == limit) {
			*pg->has_more = 1;
			break;
		}
		/* Counted first, so that the page's release frees what a failed read holds. */
		ret = pg->read(pg, st, items + (*pg->n)++ * pg->size, err);
		if (ret < 0)
			break;
	}
	return ret < 0 ? ret : 0;
}

int store_page(struct store_pager *pg, const char *caller, int64_t after, size_t limit,
	       struct pouch_err *err)
{
	struct pouch_store *s = pg->s;
	struct pouch_db_stmt *st = NULL;
	void **items = pg->items;
	int ret;

	if ((ret = pouch_agency_code_check(caller, err)) < 0 ||
	    (ret = check_page(after, limit, err)) < 0)
		return ret;
	*items = calloc(limit, pg->size);
	if (!*items)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	pthread_mutex_lock(&s->r.lock);
	ret = store_stmt(&s->r, pg->sql, &st, err);
	if (ret == 0) {
		pouch_db_bind_text(st, 1, caller);
		pouch_db_bind_int64(st, 2, after);
		pouch_db_bind_int64(st, 3, (int64_t)limit + 1);
		ret = page_locked(pg, st, limit, err);
	}
	store_stmt_done(&s->r, st);
	store_stmt_done(&s->r, pg->aux);
	pg->aux = NULL;
	pthread_mutex_unlock(&s->r.lock);
	return ret;
}

static int read_listed(struct store_pager *pg, struct pouch_db_stmt *st, void *item,
		       struct pouch_err *err)
{
	int ret = pg->aux ? 0 : prepare_recipients(&pg->s->r, &pg->aux, err);

	return ret < 0 ? ret : read_record(pg->s, st, pg->aux, item, err);
}

int pouch_store_list(struct pouch_store *s, const char *caller, int64_t after, size_t limit,
		     struct pouch_store_page *page, struct pouch_err *err)
{
	struct store_pager pg = {
		.s = s,
		.sql = STORE_SQL_LIST,
		.read = read_listed,
		STORE_PAGER_OF(page),
	};
	int ret;

	memset(page, 0, sizeof(*page));
	ret = store_page(&pg, caller, after, limit, err);
	if (ret < 0)
		pouch_store_page_release(page);
	return ret;
}

void pouch_store_page_release(struct pouch_store_page *page)
{
	if (!page)
		return;
	free(page->items);
	memset(page, 0, sizeof(*page));
}

int pouch_store_cursor_check(struct pouch_store *s, enum pouch_store_list list,
			     const char *caller, int64_t seq, struct pouch_err *err)
{
	/* The WHERE clauses of the lists' own queries, with "=" for their "> after". */
	static const char *const sql[] = {
		[POUCH_STORE_PACKAGES] = STORE_SQL_CURSOR_PACKAGES,
		[POUCH_STORE_RECEIPTS] = STORE_SQL_CURSOR_RECEIPTS,
	};
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_agency_code_check(caller, err)) < 0)
		return ret;
	if (list != POUCH_STORE_PACKAGES && list != POUCH_STORE_RECEIPTS)
		return pouch_err_set(err, POUCH_E_USAGE, "no such list");
	pthread_mutex_lock(&s->r.lock);
	ret = store_stmt(&s->r, sql[list], &st, err);
	if (ret == 0) {
		pouch_db_bind_text(st, 1, caller);
		pouch_db_bind_int64(st, 2, seq);
		ret = pouch_db_step(st, err);
	}
	store_stmt_done(&s->r, st);
	pthread_mutex_unlock(&s->r.lock);
	if (ret == POUCH_DB_DONE)
		return pouch_err_set(err, POUCH_E_NOTFOUND, "cursor %lld was not given out to '%s'",
				     (long long)seq, caller);
	return ret == POUCH_DB_ROW ? 0 : ret;
}

static int count(struct pouch_store *s, const char *sql, atomic_ullong *out,
		 struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = pouch_db_prepare(s->w.db, sql, &st, err);
	if (ret == 0)
		ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW) {
		atomic_store(out, (unsigned long long)pouch_db_column_int64(st, 0));
		ret = 0;
	}
	pouch_db_finalize(st);
	return ret;
}

int store_count_rows(struct pouch_store *s, struct pouch_err *err)
{
	int ret = count(s, "SELECT count(*) FROM packages", &s->npackages, err);

	return ret < 0 ? ret : count(s, "SELECT count(*) FROM receipts", &s->nreceipts, err);
}

int pouch_store_counts(struct pouch_store *s, uint64_t *packages, uint64_t *receipts,
		       struct pouch_err *err)
{
	/* Counted as rows are added (none is ever removed): a count(*) would read every row. */
	(void)err;
	if (packages)
		*packages = atomic_load(&s->npackages);
	if (receipts)
		*receipts = atomic_load(&s->nreceipts);
	return 0;
}
