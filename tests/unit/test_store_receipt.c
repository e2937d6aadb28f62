/* The package store's receipts (pkg/server/store_receipt.c): filed once, a conflicting one
 * refused, listed for the sender. */
#define _GNU_SOURCE
#include "store_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__receipts_idempotent_conflicting_and_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
