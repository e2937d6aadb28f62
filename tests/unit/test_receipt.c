/* Receipts on real keys: made by a recipient, verified by the sender whose directory pins it,
 * and refused when the signature is not the pinned recipient's or not valid now; a receipt
 * matched to its package, and its JSON summary. Malformed files and bodies:
 * test_receipt_format.c. */
#include "receipt_fixture.h"

/* S's directory also pins O (another agency), E (whose key's window has ended) and V (whose key
 * is revoked); X is a stranger whose key S holds without pinning it. */
static struct agency O, X, E, V;

/* Ends E's window a second after it opened: E's keys are good but no longer valid. */
static void end_window(void)
{
	struct pouch_partner p;

	assert_int_equal(pouch_partner_load(&S.h, "GB-END", &p, NULL), 0);
	p.keys[0].valid_until = p.keys[0].valid_from + 1;
	assert_int_equal(pouch_partner_save(&S.h, &p, 0, NULL), 0);
	pouch_partner_release(&p);
}

/* Imports into S the revocation certificate GnuPG kept when it made V's key. */
static void revoke_v(void)
{
	char path[160], rev[128], fpr[POUCH_FPR_LEN + 1], *text = NULL, *arm;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/openpgp-revocs.d/%s.rev", V.h.gnupg, V.fpr);
	assert_int_equal(pouch_fs_read(path, 1 << 16, &text, &len, NULL), 0);
	/* GnuPG disarms the armor line with a ':' so that it is not imported by accident. */
	arm = strstr(text, ":-----BEGIN");
	assert_non_null(arm);
	snprintf(rev, sizeof(rev), "%s/v.rev", dir);
	put_text(rev, arm + 1, 0600);
	assert_int_equal(pouch_directory_revoke(&S.h, "GB-REV", rev, fpr, NULL), 0);
	assert_string_equal(fpr, V.fpr);
	free(text);
}

static int group_setup(void **state)
{
	(void)state;
	if (receipt_pair_make() < 0)
		return -1;
	agency_make(&O, dir, "GB-OTH");
	agency_make(&X, dir, "GB-X");
	agency_make(&E, dir, "GB-END");
	agency_make(&V, dir, "GB-REV");
	agency_pin(&O, &S);
	agency_pin(&E, &S);
	agency_pin(&V, &S);
	agency_share(&X, &S);
	end_window();
	revoke_v();
	/* Taken once every key is made. */
	now = time(NULL) + 60;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	agency_drop(&O);
	agency_drop(&X);
	agency_drop(&E);
	agency_drop(&V);
	return receipt_pair_drop();
}

static void test_receipt__header_sha256_is_of_the_exact_bytes(void **state)
{
	char hex[POUCH_SHA256_HEX];

	(void)state;
	assert_int_equal(pouch_receipt_header_sha256("abc", 3, hex, NULL), 0);
	assert_string_equal(hex, SHA);
}

