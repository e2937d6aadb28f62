/* Permissions: the body {"format":"pouch-permission/1","package":{"sender","id"},"grantee",
 * "issued","expires","originator":{"agency","fingerprint"}} signed by the originator's key, in a
 * signed document "permission/1" (spec/permission.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "crypto/pgp.h"
#include "directory/identity.h"
#include "package/permit.h"
#include "package/signed.h"
#include "package/verify.h"

#define FILE_FORMAT "permission/1"
#define BODY_FORMAT "pouch-permission/1"

static json_t *body_json(const struct pouch_permission *p)
{
	return json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:o, s:{s:s, s:s}}", "format", BODY_FORMAT,
			 "package", "sender", p->sender, "id", p->id, "grantee", p->grantee,
			 "issued", pouch_json_time_new(p->issued), "expires",
			 pouch_json_time_new(p->expires), "originator", "agency",
			 p->originator.agency, "fingerprint", p->originator.fpr);
}

char *pouch_permission_json(const struct pouch_permission *p)
{
	json_t *j = body_json(p);
	char *text;

	if (j)
		json_object_del(j, "format");
	text = j ? pouch_json_text(j, 0) : NULL;
	json_decref(j);
	return text;
}

int pouch_permission_make(const struct pouch_home *home, const char *id, const char *grantee,
			  long long expires_in, const char *passphrase, time_t now, char **file,
			  size_t *len, struct pouch_permission *out, struct pouch_err *err)
{
	struct pouch_permission p = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_pgp *pgp = NULL;
	char *text = NULL, *sig = NULL;
	size_t sig_len = 0;
	json_t *j = NULL;
	int ret;

	*file = NULL;
	ret = pouch_uuid_check(id, err);
	if (!ret)
		ret = pouch_agency_code_check(grantee, err);
	if (!ret && expires_in <= 0)
		ret = pouch_err_set(err, POUCH_E_USAGE, "a permission must expire in the future");
	if (!ret)
		ret = pouch_identity_load(home, &self, err);
	if (ret < 0)
		goto out;
	if (!pouch_agency_current(&self)) {
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "'%s' names no current key", home->agency);
		goto out;
	}
	if (strcmp(grantee, self.code) == 0) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "a permission for our own agency %s says "
				    "nothing", grantee);
		goto out;
	}
	snprintf(p.id, sizeof(p.id), "%s", id);
	snprintf(p.sender, sizeof(p.sender), "%s", self.code);
	snprintf(p.grantee, sizeof(p.grantee), "%s", grantee);
	snprintf(p.originator.agency, sizeof(p.originator.agency), "%s", self.code);
	snprintf(p.originator.fpr, sizeof(p.originator.fpr), "%s", pouch_agency_current(&self)->fpr);
	p.issued = now;
	p.expires = now + (time_t)expires_in;
	j = body_json(&p);
	text = j ? pouch_json_text(j, 0) : NULL;
	ret = text ? pouch_home_pgp(home, &pgp, err)
		   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0)
		goto out;
	if (passphrase)
		pouch_pgp_set_passphrase(pgp, passphrase);
	ret = pouch_pgp_sign_detached(pgp, p.originator.fpr, text, strlen(text), &sig, &sig_len,
				      err);
	if (ret < 0)
		pouch_err_prefix(err, "cannot sign the permission for package %s", id);
	else
		ret = pouch_signed_wrap(FILE_FORMAT, "permission", text, strlen(text), sig, sig_len,
					file, len, err);
	if (!ret && out)
		*out = p;
out:
	pouch_pgp_free(pgp);
	free(sig);
	free(text);
	json_decref(j);
	pouch_agency_release(&self);
	return ret;
}

static int copy(const json_t *j, const char *key, char *out, size_t size)
{
	const char *s = NULL;

	if (pouch_json_str(j, key, 0, &s, NULL) < 0 || strlen(s) >= size)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* The body's bytes parsed strictly into p. */
static int decode(const char *body, size_t len, struct pouch_permission *p,
		  struct pouch_err *err)
{
	static const char *const fields[] = { "format", "package", "grantee", "issued", "expires",
					      "originator", NULL };
	static const char *const package[] = { "sender", "id", NULL };
	static const char *const party[] = { "agency", "fingerprint", NULL };
	const json_t *pkg, *orig;
	json_t *j = NULL;
	char fpr[POUCH_FPR_LEN + 1];
	int bad;

