/* Receipts: the body (encoded, and decoded strictly), the file that carries its exact bytes and
 * the recipient's detached signature over them, and the checks a sender makes on one. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/base64.h"
#include "directory/identity.h"
#include "crypto/pgp.h"
#include "package/receipt.h"
#include "base/timefmt.h"
#include "package/verify.h"

#define FILE_FORMAT "receipt/1"
#define BODY_FORMAT "pouch-receipt/1"
#define HEX_DIGITS "0123456789abcdef"

int pouch_receipt_header_sha256(const char *header, size_t len, char *hex,
				struct pouch_err *err)
{
	return pouch_sha256_buf(header, len, hex, err);
}

/* A rejection's reason: 1 to POUCH_REASON_MAX characters of UTF-8, no control characters. */
static int reason_check(const char *reason, struct pouch_err *err)
{
	const unsigned char *p = (const unsigned char *)reason;
	size_t n, chars = 0;

	if (!*p)
		return pouch_err_set(err, POUCH_E_USAGE, "a rejected receipt needs a reason");
	for (; *p; p += n, chars++) {
		n = pouch_utf8_seq(p);
		if (n == 0 || pouch_utf8_is_control(p, n))
			return pouch_err_set(err, POUCH_E_USAGE, "invalid reason: control characters "
					     "and invalid UTF-8 are not allowed");
	}
	if (chars > POUCH_REASON_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid reason: longer than %d characters",
				     POUCH_REASON_MAX);
	return 0;
}

/* Every field of r well formed, as the body must hold it. */
static int body_check(const struct pouch_receipt *r, struct pouch_err *err)
{
	char fpr[POUCH_FPR_LEN + 1], when[POUCH_TIME_LEN];
	time_t back = 0;
	int ret = pouch_uuid_check(r->package, err);

	if (!ret && (strlen(r->header_sha256) != 64 || strspn(r->header_sha256, HEX_DIGITS) != 64))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid header SHA-256: expected 64 "
				    "lower-case hexadecimal digits");
	if (!ret)
		ret = pouch_agency_code_check(r->sender, err);
	if (!ret)
		ret = pouch_agency_code_check(r->recipient.agency, err);
	if (!ret && (pouch_fpr_normalize(r->recipient.fpr, fpr, NULL) < 0 ||
		     strcmp(fpr, r->recipient.fpr) != 0))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid recipient fingerprint: expected 40 "
				    "upper-case hexadecimal digits");
	if (!ret && !memchr(r->reason, '\0', sizeof(r->reason)))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid reason: not terminated");
	if (!ret && r->accepted && r->reason[0])
		ret = pouch_err_set(err, POUCH_E_USAGE, "an accepted receipt has no reason");
	if (!ret && !r->accepted)
		ret = reason_check(r->reason, err);
	/* Only a time that reads back the same can be signed: years 1970 to 9999. */
	if (!ret && (r->time <= 0 || pouch_time_parse(pouch_time_format(r->time, when), &back,
						       NULL) < 0 || back != r->time))
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid receipt time");
	return ret;
}

/* r's fields as a JSON object in the body's order (a new reference, NULL when out of memory). */
static json_t *body_json(const struct pouch_receipt *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:o}", "format",
			 BODY_FORMAT, "package", r->package, "header_sha256", r->header_sha256,
			 "sender", r->sender, "recipient", "agency", r->recipient.agency,
			 "fingerprint", r->recipient.fpr, "verdict",
			 r->accepted ? "accepted" : "rejected", "reason",
			 r->accepted ? json_null() : json_string(r->reason), "time",
			 pouch_json_time_new(r->time));
}

/* The receipt file for the body bytes and their signature, one line (*file, caller frees). */
static int wrap(const char *body, size_t body_len, const char *sig, size_t sig_len,
		char **file, size_t *len, struct pouch_err *err)
{
	char *b64_body = pouch_base64_encode((const unsigned char *)body, body_len);
	char *b64_sig = pouch_base64_encode((const unsigned char *)sig, sig_len);
	int n = -1;

	/* Base64 needs no escaping in a JSON string. */
	if (b64_body && b64_sig)
		n = asprintf(file, "{\"pouch\":\"" FILE_FORMAT "\",\"receipt\":\"%s\",\"signature\":"
			     "\"%s\"}\n", b64_body, b64_sig);
	free(b64_body);
	free(b64_sig);
	if (n < 0) {
		*file = NULL;
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	*len = (size_t)n;
	return 0;
}

int pouch_receipt_make(const struct pouch_home *home, const struct pouch_receipt *r,
		       const char *passphrase, char **file, size_t *len, struct pouch_err *err)
{
	struct pouch_agency self = { 0 };
	const struct pouch_agency_key *key;
	struct pouch_receipt body = *r;
	struct pouch_pgp *pgp = NULL;
	json_t *j = NULL;
	char *text = NULL, *sig = NULL;
	size_t sig_len = 0;
	int ret;

	*file = NULL;
	*len = 0;
	ret = pouch_identity_load(home, &self, err);
	if (ret < 0)
		return ret;
	key = pouch_agency_current(&self);
	if (!key) {
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "'%s' names no current key", home->agency);
		goto out;
	}
	snprintf(body.recipient.agency, sizeof(body.recipient.agency), "%s", self.code);
	snprintf(body.recipient.fpr, sizeof(body.recipient.fpr), "%s", key->fpr);
	ret = body_check(&body, err);
	if (ret < 0)
		goto out;
	j = body_json(&body);
	text = j ? pouch_json_text(j, 0) : NULL;
	if (!text) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	ret = pouch_home_pgp(home, &pgp, err);
	if (ret < 0)
		goto out;
	if (passphrase)
		pouch_pgp_set_passphrase(pgp, passphrase);
	ret = pouch_pgp_sign_detached(pgp, key->fpr, text, strlen(text), &sig, &sig_len, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot sign the receipt for package %s", body.package);
		goto out;
	}
	ret = wrap(text, strlen(text), sig, sig_len, file, len, err);
out:
	pouch_pgp_free(pgp);
	free(sig);
	free(text);
	json_decref(j);
	pouch_agency_release(&self);
	return ret;
}