static void test_receipt__accepted_round_trip(void **state)
{
	struct pouch_receipt r;
	struct pouch_err err = { 0 };
	size_t len = 0;
	char *file = made(&R, 1, "", &len);

	(void)state;
	assert_int_equal(len, strlen(file));
	assert_true(strncmp(file, "{\"pouch\":\"receipt/1\",\"receipt\":\"", 32) == 0);
	assert_ptr_equal(strchr(file, '\n'), file + len - 1);
	if (pouch_receipt_verify(&S.h, file, len, now, &r, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(r.package, PKG);
	assert_string_equal(r.header_sha256, SHA);
	assert_string_equal(r.sender, "GB-NCA");
	assert_string_equal(r.recipient.agency, "GB-MET");
	assert_string_equal(r.recipient.fpr, R.fpr);
	assert_int_equal(r.accepted, 1);
	assert_string_equal(r.reason, "");
	assert_int_equal(r.time, WHEN);
	/* The recipient's own key counts for the recipient's own home too. */
	assert_int_equal(pouch_receipt_verify(&R.h, file, len, now, &r, NULL), 0);
	free(file);
}

static void test_receipt__rejected_round_trip(void **state)
{
	static const char *const reasons[] = { "package 'x' is not genuine: expired on "
					       "2026-01-01T00:00:00Z",
					       "réception refusée « ceci » 受付" };
	char longest[POUCH_REASON_MAX * 2 + 1] = "";
	struct pouch_receipt r;
	size_t i, len = 0;
	char *file;

	(void)state;
	for (i = 0; i < POUCH_REASON_MAX; i++)
		strcat(longest, "é");
	for (i = 0; i < 3; i++) {
		const char *reason = i < 2 ? reasons[i] : longest;
		file = made(&R, 0, reason, &len);
		assert_int_equal(pouch_receipt_verify(&S.h, file, len, now, &r, NULL), 0);
		assert_int_equal(r.accepted, 0);
		assert_string_equal(r.reason, reason);
		assert_string_equal(r.recipient.fpr, R.fpr);
		free(file);
	}
}

static void test_receipt__make_refuses_an_invalid_receipt(void **state)
{
	static const struct {
		int accepted;
		const char *reason, *field, *value, *want;
	} cases[] = {
		{ 0, "", NULL, NULL, "needs a reason" },
		{ 1, "fine", NULL, NULL, "accepted receipt has no reason" },
		{ 0, "two\nlines", NULL, NULL, "control characters" },
		{ 0, "tab\there", NULL, NULL, "control characters" },
		{ 0, "del\x7f", NULL, NULL, "control characters" },
		{ 0, "c1 \xc2\x9b[31m", NULL, NULL, "control characters" },
		{ 0, "latin1 \xe9", NULL, NULL, "invalid UTF-8" },
		{ 0, "bad", "package", "6F1C1AE4-5A3B-4C2D-9E8F-0A1B2C3D4E5F", "UUID" },
		{ 0, "bad", "package", "not-a-uuid", "UUID" },
		{ 0, "bad", "sha", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		  "SHA-256" },
		{ 0, "bad", "sha", "ba7816bf", "SHA-256" },
		{ 0, "bad", "sender", "gb-nca", "agency code" },
		{ 0, "bad", "time", "0", "time" },
		{ 0, "bad", "time", "-5", "time" },
	};
	char tail[POUCH_REASON_MAX + 2];
	struct pouch_receipt r;
	struct pouch_err err = { 0 };
	static char unset[] = "unset";
	char *file = unset;
	size_t i, len = 7;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base(&r, cases[i].accepted, cases[i].reason);
		if (cases[i].field && strcmp(cases[i].field, "package") == 0)
			strcpy(r.package, cases[i].value);
		if (cases[i].field && strcmp(cases[i].field, "sha") == 0)
			strcpy(r.header_sha256, cases[i].value);
		if (cases[i].field && strcmp(cases[i].field, "sender") == 0)
			strcpy(r.sender, cases[i].value);
		if (cases[i].field && strcmp(cases[i].field, "time") == 0)
			r.time = atoi(cases[i].value);
		assert_int_equal(pouch_receipt_make(&R.h, &r, NULL, &file, &len, &err),
				 POUCH_E_USAGE);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
		assert_null(file);
		assert_int_equal(len, 0);
	}
	memset(tail, 'a', POUCH_REASON_MAX + 1);
	tail[POUCH_REASON_MAX + 1] = '\0';
	base(&r, 0, tail);
	assert_int_equal(pouch_receipt_make(&R.h, &r, NULL, &file, &len, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "longer than 512 characters"));
	/* An unterminated reason is never read past its buffer. */
	memset(r.reason, 'a', sizeof(r.reason));
	assert_int_equal(pouch_receipt_make(&R.h, &r, NULL, &file, &len, &err), POUCH_E_USAGE);
}

static void test_receipt__make_needs_an_identity(void **state)
{
	struct pouch_home h = { 0 };
	struct pouch_receipt r;
	char path[64], *file = NULL;
	size_t len = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(pouch_home_init(&h, path, NULL), 0);
	assert_int_equal(pouch_home_create(&h, NULL), 0);
	base(&r, 1, "");
	assert_int_equal(pouch_receipt_make(&h, &r, NULL, &file, &len, NULL), POUCH_E_NOTINIT);
	assert_null(file);
	pouch_home_release(&h);
}

static void test_receipt__tampered_body_is_refused(void **state)
{
	static const char *const from[] = { "T00:00:00Z", "\"bad\"", "GB-NCA" };
	static const char *const to[] = { "T00:00:01Z", "\"bed\"", "GB-NCB" };
	size_t len = 0, body_len = 0, sig_len = 0, i;
	char *file = made(&R, 0, "bad", &len);
	char *body = member(file, "receipt", &body_len), *sig = member(file, "signature", &sig_len);

	(void)state;
	for (i = 0; i < 3; i++) {
		char *changed = subst(body, from[i], to[i]), *forged;
		assert_string_not_equal(changed, body);
		forged = file_of(FILE_OK, changed, body_len, sig, sig_len);
		refused(forged, strlen(forged), now, "receipt for package " PKG " is not genuine",
			"the signature does not verify");
		free(forged);
		free(changed);
	}
	/* The same bytes re-wrapped still verify: what changed above is all that failed. */
	free(file);
	file = file_of(FILE_OK, body, body_len, sig, sig_len);
	assert_int_equal(pouch_receipt_verify(&S.h, file, strlen(file), now,
					      &(struct pouch_receipt){ 0 }, NULL), 0);
	free(file);
	free(body);
	free(sig);
}

static void test_receipt__signed_by_another_partner_is_refused(void **state)
{
	/* O, pinned for GB-OTH, signs as the recipient GB-MET: with R's fingerprint or its own. */
	char *file = forge(&O, BODY);
	char *own = subst(BODY, "@F", O.fpr), *file2 = forge(&O, own);

	(void)state;
	refused(file, strlen(file), now, "receipt for package " PKG " is not genuine",
		"it names recipient GB-MET but is signed by key");
	refused(file2, strlen(file2), now, "of GB-OTH", "names recipient GB-MET");
	free(file);
	free(file2);
	free(own);
}

static void test_receipt__fingerprint_not_the_signers_is_refused(void **state)
{
	/* O signs as itself, GB-OTH, but names R's key. */
	char *body = subst(BODY, "\"GB-MET\"", "\"GB-OTH\""), *file = forge(&O, body);
	char want[128];

	(void)state;
	snprintf(want, sizeof(want), "names recipient key %s but is signed by key %s", R.fpr,
		 O.fpr);
	refused(file, strlen(file), now, "is not genuine", want);
	free(file);
	free(body);
}

static void test_receipt__signed_by_an_unpinned_key_is_refused(void **state)
{
	char *file = forge(&X, BODY), *body = subst(BODY, "\"GB-MET\"", "\"GB-X\"");
	char *own = subst(body, "@F", X.fpr), *file2 = forge(&X, own);

	(void)state;
	refused(file, strlen(file), now, "is not genuine", "which no partner in the directory pins");
	refused(file2, strlen(file2), now, X.fpr, "which no partner in the directory pins");
	free(file);
	free(file2);
	free(body);
	free(own);
}

static void test_receipt__signed_by_a_key_whose_window_ended_is_refused(void **state)
{
	struct pouch_partner p;
	size_t len = 0;
	char *file = made(&E, 1, "", &len);

	(void)state;
	refused(file, len, now, "is not genuine", "of GB-END, which is ended");
	/* Within the window the same receipt is good. */
	assert_int_equal(pouch_partner_load(&S.h, "GB-END", &p, NULL), 0);
	assert_int_equal(pouch_receipt_verify(&S.h, file, len, p.keys[0].valid_from,
					      &(struct pouch_receipt){ 0 }, NULL), 0);
	pouch_partner_release(&p);
	free(file);
}

static void test_receipt__signed_by_a_revoked_key_is_refused(void **state)
{
	size_t len = 0;
	char *file = made(&V, 1, "", &len);

	(void)state;
	refused(file, len, now, "is not genuine", "revoked");
	free(file);
}

/* A header for PKG from GB-NCA to GB-OTH and GB-MET. */
static void header(struct pouch_header *h)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->id, PKG);
	strcpy(h->sender.agency, "GB-NCA");
	strcpy(h->sender.fpr, S.fpr);
	strcpy(h->recipients[0].agency, "GB-OTH");
	strcpy(h->recipients[0].fpr, O.fpr);
	strcpy(h->recipients[1].agency, "GB-MET");
	strcpy(h->recipients[1].fpr, R.fpr);
	h->nrecipients = 2;
}

