/* Unit tests for pouchd's package store (pkg/server/store.c, store_query.c): idempotent puts and
 * conflicts, visibility, paging and threads putting at once. */
#define _GNU_SOURCE
#include "store_fixture.h"

static void test_store__layout_is_private(void **state)
{
	struct env *e = *state;
	struct pouch_store *again = NULL;
	struct pouch_err err = { 0 };

	assert_int_equal(mode_of(e->data), 0700);
	assert_int_equal(mode_of(dpath(e, "packages")), 0700);
	assert_int_equal(mode_of(dpath(e, "uploads")), 0700);
	assert_int_equal(mode_of(dpath(e, "tmp")), 0700);
	assert_int_equal(mode_of(dpath(e, "pouchd.db")), 0600);
	/* One store per directory at a time. */
	assert_int_equal(pouch_store_open(e->data, &again, &err), POUCH_E_IO);
	assert_null(again);
	assert_non_null(strstr(err.msg, "in use"));
	pouch_store_close(NULL);
	pouch_store_req_free(NULL);
	pouch_store_append_abort(NULL);
	pouch_store_page_release(NULL);
	pouch_store_receipt_page_release(NULL);
}

static void test_store__put_is_idempotent(void **state)
{
	struct env *e = *state;
	struct pouch_header h;
	struct pouch_store_record a, b;
	char id[POUCH_UUID_LEN], *env = NULL, *pay = NULL;
	uint64_t n = 0;
	int existing = 1;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	header(&h, id, NCA, MET, GMP, NULL);
	assert_int_equal(put(e, &h, NCA, "envelope", 'a', &a, &existing, NULL), 0);
	assert_false(existing);
	assert_int_equal(a.seq, 1);
	assert_string_equal(a.id, id);
	assert_string_equal(a.sender, NCA);
	assert_int_equal(a.nrecipients, 2);
	assert_string_equal(a.recipients[0], MET);
	assert_string_equal(a.recipients[1], GMP);
	assert_string_equal(a.digest, digest('a'));
	assert_string_equal(a.header_sha256, digest('e'));
	assert_int_equal(a.size, 8);
	assert_false(a.detached);
	assert_int_equal(a.received, NOW);
	assert_int_equal(pouch_store_files(e->s, &a, &env, &pay, NULL), 0);
	assert_content(env, "envelope");
	assert_null(pay);
	assert_int_equal(mode_of(env), 0600);
	free(env);
	/* Again, the same: the original record, flagged, and no second copy. */
	h.created = 1;
	assert_int_equal(put(e, &h, NCA, "envelope", 'a', &b, &existing, NULL), 0);
	assert_true(existing);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(pouch_store_counts(e->s, &n, NULL, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(entries(dpath(e, "packages")), 1);
	assert_int_equal(entries(dpath(e, "tmp")), 0);
}

static void test_store__same_id_other_digest_conflicts(void **state)
{
	struct env *e = *state;
	struct pouch_header h;
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], *env = NULL, *pay = NULL;
	int existing = 1;

	put_new(e, id, 0);
	header(&h, id, NCA, MET, NULL);
	assert_int_equal(put(e, &h, NCA, "other bytes", 'b', &rec, &existing, &err),
			 POUCH_E_EXISTS);
	assert_false(existing);
	assert_non_null(strstr(err.msg, "another digest"));
	assert_non_null(strstr(err.msg, id));
	/* The stored package is untouched. (The same id from another sender: test_store_ids.c.) */
	assert_int_equal(pouch_store_get(e->s, NCA, NULL, id, &rec, NULL), 0);
	assert_string_equal(rec.digest, digest('a'));
	assert_int_equal(pouch_store_files(e->s, &rec, &env, &pay, NULL), 0);
	assert_content(env, "envelope");
	free(env);
}

static void test_store__put_refuses_inconsistent_input(void **state)
{
	struct env *e = *state;
	struct pouch_header h;
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN];
	int existing;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	header(&h, id, NCA, MET, NULL);
	/* Authenticated as another agency than the header's sender. */
	assert_int_equal(put(e, &h, GMP, "x", 'a', &rec, &existing, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "sent by 'GB-NCA-CEOP', not by 'GB-GMP'"));
	header(&h, id, NCA, MET, MET, NULL);
	assert_int_equal(put(e, &h, NCA, "x", 'a', &rec, &existing, &err), POUCH_E_USAGE);
	header(&h, "not-a-package-id", NCA, MET, NULL);
	assert_int_equal(put(e, &h, NCA, "x", 'a', &rec, &existing, &err), POUCH_E_USAGE);
	header(&h, id, NCA, MET, NULL);
	assert_int_equal(put(e, &h, NCA, "x", 'A', &rec, &existing, &err), POUCH_E_USAGE);
	assert_int_equal(entries(dpath(e, "packages")), 0);
}

static void test_store__get_only_for_sender_and_recipients(void **state)
{
	struct env *e = *state;
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], other[POUCH_UUID_LEN];

	put_new(e, id, 0);
	assert_int_equal(pouch_store_get(e->s, NCA, NULL, id, &rec, &err), 0);
	assert_string_equal(rec.id, id);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, id, &rec, &err), 0);
	assert_string_equal(rec.recipients[0], MET);
	/* Neither sender nor recipient: as if it did not exist. */
	assert_int_equal(pouch_store_get(e->s, GMP, NULL, id, &rec, &err), POUCH_E_NOTFOUND);
	assert_string_equal(rec.id, "");
	assert_int_equal(pouch_uuid_new(other, NULL), 0);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, other, &rec, &err), POUCH_E_NOTFOUND);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, "not-an-id", &rec, &err), POUCH_E_USAGE);
	assert_int_equal(pouch_store_get(e->s, "../x", NULL, id, &rec, &err), POUCH_E_USAGE);
}

