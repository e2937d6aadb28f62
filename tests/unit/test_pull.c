/* The receipts pull collects for what we sent (pouch_pull_receipt_store) on real keys: a
 * genuine one is filed on its delivery once; a forged one (a body under another body's
 * signature), one for a package we did not send, one for another header, one from an agency
 * that was not a recipient, and a second different one are refused and change nothing. */
#include "agencies.h"

#include <jansson.h>
#include <time.h>

#include "exchange/pull.h"
#include "package/receipt.h"
#include "exchange/state.h"

/* S sent package PKG to R (and nothing to O, a partner S pins as well). */
static char dir[32];
static struct agency S, R, O;
static struct pouch_state st;

#define PKG "6f1c1ae4-5a3b-4c2d-9e8f-0a1b2c3d4e5f"
#define OTHER "0b1c1ae4-5a3b-4c2d-9e8f-0a1b2c3d4e5f"
#define SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA2 "cb7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pp.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	agency_make(&S, dir, "GB-NCA");
	agency_make(&R, dir, "GB-MET");
	agency_make(&O, dir, "GB-OTH");
	agency_pin(&R, &S);
	agency_pin(&O, &S);
	agency_pin(&S, &R);
	agency_pin(&S, &O);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	agency_drop(&S);
	agency_drop(&R);
	agency_drop(&O);
	return pouch_fs_remove_tree(dir, NULL);
}

/* A fresh state for S holding its outgoing row for PKG, delivered to GB-MET. */
static int state_setup(void **state)
{
	(void)state;
	assert_int_equal(pouch_state_open(&S.h, &st, NULL), 0);
	assert_int_equal(
	    pouch_db_exec(st.db,
			  "DELETE FROM delivery; DELETE FROM outgoing;"
			  "INSERT INTO outgoing (id, sender, digest, size, header_sha256,"
			  " priority, created, expires, queued) VALUES ('" PKG "', "
			  "'GB-NCA', '" SHA "', 10, '" SHA "', 'routine', 1, 2, 1);"
			  "INSERT INTO delivery (id, pos, recipient, state, delivered) "
			  "VALUES ('" PKG "', 0, 'GB-MET', 'delivered', 1);",
			  NULL),
	    0);
	return 0;
}

static int state_teardown(void **state)
{
	(void)state;
	pouch_state_close(&st);
	return 0;
}

/* x's receipt file for package id with header SHA-256 sha from GB-NCA. */
static char *receipt(struct agency *x, const char *id, const char *sha, int accepted, size_t *len)
{
	struct pouch_receipt r = {0};
	struct pouch_err err = {0};
	char *file = NULL;

	strcpy(r.package, id);
	strcpy(r.header_sha256, sha);
	strcpy(r.sender, "GB-NCA");
	r.accepted = accepted;
	if (!accepted)
		strcpy(r.reason, "not genuine");
	r.time = time(NULL);
	if (pouch_receipt_make(&x->h, &r, NULL, &file, len, &err) < 0)
		fail_msg("pouch_receipt_make: %s", err.msg);
	return file;
}

/* The receipt columns of the delivery to GB-MET, as "verdict|reason". */
static void delivery_is(const char *want)
{
	struct pouch_db_stmt *q = NULL;
	char got[600];

	assert_int_equal(pouch_db_prepare(st.db,
					  "SELECT coalesce(receipt_verdict, '-') || '|' || "
					  "coalesce(receipt_reason, '-') FROM delivery",
					  &q, NULL),
			 0);
	assert_int_equal(pouch_db_step(q, NULL), POUCH_DB_ROW);
	snprintf(got, sizeof(got), "%s", pouch_db_column_text(q, 0));
	pouch_db_finalize(q);
	assert_string_equal(got, want);
}

/* Storing file is refused with code and a message containing want; nothing is filed. */
static void refused(const char *file, size_t len, int code, const char *want)
{
	struct pouch_err err = {0};
	int stored = 7;

	assert_int_equal(
	    pouch_pull_receipt_store(&S.h, &st, file, len, time(NULL), NULL, &stored, &err), code);
	if (!strstr(err.msg, want))
		fail_msg("message '%s' lacks '%s'", err.msg, want);
	assert_int_equal(stored, 0);
}

