/* Unit tests for pkg/secret.c: passphrases read from private files, first line only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pouch/fs.h"
#include "pouch/secret.h"

struct fixture {
	char dir[32];
	char path[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/pass", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret = pouch_fs_remove_tree(f->dir, NULL);

	free(f);
	return ret;
}

/* Writes len bytes of data to f->path with exactly mode. */
static const char *put(struct fixture *f, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(f->path);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return f->path;
}

static void read_ok(struct fixture *f, const char *text, mode_t mode, const char *want)
{
	struct pouch_err err = { 0 };
	char *pass = NULL;

	put(f, text, strlen(text), mode);
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

static void test_secret__readable_by_others_refused(void **state)
{
	struct fixture *f = *state;

	put(f, "hunter2\n", 8, 0644);
	refused(f, POUCH_E_REFUSED, "readable by others");
	put(f, "hunter2\n", 8, 0640);
	refused(f, POUCH_E_REFUSED, "readable by others");
	put(f, "hunter2\n", 8, 0604);
	refused(f, POUCH_E_REFUSED, "readable by others");
}

static void test_secret__empty_refused(void **state)
{
	struct fixture *f = *state;

	put(f, "", 0, 0600);
	refused(f, POUCH_E_USAGE, "empty");
	put(f, "\n", 1, 0600);
	refused(f, POUCH_E_USAGE, "empty");
	put(f, "\r\nsecond line\n", 14, 0600);
	refused(f, POUCH_E_USAGE, "empty");
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
	refused(f, POUCH_E_IO, "not a regular file");
	assert_int_equal(rmdir(f->path), 0);
}

static void test_secret__length_limit(void **state)
{
	struct fixture *f = *state;
	char buf[POUCH_PASSPHRASE_MAX + 8];
	struct pouch_err err = { 0 };
	char *pass = NULL;

	memset(buf, 'p', sizeof(buf));
	/* Exactly POUCH_PASSPHRASE_MAX bytes, with or without a line end, is accepted. */
	buf[POUCH_PASSPHRASE_MAX] = '\n';
	put(f, buf, POUCH_PASSPHRASE_MAX + 1, 0600);
	assert_int_equal(pouch_secret_read_passphrase(f->path, &pass, &err), 0);
	assert_int_equal(strlen(pass), POUCH_PASSPHRASE_MAX);
	pouch_secret_free(pass);
	put(f, buf, POUCH_PASSPHRASE_MAX, 0600);
	assert_int_equal(pouch_secret_read_passphrase(f->path, &pass, &err), 0);
	assert_int_equal(strlen(pass), POUCH_PASSPHRASE_MAX);
	pouch_secret_free(pass);
	buf[POUCH_PASSPHRASE_MAX] = '\r';
	buf[POUCH_PASSPHRASE_MAX + 1] = '\n';
	put(f, buf, POUCH_PASSPHRASE_MAX + 2, 0600);
	assert_int_equal(pouch_secret_read_passphrase(f->path, &pass, &err), 0);
	assert_int_equal(strlen(pass), POUCH_PASSPHRASE_MAX);
	pouch_secret_free(pass);
	/* One byte more is refused, whatever follows it. */
	memset(buf, 'p', sizeof(buf));
	put(f, buf, POUCH_PASSPHRASE_MAX + 1, 0600);
	refused(f, POUCH_E_USAGE, "longer than 1024 bytes");
	buf[POUCH_PASSPHRASE_MAX + 1] = '\n';
	put(f, buf, POUCH_PASSPHRASE_MAX + 2, 0600);
	refused(f, POUCH_E_USAGE, "longer than 1024 bytes");
	put(f, buf, sizeof(buf), 0600);
	refused(f, POUCH_E_USAGE, "longer than 1024 bytes");
}

static void test_secret__free_accepts_null(void **state)
{
	(void)state;
	pouch_secret_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

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
