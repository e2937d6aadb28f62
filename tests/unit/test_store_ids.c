/* Unit tests for pouchd's package store (pkg/server/store*.c): an id belongs to its sender. Two
 * senders' packages under one id are two packages, each with its files, lookups and receipts;
 * an index and files written before (ids unique across senders) are migrated and kept. */
#define _GNU_SOURCE
#include "fixture.h"

#include "base/db.h"
#include "server/store.h"

#define NCA "GB-NCA-CEOP"
#define MET "GB-MET"
#define GMP "GB-GMP"
#define NOW 1780272000

static const char *digest(char c)
{
	static char d[16][POUCH_SHA256_HEX];
	int i = (c >= 'a' ? c - 'a' + 10 : c - '0') & 15;

	memset(d[i], c, POUCH_SHA256_HEX - 1);
	d[i][POUCH_SHA256_HEX - 1] = '\0';
	return d[i];
}

static struct pouch_store *store_open(struct fixture *f)
{
	struct pouch_store *s = NULL;
	struct pouch_err err = { 0 };

	if (pouch_store_open(at(f, "data"), &s, &err) < 0)
		fail_msg("%s", err.msg);
	return s;
}

/* Stores text as package id from sender to MET, with envelope digest d. */
static int put(struct pouch_store *s, const char *id, const char *sender, const char *text,
	       char d, struct pouch_store_record *rec, int *existing, struct pouch_err *err)
{
	struct pouch_header h;
	struct pouch_store_req *r = NULL;
	struct pouch_store_put in = {
		.h = &h, .sender = sender, .digest = digest(d), .header_sha256 = digest(d),
		.received = NOW,
	};
	char *path = NULL;
	int ret;

	memset(&h, 0, sizeof(h));
	snprintf(h.id, sizeof(h.id), "%s", id);
	snprintf(h.sender.agency, sizeof(h.sender.agency), "%s", sender);
	snprintf(h.recipients[0].agency, sizeof(h.recipients[0].agency), "%s", MET);
	h.nrecipients = 1;
	if ((ret = pouch_store_req_new(s, &r, err)) < 0)
		return ret;
	if (asprintf(&path, "%s/%s.pouch", pouch_store_req_dir(r), id) < 0)
		path = NULL;
	ret = path ? pouch_fs_write_atomic(path, text, strlen(text), 0600, 1, err) : POUCH_E_NOMEM;
	if (ret == 0)
		ret = pouch_store_put(s, r, &in, rec, existing, err);
	free(path);
	pouch_store_req_free(r);
	return ret;
}

static void assert_file(struct pouch_store *s, const struct pouch_store_record *rec,
			const char *text)
{
	char *env = NULL, *pay = NULL, *got = NULL;
	size_t len = 0;

	assert_int_equal(pouch_store_files(s, rec, &env, &pay, NULL), 0);
	assert_int_equal(pouch_fs_read(env, 1024, &got, &len, NULL), 0);
	assert_string_equal(got, text);
	free(got);
	free(env);
	free(pay);
}

static int receipt(struct pouch_store *s, const char *id, const char *sender, char d,
		   int *existing)
{
	struct pouch_store_receipt rc = { 0 };

	snprintf(rc.package, sizeof(rc.package), "%s", id);
	snprintf(rc.sender, sizeof(rc.sender), "%s", sender);
	snprintf(rc.from, sizeof(rc.from), "%s", MET);
	snprintf(rc.verdict, sizeof(rc.verdict), "accepted");
	snprintf(rc.sha256, sizeof(rc.sha256), "%s", digest(d));
	rc.bytes = (char *)"{}";
	rc.len = 2;
	rc.received = NOW;
	return pouch_store_receipt_put(s, &rc, existing, NULL);
}

static void test_store_ids__same_id_two_senders_two_packages(void **state)
{
	struct fixture *f = *state;
	struct pouch_store *s = store_open(f);
	struct pouch_store_record a, b, rec;
	struct pouch_store_receipt_page page = { 0 };
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN];
	int existing = 1;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	/* The other sender was first: it does not block the genuine one, nor the reverse. */
	assert_int_equal(put(s, id, GMP, "from gmp", 'b', &b, &existing, &err), 0);
	assert_false(existing);
	assert_int_equal(put(s, id, NCA, "from nca", 'a', &a, &existing, &err), 0);
	assert_false(existing);
	assert_true(a.seq > b.seq);
	/* Their files: the first keeps the plain id as its name. */
	assert_string_equal(b.name, id);
	assert_true(strncmp(a.name, NCA ".", strlen(NCA) + 1) == 0);
	assert_string_equal(a.name + strlen(NCA) + 1, id);
	/* Each resends as its own, and conflicts only with itself. */
	assert_int_equal(put(s, id, NCA, "from nca", 'a', &rec, &existing, &err), 0);
	assert_true(existing);
	assert_int_equal(rec.seq, a.seq);
	assert_int_equal(put(s, id, GMP, "other", 'c', &rec, &existing, &err), POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, GMP));
	/* Found by sender; the recipient who sees both must say which. */
	assert_int_equal(pouch_store_get(s, MET, NCA, id, &rec, NULL), 0);
	assert_string_equal(rec.sender, NCA);
	assert_file(s, &rec, "from nca");
	assert_int_equal(pouch_store_get(s, MET, GMP, id, &rec, NULL), 0);
	assert_file(s, &rec, "from gmp");
	assert_int_equal(pouch_store_get(s, MET, NULL, id, &rec, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "name its sender"));
	/* A sender sees only its own, with or without naming it. */
	assert_int_equal(pouch_store_get(s, NCA, NULL, id, &rec, NULL), 0);
	assert_int_equal(rec.seq, a.seq);
	assert_int_equal(pouch_store_get(s, NCA, GMP, id, &rec, NULL), POUCH_E_NOTFOUND);
	assert_int_equal(pouch_store_get(s, MET, "bad code", id, &rec, NULL), POUCH_E_USAGE);
	/* A receipt goes to the package of the sender it names. */
	assert_int_equal(receipt(s, id, NCA, '1', &existing), 0);
	assert_false(existing);
	assert_int_equal(receipt(s, id, GMP, '2', &existing), 0);
	assert_false(existing);
	assert_int_equal(pouch_store_receipt_list(s, NCA, 0, 10, &page, NULL), 0);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.items[0].sha256, digest('1'));
	assert_string_equal(page.items[0].sender, NCA);
	pouch_store_receipt_page_release(&page);
	/* Reopening keeps both packages' files. */
	pouch_store_close(s);
	s = store_open(f);
	assert_int_equal(pouch_store_get(s, MET, GMP, id, &rec, NULL), 0);
	assert_file(s, &rec, "from gmp");
	assert_int_equal(pouch_store_get(s, MET, NCA, id, &rec, NULL), 0);
	assert_file(s, &rec, "from nca");
	pouch_store_close(s);
}

