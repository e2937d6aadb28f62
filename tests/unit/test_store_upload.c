/* The package store's staged uploads (pkg/server/store_upload.c): offsets, a mismatch, the cap,
 * a session resumed after an abort, and an upload taken into a request and stored. */
#define _GNU_SOURCE
#include "store_fixture.h"

static void test_store__uploads_offsets_mismatch_and_cap(void **state)
{
	struct env *e = *state;
	char id[POUCH_UUID_LEN];
	uint64_t at = 0;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	assert_int_equal(offset_of(e, NCA, id), 0);
	assert_int_equal(append(e, NCA, id, 0, 100, "hello ", &at), 0);
	assert_int_equal(at, 6);
	assert_int_equal(append(e, NCA, id, 6, 100, "world", &at), 0);
	assert_int_equal(at, 11);
	assert_int_equal(offset_of(e, NCA, id), 11);
	/* Per caller: another agency's upload of the same id is its own. */
	assert_int_equal(offset_of(e, MET, id), 0);
	/* A wrong offset is told the actual one, and nothing is written. */
	assert_int_equal(append(e, NCA, id, 5, 100, "xx", &at), POUCH_UPLOAD_OFFSET);
	assert_int_equal(at, 11);
	assert_int_equal(append(e, MET, id, 3, 100, "xx", &at), POUCH_UPLOAD_OFFSET);
	assert_int_equal(at, 0);
	assert_int_equal(offset_of(e, MET, id), 0);
	/* Over the cap: refused, the staged bytes kept. */
	assert_int_equal(append(e, NCA, id, 11, 12, "!!", &at), POUCH_UPLOAD_TOO_LARGE);
	assert_int_equal(at, 11);
	assert_int_equal(append(e, NCA, id, 11, 12, "!", &at), 0);
	assert_int_equal(at, 12);
	snprintf(e->f->path, sizeof(e->f->path), "%s/uploads/%s.%s", e->data, NCA, id);
	assert_content(e->f->path, "hello world!");
	assert_int_equal(mode_of(e->f->path), 0600);
	assert_int_equal(offset_of(e, NCA, id), 12);
	assert_int_equal(pouch_store_upload_offset(e->s, "bad/code", id, &at, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_store_upload_discard(e->s, NCA, id, NULL), 0);
	assert_int_equal(offset_of(e, NCA, id), 0);
}

static void test_store__append_session_resumes_after_abort(void **state)
{
	struct env *e = *state;
	struct pouch_store_append *a = NULL, *b = NULL;
	char id[POUCH_UUID_LEN];
	uint64_t actual = 0, at = 0;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 0, 10, &a, &actual, NULL), 0);
	assert_int_equal(pouch_store_append_write(a, "abc", 3, NULL), 0);
	assert_int_equal(pouch_store_append_write(a, "def", 3, NULL), 0);
	/* While it runs, a second append is refused as busy, and so is taking it. */
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 6, 10, &b, &actual, NULL),
			 POUCH_UPLOAD_BUSY);
	assert_null(b);
	assert_int_equal(pouch_store_upload_discard(e->s, NCA, id, NULL), POUCH_UPLOAD_BUSY);
	/* The client disconnects: the bytes received stay, as the point to resume from. */
	pouch_store_append_abort(a);
	assert_int_equal(offset_of(e, NCA, id), 6);
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 0, 10, &b, &actual, NULL),
			 POUCH_UPLOAD_OFFSET);
	assert_int_equal(actual, 6);
	/* An append that passes the maximum is undone whole: back at its size before it. */
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 6, 10, &b, &actual, NULL), 0);
	assert_int_equal(pouch_store_append_write(b, "gh", 2, NULL), 0);
	assert_int_equal(pouch_store_append_write(b, "ijklm", 5, NULL), POUCH_UPLOAD_TOO_LARGE);
	assert_int_equal(pouch_store_append_end(b, &at, NULL), POUCH_UPLOAD_TOO_LARGE);
	assert_int_equal(at, 6);
	assert_int_equal(offset_of(e, NCA, id), 6);
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 6, 10, &b, &actual, NULL), 0);
	assert_int_equal(pouch_store_append_write(b, "ghij", 4, NULL), 0);
	assert_int_equal(pouch_store_append_end(b, &at, NULL), 0);
	assert_int_equal(at, 10);
	snprintf(e->f->path, sizeof(e->f->path), "%s/uploads/%s.%s", e->data, NCA, id);
	assert_content(e->f->path, "abcdefghij");
}

