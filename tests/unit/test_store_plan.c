/* The package store's queries that answer requests (pkg/server/store_internal.h) find their rows
 * through indexes: SQLite's plan for each searches, and never scans a table or sorts, so a page
 * of a list, a fetch or a cursor check costs the same with a thousand packages stored or a
 * million. The counts the metrics show are kept, not counted per request. */
#define _GNU_SOURCE
#include "store_fixture.h"

#include "server/store_internal.h"

/* Fails naming sql unless each step of its plan is a search (or a subquery's heading). */
static void check_plan(struct pouch_store *s, const char *sql)
{
	struct pouch_db_stmt *st = NULL;
	struct pouch_err err = { 0 };
	char *explain = NULL;
	int ret, steps = 0;

	assert_true(asprintf(&explain, "EXPLAIN QUERY PLAN %s", sql) > 0);
	if (pouch_db_prepare(s->r.db, explain, &st, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
	while ((ret = pouch_db_step(st, &err)) == POUCH_DB_ROW) {
		const char *detail = pouch_db_column_text(st, 3);
		assert_non_null(detail);
		if (strncmp(detail, "SCAN", 4) == 0 || strstr(detail, "TEMP B-TREE") ||
		    strstr(detail, "AUTOMATIC"))
			fail_msg("not by an index: %s: %s", sql, detail);
		steps += strncmp(detail, "SEARCH", 6) == 0;
	}
	assert_int_equal(ret, POUCH_DB_DONE);
	assert_true(steps > 0);
	pouch_db_finalize(st);
	free(explain);
}

static void test_store_plan__request_queries_search_indexes(void **state)
{
	struct env *e = *state;
	char id[POUCH_UUID_LEN];
	size_t i;

	for (i = 0; i < 20; i++)
		put_new(e, id, i % 2);
	assert_true(store_nsql_indexed >= 10);
	for (i = 0; i < store_nsql_indexed; i++)
		check_plan(e->s, store_sql_indexed[i]);
	/* The same on a store opened again (the schema as the migrations leave it). */
	env_reopen(e);
	for (i = 0; i < store_nsql_indexed; i++)
		check_plan(e->s, store_sql_indexed[i]);
}

static void test_store_plan__a_scan_is_caught(void **state)
{
	struct env *e = *state;
	struct pouch_db_stmt *st = NULL;
	int scans = 0;

	/* The check itself: a query by a column without an index shows as a scan. */
	assert_int_equal(pouch_db_prepare(e->s->r.db,
					  "EXPLAIN QUERY PLAN SELECT seq FROM packages WHERE "
					  "digest = ?", &st, NULL), 0);
	while (pouch_db_step(st, NULL) == POUCH_DB_ROW)
		scans += strncmp(pouch_db_column_text(st, 3), "SCAN", 4) == 0;
	pouch_db_finalize(st);
	assert_int_equal(scans, 1);
}

static void test_store_plan__counts_kept_across_puts_and_reopen(void **state)
{
	struct env *e = *state;
	struct pouch_store_receipt rc;
	char id[POUCH_UUID_LEN];
	uint64_t packages = 9, receipts = 9;
	int existing = 1, i;

	assert_int_equal(pouch_store_counts(e->s, &packages, &receipts, NULL), 0);
	assert_int_equal(packages, 0);
	assert_int_equal(receipts, 0);
	for (i = 0; i < 3; i++)
		put_new(e, id, 0);
	assert_true(receipt(e, id, MET, "accepted", "{}", '1', &rc, &existing, NULL) >= 0);
	assert_false(existing);
	/* A repeat counts nothing. */
	assert_true(receipt(e, id, MET, "accepted", "{}", '1', &rc, &existing, NULL) >= 0);
	assert_true(existing);
	assert_int_equal(pouch_store_counts(e->s, &packages, &receipts, NULL), 0);
	assert_int_equal(packages, 3);
	assert_int_equal(receipts, 1);
	env_reopen(e);
	assert_int_equal(pouch_store_counts(e->s, &packages, NULL, NULL), 0);
	assert_int_equal(pouch_store_counts(e->s, NULL, &receipts, NULL), 0);
	assert_int_equal(packages, 3);
	assert_int_equal(receipts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store_plan__request_queries_search_indexes),
		T(test_store_plan__a_scan_is_caught),
		T(test_store_plan__counts_kept_across_puts_and_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
