/* Receipt files and bodies as the format says: well-formed ones verify, and every malformed
 * member, value or size is refused with a message naming it. */
#include "receipt_fixture.h"

static int group_setup(void **state)
{
	(void)state;
	return receipt_pair_make();
}

static int group_teardown(void **state)
{
	(void)state;
	return receipt_pair_drop();
}

/* A file built from c->text (@B, @S: R's good body and signature) is refused with c->want. */
static void malformed_file(void **state)
{
	const struct ccase *c = *state;
	size_t len = 0, body_len = 0, sig_len = 0;
	char *good = made(&R, 0, "bad", &len);
	char *body = member(good, "receipt", &body_len), *sig = member(good, "signature", &sig_len);
	char *file = file_of(c->text, body, body_len, sig, sig_len);

	refused(file, strlen(file), now, "not a valid receipt", c->want);
	free(file);
	free(body);
	free(sig);
	free(good);
}

static void test_receipt__well_formed_file_verifies(void **state)
{
	size_t len = 0, body_len = 0, sig_len = 0;
	char *good = made(&R, 0, "bad", &len);
	char *body = member(good, "receipt", &body_len), *sig = member(good, "signature", &sig_len);
	char *file = file_of(" {\"signature\":\"@S\", \"receipt\":\"@B\", \"pouch\":\"receipt/1\"}",
			     body, body_len, sig, sig_len);

	(void)state;
	/* Member order and white space are free: only the body bytes are signed. */
	assert_int_equal(pouch_receipt_verify(&S.h, file, strlen(file), now,
					      &(struct pouch_receipt){ 0 }, NULL), 0);
	free(file);
	free(body);
	free(sig);
	free(good);
}

static void test_receipt__oversized_file_is_refused(void **state)
{
	struct pouch_receipt r;
	size_t len = 0;
	char *file = made(&R, 1, "", &len), *big = malloc(POUCH_RECEIPT_MAX + 2);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', POUCH_RECEIPT_MAX + 1);
	memcpy(big, file, len);
	big[POUCH_RECEIPT_MAX + 1] = '\0';
	/* White space is valid JSON: at the cap the file is good, one byte more is refused. */
	assert_int_equal(pouch_receipt_verify(&S.h, big, POUCH_RECEIPT_MAX, now, &r, NULL), 0);
	refused(big, POUCH_RECEIPT_MAX + 1, now, "not a valid receipt", "larger than 65536 bytes");
	free(big);
	free(file);
}

/* R signs the body c->text (@F: R's fingerprint); S refuses it as malformed with c->want. */
static void malformed_body(void **state)
{
	const struct ccase *c = *state;
	char *file = forge(&R, c->text);

	refused(file, strlen(file), now, "not a valid receipt: the body", c->want);
	free(file);
}

static void test_receipt__well_formed_body_verifies(void **state)
{
	struct pouch_receipt r;
	char *file = forge(&R, BODY), *verdict = subst(BODY, "\"rejected\"", "\"accepted\"");
	char *accepted = subst(verdict, "\"bad\"", "null");

	(void)state;
	/* The body the malformed cases start from is good as it is, rejected or accepted. */
	assert_int_equal(pouch_receipt_verify(&S.h, file, strlen(file), now, &r, NULL), 0);
	assert_string_equal(r.reason, "bad");
	free(file);
	file = forge(&R, accepted);
	assert_int_equal(pouch_receipt_verify(&S.h, file, strlen(file), now, &r, NULL), 0);
	assert_int_equal(r.accepted, 1);
	free(file);
	free(accepted);
	free(verdict);
}

