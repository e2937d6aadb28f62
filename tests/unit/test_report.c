/* Unit tests for pkg/report/: the report model's checker (every error with its path), the
 * rules between members, the markings, the attachments list against the files, skeletons. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report/report.h"

static const char valid_text[] =
	"{\"format\": \"pouch-report/1\","
	" \"header\": {\"reference\": \"R-1\", \"title\": \"t\", \"created\": \"2026-01-01T00:00:00Z\","
	"  \"originator\": {\"agency\": \"GB-TEST\", \"unit\": \"u\", \"officer\": \"o\","
	"   \"contact_24x7\": \"+441632960000\"}},"
	" \"handling\": {\"classification\": {\"tier\": \"SECRET\", \"sensitive\": false,"
	"   \"caveats\": []}, \"tlp\": \"TLP:RED\", \"scheme\": \"uk-3x5x2\", \"codes\": [\"P\"],"
	"  \"purpose\": \"p\", \"legal_basis\": \"l\"},"
	" \"priority\": {\"level\": \"routine\"},"
	" \"items\": [{\"n\": 1, \"text\": \"x\", \"grade\": {\"source\": \"2\", \"intelligence\": \"B\"}}]}";

static json_t *report(void)
{
	json_t *r = NULL;

	assert_int_equal(pouch_json_parse("test", valid_text, strlen(valid_text), &r, NULL), 0);
	return r;
}

/* Whether one of the messages is exactly line. */
static int has(const struct pouch_report_errors *e, const char *line)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->msg[i], line))
			return 1;
	return 0;
}

static void check_invalid(json_t *r, size_t count, const char *line)
{
	struct pouch_report_errors e = { 0 };
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_report_validate(r, &e, &err), POUCH_E_REFUSED);
	if (e.count != count || !has(&e, line)) {
		size_t i;
		for (i = 0; i < e.n; i++)
			print_message("  %s\n", e.msg[i]);
		fail_msg("want %zu errors with '%s', got %zu", count, line, e.count);
	}
	assert_non_null(strstr(err.msg, "not valid"));
	pouch_report_errors_release(&e);
	assert_null(e.msg);
	json_decref(r);
}

static void test_report__valid_report_passes(void **state)
{
	struct pouch_report_errors e = { 0 };
	struct pouch_report_marks m;
	json_t *r = report();

	(void)state;
	assert_int_equal(pouch_report_validate(r, &e, NULL), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(e.count, 0);
	assert_int_equal(pouch_report_marks(r, &m, NULL), 0);
	assert_string_equal(m.tier, "SECRET");
	assert_string_equal(m.tlp, "TLP:RED");
	assert_string_equal(m.priority, "routine");
	json_decref(r);
}

static void test_report__every_error_at_once_with_its_path(void **state)
{
	json_t *r = report();

	(void)state;
	json_object_set_new(json_object_get(r, "handling"), "tlp", json_string("PURPLE"));
	json_array_set_new(json_object_get(json_object_get(r, "handling"), "codes"), 0,
			   json_string("X"));
	json_object_del(json_object_get(r, "header"), "title");
	json_object_set_new(r, "grading", json_string("9x9x9"));
	check_invalid(r, 4, "handling.codes[0]: 'X' is not a 3x5x2 handling code (P or C)");
	r = report();
	json_object_set_new(r, "grading", json_string("9x9x9"));
	check_invalid(r, 1, "grading: unknown member");
	r = report();
	json_object_del(json_object_get(r, "header"), "title");
	check_invalid(r, 1, "header.title: missing (expected text)");
}

static void test_report__conditions_follow_the_code(void **state)
{
	json_t *r = report(), *h;

	(void)state;
	h = json_object_get(r, "handling");
	json_array_set_new(json_object_get(h, "codes"), 0, json_string("C"));
	check_invalid(r, 1, "handling.conditions: missing: required with 3x5x2 handling code C "
		      "(the conditions the recipient must keep)");
	r = report();
	h = json_object_get(r, "handling");
	json_object_set_new(h, "scheme", json_string("europol-4x4"));
	json_object_set_new(h, "codes", json_pack("[s, s]", "H1", "H3"));
	/* and the 3x5x2 grade is now wrong in two ways: intelligence is no Europol member */
	check_invalid(r, 4, "handling.conditions: missing: required with Europol handling code H3 "
		      "(the conditions the recipient must keep)");
}

static void test_report__grades_in_the_scheme(void **state)
{
	json_t *r = report(), *h;

	(void)state;
	h = json_object_get(r, "handling");
	json_object_set_new(h, "scheme", json_string("uk-5x5x5"));
	json_array_set_new(json_object_get(h, "codes"), 0, json_string("4"));
	check_invalid(r, 2, "items[0].grade.source: '2' is not a 5x5x5 source evaluation "
		      "(A, B, C, D or E)");
	r = report();
	h = json_object_get(r, "handling");
	json_object_set_new(h, "codes", json_pack("[s, s]", "P", "C"));
	check_invalid(r, 2, "handling.codes: a 3x5x2 report has exactly one handling code, not 2");
}

static void test_report__immediate_needs_reason_time_contact(void **state)
{
	json_t *r = report();

	(void)state;
	json_object_set_new(r, "priority", json_pack("{s:s}", "level", "immediate"));
	check_invalid(r, 3, "priority.respond_by: missing: required for an immediate report");
}

static void test_report__placeholders_and_forms(void **state)
{
	json_t *r = report();

	(void)state;
	json_object_set_new(json_object_get(r, "header"), "title",
			    json_string("FILL IN: a title"));
	json_object_set_new(json_object_get(r, "header"), "created",
			    json_string("2026-01-01T00:00:00Z\n"));
	check_invalid(r, 2, "header.title: not filled in: 'FILL IN: a title'");
	r = report();
	json_object_set_new(json_object_get(r, "header"), "created", json_string("yesterday"));
	check_invalid(r, 1, "header.created: 'yesterday' is not an RFC 3339 time "
		      "(2026-11-23T10:21:00Z)");
	r = report();
	json_object_set_new(json_object_get(json_object_get(r, "header"), "originator"), "agency",
			    json_string("gb\x1b[31m"));
	check_invalid(r, 1, "header.originator.agency: 'gb\\x1b[31m' is not an agency code "
		      "(2 to 32 of A-Z, 0-9 and '-')");
}

static void test_report__not_an_object(void **state)
{
	struct pouch_report_errors e = { 0 };
	json_t *r = json_array();

	(void)state;
	assert_int_equal(pouch_report_validate(r, &e, NULL), POUCH_E_REFUSED);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "report: expected a JSON object, got an array");
	pouch_report_errors_release(&e);
	json_decref(r);
}

