/* Unit tests for pkg/base/err.c: the error record (set, prefix, clear) and the one mapping from
 * error codes to exit statuses that every command shares. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"

static void test_err__set_records_code_and_formatted_message(void **state)
{
	struct pouch_err err;

	(void)state;
	memset(&err, 0x55, sizeof(err));
	assert_int_equal(pouch_err_set(&err, POUCH_E_IO, "cannot open '%s': %d", "a.json", 42),
			 POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_string_equal(err.msg, "cannot open 'a.json': 42");
}

static void test_err__set_accepts_null_err(void **state)
{
	(void)state;
	assert_int_equal(pouch_err_set(NULL, POUCH_E_VERIFY, "bad %s", "signature"),
			 POUCH_E_VERIFY);
	assert_int_equal(pouch_err_set(NULL, POUCH_OK, "fine"), POUCH_OK);
}

static void test_err__set_truncates_long_message(void **state)
{
	char big[3 * POUCH_ERR_MSG_MAX];
	struct pouch_err err;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pouch_err_set(&err, POUCH_E_CORRUPT, "head %s", big), POUCH_E_CORRUPT);
	assert_int_equal(strlen(err.msg), POUCH_ERR_MSG_MAX - 1);
	assert_memory_equal(err.msg, "head xxx", 8);
}

static void test_err__clear_resets(void **state)
{
	struct pouch_err err;

	(void)state;
	pouch_err_set(&err, POUCH_E_GPG, "gpg failed");
	pouch_err_clear(&err);
	assert_int_equal(err.code, POUCH_OK);
	assert_string_equal(err.msg, "");
	pouch_err_clear(NULL);
}

static void test_err__prefix_puts_context_first_and_keeps_code(void **state)
{
	struct pouch_err err;

	(void)state;
	pouch_err_set(&err, POUCH_E_NOTFOUND, "no such file");
	assert_int_equal(pouch_err_prefix(&err, "cannot read '%s'", "k.asc"), POUCH_E_NOTFOUND);
	assert_int_equal(err.code, POUCH_E_NOTFOUND);
	assert_string_equal(err.msg, "cannot read 'k.asc': no such file");
	/* Prefixing twice nests the contexts outermost first. */
	pouch_err_prefix(&err, "partner '%s'", "GB-MET");
	assert_string_equal(err.msg, "partner 'GB-MET': cannot read 'k.asc': no such file");
}

static void test_err__prefix_of_long_message_stays_terminated(void **state)
{
	char big[POUCH_ERR_MSG_MAX];
	struct pouch_err err;

	(void)state;
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pouch_err_set(&err, POUCH_E_IO, "%s", big);
	assert_int_equal(pouch_err_prefix(&err, "context"), POUCH_E_IO);
	assert_int_equal(strlen(err.msg), POUCH_ERR_MSG_MAX - 1);
	assert_memory_equal(err.msg, "context: yyy", 12);
}

static void test_err__prefix_accepts_null_err(void **state)
{
	(void)state;
	/* Only that it does not crash: there is no code to return. */
	(void)pouch_err_prefix(NULL, "context %d", 1);
}

static void test_err__exit_status_mapping(void **state)
{
	(void)state;
	assert_int_equal(pouch_err_exit_status(POUCH_OK), 0);
	assert_int_equal(pouch_err_exit_status(POUCH_E_REFUSED), 1);
	assert_int_equal(pouch_err_exit_status(POUCH_E_VERIFY), 1);
	assert_int_equal(pouch_err_exit_status(POUCH_E_EXISTS), 1);
	assert_int_equal(pouch_err_exit_status(POUCH_E_USAGE), 2);
	assert_int_equal(pouch_err_exit_status(POUCH_E_NOTFOUND), 2);
	assert_int_equal(pouch_err_exit_status(POUCH_E_IO), 3);
	assert_int_equal(pouch_err_exit_status(POUCH_E_GPG), 3);
	assert_int_equal(pouch_err_exit_status(POUCH_E_CORRUPT), 3);
	assert_int_equal(pouch_err_exit_status(POUCH_E_NOTINIT), 3);
	assert_int_equal(pouch_err_exit_status(POUCH_E_NOMEM), 3);
}

static void test_err__exit_status_of_unknown_code_is_operational(void **state)
{
	(void)state;
	assert_int_equal(pouch_err_exit_status(-99), 3);
	assert_int_equal(pouch_err_exit_status(7), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err__set_records_code_and_formatted_message),
		cmocka_unit_test(test_err__set_accepts_null_err),
		cmocka_unit_test(test_err__set_truncates_long_message),
		cmocka_unit_test(test_err__clear_resets),
		cmocka_unit_test(test_err__prefix_puts_context_first_and_keeps_code),
		cmocka_unit_test(test_err__prefix_of_long_message_stays_terminated),
		cmocka_unit_test(test_err__prefix_accepts_null_err),
		cmocka_unit_test(test_err__exit_status_mapping),
		cmocka_unit_test(test_err__exit_status_of_unknown_code_is_operational),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