static void test_store__list_pages_with_has_more(void **state)
{
	struct env *e = *state;
	struct pouch_store_page page;
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], ids[7][POUCH_UUID_LEN];
	int64_t after = 0, seq[7];
	size_t got = 0, pages = 0, i;
	int more;

	/* Seven for MET (the fourth for GMP too), three for GMP alone, interleaved. */
	for (i = 0; i < 7; i++) {
		seq[i] = put_new(e, ids[i], i == 3);
		if (i % 3 == 0) {
			struct pouch_header h;
			struct pouch_store_record rec;
			int existing;
			assert_int_equal(pouch_uuid_new(id, NULL), 0);
			header(&h, id, NCA, GMP, NULL);
			assert_int_equal(put(e, &h, NCA, "g", 'a', &rec, &existing, NULL), 0);
		}
	}
	do {
		assert_int_equal(pouch_store_list(e->s, MET, after, 3, &page, &err), 0);
		assert_true(page.n <= 3);
		for (i = 0; i < page.n; i++) {
			assert_true(page.items[i].seq > after);
			assert_string_equal(page.items[i].id, ids[got]);
			assert_int_equal(page.items[i].seq, seq[got]);
			after = page.items[i].seq;
			got++;
		}
		more = page.has_more;
		assert_int_equal(more, got < 7);
		pages++;
		pouch_store_page_release(&page);
	} while (more);
	assert_int_equal(got, 7);
	assert_int_equal(pages, 3);
	/* Past the end: empty, no more. */
	assert_int_equal(pouch_store_list(e->s, MET, after, 3, &page, &err), 0);
	assert_int_equal(page.n, 0);
	assert_false(page.has_more);
	pouch_store_page_release(&page);
	/* Exactly a page's worth: has_more stays false. */
	assert_int_equal(pouch_store_list(e->s, MET, seq[3], 3, &page, &err), 0);
	assert_int_equal(page.n, 3);
	assert_false(page.has_more);
	pouch_store_page_release(&page);
	/* GMP sees its own four (three alone, one shared), NCA as sender none. */
	assert_int_equal(pouch_store_list(e->s, GMP, 0, 100, &page, &err), 0);
	assert_int_equal(page.n, 4);
	assert_string_equal(page.items[1].id, ids[3]);
	assert_int_equal(page.items[1].nrecipients, 2);
	assert_string_equal(page.items[1].recipients[1], GMP);
	pouch_store_page_release(&page);
	assert_int_equal(pouch_store_list(e->s, NCA, 0, 100, &page, &err), 0);
	assert_int_equal(page.n, 0);
	pouch_store_page_release(&page);
	assert_int_equal(pouch_store_list(e->s, MET, 0, 0, &page, &err), POUCH_E_USAGE);
	assert_int_equal(pouch_store_list(e->s, MET, 0, POUCH_STORE_LIMIT_MAX + 1, &page, &err),
			 POUCH_E_USAGE);
	assert_int_equal(pouch_store_list(e->s, MET, -1, 10, &page, &err), POUCH_E_USAGE);
}

#define THREADS 8
#define EACH 15

struct worker {
	struct env *e;
	int failed;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pouch_header h;
	struct pouch_store_record rec;
	struct pouch_store_page page;
	char id[POUCH_UUID_LEN];
	int i, existing;

	for (i = 0; i < EACH; i++) {
		if (pouch_uuid_new(id, NULL) < 0)
			w->failed = 1;
		header(&h, id, NCA, MET, NULL);
		if (put(w->e, &h, NCA, "envelope", 'a', &rec, &existing, NULL) < 0 || existing)
			w->failed = 1;
		/* Readers run alongside. */
		if (pouch_store_list(w->e->s, MET, 0, 5, &page, NULL) < 0)
			w->failed = 1;
		pouch_store_page_release(&page);
	}
	return NULL;
}

static void test_store__threads_put_concurrently(void **state)
{
	struct env *e = *state;
	pthread_t t[THREADS];
	struct worker w[THREADS];
	struct pouch_store_page page;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ e, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_false(w[i].failed);
	}
	assert_int_equal(pouch_store_counts(e->s, &n, NULL, NULL), 0);
	assert_int_equal(n, THREADS * EACH);
	assert_int_equal(pouch_store_list(e->s, MET, 0, POUCH_STORE_LIMIT_MAX, &page, NULL), 0);
	assert_int_equal(page.n, THREADS * EACH);
	for (i = 1; i < page.n; i++)
		assert_true(page.items[i].seq > page.items[i - 1].seq);
	pouch_store_page_release(&page);
	assert_int_equal(entries(dpath(e, "packages")), THREADS * EACH);
	assert_int_equal(entries(dpath(e, "tmp")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__layout_is_private),
		T(test_store__put_is_idempotent),
		T(test_store__same_id_other_digest_conflicts),
		T(test_store__put_refuses_inconsistent_input),
		T(test_store__get_only_for_sender_and_recipients),
		T(test_store__list_pages_with_has_more),
		T(test_store__threads_put_concurrently),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