static void test_receipt__matches_detects_each_difference(void **state)
{
	static const char other[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae";
	struct pouch_err err = { 0 };
	struct pouch_receipt r;
	struct pouch_header h;
	size_t len = 0;
	char *file = made(&R, 1, "", &len);

	(void)state;
	assert_int_equal(pouch_receipt_verify(&S.h, file, len, now, &r, NULL), 0);
	header(&h);
	assert_int_equal(pouch_receipt_matches(&r, &h, SHA, &err), 0);
	/* The recipient's key may have changed since the header named it. */
	strcpy(h.recipients[1].fpr, O.fpr);
	assert_int_equal(pouch_receipt_matches(&r, &h, SHA, &err), 0);

	header(&h);
	strcpy(h.id, "6f1c1ae4-5a3b-4c2d-9e8f-0a1b2c3d4e50");
	assert_int_equal(pouch_receipt_matches(&r, &h, SHA, &err), POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "is for package " PKG ", not 6f1c1ae4"));

	header(&h);
	assert_int_equal(pouch_receipt_matches(&r, &h, other, &err), POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "acknowledges another header"));

	header(&h);
	strcpy(h.sender.agency, "GB-OTH");
	assert_int_equal(pouch_receipt_matches(&r, &h, SHA, &err), POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "names sender GB-NCA, not GB-OTH"));

	header(&h);
	strcpy(h.recipients[1].agency, "GB-END");
	strcpy(h.recipients[1].fpr, R.fpr);
	assert_int_equal(pouch_receipt_matches(&r, &h, SHA, &err), POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "is from GB-MET, which is not one of its recipients"));
	free(file);
}

