/* Unit tests for pouch_json_quote (pkg/base/json.c): what pouch prints with --json is always one
 * JSON string that parses back to the text, whatever bytes a message holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* s quoted, and the quoted text parsed back by jansson (strict UTF-8) into *back. */
static char *quote_and_parse(const char *s, char **back)
{
	char *q = pouch_json_quote(s);
	json_t *j;

	assert_non_null(q);
	j = json_loads(q, JSON_DECODE_ANY, NULL);
	assert_non_null(j);
	assert_true(json_is_string(j));
	*back = strdup(json_string_value(j));
	json_decref(j);
	return q;
}

static void test_json_quote__escapes_quotes_backslashes_and_controls(void **state)
{
	char *back, *q;

	(void)state;
	q = quote_and_parse("a \"b\" \\c\n\t\x1b[31md\x7f", &back);
	assert_string_equal(q, "\"a \\\"b\\\" \\\\c\\u000a\\u0009\\u001b[31md\\u007f\"");
	assert_string_equal(back, "a \"b\" \\c\n\t\x1b[31md\x7f");
	free(q);
	free(back);
}

static void test_json_quote__keeps_utf8_and_replaces_other_bytes(void **state)
{
	char *back, *q;

	(void)state;
	q = quote_and_parse("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6", &back);
	assert_string_equal(back, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6");
	free(q);
	free(back);
	/* A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, 0xff. */
	q = quote_and_parse("a\x80 b\xc3 c\xc0\xaf d\xed\xa0\x80 e\xff", &back);
	assert_string_equal(back, "a\xef\xbf\xbd b\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd "
				  "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd e\xef\xbf\xbd");
	free(q);
	free(back);
	q = quote_and_parse("", &back);
	assert_string_equal(q, "\"\"");
	free(q);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_quote__escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_json_quote__keeps_utf8_and_replaces_other_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
