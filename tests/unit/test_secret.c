/* Unit tests for pkg/base/secret.c: passphrases read from private files, first line only. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "base/secret.h"

/* Every test reads the passphrase file f->path = dir/pass. */
static int setup_pass(void **state)
{
	if (setup(state) < 0)
		return -1;
	at(*state, "pass");
	return 0;
}

static void read_ok(struct fixture *f, const char *text, mode_t mode, const char *want)
{
	struct pouch_err err = { 0 };
	char *pass = NULL;

	put_text(f->path, text, mode);
	if (pouch_secret_read_passphrase(f->path, &pass, &err) != 0)
		fail_msg("passphrase file refused: %s", err.msg);
	assert_string_equal(pass, want);
	pouch_secret_free(pass);
}

static void test_secret__first_line_without_line_end(void **state)
{
	struct fixture *f = *state;

	read_ok(f, "hunter2\n", 0600, "hunter2");
	read_ok(f, "hunter2\r\n", 0600, "hunter2");
	read_ok(f, "no line end", 0600, "no line end");
	read_ok(f, "first\nsecond\n", 0600, "first");
	read_ok(f, "first\r\nsecond\r\n", 0600, "first");
	read_ok(f, " spaces kept \t\n", 0600, " spaces kept \t");
	read_ok(f, "p\xc3\xa4ss\n", 0400, "p\xc3\xa4ss");
}

static void refused(struct fixture *f, int code, const char *want)
{
	struct pouch_err err = { 0 };
	char *pass = (char *)"sentinel";

	if (pouch_secret_read_passphrase(f->path, &pass, &err) != code || err.code != code ||
	    !strstr(err.msg, want))
		fail_msg("expected %d with '%s', got %d '%s'", code, want, err.code, err.msg);
	assert_null(pass);
	assert_non_null(strstr(err.msg, f->path));
}

/* Writes len bytes of data with mode to the passphrase file, then expects refused(). */
static void put_refused(struct fixture *f, const char *data, size_t len, mode_t mode, int code,
			const char *want)
{
	put_bytes(f->path, data, len, mode);
	refused(f, code, want);
}

/* Writes len bytes of data to the passphrase file, which must read as a passphrase of exactly
 * POUCH_PASSPHRASE_MAX bytes. */
static void accepted_at_max(struct fixture *f, const char *data, size_t len)
{
	struct pouch_err err = { 0 };
	char *pass = NULL;

	put_bytes(f->path, data, len, 0600);
	assert_int_equal(pouch_secret_read_passphrase(f->path, &pass, &err), 0);
	assert_int_equal(strlen(pass), POUCH_PASSPHRASE_MAX);
	pouch_secret_free(pass);
}

static void test_secret__readable_by_others_refused(void **state)
{
	static const mode_t modes[] = { 0644, 0640, 0604 };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		put_refused(f, "hunter2\n", 8, modes[i], POUCH_E_REFUSED, "readable by others");
}

static void test_secret__empty_refused(void **state)
{
	static const char *const texts[] = { "", "\n", "\r\nsecond line\n" };
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		put_refused(f, texts[i], strlen(texts[i]), 0600, POUCH_E_USAGE, "empty");
}

static void test_secret__missing_is_notfound(void **state)
{
	struct fixture *f = *state;

	refused(f, POUCH_E_NOTFOUND, "cannot open");
}

static void test_secret__directory_refused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(f->path, 0700), 0);
	refused(f, POUCH_E_IO, "is a directory");
	/* A FIFO with no writer is refused at once, not waited on. */
	assert_int_equal(rmdir(f->path), 0);
	assert_int_equal(mkfifo(f->path, 0600), 0);
	refused(f, POUCH_E_IO, "not a regular file");
	assert_int_equal(unlink(f->path), 0);
}

static void test_secret__length_limit(void **state)
{
	struct fixture *f = *state;
	const char *too_long = "longer than 1024 bytes";
	char buf[POUCH_PASSPHRASE_MAX + 8];

	memset(buf, 'p', sizeof(buf));
	/* Exactly POUCH_PASSPHRASE_MAX bytes, with or without a line end, is accepted. */
	buf[POUCH_PASSPHRASE_MAX] = '\n';
	accepted_at_max(f, buf, POUCH_PASSPHRASE_MAX + 1);
	accepted_at_max(f, buf, POUCH_PASSPHRASE_MAX);
	buf[POUCH_PASSPHRASE_MAX] = '\r';
	buf[POUCH_PASSPHRASE_MAX + 1] = '\n';
	accepted_at_max(f, buf, POUCH_PASSPHRASE_MAX + 2);
	/* One byte more is refused, whatever follows it. */
	memset(buf, 'p', sizeof(buf));
	put_refused(f, buf, POUCH_PASSPHRASE_MAX + 1, 0600, POUCH_E_USAGE, too_long);
	buf[POUCH_PASSPHRASE_MAX + 1] = '\n';
	put_refused(f, buf, POUCH_PASSPHRASE_MAX + 2, 0600, POUCH_E_USAGE, too_long);
	put_refused(f, buf, sizeof(buf), 0600, POUCH_E_USAGE, too_long);
}

static void test_secret__free_accepts_null(void **state)
{
	(void)state;
	pouch_secret_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_pass, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_secret__first_line_without_line_end),
		T(test_secret__readable_by_others_refused),
		T(test_secret__empty_refused),
		T(test_secret__missing_is_notfound),
		T(test_secret__directory_refused),
		T(test_secret__length_limit),
		cmocka_unit_test(test_secret__free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
