/* Unit tests for pkg/server/reqparse.c: what pouchd parses from a request before a handler runs (route
 * paths, decimal header and parameter values, the Range header). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/reqparse.h"
#include "base/uuid.h"

#define ID "1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7"

static void test_request__match_fixed_and_id_routes(void **state)
{
	char id[POUCH_UUID_LEN];

	(void)state;
	assert_int_equal(pouch_req_match("/v1/health", "/v1/health", id), 1);
	assert_int_equal(pouch_req_match("/v1/health", "/v1/health/", id), 0);
	assert_int_equal(pouch_req_match("/v1/health", "/v1/healt", id), 0);
	memset(id, 0, sizeof(id));
	assert_int_equal(pouch_req_match("/v1/packages/{id}", "/v1/packages/" ID, id), 1);
	assert_string_equal(id, ID);
	assert_int_equal(pouch_req_match("/v1/packages/{id}/payload",
					 "/v1/packages/" ID "/payload", id), 1);
	assert_int_equal(pouch_req_match("/v1/packages/{id}", "/v1/packages/" ID "/payload", id),
			 0);
	assert_int_equal(pouch_req_match("/v1/packages/{id}/payload", "/v1/packages/" ID, id), 0);
}

static void test_request__match_refuses_bad_ids(void **state)
{
	char id[POUCH_UUID_LEN];

	(void)state;
	assert_int_equal(pouch_req_match("/v1/packages/{id}", "/v1/packages/", id), 0);
	assert_int_equal(pouch_req_match("/v1/packages/{id}", "/v1/packages/x", id), 0);
	assert_int_equal(pouch_req_match("/v1/packages/{id}",
					 "/v1/packages/1DD83BF9-7365-4A9A-AB85-9FE6B1102EC7", id),
			 0);
	assert_int_equal(pouch_req_match("/v1/packages/{id}",
					 "/v1/packages/../../../etc/passwd/abcdefghijklm", id), 0);
	assert_int_equal(pouch_req_match("/v1/uploads/{id}", "/v1/uploads/" ID "x", id), 0);
}

static void test_request__uint_takes_plain_decimals(void **state)
{
	uint64_t n = 42;

	(void)state;
	assert_int_equal(pouch_decimal_parse("0", UINT64_MAX, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pouch_decimal_parse("8571", UINT64_MAX, &n), 0);
	assert_int_equal(n, 8571);
	assert_int_equal(pouch_decimal_parse("18446744073709551615", UINT64_MAX, &n), 0);
	assert_true(n == UINT64_MAX);
}

/* A value that is not the number its digits say: found by tests/fuzz/fuzz_request.c (" -5" was
 * taken as 2^64 - 5, through strtoull's leading blanks and sign). */
static void test_request__uint_refuses_signs_blanks_junk_overflow(void **state)
{
	static const char *const bad[] = { "", "-1", " -5", "\t-5", "+5", " 5", "5 ", "5x", "0x10",
					   "18446744073709551616", "99999999999999999999999" };
	uint64_t n = 42;
	size_t i;

	(void)state;
	/* Refused, and nothing written to the value. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pouch_decimal_parse(bad[i], UINT64_MAX, &n), POUCH_E_USAGE);
		assert_int_equal(n, 42);
	}
	assert_int_equal(pouch_decimal_parse(NULL, UINT64_MAX, &n), POUCH_E_USAGE);
}

static void test_request__range(void **state)
{
	(void)state;
	assert_int_equal(pouch_req_range(NULL), -1);
	assert_int_equal(pouch_req_range("bytes=0-"), 0);
	assert_int_equal(pouch_req_range("bytes=123-"), 123);
	assert_int_equal(pouch_req_range("bytes=9223372036854775807-"), INT64_MAX);
	assert_int_equal(pouch_req_range("bytes=9223372036854775808-"), -2);
	assert_int_equal(pouch_req_range("bytes=-5"), -2);
	assert_int_equal(pouch_req_range("bytes=1-2"), -2);
	assert_int_equal(pouch_req_range("bytes= 1-"), -2);
	assert_int_equal(pouch_req_range("items=1-"), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request__match_fixed_and_id_routes),
		cmocka_unit_test(test_request__match_refuses_bad_ids),
		cmocka_unit_test(test_request__uint_takes_plain_decimals),
		cmocka_unit_test(test_request__uint_refuses_signs_blanks_junk_overflow),
		cmocka_unit_test(test_request__range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
