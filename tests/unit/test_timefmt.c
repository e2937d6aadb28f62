/* Unit tests for pkg/base/timefmt.c: RFC 3339 UTC times (exactly the form pouch writes) and the
 * durations users type (N followed by h, d, w or y, at most 100 years). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/timefmt.h"

static void test_timefmt__format_known_times(void **state)
{
	char buf[POUCH_TIME_LEN];

	(void)state;
	assert_string_equal(pouch_time_format(0, buf), "1970-01-01T00:00:00Z");
	assert_ptr_equal(pouch_time_format(0, buf), buf);
	assert_string_equal(pouch_time_format(1795429260, buf), "2026-11-23T10:21:00Z");
	assert_string_equal(pouch_time_format(1709164800, buf), "2024-02-29T00:00:00Z");
	assert_string_equal(pouch_time_format(-1, buf), "1969-12-31T23:59:59Z");
	assert_int_equal(strlen(buf), POUCH_TIME_LEN - 1);
}

static void test_timefmt__parse_known_times(void **state)
{
	struct pouch_err err = { 0 };
	time_t t = 42;

	(void)state;
	assert_int_equal(pouch_time_parse("2026-11-23T10:21:00Z", &t, &err), 0);
	assert_int_equal(t, 1795429260);
	assert_int_equal(pouch_time_parse("1970-01-01T00:00:00Z", &t, &err), 0);
	assert_int_equal(t, 0);
	assert_int_equal(pouch_time_parse("2000-02-29T12:00:00Z", &t, &err), 0);
	assert_int_equal(t, 951825600);
	assert_int_equal(pouch_time_parse("2024-02-29T00:00:00Z", &t, NULL), 0);
	assert_int_equal(t, 1709164800);
}

static void test_timefmt__round_trip(void **state)
{
	static const time_t samples[] = { 0, 1, 59, 86399, 951782400, 1709164800, 1795429260,
					  2147483647, 2147483648LL, 4102444799LL, 253402300799LL };
	char buf[POUCH_TIME_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		time_t back = 0;
		pouch_time_format(samples[i], buf);
		assert_int_equal(pouch_time_parse(buf, &back, NULL), 0);
		assert_int_equal(back, samples[i]);
	}
	assert_string_equal(pouch_time_format(253402300799LL, buf), "9999-12-31T23:59:59Z");
}

static void time_bad(const char *s)
{
	struct pouch_err err = { 0 };
	time_t t = 42;

	if (pouch_time_parse(s, &t, &err) != POUCH_E_USAGE || err.code != POUCH_E_USAGE ||
	    !strstr(err.msg, "invalid time"))
		fail_msg("time '%s' not refused (msg '%s')", s, err.msg);
	assert_int_equal(t, 42);
	assert_int_equal(pouch_time_parse(s, &t, NULL), POUCH_E_USAGE);
}

static void test_timefmt__parse_refuses_offsets_and_other_forms(void **state)
{
	(void)state;
	time_bad("2026-11-23T10:21:00+00:00");
	time_bad("2026-11-23T10:21:00+01:00");
	time_bad("2026-11-23T10:21:00-0000");
	time_bad("2026-11-23T10:21:00z");
	time_bad("2026-11-23t10:21:00Z");
	time_bad("2026-11-23 10:21:00Z");
	time_bad("2026-11-23T10:21:00.5Z");
	time_bad("2026-11-23T10:21:00");
	time_bad("+026-11-23T10:21:00Z");
	time_bad(" 2026-11-23T10:21:00Z");
	time_bad("2026/11/23T10:21:00Z");
}

static void test_timefmt__parse_refuses_impossible_dates(void **state)
{
	(void)state;
	time_bad("2026-02-31T00:00:00Z");
	time_bad("2026-02-29T00:00:00Z");
	time_bad("2100-02-29T00:00:00Z");
	time_bad("2026-04-31T00:00:00Z");
	time_bad("2026-13-01T00:00:00Z");
	time_bad("2026-00-10T00:00:00Z");
	time_bad("2026-11-00T00:00:00Z");
	time_bad("2026-11-23T24:00:00Z");
	time_bad("2026-11-23T10:60:00Z");
	time_bad("2016-12-31T23:59:60Z"); /* a leap second is not a pouch time */
}