/* A request with the envelope of h written, and NCA's staged payload taken into it. */
static struct pouch_store_req *req_with_payload(struct env *e, const struct pouch_header *h,
						int want)
{
	struct pouch_store_req *r = NULL;
	char path[256];
	uint64_t size = 0;

	assert_int_equal(pouch_store_req_new(e->s, &r, NULL), 0);
	snprintf(path, sizeof(path), "%s/%s.pouch", pouch_store_req_dir(r), h->id);
	put_text(path, "envelope", 0600);
	assert_int_equal(pouch_store_upload_take(e->s, r, NCA, h->id, &size, NULL), want);
	if (want == 0) {
		assert_int_equal(size, 3);
		snprintf(path, sizeof(path), "%s/%s.pouch.pgp", pouch_store_req_dir(r), h->id);
		assert_content(path, "pgp");
	}
	return r;
}

static void test_store__upload_taken_into_request_and_stored(void **state)
{
	struct env *e = *state;
	struct pouch_header h;
	struct pouch_store_req *r;
	struct pouch_store_record rec;
	struct pouch_store_append *a = NULL;
	struct pouch_store_put in = {
		.h = &h, .sender = NCA, .detached = 1, .digest = digest('a'),
		.header_sha256 = digest('e'), .received = NOW,
	};
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], *env = NULL, *pay = NULL;
	uint64_t size, actual;
	int existing = 1;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	header(&h, id, NCA, MET, NULL);
	/* Nothing staged yet: not found (the daemon's payload_missing). */
	r = req_with_payload(e, &h, POUCH_E_NOTFOUND);
	pouch_store_req_free(r);
	assert_int_equal(append(e, NCA, id, 0, 100, "pgp", NULL), 0);
	/* Taken, not stored (say verification failed): back in uploads/ when the request goes. */
	r = req_with_payload(e, &h, 0);
	assert_int_equal(offset_of(e, NCA, id), 0);
	assert_int_equal(pouch_store_append_begin(e->s, NCA, id, 0, 100, &a, &actual, NULL),
			 POUCH_UPLOAD_BUSY);
	assert_int_equal(pouch_store_upload_take(e->s, r, NCA, id, &size, NULL), POUCH_E_USAGE);
	pouch_store_req_free(r);
	assert_int_equal(offset_of(e, NCA, id), 3);
	/* A payload of another size than the header's is refused. */
	h.payload_size = 4;
	r = req_with_payload(e, &h, 0);
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), POUCH_E_USAGE);
	pouch_store_req_free(r);
	h.payload_size = 3;
	/* Stored: both files in packages/, the staged upload gone. */
	r = req_with_payload(e, &h, 0);
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), 0);
	assert_false(existing);
	pouch_store_req_free(r);
	assert_true(rec.detached);
	assert_int_equal(rec.payload_size, 3);
	assert_string_equal(rec.payload_sha256, digest('c'));
	assert_int_equal(offset_of(e, NCA, id), 0);
	assert_int_equal(entries(dpath(e, "uploads")), 0);
	assert_int_equal(pouch_store_get(e->s, MET, NULL, id, &rec, NULL), 0);
	assert_true(rec.detached);
	assert_int_equal(pouch_store_files(e->s, &rec, &env, &pay, NULL), 0);
	assert_content(env, "envelope");
	assert_content(pay, "pgp");
	free(env);
	free(pay);
	/* Pushed again with the payload uploaded again: the original, and the upload gone too. */
	assert_int_equal(append(e, NCA, id, 0, 100, "pgp", NULL), 0);
	r = req_with_payload(e, &h, 0);
	assert_int_equal(pouch_store_put(e->s, r, &in, &rec, &existing, &err), 0);
	assert_true(existing);
	pouch_store_req_free(r);
	assert_int_equal(offset_of(e, NCA, id), 0);
	assert_int_equal(entries(dpath(e, "packages")), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__uploads_offsets_mismatch_and_cap),
		T(test_store__append_session_resumes_after_abort),
		T(test_store__upload_taken_into_request_and_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
