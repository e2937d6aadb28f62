/* The package store's tests (pkg/server/store*.c) share a store in the fixture's directory,
 * puts of packages whose headers are filled in directly (this layer stores what the daemon
 * verified), receipts filed and uploads appended. Define _GNU_SOURCE before including this. */
#ifndef POUCH_TEST_STORE_FIXTURE_H
#define POUCH_TEST_STORE_FIXTURE_H

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

FIXTURE_FN void env_open(struct env *e, struct fixture *f)
{
	struct pouch_err err = { 0 };

	e->f = f;
	snprintf(e->data, sizeof(e->data), "%s/data", f->dir);
	if (pouch_store_open(e->data, &e->s, &err) < 0)
		fail_msg("%s", err.msg);
}

FIXTURE_FN void env_reopen(struct env *e)
{
	pouch_store_close(e->s);
	e->s = NULL;
	env_open(e, e->f);
}

/* e->data/name, in the fixture's path buffer. */
FIXTURE_FN const char *dpath(struct env *e, const char *name)
{
	snprintf(e->f->path, sizeof(e->f->path), "%s/%s", e->data, name);
	return e->f->path;
}

/* 64 copies of hex digit c: a stand-in SHA-256. Filled once, so that threads only read it
 * after the main thread's first use. */
FIXTURE_FN const char *digest(char c)
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
FIXTURE_FN void header(struct pouch_header *h, const char *id, const char *sender, ...)
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
FIXTURE_FN int put(struct env *e, const struct pouch_header *h, const char *sender,
		   const char *text, char d, struct pouch_store_record *rec, int *existing,
		   struct pouch_err *err)
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
FIXTURE_FN int64_t put_new(struct env *e, char *id, int both)
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

FIXTURE_FN int setup_store(void **state)
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

FIXTURE_FN int teardown_store(void **state)
{
	struct env *e = *state;
	struct fixture *f = e->f;

	pouch_store_close(e->s);
	free(e);
	*state = f;
	return teardown(state);
}

/* Files a receipt for id from "from" with bytes text and digest d. */
FIXTURE_FN int receipt(struct env *e, const char *id, const char *from, const char *verdict,
		       const char *text, char d, struct pouch_store_receipt *rc, int *existing,
		       struct pouch_err *err)
{
	memset(rc, 0, sizeof(*rc));
	snprintf(rc->package, sizeof(rc->package), "%s", id);
	snprintf(rc->sender, sizeof(rc->sender), "%s", NCA);
	snprintf(rc->from, sizeof(rc->from), "%s", from);
	snprintf(rc->verdict, sizeof(rc->verdict), "%s", verdict);
	snprintf(rc->sha256, sizeof(rc->sha256), "%.64s", digest(d));
	rc->bytes = (char *)text;
	rc->len = strlen(text);
	rc->received = NOW + 5;
	return pouch_store_receipt_put(e->s, rc, existing, err);
}

FIXTURE_FN int append(struct env *e, const char *caller, const char *id, uint64_t offset,
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

FIXTURE_FN uint64_t offset_of(struct env *e, const char *caller, const char *id)
{
	uint64_t n = 99;

	assert_int_equal(pouch_store_upload_offset(e->s, caller, id, &n, NULL), 0);
	return n;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_store, teardown_store)

#endif
