/* Unit tests for pkg/base/validate.c: agency codes, fingerprints, display names, endpoint URLs,
 * TLS pins and the escaping of outside strings for terminals and logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/validate.h"

#define FPR "0123456789ABCDEF0123456789ABCDEF01234567"

static void code_ok(const char *code)
{
	struct pouch_err err = { 0 };

	if (pouch_agency_code_check(code, &err) != 0)
		fail_msg("agency code '%s' refused: %s", code, err.msg);
}

static void code_bad(const char *code)
{
	struct pouch_err err = { 0 };

	if (pouch_agency_code_check(code, &err) != POUCH_E_USAGE || err.code != POUCH_E_USAGE ||
	    !strstr(err.msg, "invalid agency code"))
		fail_msg("agency code '%s' not refused as POUCH_E_USAGE (msg '%s')", code, err.msg);
	assert_int_equal(pouch_agency_code_check(code, NULL), POUCH_E_USAGE);
}

static void test_validate__agency_code_valid(void **state)
{
	static const char *const ok[] = {
		"GB-NCA-CEOP", "US-NCMEC", "AB", "A1", "9-9", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		code_ok(ok[i]);
}

static void test_validate__agency_code_invalid(void **state)
{
	/* Too short, 33 characters, lower case, '-' at either end, other characters, UTF-8. */
	static const char *const bad[] = {
		"", "A", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "gb-nca", "GB-nca", "-GB", "GB-",
		"--", "GB_NCA", "GB NCA", " GB", "GB ", "GB.NCA", "GB/NCA", "GB-\xc3\x89T",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		code_bad(bad[i]);
}

static void test_validate__agency_code_message_escapes_input(void **state)
{
	struct pouch_err err = { 0 };

	(void)state;
	assert_int_equal(pouch_agency_code_check("GB\x1b[31m", &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "GB\\x1b[31m"));
	assert_null(strchr(err.msg, '\x1b'));
}

static void test_validate__fpr_normalize_spaces_and_case(void **state)
{
	struct pouch_err err = { 0 };
	char out[POUCH_FPR_LEN + 1];

	(void)state;
	assert_int_equal(pouch_fpr_normalize(FPR, out, &err), 0);
	assert_string_equal(out, FPR);
	assert_int_equal(pouch_fpr_normalize("0123 4567 89ab cdef 0123  4567 89Ab CdEf 0123 4567 ",
					     out, &err), 0);
	assert_string_equal(out, FPR);
}

static void fpr_bad(const char *in)
{
	struct pouch_err err = { 0 };
	char out[POUCH_FPR_LEN + 1];

	memset(out, 'Z', sizeof(out));
	if (pouch_fpr_normalize(in, out, &err) != POUCH_E_USAGE || err.code != POUCH_E_USAGE ||
	    !strstr(err.msg, "invalid fingerprint"))
		fail_msg("fingerprint '%s' not refused (msg '%s')", in, err.msg);
	assert_string_equal(out, "");
}

