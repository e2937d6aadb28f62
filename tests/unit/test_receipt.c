/* Receipts on real keys: made by a recipient, verified by the sender whose directory pins it,
 * and refused when anything in the file, the body or the signature is not as it should be. */
#include "agencies.h"

#include <ctype.h>
#include <jansson.h>
#include <time.h>

#include "base/base64.h"
#include "directory/partner.h"
#include "package/receipt.h"

/* S sends packages and checks receipts; R, a recipient, signs them. S's directory also pins O
 * (another agency), E (whose key's window has ended) and V (whose key is revoked); X is a
 * stranger whose key S holds without pinning it. */
static char dir[32];
static struct agency S, R, O, X, E, V;
static time_t now;

#define PKG "6f1c1ae4-5a3b-4c2d-9e8f-0a1b2c3d4e5f"
#define SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" /* of "abc" */
#define WHEN 1780272000                                                          /* T1 */

/* The parts of a body; "@F" stands for R's fingerprint. Each case changes one part. */
#define B_FORMAT "\"format\":\"pouch-receipt/1\""
#define B_PKG "\"package\":\"" PKG "\""
#define B_SHA "\"header_sha256\":\"" SHA "\""
#define B_SENDER "\"sender\":\"GB-NCA\""
#define B_RCPT "\"recipient\":{\"agency\":\"GB-MET\",\"fingerprint\":\"@F\"}"
#define B_VERDICT "\"verdict\":\"rejected\""
#define B_REASON "\"reason\":\"bad\""
#define B_TIME "\"time\":\"" T1 "\""
#define BODY_OF(format, pkg, sha, sender, rcpt, verdict, reason, time) \
	"{" format "," pkg "," sha "," sender "," rcpt "," verdict "," reason "," time "}"
#define BODY BODY_OF(B_FORMAT, B_PKG, B_SHA, B_SENDER, B_RCPT, B_VERDICT, B_REASON, B_TIME)
/* The file; "@B" and "@S" stand for the base64 of a body and of its signature. */
#define FILE_OK "{\"pouch\":\"receipt/1\",\"receipt\":\"@B\",\"signature\":\"@S\"}"

/* A cmocka row running fn on a case. */
#define ROW(fn, label, text, want) \
	{ #fn "_" label, fn, NULL, NULL, &(struct ccase){ text, want, 0 } }

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
	strcpy(dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	agency_make(&S, dir, "GB-NCA");
	agency_make(&R, dir, "GB-MET");
	agency_make(&O, dir, "GB-OTH");
	agency_make(&X, dir, "GB-X");
	agency_make(&E, dir, "GB-END");
	agency_make(&V, dir, "GB-REV");
	agency_pin(&R, &S);
	agency_pin(&O, &S);
	agency_pin(&E, &S);
	agency_pin(&V, &S);
	agency_share(&X, &S);
	end_window();
	revoke_v();
	now = time(NULL) + 60;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	agency_drop(&S);
	agency_drop(&R);
	agency_drop(&O);
	agency_drop(&X);
	agency_drop(&E);
	agency_drop(&V);
	return pouch_fs_remove_tree(dir, NULL);
}

/* A receipt for package PKG from GB-NCA, before make fills in the recipient. */
static void base(struct pouch_receipt *r, int accepted, const char *reason)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->package, PKG);
	strcpy(r->header_sha256, SHA);
	strcpy(r->sender, "GB-NCA");
	r->accepted = accepted;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->time = WHEN;
}

/* x's receipt file for base(accepted, reason). */
static char *made(struct agency *x, int accepted, const char *reason, size_t *len)
{
	struct pouch_receipt r;
	struct pouch_err err = { 0 };
	char *file = NULL;

	base(&r, accepted, reason);
	if (pouch_receipt_make(&x->h, &r, NULL, &file, len, &err) < 0)
		fail_msg("pouch_receipt_make: %s", err.msg);
	return file;
}

/* text with every token replaced by value (caller frees). */
static char *subst(const char *text, const char *token, const char *value)
{
	size_t tl = strlen(token), vl = strlen(value), n = 0;
	const char *p;
	char *out, *o;

	for (p = strstr(text, token); p; p = strstr(p + tl, token))
		n++;
	out = malloc(strlen(text) + n * vl + 1);
	assert_non_null(out);
	for (o = out; *text;) {
		if (strncmp(text, token, tl) == 0) {
			memcpy(o, value, vl);
			o += vl;
			text += tl;
		} else {
			*o++ = *text++;
		}
	}
	*o = '\0';
	return out;
}

/* The file template with @B and @S replaced by the base64 of body and sig. */
static char *file_of(const char *tmpl, const char *body, size_t body_len, const char *sig,
		     size_t sig_len)
{
	char *b = pouch_base64_encode((const unsigned char *)body, body_len);
	char *s = pouch_base64_encode((const unsigned char *)sig, sig_len);
	char *half = subst(tmpl, "@B", b), *file = subst(half, "@S", s);

	free(b);
	free(s);
	free(half);
	return file;
}

/* The file for body text (@F: R's fingerprint, @f: the same in lower case) signed by x's key. */
static char *forge(struct agency *x, const char *text)
{
	char lower[POUCH_FPR_LEN + 1], *upper = subst(text, "@F", R.fpr), *body, *sig = NULL, *file;
	size_t sig_len = 0, i;

	for (i = 0; i <= POUCH_FPR_LEN; i++)
		lower[i] = (char)tolower((unsigned char)R.fpr[i]);
	body = subst(upper, "@f", lower);
	free(upper);

	assert_int_equal(pouch_pgp_sign_detached(x->pgp, x->fpr, body, strlen(body), &sig,
						 &sig_len, NULL), 0);
	file = file_of(FILE_OK, body, strlen(body), sig, sig_len);
	free(sig);
	free(body);
	return file;
}

/* The decoded member key ("receipt" or "signature") of a receipt file (caller frees). */
static char *member(const char *file, const char *key, size_t *len)
{
	json_t *j = json_loads(file, 0, NULL);
	const char *s = json_string_value(json_object_get(j, key));
	char *out;
	long n;

	assert_non_null(s);
	out = malloc(strlen(s) + 1);
	assert_non_null(out);
	n = pouch_base64_decode(s, (unsigned char *)out, strlen(s));
	assert_true(n >= 0);
	out[n] = '\0';
	*len = (size_t)n;
	json_decref(j);
	return out;
}

/* S refuses file at when as POUCH_E_VERIFY, in one line holding want1 and (unless NULL) want2,
 * and leaves nothing in the receipt. */
static void refused(const char *file, size_t len, time_t when, const char *want1,
		    const char *want2)
{
	struct pouch_receipt r;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_receipt_verify(&S.h, file, len, when, &r, &err), POUCH_E_VERIFY);
	assert_int_equal(err.code, POUCH_E_VERIFY);
	if (!strstr(err.msg, want1) || (want2 && !strstr(err.msg, want2)))
		fail_msg("message '%s' lacks '%s' or '%s'", err.msg, want1, want2 ? want2 : "");
	assert_string_equal(r.package, "");
	assert_null(strchr(err.msg, '\n'));
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
		cmocka_unit_test(test_receipt__matches_detects_each_difference),
		cmocka_unit_test(test_receipt__json_summary),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