static void test_receipt__reason_of_513_characters_is_refused(void **state)
{
	char reason[POUCH_REASON_MAX + 2], *body, *file;

	(void)state;
	memset(reason, 'a', POUCH_REASON_MAX + 1);
	reason[POUCH_REASON_MAX + 1] = '\0';
	body = subst(BODY, "\"bad\"", "\"@R\"");
	file = subst(body, "@R", reason);
	free(body);
	body = file;
	file = forge(&R, body);
	refused(file, strlen(file), now, "the body", "longer than 512 characters");
	free(file);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipt__well_formed_file_verifies),
		ROW(malformed_file, "extra_member", "{\"pouch\":\"receipt/1\",\"receipt\":\"@B\","
			"\"signature\":\"@S\",\"note\":1}", "unknown field 'note'"),
		ROW(malformed_file, "missing_signature", "{\"pouch\":\"receipt/1\",\"receipt\":\"@B\"}",
		    "field 'signature' is missing"),
		ROW(malformed_file, "missing_pouch", "{\"receipt\":\"@B\",\"signature\":\"@S\"}",
		    "field 'pouch' is missing"),
		ROW(malformed_file, "duplicate_member", "{\"pouch\":\"receipt/1\",\"receipt\":\"@B\","
			"\"receipt\":\"@B\",\"signature\":\"@S\"}", "duplicate"),
		ROW(malformed_file, "body_not_base64", "{\"pouch\":\"receipt/1\",\"receipt\":\"@B*\","
			"\"signature\":\"@S\"}", "'receipt' is not canonical base64"),
		ROW(malformed_file, "signature_not_base64", "{\"pouch\":\"receipt/1\",\"receipt\":"
			"\"@B\",\"signature\":\"@S \"}", "'signature' is not canonical base64"),
		ROW(malformed_file, "signature_not_a_string", "{\"pouch\":\"receipt/1\",\"receipt\":"
			"\"@B\",\"signature\":null}", "field 'signature' is not a string"),
		ROW(malformed_file, "other_version", "{\"pouch\":\"receipt/2\",\"receipt\":\"@B\","
			"\"signature\":\"@S\"}", "not a pouch receipt/1"),
		ROW(malformed_file, "an_envelope", "{\"pouch\":\"envelope/1\",\"receipt\":\"@B\","
			"\"signature\":\"@S\"}", "not a pouch receipt/1"),
		ROW(malformed_file, "not_an_object", "[\"@B\",\"@S\"]", "not a JSON object"),
		ROW(malformed_file, "trailing_text", FILE_OK " x", "not valid JSON"),
		ROW(malformed_file, "empty", "", "not valid JSON"),
		cmocka_unit_test(test_receipt__oversized_file_is_refused),
		cmocka_unit_test(test_receipt__well_formed_body_verifies),
		ROW(malformed_body, "extra_member",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    B_TIME ",\"x\":1"), "unknown field 'x'"),
		ROW(malformed_body, "missing_time",
		    "{" B_FORMAT "," B_PKG "," B_SHA "," B_SENDER "," B_RCPT "," B_VERDICT ","
		    B_REASON "}", "field 'time' is missing"),
		ROW(malformed_body, "missing_reason",
		    "{" B_FORMAT "," B_PKG "," B_SHA "," B_SENDER "," B_RCPT "," B_VERDICT ","
		    B_TIME "}", "field 'reason' is missing"),
		ROW(malformed_body, "duplicate_verdict",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    B_TIME "," B_VERDICT), "duplicate"),
		ROW(malformed_body, "other_format",
		    BODY_OF("\"format\":\"pouch-receipt/2\"", B_PKG, B_SHA, B_SENDER, B_RCPT,
			    B_VERDICT, B_REASON, B_TIME), "unknown receipt format"),
		ROW(malformed_body, "upper_case_uuid",
		    BODY_OF(B_FORMAT, "\"package\":\"6F1C1AE4-5A3B-4C2D-9E8F-0A1B2C3D4E5F\"", B_SHA,
			    B_SENDER, B_RCPT, B_VERDICT, B_REASON, B_TIME), "UUID"),
		ROW(malformed_body, "version_1_uuid",
		    BODY_OF(B_FORMAT, "\"package\":\"6f1c1ae4-5a3b-1c2d-9e8f-0a1b2c3d4e5f\"", B_SHA,
			    B_SENDER, B_RCPT, B_VERDICT, B_REASON, B_TIME), "UUID"),
		ROW(malformed_body, "package_a_number",
		    BODY_OF(B_FORMAT, "\"package\":1", B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    B_TIME), "field 'package' is not a string"),
		ROW(malformed_body, "upper_case_sha",
		    BODY_OF(B_FORMAT, B_PKG, "\"header_sha256\":\"BA7816BF8F01CFEA414140DE5DAE2223B"
			    "00361A396177A9CB410FF61F20015AD\"", B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    B_TIME), "SHA-256"),
		ROW(malformed_body, "short_sha",
		    BODY_OF(B_FORMAT, B_PKG, "\"header_sha256\":\"ba7816bf\"", B_SENDER, B_RCPT,
			    B_VERDICT, B_REASON, B_TIME), "SHA-256"),
		ROW(malformed_body, "bad_sender",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, "\"sender\":\"gb-nca\"", B_RCPT, B_VERDICT,
			    B_REASON, B_TIME), "agency code"),
		ROW(malformed_body, "recipient_extra_member",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, "\"recipient\":{\"agency\":\"GB-MET\","
			    "\"fingerprint\":\"@F\",\"name\":\"x\"}", B_VERDICT, B_REASON, B_TIME),
		    "recipient: unknown field 'name'"),
		ROW(malformed_body, "recipient_without_fingerprint",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, "\"recipient\":{\"agency\":\"GB-MET\"}",
			    B_VERDICT, B_REASON, B_TIME), "field 'fingerprint' is missing"),
		ROW(malformed_body, "recipient_a_string",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, "\"recipient\":\"GB-MET\"", B_VERDICT,
			    B_REASON, B_TIME), "recipient: expected an object"),
		ROW(malformed_body, "recipient_missing",
		    "{" B_FORMAT "," B_PKG "," B_SHA "," B_SENDER "," B_VERDICT "," B_REASON ","
		    B_TIME "}", "recipient: expected an object"),
		ROW(malformed_body, "fingerprint_spaced",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, "\"recipient\":{\"agency\":\"GB-MET\","
			    "\"fingerprint\":\" @F\"}", B_VERDICT, B_REASON, B_TIME), "fingerprint"),
		ROW(malformed_body, "fingerprint_in_lower_case",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, "\"recipient\":{\"agency\":\"GB-MET\","
			    "\"fingerprint\":\"@f\"}", B_VERDICT, B_REASON, B_TIME),
		    "invalid recipient fingerprint"),
		ROW(malformed_body, "unknown_verdict",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, "\"verdict\":\"maybe\"",
			    B_REASON, B_TIME), "unknown verdict"),
		ROW(malformed_body, "rejected_with_null_reason",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, "\"reason\":null",
			    B_TIME), "'reason' must be null exactly when"),
		ROW(malformed_body, "rejected_with_empty_reason",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, "\"reason\":\"\"",
			    B_TIME), "needs a reason"),
		ROW(malformed_body, "accepted_with_reason",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, "\"verdict\":\"accepted\"",
			    B_REASON, B_TIME), "'reason' must be null exactly when"),
		ROW(malformed_body, "accepted_with_empty_reason",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, "\"verdict\":\"accepted\"",
			    "\"reason\":\"\"", B_TIME), "'reason' must be null exactly when"),
		ROW(malformed_body, "reason_with_a_control_character",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT,
			    "\"reason\":\"ring\\u0007\"", B_TIME), "control characters"),
		ROW(malformed_body, "reason_with_a_nul",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT,
			    "\"reason\":\"a\\u0000b\"", B_TIME), "not valid JSON"),
		ROW(malformed_body, "time_with_a_space",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    "\"time\":\"2026-06-01 00:00:00Z\""), "field 'time' is not a UTC time"),
		ROW(malformed_body, "time_31_february",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    "\"time\":\"2026-02-31T00:00:00Z\""), "field 'time' is not a UTC time"),
		ROW(malformed_body, "time_null",
		    BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON,
			    "\"time\":null"), "field 'time' is not a string"),
		ROW(malformed_body, "not_json", "[" B_FORMAT "]", "not valid JSON"),
		ROW(malformed_body, "an_array", "[\"@F\"]", "not a JSON object"),
		ROW(malformed_body, "trailing_text", BODY " x", "not valid JSON"),
		cmocka_unit_test(test_receipt__reason_of_513_characters_is_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
