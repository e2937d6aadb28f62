/* Unit tests for pkg/report/report_meaning.c, what pouch show spells out: every handling code
 * and grade the report model accepts has its meaning in its own scheme, and nothing else has. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "report/report.h"
#include "report/report_meaning.h"
#include "report/report_model.h"

static void test_show_meaning__every_model_code_has_one(void **state)
{
	const struct scheme *s;
	const struct member *m;
	const char *const *c;
	size_t n = 0;

	(void)state;
	for (s = report_schemes; s->name; s++) {
		assert_non_null(pouch_scheme_label(s->name));
		for (c = s->codes; *c; c++, n++)
			assert_non_null(pouch_handling_meaning(s->name, *c));
		for (m = s->grade->members; m->name; m++)
			for (c = m->spec->values; *c; c++, n++)
				assert_non_null(pouch_grade_meaning(s->name, m->name, *c));
	}
	assert_int_equal(n, 2 + 5 + 4 + 3 + 5 + 5 + 5 + 4 + 4); /* codes and grades, 3 schemes */
	for (c = pouch_report_tlps; *c; c++)
		assert_non_null(pouch_tlp_meaning(*c));
}

static void test_show_meaning__spelled_per_scheme(void **state)
{
	(void)state;
	assert_string_equal(pouch_grade_meaning("uk-3x5x2", "source", "2"), "untested source");
	assert_string_equal(pouch_grade_meaning("uk-3x5x2", "intelligence", "B"),
			    "known indirectly, corroborated");
	assert_string_equal(pouch_grade_meaning("uk-5x5x5", "source", "E"), "untested source");
	assert_string_equal(pouch_grade_meaning("uk-5x5x5", "intelligence", "4"),
			    "cannot be judged");
	assert_string_equal(pouch_grade_meaning("europol-4x4", "source", "X"),
			    "source cannot be assessed");
	assert_string_equal(pouch_grade_meaning("europol-4x4", "accuracy", "1"), "not in doubt");
	assert_string_equal(pouch_handling_meaning("uk-3x5x2", "C"),
			    "lawful sharing permitted subject to conditions");
	assert_string_equal(pouch_handling_meaning("uk-5x5x5", "5"),
			    "no further dissemination: refer to the originator");
	assert_string_equal(pouch_handling_meaning("europol-4x4", "H1"),
			    "not to be disclosed in judicial proceedings without the provider's "
			    "permission");
	assert_string_equal(pouch_tlp_meaning("TLP:RED"),
			    "named recipients only, no further disclosure");
	assert_non_null(strstr(pouch_priority_meaning("immediate"), "immediate danger"));
}

/* Grades are never converted: a code or member of one scheme means nothing in another. */
static void test_show_meaning__nothing_across_schemes(void **state)
{
	(void)state;
	assert_null(pouch_grade_meaning("uk-3x5x2", "source", "A"));
	assert_null(pouch_grade_meaning("uk-3x5x2", "accuracy", "1"));
	assert_null(pouch_grade_meaning("europol-4x4", "intelligence", "1"));
	assert_null(pouch_grade_meaning("uk-5x5x5", "source", "X"));
	assert_null(pouch_handling_meaning("uk-3x5x2", "H0"));
	assert_null(pouch_handling_meaning("europol-4x4", "P"));
	assert_null(pouch_grade_meaning("9x9x9", "source", "1"));
	assert_null(pouch_grade_meaning(NULL, NULL, NULL));
	assert_null(pouch_scheme_label("9x9x9"));
	assert_null(pouch_tlp_meaning("TLP:PURPLE"));
	assert_null(pouch_tlp_meaning(NULL));
	assert_null(pouch_priority_meaning("soon"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_meaning__every_model_code_has_one),
		cmocka_unit_test(test_show_meaning__spelled_per_scheme),
		cmocka_unit_test(test_show_meaning__nothing_across_schemes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
