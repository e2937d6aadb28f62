/* The receipt tests' shared part: real keys in a directory under /tmp, where S sends packages
 * and checks receipts and R, a recipient pinned in S's directory, signs them; the parts of a
 * receipt body and file, and helpers that make, forge and refuse receipt files. */
#ifndef POUCH_TEST_RECEIPT_FIXTURE_H
#define POUCH_TEST_RECEIPT_FIXTURE_H

#include "agencies.h"

#include <ctype.h>
#include <jansson.h>
#include <time.h>

#include "base/base64.h"
#include "directory/partner.h"
#include "package/receipt.h"

static char dir[32];
static struct agency S, R;
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

/* Makes dir with S and R in it, R pinned in S's directory. 0, or -1 when dir cannot be made. */
FIXTURE_FN int receipt_pair_make(void)
{
	strcpy(dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	agency_make(&S, dir, "GB-NCA");
	agency_make(&R, dir, "GB-MET");
	agency_pin(&R, &S);
	now = time(NULL) + 60;
	return 0;
}

/* Drops S and R, and removes dir with all it holds. */
FIXTURE_FN int receipt_pair_drop(void)
{
	agency_drop(&S);
	agency_drop(&R);
	return pouch_fs_remove_tree(dir, NULL);
}

/* A receipt for package PKG from GB-NCA, before make fills in the recipient. */
FIXTURE_FN void base(struct pouch_receipt *r, int accepted, const char *reason)
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
FIXTURE_FN char *made(struct agency *x, int accepted, const char *reason, size_t *len)
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
FIXTURE_FN char *subst(const char *text, const char *token, const char *value)
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
FIXTURE_FN char *file_of(const char *tmpl, const char *body, size_t body_len, const char *sig,
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
FIXTURE_FN char *forge(struct agency *x, const char *text)
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
FIXTURE_FN char *member(const char *file, const char *key, size_t *len)
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
FIXTURE_FN void refused(const char *file, size_t len, time_t when, const char *want1,
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

#endif
