/* Unit tests for pkg/server/reqparse.c: the one decimal parser, HTTP methods, and raw request targets
 * decided on before anything decodes them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/reqparse.h"

static void test_reqparse__decimal_one_form(void **state)
{
	static const char *const bad[] = { "", "+5", "-5", " 5", "5 ", "007", "00", "0x5", "5e1",
					   "1.0", "18446744073709551616", "99999999999999999999999",
					   "\xd9\xa5" };
	uint64_t v = 1;
	size_t i;

	(void)state;
	assert_int_equal(pouch_decimal_parse("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(pouch_decimal_parse("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(pouch_decimal_parse("1000", 1000, NULL), 0);
	assert_int_equal(pouch_decimal_parse("1001", 1000, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_decimal_parse(NULL, 1000, NULL), POUCH_E_USAGE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pouch_decimal_parse(bad[i], UINT64_MAX, NULL) != POUCH_E_USAGE)
			fail_msg("'%s' taken as a number", bad[i]);
}

static void test_reqparse__method_is_a_token(void **state)
{
	static const char *const bad[] = { "", "G\x1b[31mET", "GET\r", "G\"T", "G T",
					   "AAAAAAAAAAAAAAAAA" };
	size_t i;

	(void)state;
	assert_int_equal(pouch_req_method_check("GET", NULL), 0);
	assert_int_equal(pouch_req_method_check("PATCH", NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pouch_req_method_check(bad[i], NULL) != POUCH_E_USAGE)
			fail_msg("method '%s' taken", bad[i]);
}

static void test_reqparse__target_decoded(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(pouch_req_target_decode("/v1/health", out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/v1/health");
	assert_int_equal(pouch_req_target_decode("/v1/packages?after=5&limit=1", out, sizeof(out),
						 NULL), 0);
	assert_string_equal(out, "/v1/packages");
	assert_int_equal(pouch_req_target_decode("/a%20b%C3%A9", out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/a b\xc3\xa9");
	assert_int_equal(pouch_req_target_decode("/", out, sizeof(out), NULL), 0);
	assert_int_equal(pouch_req_target_decode("/v1/health", out, 5, NULL), POUCH_E_USAGE);
}

static void test_reqparse__target_refused(void **state)
{
	static const char *const bad[] = {
		"", "v1/health", "*", "http://x/v1/health", "/v1/health%00", "/v1/health%00/x",
		"/v1%2Fhealth", "/v1%2fhealth", "/v1/%68ealth", "/v1/health%2E", "/v1/health%0A",
		"/v1/health%7F", "/v1/health%", "/v1/health%4", "/v1/health%zz", "/v1/health%C3",
		"/v1/health%C3%28", "/v1/hea\x01lth", "/v1/health ", "/v1/health#x", "/v1/\"x",
		"/v1/h\xc3\xa9", "/v1/./health", "/v1/../health", "/v1//health", "/v1/health/",
		"/v1/packages?after=1%00", "/v1/packages?limit=%0d%0a5", "/v1/packages?a=\x1b",
		"/v1/packages?a=%g0", "/v1/packages?a=%c2%85",
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pouch_req_target_decode(bad[i], out, sizeof(out), NULL) != POUCH_E_USAGE)
			fail_msg("target '%s' taken", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reqparse__decimal_one_form),
		cmocka_unit_test(test_reqparse__method_is_a_token),
		cmocka_unit_test(test_reqparse__target_decoded),
		cmocka_unit_test(test_reqparse__target_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