/* The base64 string member key of j, decoded into *out (NUL-terminated, caller frees even on
 * failure). */
static int unbase64(const json_t *j, const char *key, char **out, size_t *len,
		    struct pouch_err *err)
{
	const char *s;
	size_t room;
	long n;
	int ret = pouch_json_str(j, key, 0, &s, err);

	if (ret < 0)
		return ret;
	room = strlen(s) / 4 * 3;
	*out = malloc(room + 1);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	n = pouch_base64_decode(s, (unsigned char *)*out, room);
	if (n < 0)
		return pouch_err_set(err, POUCH_E_CORRUPT, "'%s' is not canonical base64", key);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

/* The receipt file's members: the body bytes and the signature (both caller frees). */
static int read_file(const char *file, size_t len, char **body, size_t *body_len, char **sig,
		     size_t *sig_len, struct pouch_err *err)
{
	static const char *const fields[] = { "pouch", "receipt", "signature", NULL };
	const char *format;
	json_t *j = NULL;
	int ret;

	if (len > POUCH_RECEIPT_MAX)
		return pouch_err_set(err, POUCH_E_VERIFY, "larger than %d bytes", POUCH_RECEIPT_MAX);
	ret = pouch_json_parse("it", file, len, &j, err);
	if (!ret && !json_is_object(j))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "it is not a JSON object");
	if (!ret)
		ret = pouch_json_only_keys(j, fields, err);
	if (!ret)
		ret = pouch_json_str(j, "pouch", 0, &format, err);
	if (!ret && strcmp(format, FILE_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "not a pouch " FILE_FORMAT);
	if (!ret)
		ret = unbase64(j, "receipt", body, body_len, err);
	if (!ret)
		ret = unbase64(j, "signature", sig, sig_len, err);
	json_decref(j);
	return ret;
}

/* Copies the string member key of j into out (size bytes with the NUL). */
static int copy_member(const json_t *j, const char *key, char *out, size_t size,
		       struct pouch_err *err)
{
	const char *s;
	int ret = pouch_json_str(j, key, 0, &s, err);

	if (ret < 0)
		return ret;
	if (strlen(s) >= size)
		return pouch_err_set(err, POUCH_E_CORRUPT, "field '%s' is too long", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The body's recipient object into p. */
static int decode_recipient(const json_t *j, struct pouch_party *p, struct pouch_err *err)
{
	static const char *const fields[] = { "agency", "fingerprint", NULL };
	int ret = pouch_json_only_keys(j, fields, err);

	if (!ret)
		ret = copy_member(j, "agency", p->agency, sizeof(p->agency), err);
	if (!ret)
		ret = copy_member(j, "fingerprint", p->fpr, sizeof(p->fpr), err);
	if (ret < 0)
		pouch_err_prefix(err, "recipient");
	return ret;
}

static int decode_fields(const json_t *j, struct pouch_receipt *r, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "package", "header_sha256", "sender",
					      "recipient", "verdict", "reason", "time", NULL };
	const char *format, *verdict, *reason;
	int ret = pouch_json_only_keys(j, fields, err);

	if (!ret)
		ret = pouch_json_str(j, "format", 0, &format, err);
	if (!ret && strcmp(format, BODY_FORMAT) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown receipt format");
	if (!ret)
		ret = copy_member(j, "package", r->package, sizeof(r->package), err);
	if (!ret)
		ret = copy_member(j, "header_sha256", r->header_sha256, sizeof(r->header_sha256),
				  err);
	if (!ret)
		ret = copy_member(j, "sender", r->sender, sizeof(r->sender), err);
	if (!ret)
		ret = decode_recipient(json_object_get(j, "recipient"), &r->recipient, err);
	if (!ret)
		ret = pouch_json_str(j, "verdict", 0, &verdict, err);
	if (!ret && strcmp(verdict, "accepted") != 0 && strcmp(verdict, "rejected") != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "unknown verdict");
	if (!ret) {
		r->accepted = strcmp(verdict, "accepted") == 0;
		ret = pouch_json_str(j, "reason", 1, &reason, err);
	}
	if (!ret && r->accepted != !reason)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "'reason' must be null exactly when the "
				    "verdict is accepted");
	if (!ret && reason)
		ret = copy_member(j, "reason", r->reason, sizeof(r->reason), err);
	if (!ret)
		ret = pouch_json_time(j, "time", 0, &r->time, err);
	return ret;
}

/* Parses the body bytes strictly into r. */
static int decode_body(const char *body, size_t len, struct pouch_receipt *r,
		       struct pouch_err *err)
{
	json_t *j = NULL;
	int ret = pouch_json_parse("it", body, len, &j, err);