static void test_timefmt__parse_refuses_missing_fields_and_junk(void **state)
{
	(void)state;
	time_bad("");
	time_bad("2026-11-23");
	time_bad("2026-11-23T10:21Z");
	time_bad("2026-11-23T10:21:0Z");
	time_bad("2026-1-23T10:21:00Z");
	time_bad("26-11-23T10:21:00Z");
	time_bad("2026-11-23T10:21:00Zx");
	time_bad("2026-11-23T10:21:00Z ");
	time_bad("2026-11-23T10:21:00Z\n");
	time_bad("2026-11-23T1a:21:00Z");
}

static void dur_ok(const char *s, long long want)
{
	struct pouch_err err = { 0 };
	long long got = -1;

	if (pouch_duration_parse("--expires", s, &got, &err) != 0)
		fail_msg("duration '%s' refused: %s", s, err.msg);
	assert_int_equal(got, want);
}

static void dur_bad(const char *s, const char *want)
{
	struct pouch_err err = { 0 };
	long long got = -1;

	if (pouch_duration_parse("--expires", s, &got, &err) != POUCH_E_USAGE ||
	    err.code != POUCH_E_USAGE || !strstr(err.msg, "invalid --expires") ||
	    !strstr(err.msg, want))
		fail_msg("duration '%s' not refused with '%s' (msg '%s')", s, want, err.msg);
	assert_int_equal(got, -1);
	assert_int_equal(pouch_duration_parse("--overlap", s, &got, NULL), POUCH_E_USAGE);
}

static void test_timefmt__duration_units(void **state)
{
	(void)state;
	dur_ok("1h", 3600);
	dur_ok("36h", 36 * 3600);
	dur_ok("1d", 86400);
	dur_ok("30d", 30 * 86400);
	dur_ok("2w", 14 * 86400);
	dur_ok("1y", 365 * 86400);
	dur_ok("2y", 2LL * 365 * 86400);
	dur_ok("007d", 7 * 86400);
}

static void test_timefmt__duration_limit_is_100_years(void **state)
{
	const long long max = 100LL * 365 * 86400;

	(void)state;
	dur_ok("100y", max);
	dur_ok("36500d", max);
	dur_ok("876000h", max);
	dur_ok("5214w", 5214LL * 7 * 86400);
	dur_bad("101y", "longer than 100 years");
	dur_bad("36501d", "longer than 100 years");
	dur_bad("876001h", "longer than 100 years");
	dur_bad("5215w", "longer than 100 years");
	dur_bad("9223372036854775807y", "longer than 100 years");
	dur_bad("99999999999999999999y", "expected a number and a unit");
}

static void test_timefmt__duration_refuses_malformed(void **state)
{
	const char *shape = "expected a number and a unit";

	(void)state;
	dur_bad("0d", shape);
	dur_bad("0y", shape);
	dur_bad("-1d", shape);
	dur_bad("+1d", shape);
	dur_bad(" 1d", shape);
	dur_bad("1 d", shape);
	dur_bad("1", shape);
	dur_bad("", shape);
	dur_bad("d", shape);
	dur_bad("1m", shape);
	dur_bad("1s", shape);
	dur_bad("1D", shape);
	dur_bad("1Y", shape);
	dur_bad("2yy", shape);
	dur_bad("2y ", shape);
	dur_bad("1.5d", shape);
	dur_bad("1d2h", shape);
	dur_bad("0x10d", shape);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timefmt__format_known_times),
		cmocka_unit_test(test_timefmt__parse_known_times),
		cmocka_unit_test(test_timefmt__round_trip),
		cmocka_unit_test(test_timefmt__parse_refuses_offsets_and_other_forms),
		cmocka_unit_test(test_timefmt__parse_refuses_impossible_dates),
		cmocka_unit_test(test_timefmt__parse_refuses_missing_fields_and_junk),
		cmocka_unit_test(test_timefmt__duration_units),
		cmocka_unit_test(test_timefmt__duration_limit_is_100_years),
		cmocka_unit_test(test_timefmt__duration_refuses_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