/* Version 1 of the index, as the store made it before ids were per sender. */
static const char *const v1[] = {
	"CREATE TABLE packages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
	" sender TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL, payload_size INTEGER,"
	" payload_sha256 TEXT, header_sha256 TEXT NOT NULL, received INTEGER NOT NULL,"
	" CHECK ((payload_size IS NULL) = (payload_sha256 IS NULL)));"
	"CREATE TABLE recipients (package INTEGER NOT NULL REFERENCES packages(seq),"
	" pos INTEGER NOT NULL, agency TEXT NOT NULL, PRIMARY KEY (package, pos),"
	" UNIQUE (agency, package)) WITHOUT ROWID;"
	"CREATE TABLE receipts (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" package INTEGER NOT NULL REFERENCES packages(seq), sender TEXT NOT NULL,"
	" agency TEXT NOT NULL, verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),"
	" sha256 TEXT NOT NULL, body BLOB NOT NULL, received INTEGER NOT NULL,"
	" UNIQUE (package, agency));"
	"CREATE INDEX receipts_by_sender ON receipts (sender, seq);",
};

static void test_store_ids__old_index_and_files_migrated(void **state)
{
	struct fixture *f = *state;
	struct pouch_store *s;
	struct pouch_store_record rec;
	struct pouch_store_page page = { 0 };
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };
	char id[POUCH_UUID_LEN], name[128], *sql = NULL;
	int existing = 1;

	assert_int_equal(pouch_uuid_new(id, NULL), 0);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "data/packages"), NULL), 0);
	snprintf(name, sizeof(name), "data/packages/%s.pouch", id);
	put_text(at(f, name), "old envelope", 0600);
	assert_int_equal(pouch_db_open(at(f, "data/pouchd.db"), &db, NULL), 0);
	assert_int_equal(pouch_db_migrate(db, v1, 1, NULL), 0);
	/* Package 1 was removed by the operator: its seq is never given again. */
	assert_true(asprintf(&sql,
		 "INSERT INTO packages VALUES (1, 'ab2ff3a4-0b7d-4a55-8f1e-6a3c2f9d1e11', '%s',"
		 " '%s', 9, NULL, NULL, '%s', %d);"
		 "INSERT INTO packages VALUES (2, '%s', '%s', '%s', 12, NULL, NULL, '%s', %d);"
		 "INSERT INTO recipients VALUES (2, 0, '%s');"
		 "INSERT INTO receipts VALUES (1, 2, '%s', '%s', 'accepted', '%s', x'7b7d', %d);"
		 "DELETE FROM packages WHERE seq = 1;",
		 NCA, digest('9'), digest('9'), NOW, id, NCA, digest('a'), digest('e'), NOW, MET,
		 NCA, MET, digest('1'), NOW) > 0);
	assert_int_equal(pouch_db_exec(db, sql, &err), 0);
	free(sql);
	pouch_db_close(db);

	s = store_open(f);
	assert_int_equal(pouch_store_get(s, MET, NULL, id, &rec, &err), 0);
	assert_int_equal(rec.seq, 2);
	assert_string_equal(rec.header_sha256, digest('e'));
	assert_int_equal(rec.nrecipients, 1);
	assert_file(s, &rec, "old envelope");
	/* The same sender's id still conflicts; another sender's is another package, and new
	 * packages go on after the highest seq ever given. */
	assert_int_equal(put(s, id, NCA, "x", 'b', &rec, &existing, &err), POUCH_E_EXISTS);
	assert_int_equal(put(s, id, NCA, "old envelope", 'a', &rec, &existing, &err), 0);
	assert_true(existing);
	assert_int_equal(put(s, id, GMP, "from gmp", 'c', &rec, &existing, &err), 0);
	assert_false(existing);
	assert_int_equal(rec.seq, 3);
	assert_int_equal(receipt(s, id, NCA, '1', &existing), 0);
	assert_true(existing);
	pouch_store_close(s);
	/* Opened again: nothing migrates twice, nothing is taken for an orphan. */
	s = store_open(f);
	assert_int_equal(pouch_store_list(s, MET, 0, 10, &page, NULL), 0);
	assert_int_equal(page.n, 2);
	assert_file(s, &page.items[0], "old envelope");
	assert_file(s, &page.items[1], "from gmp");
	pouch_store_page_release(&page);
	pouch_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_ids__same_id_two_senders_two_packages,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_ids__old_index_and_files_migrated, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