static void test_pull__a_genuine_receipt_is_filed_once(void **state)
{
	struct pouch_receipt r;
	struct pouch_err err = {0};
	size_t len = 0;
	char *file = receipt(&R, PKG, SHA, 0, &len);
	int stored = 0;

	(void)state;
	delivery_is("-|-");
	assert_int_equal(
	    pouch_pull_receipt_store(&S.h, &st, file, len, time(NULL), &r, &stored, &err), 0);
	assert_int_equal(stored, 1);
	assert_string_equal(r.recipient.agency, "GB-MET");
	delivery_is("rejected|not genuine");
	/* The same receipt again: nothing new. */
	assert_int_equal(
	    pouch_pull_receipt_store(&S.h, &st, file, len, time(NULL), NULL, &stored, &err), 0);
	assert_int_equal(stored, 0);
	free(file);
}

static void test_pull__a_forged_receipt_is_refused(void **state)
{
	size_t l1 = 0, l2 = 0;
	char *good = receipt(&R, PKG, SHA, 1, &l1), *other = receipt(&R, PKG, SHA, 0, &l2), *forged;
	json_t *a = json_loads(good, 0, NULL), *b = json_loads(other, 0, NULL);

	(void)state;
	/* The rejected body under the accepted body's signature. */
	json_object_set(a, "receipt", json_object_get(b, "receipt"));
	forged = json_dumps(a, JSON_COMPACT);
	refused(forged, strlen(forged), POUCH_E_VERIFY, "not genuine");
	delivery_is("-|-");
	free(forged);
	json_decref(a);
	json_decref(b);
	free(good);
	free(other);
}

static void test_pull__a_receipt_for_a_package_we_did_not_send_is_refused(void **state)
{
	size_t len = 0;
	char *file = receipt(&R, OTHER, SHA, 1, &len);

	(void)state;
	refused(file, len, POUCH_E_VERIFY, "which we did not send");
	free(file);
}

static void test_pull__a_receipt_for_another_header_is_refused(void **state)
{
	size_t len = 0;
	char *file = receipt(&R, PKG, SHA2, 1, &len);

	(void)state;
	refused(file, len, POUCH_E_VERIFY, "acknowledges another header");
	delivery_is("-|-");
	free(file);
}

static void test_pull__a_receipt_from_a_non_recipient_is_refused(void **state)
{
	size_t len = 0;
	char *file = receipt(&O, PKG, SHA, 1, &len);

	(void)state;
	refused(file, len, POUCH_E_VERIFY, "not one of its recipients");
	delivery_is("-|-");
	free(file);
}

static void test_pull__a_second_different_receipt_is_refused(void **state)
{
	size_t l1 = 0, l2 = 0;
	char *first = receipt(&R, PKG, SHA, 1, &l1), *second = receipt(&R, PKG, SHA, 0, &l2);

	(void)state;
	assert_int_equal(
	    pouch_pull_receipt_store(&S.h, &st, first, l1, time(NULL), NULL, NULL, NULL), 0);
	refused(second, l2, POUCH_E_EXISTS, "another receipt");
	delivery_is("accepted|-");
	free(first);
	free(second);
}

#define PULL_CASE(fn) cmocka_unit_test_setup_teardown(fn, state_setup, state_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PULL_CASE(test_pull__a_genuine_receipt_is_filed_once),
	    PULL_CASE(test_pull__a_forged_receipt_is_refused),
	    PULL_CASE(test_pull__a_receipt_for_a_package_we_did_not_send_is_refused),
	    PULL_CASE(test_pull__a_receipt_for_another_header_is_refused),
	    PULL_CASE(test_pull__a_receipt_from_a_non_recipient_is_refused),
	    PULL_CASE(test_pull__a_second_different_receipt_is_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
