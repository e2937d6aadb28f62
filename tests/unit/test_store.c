/* Unit tests for pouchd's package store (pkg/server/store*.c): idempotent puts and conflicts,
 * visibility, paging, receipts, staged uploads, crash recovery, threads and reopening. Headers
 * are filled in directly: this layer stores what the daemon verified. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/time.h>

#include "fixture.h"

#include "base/db.h"
#include "server/store.h"

#define NCA "GB-NCA-CEOP"
#define MET "GB-MET"
#define GMP "GB-GMP"
#define NOW 1780272000

/* A store in f's directory and the last request made on it. */
struct env {
	struct fixture *f;
	struct pouch_store *s;
	char data[64];
};

static void env_open(struct env *e, struct fixture *f)
{
	struct pouch_err err = { 0 };

	e->f = f;
	snprintf(e->data, sizeof(e->data), "%s/data", f->dir);
	if (pouch_store_open(e->data, &e->s, &err) < 0)
		fail_msg("%s", err.msg);
}

static void env_reopen(struct env *e)
{
	pouch_store_close(e->s);
	e->s = NULL;
	env_open(e, e->f);
}

/* e->data/name, in the fixture's path buffer. */
static const char *dpath(struct env *e, const char *name)
{
	snprintf(e->f->path, sizeof(e->f->path), "%s/%s", e->data, name);
	return e->f->path;
}

/* 64 copies of hex digit c: a stand-in SHA-256. Filled once, so that threads only read it
 * after the main thread's first use. */
static const char *digest(char c)
{
	static char d[16][POUCH_SHA256_HEX];
	int i = (c >= 'a' ? c - 'a' + 10 : c - '0') & 15;

	if (d[i][0] != c) {
		memset(d[i], c, POUCH_SHA256_HEX - 1);
		d[i][POUCH_SHA256_HEX - 1] = '\0';
	}
	return d[i];
}

/* A header for id from sender to the recipients in the NULL-terminated list. */
static void header(struct pouch_header *h, const char *id, const char *sender, ...)
{
	const char *r;
	va_list ap;

	memset(h, 0, sizeof(*h));
	snprintf(h->id, sizeof(h->id), "%s", id);
	snprintf(h->sender.agency, sizeof(h->sender.agency), "%s", sender);
	va_start(ap, sender);
	while ((r = va_arg(ap, const char *)))
		snprintf(h->recipients[h->nrecipients++].agency, POUCH_CODE_MAX + 1, "%s", r);
	va_end(ap);
	h->payload_size = 3;
	memcpy(h->payload_sha256, digest('c'), POUCH_SHA256_HEX);
}

/* Writes text as ID.pouch in a new request of e's store, and puts it with envelope digest d.
 * No cmocka assertions: threads call it too. */
static int put(struct env *e, const struct pouch_header *h, const char *sender, const char *text,
	       char d, struct pouch_store_record *rec, int *existing, struct pouch_err *err)
{
	struct pouch_store_req *r = NULL;
	struct pouch_store_put in = {
		.h = h, .sender = sender, .digest = digest(d), .header_sha256 = digest('e'),
		.received = NOW,
	};
	char *path = NULL;
	int ret;

	ret = pouch_store_req_new(e->s, &r, err);
	if (ret < 0)
		return ret;
	if (asprintf(&path, "%s/%s.pouch", pouch_store_req_dir(r), h->id) < 0)
		path = NULL;
	ret = path ? pouch_fs_write_atomic(path, text, strlen(text), 0600, 1, err) : POUCH_E_NOMEM;
	if (ret == 0)
		ret = pouch_store_put(e->s, r, &in, rec, existing, err);
	free(path);
	pouch_store_req_free(r);
	return ret;
}

/* A new package from NCA to MET (and to GMP with both set) holding text; its id in id. */
static int64_t put_new(struct env *e, char *id, int both)
{
	struct pouch_header h;
	struct pouch_store_record rec;
	struct pouch_err err = { 0 };
	int existing = 1;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	if (both)
		header(&h, id, NCA, MET, GMP, NULL);
	else
		header(&h, id, NCA, MET, NULL);
	if (put(e, &h, NCA, "envelope", 'a', &rec, &existing, &err) < 0)
		fail_msg("%s", err.msg);
	assert_false(existing);
	return rec.seq;
}

static int setup_store(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || setup(state) < 0) {
		free(e);
		return -1;
	}
	env_open(e, *state);
	*state = e;
	return 0;
}

static int teardown_store(void **state)
{
	struct env *e = *state;
	struct fixture *f = e->f;

	pouch_store_close(e->s);
	free(e);
	*state = f;
	return teardown(state);
}

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
	assert_int_equal(pouch_store_open(e->data, &again, &err), POUCH_E_REFUSED);
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

/* Files a receipt for id from "from" with bytes text and digest d. */
static int receipt(struct env *e, const char *id, const char *from, const char *verdict,
		   const char *text, char d, struct pouch_store_receipt *rc, int *existing,
		   struct pouch_err *err)
{
	memset(rc, 0, sizeof(*rc));
	snprintf(rc->package, sizeof(rc->package), "%s", id);
	snprintf(rc->sender, sizeof(rc->sender), "%s", NCA);
	snprintf(rc->from, sizeof(rc->from), "%s", from);
	snprintf(rc->verdict, sizeof(rc->verdict), "%s", verdict);
	snprintf(rc->sha256, sizeof(rc->sha256), "%s", digest(d));
	rc->bytes = (char *)text;
	rc->len = strlen(text);
	rc->received = NOW + 5;
	return pouch_store_receipt_put(e->s, rc, existing, err);
}