static void test_validate__fpr_normalize_refuses(void **state)
{
	/* Empty, 39 and 41 digits, non-hex, a tab, a colon, a long key ID. */
	static const char *const bad[] = {
		"", "0123456789ABCDEF0123456789ABCDEF0123456",
		"0123456789ABCDEF0123456789ABCDEF012345678",
		"0123456789ABCDEF0123456789ABCDEF0123456G",
		"0x23456789ABCDEF0123456789ABCDEF01234567",
		"0123456789ABCDEF0123456789ABCDEF0123456\t7",
		"0123456789ABCDEF0123456789ABCDEF0123456:7", "89ABCDEF01234567",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		fpr_bad(bad[i]);
}

static void name_ok(const char *name)
{
	struct pouch_err err = { 0 };

	if (pouch_name_check("name", name, &err) != 0)
		fail_msg("name '%s' refused: %s", name, err.msg);
}

static void name_bad(const char *name, const char *want)
{
	struct pouch_err err = { 0 };

	if (pouch_name_check("partner name", name, &err) != POUCH_E_USAGE ||
	    err.code != POUCH_E_USAGE || !strstr(err.msg, "invalid partner name") ||
	    !strstr(err.msg, want))
		fail_msg("name '%s' not refused with '%s' (msg '%s')", name, want, err.msg);
}

static void test_validate__name_valid(void **state)
{
	char name[POUCH_NAME_MAX + 1];
	size_t i;

	(void)state;
	name_ok("Metropolitan Police Service");
	name_ok("Polizei M\xc3\xbcnchen");       /* u umlaut */
	name_ok("\xe8\xad\xa6\xe5\xaf\x9f");      /* CJK */
	name_ok("Gendarmerie \xf0\x9f\x9a\x93"); /* 4-byte sequence */
	name_ok("O'Brien & Sons [HQ] #1");
	memset(name, 'n', POUCH_NAME_MAX);
	name[POUCH_NAME_MAX] = '\0';
	name_ok(name); /* exactly 128 bytes */
	for (i = 0; i < POUCH_NAME_MAX; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name_ok(name); /* 64 two-byte characters: 128 bytes */
}

static void test_validate__name_invalid(void **state)
{
	static const char *const bad[] = {
		"tab\there", "line\nbreak", "esc\x1b[2J", "del\x7f",
		"lone \xc3", "bad \xc3(", "cont \x80", "ff \xff",     /* broken sequences */
		"over \xc0\xaf", "over \xe0\x80\xaf", "over \xf0\x80\x80\xaf", /* overlong '/' */
		"surr \xed\xa0\x80", "surr \xed\xbf\xbf",             /* U+D800, U+DFFF */
		"big \xf4\x90\x80\x80",                                /* U+110000 */
		"a<b", "a>b", "a(b", "a)b",
	};
	char name[POUCH_NAME_MAX + 2];
	size_t i;

	(void)state;
	name_bad("", "empty");
	memset(name, 'n', POUCH_NAME_MAX + 1);
	name[POUCH_NAME_MAX + 1] = '\0';
	name_bad(name, "longer than 128 bytes");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		name_bad(bad[i], "control characters, invalid UTF-8");
}

/* REPORTED BUG: U+0080..U+009F are control characters (C1; U+009B is CSI, which terminals
 * may act on) but pouch_name_check accepts them. */
static void test_validate__name_refuses_c1_controls(void **state)
{
	(void)state;
	name_bad("csi \xc2\x9b" "2J", "control characters");
	name_bad("nel \xc2\x85", "control characters");
}

static void url_ok(const char *url)
{
	struct pouch_err err = { 0 };

	if (pouch_endpoint_check(url, &err) != 0)
		fail_msg("endpoint '%s' refused: %s", url, err.msg);
}

static void url_bad(const char *url, const char *want)
{
	struct pouch_err err = { 0 };

	if (pouch_endpoint_check(url, &err) != POUCH_E_USAGE || err.code != POUCH_E_USAGE ||
	    !strstr(err.msg, want))
		fail_msg("endpoint '%s' not refused with '%s' (msg '%s')", url, want, err.msg);
}

static void test_validate__endpoint_valid(void **state)
{
	(void)state;
	url_ok("https://pouch.met.police.uk");
	url_ok("https://pouch.met.police.uk/");
	url_ok("https://pouch.met.police.uk:8443");
	url_ok("https://pouch.met.police.uk:8443/exchange/v1");
	url_ok("https://localhost:1");
	url_ok("https://h:65535/");
	url_ok("https://192.0.2.10:443/in");
	url_ok("https://[2001:db8::1]");
	url_ok("https://[2001:db8::1]:8443/in");
	url_ok("https://[::1]/");
	url_ok("https://xn--mnchen-3ya.example/a-b_c~d");
}

static void test_validate__endpoint_invalid(void **state)
{
	/* Not https, no host, bad ports, user information, query, fragment, spaces and
	 * control characters, bad labels, non-ASCII, broken IPv6 literals. */
	static const char *const bad[] = {
		"ftp://pouch.met.police.uk", "pouch.met.police.uk", "", "https://", "https:///path",
		"https://:8443/", "https://h:0", "https://h:65536",
		"https://h:99999999999999999999", "https://h:", "https://h:/x", "https://h:84a3",
		"https://h:-1", "https://user@h", "https://user:pw@h/", "https://h/x?y=1",
		"https://h/x#frag", "https://h/a b", "https://h /", "https://h/\t", "https://h\\x",
		"https://-h.example", "https://h-.example", "https://a.-h.example", "https://a.h-",
		"https://a..b", "https://.a", "https://a_b.example",
		"https://m\xc3\xbcnchen.example", "https://[2001:db8::1", "https://[]",
		"https://[2001:db8::g]", "https://[::1]8443", "https://[::1]:",
	};
	size_t i;

	(void)state;
	url_bad("http://pouch.met.police.uk", "not https");
	url_bad("HTTP://pouch.met.police.uk", "not https");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		url_bad(bad[i], "expected https://host[:port][/path]");
}

static void test_validate__endpoint_length_and_labels(void **state)
{
	char url[POUCH_URL_MAX + 16];
	char label[70];

	(void)state;
	/* A 63-character label is allowed, 64 is not. */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(url, sizeof(url), "https://%s.example", label);
	url_ok(url);
	snprintf(url, sizeof(url), "https://%sa.example", label);
	url_bad(url, "expected https://");
	/* The whole URL: at most POUCH_URL_MAX bytes. */
	memcpy(url, "https://h/", 10);
	memset(url + 10, 'p', POUCH_URL_MAX - 10);
	url[POUCH_URL_MAX] = '\0';
	url_ok(url);
	url[POUCH_URL_MAX] = 'p';
	url[POUCH_URL_MAX + 1] = '\0';
	url_bad(url, "longer than 2048 bytes");
}

#define PIN "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define PIN_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void pin_ok(const char *in, const char *want)
{
	struct pouch_err err = { 0 };
	char out[POUCH_PIN_LEN + 1];

	if (pouch_pin_normalize(in, out, &err) != 0)
		fail_msg("pin '%s' refused: %s", in, err.msg);
	assert_string_equal(out, want);
	assert_int_equal(strlen(out), POUCH_PIN_LEN);
}

static void pin_bad(const char *in)
{
	struct pouch_err err = { 0 };
	char out[POUCH_PIN_LEN + 1];

	if (pouch_pin_normalize(in, out, &err) != POUCH_E_USAGE || err.code != POUCH_E_USAGE ||
	    !strstr(err.msg, "invalid pin"))
		fail_msg("pin '%s' not refused (msg '%s')", in, err.msg);
}

static void test_validate__pin_forms_normalize_alike(void **state)
{
	(void)state;
	pin_ok(PIN, PIN);
	pin_ok(PIN + 8, PIN);
	pin_ok(PIN_HEX, PIN);
	pin_ok("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", PIN);
	pin_ok("sha256//4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8=",
	       "sha256//4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8=");
	pin_ok("e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	       "sha256//4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8=");
}

static void test_validate__pin_refuses_wrong_lengths(void **state)
{
	(void)state;
	pin_bad("");
	pin_bad("sha256//");
	pin_bad("sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");    /* no padding */
	pin_bad("sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==");   /* 31 bytes */
	pin_bad("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");     /* 33 bytes */
	pin_bad("sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=AAAA"); /* 35 bytes */
	pin_bad("sha1//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	pin_bad("SHA256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	pin_bad(PIN_HEX "00");
	pin_bad("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1");
	pin_bad("x00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	pin_bad("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= ");
	pin_bad("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9="); /* non-canonical */
}

static void test_validate__escape_control_backslash_and_bad_utf8(void **state)
{
	char out[128];

	(void)state;
	pouch_escape("plain text", out, sizeof(out));
	assert_string_equal(out, "plain text");
	pouch_escape("a\nb\tc\x1b[0m\x7f\\d", out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x09c\\x1b[0m\\x7f\\x5cd");
	pouch_escape("M\xc3\xbcnchen", out, sizeof(out));
	assert_string_equal(out, "M\xc3\xbcnchen");
	pouch_escape("bad \xff\xc3( \xc0\xaf \xed\xa0\x80", out, sizeof(out));
	assert_string_equal(out, "bad \\xff\\xc3( \\xc0\\xaf \\xed\\xa0\\x80");
	pouch_escape("", out, sizeof(out));
	assert_string_equal(out, "");
}

/* Characters that change how text is shown without being seen are escaped too, whole (a
 * 4-byte tag character is 16 characters escaped); right-to-left letters are not. */
static void test_validate__escape_hidden_characters(void **state)
{
	char out[128];

	(void)state;
	pouch_escape("invoice\xe2\x80\xaetxt.exe", out, sizeof(out));
	assert_string_equal(out, "invoice\\xe2\\x80\\xaetxt.exe");
	pouch_escape("a\xe2\x81\xa6" "b\xe2\x80\x8f" "c\xef\xbb\xbf", out, sizeof(out));
	assert_string_equal(out, "a\\xe2\\x81\\xa6b\\xe2\\x80\\x8fc\\xef\\xbb\\xbf");
	pouch_escape("t\xf3\xa0\x80\x81", out, sizeof(out));
	assert_string_equal(out, "t\\xf3\\xa0\\x80\\x81");
	pouch_escape("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", out, sizeof(out));
	assert_string_equal(out, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
	assert_true(pouch_unicode_is_hidden(0x202e) && pouch_unicode_is_hidden(0x2066) &&
		    pouch_unicode_is_hidden(0x061c) && pouch_unicode_is_hidden(0xe0001));
	assert_false(pouch_unicode_is_hidden(0x05d0) || pouch_unicode_is_hidden(0x200d) ||
		     pouch_unicode_is_hidden('a'));
}

/* The full escaped form of s is at most 63 characters here. */
static size_t escaped_len(const char *s, size_t n)
{
	char part[64], out[256];

	memcpy(part, s, n);
	part[n] = '\0';
	pouch_escape(part, out, sizeof(out));
	return strlen(out);
}

static void test_validate__escape_truncates_within_outmax(void **state)
{
	const char *in = "\x01\x02\x03\x04\x05\x06\x07 abcdefghij \xc3\xa9\xc3\xa9\xc3\xa9 xyz";
	char full[256], out[80];
	size_t max, i, fulllen;

	(void)state;
	pouch_escape(in, full, sizeof(full));
	fulllen = strlen(full);
	assert_int_equal(fulllen, 50);
	/* Whenever the escaped form does not fit, the output is the longest whole-unit prefix
	 * (never half an escape or half a UTF-8 sequence) that leaves room for "..." and the NUL,
	 * and nothing is written beyond outmax. */
	for (max = 1; max <= fulllen; max++) {
		size_t keep = 0;
		/* Prefixes of in that end between characters end between escaped units. */
		for (i = 0; i <= strlen(in); i++) {
			size_t n = escaped_len(in, i);
			if (((unsigned char)in[i] & 0xc0) != 0x80 && n + 4 <= max && n > keep)
				keep = n;
		}
		memset(out, '#', sizeof(out));
		pouch_escape(in, out, max);
		assert_int_equal(out[max], '#');
		if (max < 4) {
			assert_string_equal(out, "");
			continue;
		}
		assert_int_equal(strlen(out), keep + 3);
		assert_memory_equal(out, full, keep);
		assert_string_equal(out + keep, "...");
	}
	memset(out, '#', sizeof(out));
	pouch_escape("abc", out, 0);
	assert_int_equal(out[0], '#');
	pouch_escape("\x01", out, 4);
	assert_string_equal(out, "...");
}

/* REPORTED BUG: a string that fits in outmax (with its NUL) must come out unchanged; the
 * function reserves room for "..." even at the last character and cuts "abcd" to "a...". */
static void test_validate__escape_keeps_string_that_fits(void **state)
{
	char out[8];

	(void)state;
	pouch_escape("abcd", out, 5);
	assert_string_equal(out, "abcd");
	pouch_escape("abcdefg", out, sizeof(out));
	assert_string_equal(out, "abcdefg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate__agency_code_valid),
		cmocka_unit_test(test_validate__agency_code_invalid),
		cmocka_unit_test(test_validate__agency_code_message_escapes_input),
		cmocka_unit_test(test_validate__fpr_normalize_spaces_and_case),
		cmocka_unit_test(test_validate__fpr_normalize_refuses),
		cmocka_unit_test(test_validate__name_valid),
		cmocka_unit_test(test_validate__name_invalid),
		cmocka_unit_test(test_validate__name_refuses_c1_controls),
		cmocka_unit_test(test_validate__endpoint_valid),
		cmocka_unit_test(test_validate__endpoint_invalid),
		cmocka_unit_test(test_validate__endpoint_length_and_labels),
		cmocka_unit_test(test_validate__pin_forms_normalize_alike),
		cmocka_unit_test(test_validate__pin_refuses_wrong_lengths),
		cmocka_unit_test(test_validate__escape_control_backslash_and_bad_utf8),
		cmocka_unit_test(test_validate__escape_hidden_characters),
		cmocka_unit_test(test_validate__escape_truncates_within_outmax),
		cmocka_unit_test(test_validate__escape_keeps_string_that_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
