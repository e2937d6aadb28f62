/* Unit tests for push's retry delays: full jitter within min(cap, base * 2^n), never below a
 * server's Retry-After. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exchange/push.h"

static void test_push__backoff_grows_and_is_capped(void **state)
{
	unsigned n;

	(void)state;
	/* rnd at its top gives the ceiling of retry n: 1 s, 2 s, 4 s, ... up to the cap. */
	assert_int_equal(pouch_push_backoff_ms(0, 0, UINT32_MAX), 1000);
	assert_int_equal(pouch_push_backoff_ms(1, 0, UINT32_MAX), 2000);
	assert_int_equal(pouch_push_backoff_ms(3, 0, UINT32_MAX), 8000);
	assert_int_equal(pouch_push_backoff_ms(4, 0, UINT32_MAX), 16000);
	assert_int_equal(pouch_push_backoff_ms(5, 0, UINT32_MAX), POUCH_PUSH_BACKOFF_CAP_MS);
	for (n = 5; n < 100; n++)
		assert_int_equal(pouch_push_backoff_ms(n, 0, UINT32_MAX),
				 POUCH_PUSH_BACKOFF_CAP_MS);
}

static void test_push__backoff_full_jitter_range(void **state)
{
	uint32_t r;
	uint64_t d;

	(void)state;
	assert_int_equal(pouch_push_backoff_ms(0, 0, 0), 0);
	assert_int_equal(pouch_push_backoff_ms(10, 0, 0), 0);
	/* The middle of the random range lands in the middle of the delay range. */
	d = pouch_push_backoff_ms(2, 0, UINT32_MAX / 2);
	assert_true(d >= 1999 && d <= 2001);
	for (r = 0; r < UINT32_MAX - 65537u; r += 65537u) {
		d = pouch_push_backoff_ms(1, 0, r);
		assert_true(d <= 2000);
	}
}

static void test_push__backoff_honours_retry_after(void **state)
{
	(void)state;
	assert_int_equal(pouch_push_backoff_ms(0, 5000, 0), 5000);
	assert_int_equal(pouch_push_backoff_ms(0, 5000, UINT32_MAX), 5000);
	assert_int_equal(pouch_push_backoff_ms(6, 1000, UINT32_MAX), POUCH_PUSH_BACKOFF_CAP_MS);
	assert_int_equal(pouch_push_backoff_ms(0, 60000, UINT32_MAX), 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push__backoff_grows_and_is_capped),
		cmocka_unit_test(test_push__backoff_full_jitter_range),
		cmocka_unit_test(test_push__backoff_honours_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