static void test_receipt__json_summary(void **state)
{
	struct pouch_receipt r;
	char want[512], *text;
	size_t len = 0;
	char *file = made(&R, 0, "said \"no\"", &len);

	(void)state;
	assert_int_equal(pouch_receipt_verify(&S.h, file, len, now, &r, NULL), 0);
	text = pouch_receipt_json(&r);
	snprintf(want, sizeof(want), "{\"package\":\"" PKG "\",\"header_sha256\":\"" SHA "\","
		 "\"sender\":\"GB-NCA\",\"recipient\":{\"agency\":\"GB-MET\",\"fingerprint\":"
		 "\"%s\"},\"verdict\":\"rejected\",\"reason\":\"said \\\"no\\\"\",\"time\":\""
		 T1 "\"}", R.fpr);
	assert_string_equal(text, want);
	free(text);
	r.accepted = 1;
	r.reason[0] = '\0';
	text = pouch_receipt_json(&r);
	assert_non_null(strstr(text, "\"verdict\":\"accepted\",\"reason\":null,"));
	free(text);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipt__header_sha256_is_of_the_exact_bytes),
		cmocka_unit_test(test_receipt__accepted_round_trip),
		cmocka_unit_test(test_receipt__rejected_round_trip),
		cmocka_unit_test(test_receipt__make_refuses_an_invalid_receipt),
		cmocka_unit_test(test_receipt__make_needs_an_identity),
		cmocka_unit_test(test_receipt__tampered_body_is_refused),
		cmocka_unit_test(test_receipt__signed_by_another_partner_is_refused),
		cmocka_unit_test(test_receipt__fingerprint_not_the_signers_is_refused),
		cmocka_unit_test(test_receipt__signed_by_an_unpinned_key_is_refused),
		cmocka_unit_test(test_receipt__signed_by_a_key_whose_window_ended_is_refused),
		cmocka_unit_test(test_receipt__signed_by_a_revoked_key_is_refused),
		cmocka_unit_test(test_receipt__matches_detects_each_difference),
		cmocka_unit_test(test_receipt__json_summary),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
