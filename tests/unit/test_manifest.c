/* Unit tests for pkg/package/manifest.c and the header's content digest (envelope.c):
 * pouch.json must hold a valid salt and be, byte for byte, what the header's content.sha256
 * says; the header refuses a missing or malformed content member. */
#define _GNU_SOURCE
#include "fixture.h"

#include "base/json.h"
#include "crypto/digest.h"
#include "package/manifest.h"

#define ID "6717d936-a2d4-4a4d-a6d7-a07aadb96a02"
#define SALT "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* A header from GB-CEOP to GB-MET, routine, OFFICIAL, TLP:AMBER; no content digest yet. */
static void header(struct pouch_header *h)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->id, ID);
	strcpy(h->sender.agency, "GB-CEOP");
	strcpy(h->sender.fpr, FPR1);
	strcpy(h->recipients[0].agency, "GB-MET");
	strcpy(h->recipients[0].fpr, FPR2);
	h->nrecipients = 1;
	h->created = 1767225600; /* T0 */
	h->expires = 1780272000; /* T1 */
	strcpy(h->priority, "routine");
	strcpy(h->classification, "OFFICIAL");
	strcpy(h->tlp, "TLP:AMBER");
	memset(h->payload_sha256, 'a', 64);
	h->payload_size = 1;
}

/* pouch.json binding the header, with salt as its salt member (NULL: none; taken). */
static char *manifest(json_t *salt)
{
	json_t *report, *m;
	char *text;

	report = json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}, s:{s:{s:s, s:b, s:[]}, s:s, "
		"s:s, s:[s], s:s, s:s}, s:{s:s}, s:[{s:i, s:s, s:{s:s, s:s}}], s:[]}",
		"format", "pouch-report/1", "header", "reference", "R-1", "title", "t", "created", T0,
		"originator", "agency", "GB-CEOP", "unit", "u", "officer", "o", "contact_24x7",
		"+441632960000", "handling", "classification", "tier", "OFFICIAL", "sensitive", 1,
		"caveats", "tlp", "TLP:AMBER", "scheme", "uk-3x5x2", "codes", "P", "purpose", "p",
		"legal_basis", "l", "priority", "level", "routine", "items", "n", 1, "text", "x",
		"grade", "source", "2", "intelligence", "B", "attachments");
	m = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:s}], s:s, s:s, s:s, s:s, s:s, s:o, "
		      "s:[]}",
		      "format", "pouch-content/1", "id", ID, "sender", "agency", "GB-CEOP",
		      "fingerprint", FPR1, "recipients", "agency", "GB-MET", "fingerprint", FPR2,
		      "created", T0, "expires", T1, "priority", "routine", "classification",
		      "OFFICIAL", "tlp", "TLP:AMBER", "report", report, "attachments");
	assert_non_null(m);
	if (salt)
		json_object_set_new(m, "salt", salt);
	text = pouch_json_text(m, 0);
	json_decref(m);
	assert_non_null(text);
	return text;
}

/* Checking text against h (whose content digest is that of signed) fails, naming want. */
static void refused(const char *text, const char *signed_text, const char *want)
{
	struct pouch_header h;
	struct pouch_err err = { 0 };

	header(&h);
	assert_int_equal(pouch_sha256_buf(signed_text, strlen(signed_text), h.content_sha256,
					  NULL), 0);
	assert_int_equal(pouch_manifest_check(text, strlen(text), &h, &err), POUCH_E_VERIFY);
	if (!strstr(err.msg, want))
		fail_msg("'%s' does not hold '%s'", err.msg, want);
}

static void test_manifest__its_digest_and_salt_check(void **state)
{
	struct pouch_header h;
	struct pouch_err err = { 0 };
	char *text = manifest(json_string(SALT));

	(void)state;
	header(&h);
	assert_int_equal(pouch_sha256_buf(text, strlen(text), h.content_sha256, NULL), 0);
	if (pouch_manifest_check(text, strlen(text), &h, &err) != 0)
		fail_msg("%s", err.msg);
	free(text);
}

static void test_manifest__other_bytes_than_the_header_signs_are_refused(void **state)
{
	char *text = manifest(json_string(SALT)), *spaced = NULL;

	(void)state;
	/* The same JSON value, other bytes: the digest is over bytes, not values. */
	assert_true(asprintf(&spaced, "%s ", text) > 0);
	refused(spaced, text, "pouch.json's SHA-256 is not the one the header signs");
	refused(text, spaced, "pouch.json's SHA-256 is not the one the header signs");
	free(spaced);
	free(text);
}

static void test_manifest__salt_missing_or_malformed_is_refused(void **state)
{
	static const char *const bad[] = { "", "0011", SALT "00",
					   "00112233445566778899AABBCCDDEEFF00112233445566778899aab"
					   "bccddeeff",
					   "g0112233445566778899aabbccddeeff00112233445566778899aabbcc"
					   "ddeeff" };
	char *text = manifest(NULL);
	size_t i;

	(void)state;
	refused(text, text, "pouch.json has no salt");
	free(text);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = manifest(json_string(bad[i]));
		refused(text, text, "salt is not 64 lower-case hex digits");
		free(text);
	}
	text = manifest(json_integer(1));
	refused(text, text, "salt is not 64 lower-case hex digits");
	free(text);
}

static void test_manifest__header_content_member_is_required(void **state)
{
	static const char *const cases[][2] = {
		{ "", "field 'content' is missing" },
		{ "\"content\":{},", "field 'sha256' is missing" },
		{ "\"content\":{\"sha256\":\"" SALT "\",\"size\":1},", "unknown field 'size'" },
		{ "\"content\":{\"sha256\":\"ABCD\"},", "invalid content digest" },
		{ "\"content\":\"" SALT "\",", "content" },
	};
	struct pouch_header h, back;
	struct pouch_err err = { 0 };
	char *bytes = NULL, *cut, *text = NULL;
	size_t len = 0, i;

	(void)state;
	header(&h);
	memcpy(h.content_sha256, SALT, 65);
	assert_int_equal(pouch_header_encode(&h, &bytes, &len, NULL), 0);
	assert_int_equal(pouch_header_decode(bytes, len, &back, NULL), 0);
	assert_string_equal(back.content_sha256, SALT);
	cut = strstr(bytes, "\"content\":");
	assert_non_null(cut);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *rest = strstr(cut, "},") + 2;
		assert_true(asprintf(&text, "%.*s%s%s", (int)(cut - bytes), bytes, cases[i][0],
				     rest) > 0);
		assert_int_equal(pouch_header_decode(text, strlen(text), &back, &err),
				 POUCH_E_VERIFY);
		if (!strstr(err.msg, "malformed header") || !strstr(err.msg, cases[i][1]))
			fail_msg("%s: '%s'", text, err.msg);
		free(text);
	}
	/* An upper-case digest never encodes either. */
	memset(h.content_sha256, 'A', 64);
	assert_int_equal(pouch_header_encode(&h, &text, &len, NULL), POUCH_E_USAGE);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest__its_digest_and_salt_check),
		cmocka_unit_test(test_manifest__other_bytes_than_the_header_signs_are_refused),
		cmocka_unit_test(test_manifest__salt_missing_or_malformed_is_refused),
		cmocka_unit_test(test_manifest__header_content_member_is_required),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