static void test_report__attachments_filled_in_and_checked(void **state)
{
	static const char sha[] =
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
	struct pouch_report_file files[] = { { "hello.txt", 5, sha }, { "x.bin", 0, sha } };
	struct pouch_err err = { 0 };
	json_t *r = report(), *list;

	(void)state;
	assert_int_equal(pouch_report_attach(r, files, 2, &err), 0);
	list = json_object_get(r, "attachments");
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
							      "media_type")), "text/plain");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1),
							      "media_type")),
			    "application/octet-stream");
	assert_int_equal(pouch_report_attached(r, files, 2, &err), 0);
	assert_int_equal(pouch_report_attached(r, files, 1, &err), POUCH_E_VERIFY);
	/* Now stated: the same files pass again, others do not. */
	assert_int_equal(pouch_report_attach(r, files, 2, &err), 0);
	assert_int_equal(pouch_report_attach(r, files, 1, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "attachments[1].name: 'x.bin' is not attached"));
	files[0].size = 6;
	assert_int_equal(pouch_report_attach(r, files, 2, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "attachments[0].size"));
	json_decref(r);
}

static void test_report__skeletons_are_refused_until_filled(void **state)
{
	static const char *const schemes[] = { "uk-3x5x2", "uk-5x5x5", "europol-4x4" };
	static const char *const templates[] = { "dissemination", "referral", "immediate" };
	struct pouch_report_errors e = { 0 };
	struct pouch_err err = { 0 };
	json_t *r = NULL;
	size_t i, j;

	(void)state;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			assert_int_equal(pouch_report_skeleton(schemes[i], templates[j], 0, &r, &err),
					 0);
			assert_int_equal(pouch_report_validate(r, &e, NULL), POUCH_E_REFUSED);
			assert_true(e.count > 15);
			assert_non_null(strstr(e.msg[0], "not filled in"));
			pouch_report_errors_release(&e);
			json_decref(r);
		}
	assert_int_equal(pouch_report_skeleton("9x9x9", NULL, 0, &r, &err), POUCH_E_USAGE);
	assert_int_equal(pouch_report_skeleton(NULL, "memo", 0, &r, &err), POUCH_E_USAGE);
}

static void test_report__marking_check(void **state)
{
	(void)state;
	assert_int_equal(pouch_marking_check("TLP label", pouch_report_tlps, "TLP:CLEAR", NULL), 0);
	assert_int_equal(pouch_marking_check("TLP label", pouch_report_tlps, "TLP:WHITE", NULL),
			 POUCH_E_USAGE);
	assert_int_equal(pouch_marking_check("classification", pouch_report_tiers, "TOP SECRET",
					     NULL), 0);
	assert_int_equal(pouch_marking_check("classification", pouch_report_tiers,
					     "OFFICIAL-SENSITIVE", NULL), POUCH_E_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__valid_report_passes),
		cmocka_unit_test(test_report__every_error_at_once_with_its_path),
		cmocka_unit_test(test_report__conditions_follow_the_code),
		cmocka_unit_test(test_report__grades_in_the_scheme),
		cmocka_unit_test(test_report__immediate_needs_reason_time_contact),
		cmocka_unit_test(test_report__placeholders_and_forms),
		cmocka_unit_test(test_report__not_an_object),
		cmocka_unit_test(test_report__attachments_filled_in_and_checked),
		cmocka_unit_test(test_report__skeletons_are_refused_until_filled),
		cmocka_unit_test(test_report__marking_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