	if (pouch_json_parse("it", body, len, &j, err) < 0) {
		json_decref(j);
		return POUCH_E_VERIFY;
	}
	pkg = json_object_get(j, "package");
	orig = json_object_get(j, "originator");
	bad = !json_is_object(j) || pouch_json_only_keys(j, fields, NULL) < 0 ||
	      json_object_size(j) != 6 || copy(j, "format", fpr, sizeof(fpr)) < 0 ||
	      strcmp(fpr, BODY_FORMAT) != 0 || !json_is_object(pkg) ||
	      pouch_json_only_keys(pkg, package, NULL) < 0 || json_object_size(pkg) != 2 ||
	      copy(pkg, "sender", p->sender, sizeof(p->sender)) < 0 ||
	      copy(pkg, "id", p->id, sizeof(p->id)) < 0 || pouch_uuid_check(p->id, NULL) < 0 ||
	      pouch_agency_code_check(p->sender, NULL) < 0 ||
	      copy(j, "grantee", p->grantee, sizeof(p->grantee)) < 0 ||
	      pouch_agency_code_check(p->grantee, NULL) < 0 ||
	      pouch_json_time(j, "issued", 0, &p->issued, NULL) < 0 ||
	      pouch_json_time(j, "expires", 0, &p->expires, NULL) < 0 || !json_is_object(orig) ||
	      pouch_json_only_keys(orig, party, NULL) < 0 || json_object_size(orig) != 2 ||
	      copy(orig, "agency", p->originator.agency, sizeof(p->originator.agency)) < 0 ||
	      copy(orig, "fingerprint", p->originator.fpr, sizeof(p->originator.fpr)) < 0 ||
	      pouch_fpr_normalize(p->originator.fpr, fpr, NULL) < 0 ||
	      strcmp(fpr, p->originator.fpr) != 0 || p->expires <= p->issued;
	json_decref(j);
	if (bad)
		return pouch_err_set(err, POUCH_E_VERIFY, "its body is not a %s", BODY_FORMAT);
	return 0;
}

/* The body matches what is asked, and is in force at now. */
static int matches(const struct pouch_permission *p, const char *sender, const char *id,
		   const char *grantee, time_t now, struct pouch_err *err)
{
	char when[32];

	if (strcmp(p->originator.agency, p->sender) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "it is signed by %s, not by the "
				     "package's sender %s", p->originator.agency, p->sender);
	if (strcmp(p->sender, sender) != 0 || strcmp(p->id, id) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "it is for package %s from %s, not %s "
				     "from %s", p->id, p->sender, id, sender);
	if (grantee && strcmp(p->grantee, grantee) != 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "it grants %s, not %s", p->grantee,
				     grantee);
	if (p->issued > now + POUCH_CLOCK_SKEW)
		return pouch_err_set(err, POUCH_E_VERIFY, "it is issued in the future");
	if (p->expires <= now) {
		struct tm tm;
		gmtime_r(&p->expires, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return pouch_err_set(err, POUCH_E_VERIFY, "it expired on %s", when);
	}
	return 0;
}

int pouch_permission_check(const struct pouch_home *home, const char *file, size_t len,
			   const char *sender, const char *id, const char *grantee, time_t now,
			   struct pouch_permission *p, struct pouch_err *err)
{
	char signer[POUCH_FPR_LEN + 1] = "", agency[POUCH_CODE_MAX + 1] = "";
	struct pouch_pgp *pgp = NULL;
	char *body = NULL, *sig = NULL;
	size_t body_len = 0, sig_len = 0;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = len > POUCH_PERMISSION_MAX
		      ? pouch_err_set(err, POUCH_E_VERIFY, "larger than %d bytes",
				      POUCH_PERMISSION_MAX)
		      : pouch_signed_unwrap(file, len, FILE_FORMAT, "permission", &body, &body_len,
					    &sig, &sig_len, err);
	if (!ret)
		ret = decode(body, body_len, p, err);
	if (!ret)
		ret = pouch_home_pgp(home, &pgp, err);
	/* The pin decides: the key must be the one the directory holds for the originator. */
	if (!ret)
		ret = pouch_signature_check(home, pgp, "its signature", body, body_len, sig,
					    sig_len, now, signer, agency, err);
	if (!ret && (strcmp(agency, p->originator.agency) != 0 ||
		     strcmp(signer, p->originator.fpr) != 0))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "it names originator key %s of %s but is "
				    "signed by key %s of %s", p->originator.fpr,
				    p->originator.agency, signer, agency);
	if (!ret)
		ret = matches(p, sender, id, grantee, now, err);
	if (ret == POUCH_E_VERIFY || ret == POUCH_E_CORRUPT) {
		if (err)
			err->code = POUCH_E_REFUSED;
		ret = POUCH_E_REFUSED;
		pouch_err_prefix(err, "the permission is refused");
	}
	if (ret < 0)
		memset(p, 0, sizeof(*p));
	pouch_pgp_free(pgp);
	free(body);
	free(sig);
	return ret;
}
