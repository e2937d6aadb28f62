/* The package store across failures and restarts: a failed put leaves nothing, reopening
 * removes what a crash left and keeps data and sequences, a newer index is refused. */
#define _GNU_SOURCE
#include "store_fixture.h"

static void test_store__failed_put_leaves_nothing(void **state)
{
	struct env *e = *state;
	struct pouch_header h;
	struct pouch_store_req *r = NULL;
	struct pouch_store_record rec;
	struct pouch_store_put in = {
		.h = &h, .sender = NCA, .detached = 1, .digest = digest('a'),
		.header_sha256 = digest('e'), .received = NOW,
	};
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], env[256], pay[256], way[256];
	int existing;
	uint64_t n = 9;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	header(&h, id, NCA, MET, NULL);
	assert_int_equal(pouch_store_req_new(e->s, &r, NULL), 0);
	snprintf(env, sizeof(env), "%s/%s.pouch", pouch_store_req_dir(r), id);
	snprintf(pay, sizeof(pay), "%s/%s.pouch.pgp", pouch_store_req_dir(r), id);
	snprintf(way, sizeof(way), "%s/packages/%s.pouch.pgp", e->data, id);
	put_text(env, "envelope", 0600);
	/* Detached, but no payload in the request: nothing moves, no row. */
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, ".pouch.pgp"));
	assert_int_equal(entries(dpath(e, "packages")), 0);
	/* Not a regular file (a FIFO must not hang it either): refused likewise. */
	assert_int_equal(mkfifo(pay, 0600), 0);
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), POUCH_E_IO);
	assert_int_equal(entries(dpath(e, "packages")), 0);
	assert_int_equal(unlink(pay), 0);
	/* Something holds the payload's name in packages/ (never replaced): the envelope, moved
	 * first, goes back to the request. */
	put_text(pay, "pgp", 0600);
	put_text(way, "in the way", 0600);
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot move"));
	assert_content(way, "in the way");
	assert_int_equal(entries(dpath(e, "packages")), 1);
	assert_content(env, "envelope");
	assert_content(pay, "pgp");
	assert_int_equal(pouch_store_counts(e->s, &n, NULL, NULL), 0);
	assert_int_equal(n, 0);
	pouch_store_req_free(r);
	assert_int_equal(entries(dpath(e, "tmp")), 0);
}

