/* SHA-256 against the FIPS 180-2 examples, streamed in pieces and from a file; package ids. */
#include "fixture.h"

#include "crypto/digest.h"
#include "base/uuid.h"

static void test_digest__fips_examples(void **state)
{
	static const char *const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char *const empty =
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	struct pouch_sha256 *d = NULL;
	char hex[POUCH_SHA256_HEX];

	(void)state;
	assert_int_equal(pouch_sha256_new(&d, NULL), 0);
	pouch_sha256_hex(d, hex);
	assert_string_equal(hex, empty);
	/* In pieces, and readable midway without disturbing what follows. */
	pouch_sha256_update(d, "a", 1);
	pouch_sha256_hex(d, hex);
	pouch_sha256_update(d, "bc", 2);
	pouch_sha256_hex(d, hex);
	assert_string_equal(hex, abc);
	pouch_sha256_free(d);
	pouch_sha256_free(NULL);
}

static void test_digest__file_from_its_offset(void **state)
{
	struct fixture *f = *state;
	char hex[POUCH_SHA256_HEX];
	uint64_t size = 0;
	int fd;

	put_text(at(f, "x"), "skipabc", 0600);
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 4, SEEK_SET), 4);
	assert_int_equal(pouch_sha256_fd(fd, hex, &size, NULL), 0);
	close(fd);
	assert_int_equal(size, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(pouch_sha256_fd(-1, hex, &size, NULL), POUCH_E_IO);
}

static void test_digest__uuid_is_version_4_and_random(void **state)
{
	char a[POUCH_UUID_LEN], b[POUCH_UUID_LEN];

	(void)state;
	assert_int_equal(pouch_uuid_new(a, NULL), 0);
	assert_int_equal(pouch_uuid_new(b, NULL), 0);
	assert_int_equal(pouch_uuid_check(a, NULL), 0);
	assert_int_equal(pouch_uuid_check(b, NULL), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
}

static void test_digest__uuid_check_refuses_other_shapes(void **state)
{
	static const char *const bad[] = {
		"", "8c1f2a9e-0b7d-4c3e-9a1f-2b3c4d5e6f7", "8C1F2A9E-0B7D-4C3E-9A1F-2B3C4D5E6F70",
		"8c1f2a9e-0b7d-1c3e-9a1f-2b3c4d5e6f70", "8c1f2a9e-0b7d-4c3e-7a1f-2b3c4d5e6f70",
		"8c1f2a9e0b7d-4c3e-9a1f-2b3c4d5e6f70-", "../../../../../../../../../../../etc",
		"8c1f2a9e-0b7d-4c3e-9a1f-2b3c4d5e6f70x",
	};
	struct pouch_err err = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(pouch_uuid_check("8c1f2a9e-0b7d-4c3e-9a1f-2b3c4d5e6f70", NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pouch_uuid_check(bad[i], &err), POUCH_E_USAGE);
		assert_non_null(strstr(err.msg, "invalid package id"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest__fips_examples),
		cmocka_unit_test_setup_teardown(test_digest__file_from_its_offset, setup, teardown),
		cmocka_unit_test(test_digest__uuid_is_version_4_and_random),
		cmocka_unit_test(test_digest__uuid_check_refuses_other_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
