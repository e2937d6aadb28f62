/* Unit tests for pkg/base64.c: RFC 4648 vectors both ways, and decoding that accepts only
 * canonical padded input and never writes past the output capacity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/base64.h"

/* RFC 4648 section 10. */
static const struct {
	const char *plain;
	const char *b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void test_base64__encode_rfc4648_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		char *out = pouch_base64_encode((const unsigned char *)rfc4648[i].plain,
						strlen(rfc4648[i].plain));
		assert_non_null(out);
		assert_string_equal(out, rfc4648[i].b64);
		free(out);
	}
}

static void test_base64__decode_rfc4648_vectors(void **state)
{
	unsigned char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = strlen(rfc4648[i].plain);
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(pouch_base64_decode(rfc4648[i].b64, out, sizeof(out)), (long)n);
		assert_memory_equal(out, rfc4648[i].plain, n);
		assert_int_equal(out[n], 0xaa);
	}
}

static void test_base64__whole_alphabet_and_binary_round_trip(void **state)
{
	unsigned char in[256], out[256];
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(in); len++)
		in[len] = (unsigned char)(255 - len * 7);
	for (len = 0; len <= sizeof(in); len += 1 + len / 8) {
		char *b64 = pouch_base64_encode(in, len);
		assert_non_null(b64);
		assert_int_equal(strlen(b64), (len + 2) / 3 * 4);
		assert_int_equal(pouch_base64_decode(b64, out, sizeof(out)), (long)len);
		assert_memory_equal(out, in, len);
		free(b64);
	}
	/* The two characters past the letters and digits are '+' and '/'. */
	{
		const unsigned char fb[] = { 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff };
		char *b64 = pouch_base64_encode(fb, sizeof(fb));
		assert_non_null(b64);
		assert_string_equal(b64, "++++////");
		free(b64);
	}
}

static void bad(const char *in)
{
	unsigned char out[64];

	memset(out, 0xaa, sizeof(out));
	if (pouch_base64_decode(in, out, sizeof(out)) != -1)
		fail_msg("non-canonical base64 '%s' accepted", in);
}

static void test_base64__decode_refuses_bad_padding(void **state)
{
	(void)state;
	bad("Zg");
	bad("Zg=");
	bad("Zg===");
	bad("Z===");
	bad("====");
	bad("=Zg=");
	bad("Zg=a");
	bad("Zm=v");
	bad("Zg==Zm9v"); /* padding before the end */
	bad("Zm8=Zm8=");
	bad("Zm9vYg");
}

static void test_base64__decode_refuses_nonzero_trailing_bits(void **state)
{
	unsigned char out[4];

	(void)state;
	bad("Zh==");
	bad("Zv==");
	bad("Zm9=");
	bad("Zm+=");
	/* The canonical neighbours decode. */
	assert_int_equal(pouch_base64_decode("Zg==", out, sizeof(out)), 1);
	assert_int_equal(pouch_base64_decode("Zm8=", out, sizeof(out)), 2);
}

static void test_base64__decode_refuses_wrong_length_and_chars(void **state)
{
	(void)state;
	bad("Z");
	bad("Zm9");
	bad("Zm9vY");
	bad("Zm9v\n");
	bad("Zm9v\r\n");
	bad("Zm 9");
	bad(" Zm9v");
	bad("Zm9-");    /* base64url */
	bad("Zm9_");    /* base64url */
	bad("Zm9.");
	bad("Zm9\xc3");
	bad("Zm9vYmFy\x80\x80\x80\x80");
}

static void test_base64__decode_respects_capacity(void **state)
{
	unsigned char out[8];

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(pouch_base64_decode("Zm9vYmFy", out, 5), -1);
	assert_int_equal(out[5], 0xaa);
	assert_int_equal(pouch_base64_decode("Zm9vYmFy", out, 6), 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(out[6], 0xaa);
	/* The partial last group counts only the bytes it holds. */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(pouch_base64_decode("Zm9vYg==", out, 3), -1);
	assert_int_equal(out[3], 0xaa);
	assert_int_equal(pouch_base64_decode("Zm9vYg==", out, 4), 4);
	assert_int_equal(out[4], 0xaa);
	assert_int_equal(pouch_base64_decode("Zm8=", out, 1), -1);
	assert_int_equal(pouch_base64_decode("", out, 0), 0);
	assert_int_equal(pouch_base64_decode("Zg==", out, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64__encode_rfc4648_vectors),
		cmocka_unit_test(test_base64__decode_rfc4648_vectors),
		cmocka_unit_test(test_base64__whole_alphabet_and_binary_round_trip),
		cmocka_unit_test(test_base64__decode_refuses_bad_padding),
		cmocka_unit_test(test_base64__decode_refuses_nonzero_trailing_bits),
		cmocka_unit_test(test_base64__decode_refuses_wrong_length_and_chars),
		cmocka_unit_test(test_base64__decode_respects_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