static void test_store__reopen_removes_what_a_crash_left(void **state)
{
	struct env *e = *state;
	struct pouch_store_record rec;
	struct pouch_store_append *a = NULL;
	struct timeval old[2] = { { time(NULL) - POUCH_STORE_UPLOAD_TTL - 60, 0 },
				  { time(NULL) - POUCH_STORE_UPLOAD_TTL - 60, 0 } };
	char id[POUCH_UUID_LEN], orphan[POUCH_UUID_LEN], up1[POUCH_UUID_LEN], up2[POUCH_UUID_LEN];
	char name[128];
	uint64_t n = 0;

	put_new(e, id, 0);
	assert_int_equal(pouch_uuid_new(orphan, NULL), 0);
	assert_int_equal(pouch_uuid_new(up1, NULL), 0);
	assert_int_equal(pouch_uuid_new(up2, NULL), 0);
	/* Renamed in, never committed: an orphan envelope and payload; and a payload for a stored
	 * package that has none. */
	snprintf(name, sizeof(name), "packages/%s.pouch", orphan);
	put_text(dpath(e, name), "orphan", 0600);
	snprintf(name, sizeof(name), "packages/%s.pouch.pgp", orphan);
	put_text(dpath(e, name), "orphan", 0600);
	snprintf(name, sizeof(name), "packages/%s.pouch.pgp", id);
	put_text(dpath(e, name), "stray", 0600);
	put_text(dpath(e, "packages/junk"), "junk", 0600);
	/* A request directory a killed daemon left, and an old and a fresh staged upload. */
	assert_int_equal(mkdir(dpath(e, "tmp/req-abcdef"), 0700), 0);
	put_text(dpath(e, "tmp/req-abcdef/x.pouch"), "half", 0600);
	put_text(dpath(e, "tmp/body"), "half", 0600);
	assert_int_equal(append(e, NCA, up1, 0, 100, "old", NULL), 0);
	assert_int_equal(append(e, NCA, up2, 0, 100, "fresh", NULL), 0);
	snprintf(name, sizeof(name), "uploads/%s.%s", NCA, up1);
	assert_int_equal(utimes(dpath(e, name), old), 0);
	put_text(dpath(e, "uploads/not-an-upload"), "x", 0600);
	env_reopen(e);
	assert_int_equal(entries(dpath(e, "packages")), 1);
	assert_int_equal(entries(dpath(e, "tmp")), 0);
	assert_int_equal(offset_of(e, NCA, up1), 0);
	assert_int_equal(offset_of(e, NCA, up2), 5);
	assert_int_equal(entries(dpath(e, "uploads")), 1);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, id, &rec, NULL), 0);
	assert_int_equal(pouch_store_counts(e->s, &n, NULL, NULL), 0);
	assert_int_equal(n, 1);
	/* The daemon's periodic expiry: one in use stays, however old; then it goes. */
	assert_int_equal(pouch_store_append_begin(e->s, NCA, up2, 5, 100, &a, NULL, NULL), 0);
	assert_int_equal(pouch_store_expire_uploads(e->s, time(NULL) + 2 * POUCH_STORE_UPLOAD_TTL,
						    NULL),
			 0);
	assert_int_equal(offset_of(e, NCA, up2), 5);
	pouch_store_append_abort(a);
	assert_int_equal(pouch_store_expire_uploads(e->s, time(NULL) + 60, NULL), 0);
	assert_int_equal(offset_of(e, NCA, up2), 5);
	assert_int_equal(pouch_store_expire_uploads(e->s, time(NULL) + 2 * POUCH_STORE_UPLOAD_TTL,
						    NULL),
			 0);
	assert_int_equal(offset_of(e, NCA, up2), 0);
}

static void test_store__reopen_keeps_data_and_sequences(void **state)
{
	struct env *e = *state;
	struct pouch_store_record rec;
	struct pouch_store_receipt rc;
	struct pouch_store_page page;
	char a[POUCH_UUID_LEN], b[POUCH_UUID_LEN];
	uint64_t n = 0, m = 0;
	int existing;

	put_new(e, a, 0);
	assert_int_equal(receipt(e, a, MET, "accepted", "{}", '1', &rc, &existing, NULL), 0);
	env_reopen(e);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, a, &rec, NULL), 0);
	assert_int_equal(rec.seq, 1);
	assert_int_equal(rec.received, NOW);
	assert_int_equal(pouch_store_counts(e->s, &n, &m, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m, 1);
	assert_int_equal(receipt(e, a, MET, "accepted", "{}", '1', &rc, &existing, NULL), 0);
	assert_true(existing);
	assert_int_equal(put_new(e, b, 0), 2);
	assert_int_equal(pouch_store_list(e->s, MET, 0, 10, &page, NULL), 0);
	assert_int_equal(page.n, 2);
	assert_string_equal(page.items[1].id, b);
	pouch_store_page_release(&page);
}

static void test_store__newer_index_refused(void **state)
{
	struct env *e = *state;
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };

	pouch_store_close(e->s);
	e->s = NULL;
	assert_int_equal(pouch_db_open(dpath(e, "pouchd.db"), &db, NULL), 0);
	assert_int_equal(pouch_db_exec(db, "PRAGMA user_version = 99", NULL), 0);
	pouch_db_close(db);
	assert_int_equal(pouch_store_open(e->data, &e->s, &err), POUCH_E_CORRUPT);
	assert_null(e->s);
	assert_non_null(strstr(err.msg, "newer"));
	/* The failed open let go of the lock. */
	assert_int_equal(pouch_db_open(dpath(e, "pouchd.db"), &db, NULL), 0);
	assert_int_equal(pouch_db_exec(db, "PRAGMA user_version = 1", NULL), 0);
	pouch_db_close(db);
	env_open(e, e->f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__failed_put_leaves_nothing),
		T(test_store__reopen_removes_what_a_crash_left),
		T(test_store__reopen_keeps_data_and_sequences),
		T(test_store__newer_index_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