	if (!ret && !json_is_object(j))
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "it is not a JSON object");
	if (!ret)
		ret = decode_fields(j, r, err);
	if (!ret)
		ret = body_check(r, err);
	if (ret < 0)
		pouch_err_prefix(err, "the body");
	json_decref(j);
	return ret;
}

/* The receipt file parsed into r, with its body bytes and signature (caller frees both, also
 * on failure). */
static int parse(const char *file, size_t len, struct pouch_receipt *r, char **body,
		 size_t *body_len, char **sig, size_t *sig_len, struct pouch_err *err)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = read_file(file, len, body, body_len, sig, sig_len, err);
	if (!ret)
		ret = decode_body(*body, *body_len, r, err);
	if (ret < 0) {
		if (err && err->code != POUCH_E_NOMEM)
			err->code = POUCH_E_VERIFY;
		ret = err ? err->code : POUCH_E_VERIFY;
		pouch_err_prefix(err, "not a valid receipt");
		memset(r, 0, sizeof(*r));
	}
	return ret;
}

int pouch_receipt_parse(const char *file, size_t len, struct pouch_receipt *r,
			struct pouch_err *err)
{
	char *body = NULL, *sig = NULL;
	size_t body_len = 0, sig_len = 0;
	int ret = parse(file, len, r, &body, &body_len, &sig, &sig_len, err);

	free(body);
	free(sig);
	return ret;
}

/* The signature over the body is good and by recipient.agency's pinned key, the one the body
 * names. */
static int check_signer(const struct pouch_home *home, const char *body, size_t body_len,
			const char *sig, size_t sig_len, time_t now, const struct pouch_receipt *r,
			struct pouch_err *err)
{
	char signer[POUCH_FPR_LEN + 1] = "", agency[POUCH_CODE_MAX + 1] = "";
	struct pouch_pgp *pgp = NULL;
	int ret = pouch_home_pgp(home, &pgp, err);

	if (ret < 0)
		return ret;
	ret = pouch_signature_check(home, pgp, "the signature", body, body_len, sig, sig_len, now,
				    signer, agency, err);
	if (ret)
		goto out;
	if (strcmp(agency, r->recipient.agency) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it names recipient %s but is signed by "
				    "key %s of %s", r->recipient.agency, signer, agency);
	else if (strcmp(signer, r->recipient.fpr) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it names recipient key %s but is signed "
				    "by key %s", r->recipient.fpr, signer);
out:
	pouch_pgp_free(pgp);
	return ret;
}

int pouch_receipt_verify(const struct pouch_home *home, const char *file, size_t len,
			 time_t now, struct pouch_receipt *r, struct pouch_err *err)
{
	char *body = NULL, *sig = NULL;
	size_t body_len = 0, sig_len = 0;
	int ret;

	ret = parse(file, len, r, &body, &body_len, &sig, &sig_len, err);
	if (ret < 0)
		goto out;
	ret = check_signer(home, body, body_len, sig, sig_len, now, r, err);
	if (ret == POUCH_E_VERIFY)
		pouch_err_prefix(err, "receipt for package %s is not genuine", r->package);
out:
	if (ret < 0)
		memset(r, 0, sizeof(*r));
	free(body);
	free(sig);
	return ret;
}

int pouch_receipt_matches(const struct pouch_receipt *r, const struct pouch_header *h,
			  const char *header_sha256, struct pouch_err *err)
{
	size_t i;

	if (strcmp(r->package, h->id) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "the receipt is for package %s, not %s",
				     r->package, h->id);
	if (strcmp(r->header_sha256, header_sha256) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "the receipt for package %s acknowledges "
				     "another header (SHA-256 %s)", r->package, r->header_sha256);
	if (strcmp(r->sender, h->sender.agency) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "the receipt for package %s names sender "
				     "%s, not %s", r->package, r->sender, h->sender.agency);
	for (i = 0; i < h->nrecipients; i++)
		if (strcmp(h->recipients[i].agency, r->recipient.agency) == 0)
			return 0;
	return pouch_err_set(err, POUCH_E_VERIFY, "the receipt for package %s is from %s, which "
			     "is not one of its recipients", r->package, r->recipient.agency);
}

char *pouch_receipt_json(const struct pouch_receipt *r)
{
	json_t *j = body_json(r);
	char *text;

	/* The body's own fields, less the format tag a reader of --json output has no use for. */
	if (j)
		json_object_del(j, "format");
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}