static void test_store__receipts_idempotent_conflicting_and_listed(void **state)
{
	struct env *e = *state;
	struct pouch_store_receipt rc;
	struct pouch_store_receipt_page page;
	struct pouch_err err = { 0 };
	char a[POUCH_UUID_LEN], b[POUCH_UUID_LEN], c[POUCH_UUID_LEN];
	uint64_t n = 0;
	int existing = 1;

	put_new(e, a, 1);
	put_new(e, b, 0);
	put_new(e, c, 0);
	assert_int_equal(receipt(e, a, MET, "accepted", "{\"r\":1}", '1', &rc, &existing, &err), 0);
	assert_false(existing);
	assert_int_equal(rc.seq, 1);
	/* The same again: the original seq and time. */
	assert_int_equal(receipt(e, a, MET, "accepted", "{\"r\":1}", '1', &rc, &existing, &err), 0);
	assert_true(existing);
	assert_int_equal(rc.seq, 1);
	assert_int_equal(rc.received, NOW + 5);
	/* The same agency with another receipt for the same package: a conflict. */
	assert_int_equal(receipt(e, a, MET, "rejected", "{\"r\":2}", '2', &rc, &existing, &err),
			 POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, "another receipt"));
	/* Another recipient files its own; a non-recipient and an unknown package are not found. */
	assert_int_equal(receipt(e, a, GMP, "rejected", "{\"r\":3}", '3', &rc, &existing, &err), 0);
	assert_int_equal(rc.seq, 2);
	assert_int_equal(receipt(e, b, GMP, "accepted", "{}", '4', &rc, &existing, &err),
			 POUCH_E_NOTFOUND);
	assert_int_equal(receipt(e, b, NCA, "accepted", "{}", '4', &rc, &existing, &err),
			 POUCH_E_NOTFOUND);
	assert_int_equal(receipt(e, b, MET, "maybe", "{}", '4', &rc, &existing, &err),
			 POUCH_E_USAGE);
	assert_int_equal(receipt(e, b, MET, "accepted", "{\"r\":5}", '5', &rc, &existing, &err), 0);
	assert_int_equal(receipt(e, c, MET, "accepted", "{\"r\":6}", '6', &rc, &existing, &err), 0);
	assert_int_equal(rc.seq, 4);
	assert_int_equal(pouch_store_counts(e->s, NULL, &n, NULL), 0);
	assert_int_equal(n, 4);

	/* The sender lists them in order, two at a time. */
	assert_int_equal(pouch_store_receipt_list(e->s, NCA, 0, 2, &page, &err), 0);
	assert_int_equal(page.n, 2);
	assert_true(page.has_more);
	assert_string_equal(page.items[0].package, a);
	assert_string_equal(page.items[0].from, MET);
	assert_string_equal(page.items[0].verdict, "accepted");
	assert_string_equal(page.items[0].bytes, "{\"r\":1}");
	assert_int_equal(page.items[0].len, 7);
	assert_string_equal(page.items[0].sha256, digest('1'));
	assert_int_equal(page.items[0].received, NOW + 5);
	assert_string_equal(page.items[1].from, GMP);
	assert_string_equal(page.items[1].verdict, "rejected");
	pouch_store_receipt_page_release(&page);
	assert_int_equal(pouch_store_receipt_list(e->s, NCA, 2, 2, &page, &err), 0);
	assert_int_equal(page.n, 2);
	assert_false(page.has_more);
	assert_string_equal(page.items[0].package, b);
	assert_int_equal(page.items[1].seq, 4);
	pouch_store_receipt_page_release(&page);
	/* A recipient is not the sender: it lists none. */
	assert_int_equal(pouch_store_receipt_list(e->s, MET, 0, 10, &page, &err), 0);
	assert_int_equal(page.n, 0);
	pouch_store_receipt_page_release(&page);
}

static int append(struct env *e, const char *caller, const char *id, uint64_t offset,
		  uint64_t max, const char *text, uint64_t *now_at)
{
	int p[2], ret;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	ret = pouch_store_upload_append_fd(e->s, caller, id, offset, max, p[0], now_at, NULL);
	close(p[0]);
	return ret;
}

static uint64_t offset_of(struct env *e, const char *caller, const char *id)
{
	uint64_t n = 99;

	assert_int_equal(pouch_store_upload_offset(e->s, caller, id, &n, NULL), 0);
	return n;
}

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

#define T(name) cmocka_unit_test_setup_teardown(name, setup_store, teardown_store)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__layout_is_private),
		T(test_store__put_is_idempotent),
		T(test_store__same_id_other_digest_conflicts),
		T(test_store__put_refuses_inconsistent_input),
		T(test_store__get_only_for_sender_and_recipients),
		T(test_store__list_pages_with_has_more),
		T(test_store__receipts_idempotent_conflicting_and_listed),
		T(test_store__uploads_offsets_mismatch_and_cap),
		T(test_store__append_session_resumes_after_abort),
		T(test_store__upload_taken_into_request_and_stored),
		T(test_store__failed_put_leaves_nothing),
		T(test_store__reopen_removes_what_a_crash_left),
		T(test_store__reopen_keeps_data_and_sequences),
		T(test_store__newer_index_refused),
		T(test_store__threads_put_concurrently),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
