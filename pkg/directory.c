/* Changes to the partner directory that touch both the records and the keyring. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pouch/directory.h"
#include "pouch/fs.h"
#include "pouch/pgp.h"
#include "pouch/timefmt.h"

#define KEY_FILE_MAX (1024 * 1024)
#define CA_FILE_MAX (1024 * 1024)

/* Refuses fpr when it is one of our keys or pinned for any partner. */
static int check_unpinned(const struct pouch_home *h, const struct pouch_agency *self,
			  const char *fpr, struct pouch_err *err)
{
	char **codes = NULL;
	size_t i, j, n = 0;
	int ret;

	for (i = 0; i < self->nkeys; i++)
		if (strcmp(self->keys[i].fpr, fpr) == 0)
			return pouch_err_set(err, POUCH_E_REFUSED, "key %s is our own agency key",
					     fpr);
	ret = pouch_partner_codes(h, &codes, &n, err);
	for (i = 0; !ret && i < n; i++) {
		struct pouch_partner p;
		ret = pouch_partner_load(h, codes[i], &p, err);
		for (j = 0; !ret && j < p.nkeys; j++)
			if (strcmp(p.keys[j].fpr, fpr) == 0)
				ret = pouch_err_set(err, POUCH_E_EXISTS,
						    "key %s is already pinned for partner '%s'", fpr,
						    p.code);
		pouch_partner_release(&p);
	}
	pouch_partner_codes_free(codes, n);
	return ret;
}

/* Reads key_file and requires one usable public key in it; its description goes to info. */
static int vet_key_file(struct pouch_pgp *pgp, const struct pouch_partner_req *req,
			char **data, size_t *len, struct pouch_key_info *info,
			struct pouch_err *err)
{
	const char *f = req->key_file;
	struct pouch_key_info *keys = NULL;
	char want[POUCH_FPR_LEN + 1], when[POUCH_TIME_LEN];
	size_t n = 0;
	int ret;

	*data = NULL;
	ret = pouch_fs_read(f, KEY_FILE_MAX, data, len, err);
	if (ret < 0)
		return ret;
	if (*len == 0) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "key file '%s' is empty", f);
		goto out;
	}
	ret = pouch_pgp_inspect(pgp, *data, *len, &keys, &n, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot read key file '%s'", f);
		goto out;
	}
	ret = POUCH_E_VERIFY;
	if (n == 0) {
		pouch_err_set(err, ret, "key file '%s' holds no OpenPGP key", f);
		goto out;
	}
	if (n > 1) {
		pouch_err_set(err, ret, "key file '%s' holds %zu keys: give one partner key per file",
			      f, n);
		goto out;
	}
	*info = keys[0];
	ret = POUCH_E_REFUSED;
	if (info->secret) {
		pouch_err_set(err, ret, "key file '%s' holds a secret key: import only the partner's "
			      "public key ('pouch key export' on their side)", f);
		goto out;
	}
	ret = POUCH_E_VERIFY;
	if (req->fingerprint && strcmp(req->fingerprint, info->fpr) != 0) {
		pouch_fpr_normalize(req->fingerprint, want, NULL);
		pouch_err_set(err, ret, "fingerprint mismatch for key file '%s': the key is %s, "
			      "expected %s", f, info->fpr, want);
		goto out;
	}
	if (info->revoked) {
		pouch_err_set(err, ret, "key %s in '%s' is revoked", info->fpr, f);
		goto out;
	}
	if (info->expired || info->invalid || info->disabled) {
		pouch_err_set(err, ret, "key %s in '%s' %s%s", info->fpr, f,
			      info->expired ? "expired on " : "is not valid",
			      info->expired ? pouch_time_format(info->expires, when) : "");
		goto out;
	}
	ret = POUCH_E_REFUSED;
	if (!info->can_encrypt) {
		pouch_err_set(err, ret, "key %s in '%s' has no usable encryption subkey", info->fpr,
			      f);
		goto out;
	}
	if (!info->can_sign) {
		pouch_err_set(err, ret, "key %s in '%s' has no usable signing key", info->fpr, f);
		goto out;
	}
	ret = 0;
out:
	free(keys);
	if (ret < 0) {
		free(*data);
		*data = NULL;
	}
	return ret;
}

/* Vets and imports req's key; *imported says whether the keyring lacked it before. */
static int import_partner_key(const struct pouch_home *h, const struct pouch_agency *self,
			      struct pouch_pgp *pgp, const struct pouch_partner_req *req,
			      struct pouch_partner_key *k, int *imported, struct pouch_err *err)
{
	struct pouch_key_info info, after;
	char *data = NULL;
	size_t len = 0;
	int ret;

	*imported = 0;
	memset(k, 0, sizeof(*k));
	ret = vet_key_file(pgp, req, &data, &len, &info, err);
	if (!ret)
		ret = check_unpinned(h, self, info.fpr, err);
	if (ret < 0)
		goto out;
	*imported = pouch_pgp_key(pgp, info.fpr, 0, &after, NULL) == POUCH_E_NOTFOUND;
	ret = pouch_pgp_import_key(pgp, data, len, info.fpr, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot import key file '%s'", req->key_file);
		goto out;
	}
	/* The keyring may know more than the file, e.g. an earlier revocation. */
	ret = pouch_pgp_key(pgp, info.fpr, 0, &after, err);
	if (!ret && (after.revoked || after.expired || after.invalid || !after.can_encrypt))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "key %s in '%s' is revoked or not valid "
				    "in the keyring", info.fpr, req->key_file);
	if (ret < 0)
		goto out;
	snprintf(k->fpr, sizeof(k->fpr), "%s", info.fpr);
	k->added = k->valid_from = time(NULL);
	k->expires = after.expires;
out:
	if (ret < 0 && *imported) {
		if (info.fpr[0])
			pouch_pgp_delete(pgp, info.fpr, 0, NULL);
		*imported = 0;
	}
	free(data);
	return ret;
}

static int check_ca_file(const char *path, char **data, size_t *len, struct pouch_err *err)
{
	int ret = pouch_fs_read(path, CA_FILE_MAX, data, len, err);

	if (ret < 0)
		return ret;
	if (strlen(*data) != *len || !strstr(*data, "-----BEGIN CERTIFICATE-----") ||
	    !strstr(*data, "-----END CERTIFICATE-----"))
		ret = pouch_err_set(err, POUCH_E_USAGE,
				    "CA file '%s' holds no PEM certificate", path);
	else if (strstr(*data, "PRIVATE KEY-----"))
		ret = pouch_err_set(err, POUCH_E_REFUSED,
				    "CA file '%s' holds a private key: give certificates only", path);
	if (ret < 0) {
		free(*data);
		*data = NULL;
	}
	return ret;
}

static int check_request(const struct pouch_partner_req *req, const struct pouch_agency *self,
			 char *fpr, struct pouch_err *err)
{
	char pin[POUCH_PIN_LEN + 1];
	int ret = pouch_agency_code_check(req->code, err);

	if (!ret && strcmp(req->code, self->code) == 0)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "'%s' is our own agency code", req->code);
	if (!ret && req->fingerprint)
		ret = pouch_fpr_normalize(req->fingerprint, fpr, err);
	if (!ret && req->name)
		ret = pouch_name_check("partner name", req->name, err);
	if (!ret && req->endpoint)
		ret = pouch_endpoint_check(req->endpoint, err);
	if (!ret && req->ca_file && req->pin)
		ret = pouch_err_set(err, POUCH_E_USAGE, "give --ca or --pin, not both");
	if (!ret && (req->ca_file || req->pin) && !req->endpoint)
		ret = pouch_err_set(err, POUCH_E_USAGE, "--ca and --pin need --endpoint");
	if (!ret && req->pin)
		ret = pouch_pin_normalize(req->pin, pin, err);
	return ret;
}

int pouch_directory_add(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_req *req, struct pouch_partner *out,
			struct pouch_err *err)
{
	struct pouch_partner_req r = *req;
	struct pouch_partner_key k;
	struct pouch_pgp *pgp = NULL;
	char fpr[POUCH_FPR_LEN + 1] = "", *ca = NULL, *ca_path = NULL;
	size_t ca_len = 0;
	int imported = 0, wrote_ca = 0, ret;

	memset(out, 0, sizeof(*out));
	ret = check_request(req, self, fpr, err);
	if (ret < 0)
		return ret;
	r.fingerprint = req->fingerprint ? fpr : NULL;
	ret = pouch_partner_load(h, req->code, out, NULL);
	pouch_partner_release(out);
	if (ret != POUCH_E_NOTFOUND)
		return pouch_err_set(err, POUCH_E_EXISTS,
				     "partner '%s' is already in the directory (for a new key use "
				     "'pouch partner add-key')", req->code);
	if (req->ca_file) {
		ret = check_ca_file(req->ca_file, &ca, &ca_len, err);
		if (ret < 0)
			return ret;
	}
	ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = import_partner_key(h, self, pgp, &r, &k, &imported, err);
	if (ret < 0)
		goto out;
	snprintf(out->code, sizeof(out->code), "%s", req->code);
	snprintf(out->name, sizeof(out->name), "%s", req->name ? req->name : "");
	out->created = out->updated = k.added;
	if (req->pin)
		pouch_pin_normalize(req->pin, out->pin, NULL);
	ret = pouch_partner_add_key(out, &k, err);
	if (!ret && req->endpoint && !(out->endpoint = strdup(req->endpoint)))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret && ca) {
		if (asprintf(&out->ca_file, "%s.ca.pem", req->code) < 0 ||
		    !(ca_path = pouch_path_join(h->partners, out->ca_file))) {
			out->ca_file = NULL;
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		}
		if (!ret)
			ret = pouch_fs_write_atomic(ca_path, ca, ca_len, 0600, 0, err);
		wrote_ca = !ret;
	}
	if (!ret)
		ret = pouch_partner_save(h, out, 1, err);
out:
	if (ret < 0) {
		if (imported)
			pouch_pgp_delete(pgp, k.fpr, 0, NULL);
		if (wrote_ca)
			pouch_fs_remove(ca_path, NULL);
		pouch_partner_release(out);
	}
	pouch_pgp_free(pgp);
	free(ca_path);
	free(ca);
	return ret;
}

int pouch_directory_add_key(const struct pouch_home *h, const struct pouch_agency *self,
			    const struct pouch_partner_req *req, long long overlap,
			    struct pouch_partner *out, struct pouch_err *err)
{
	struct pouch_partner_req r = *req;
	struct pouch_partner_key k;
	struct pouch_pgp *pgp = NULL;
	char fpr[POUCH_FPR_LEN + 1] = "";
	size_t i;
	int imported = 0, ret;

	memset(out, 0, sizeof(*out));
	ret = pouch_agency_code_check(req->code, err);
	if (!ret && req->fingerprint)
		ret = pouch_fpr_normalize(req->fingerprint, fpr, err);
	if (ret < 0)
		return ret;
	r.fingerprint = req->fingerprint ? fpr : NULL;
	ret = pouch_partner_load(h, req->code, out, err);
	if (!ret)
		ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = import_partner_key(h, self, pgp, &r, &k, &imported, err);
	if (ret < 0)
		goto out;
	for (i = 0; overlap > 0 && i < out->nkeys; i++)
		if (!out->keys[i].valid_until)
			out->keys[i].valid_until = k.added + (time_t)overlap;
	out->updated = k.added;
	ret = pouch_partner_add_key(out, &k, err);
	if (!ret)
		ret = pouch_partner_save(h, out, 0, err);
out:
	if (ret < 0) {
		if (imported)
			pouch_pgp_delete(pgp, k.fpr, 0, NULL);
		pouch_partner_release(out);
	}
	pouch_pgp_free(pgp);
	return ret;
}

/* Copies the pinned keys of p from the home's keyring into a scratch keyring at dir. */
static int scratch_keyring(struct pouch_pgp *pgp, const struct pouch_partner *p,
			   const char *dir, struct pouch_pgp **scratch, struct pouch_err *err)
{
	const char **fprs = NULL;
	char *keys = NULL;
	size_t i, len = 0;
	int ret;

	*scratch = NULL;
	fprs = calloc(p->nkeys, sizeof(*fprs));
	if (!fprs)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; i < p->nkeys; i++)
		fprs[i] = p->keys[i].fpr;
	ret = pouch_pgp_export(pgp, fprs, p->nkeys, &keys, &len, err);
	if (!ret)
		ret = pouch_pgp_new(dir, scratch, err);
	if (!ret)
		ret = pouch_pgp_import_key(*scratch, keys, len, NULL, err);
	free(keys);
	free(fprs);
	return ret;
}

/* Index of the one pinned key of p that is revoked in pgp's keyring but not in before[]. */
static int newly_revoked(struct pouch_pgp *pgp, const struct pouch_partner *p,
			 const int *before, size_t *idx)
{
	struct pouch_key_info info;
	size_t i, found = 0;

	for (i = 0; i < p->nkeys; i++) {
		if (pouch_pgp_key(pgp, p->keys[i].fpr, 0, &info, NULL) == 0 && info.revoked &&
		    !before[i]) {
			*idx = i;
			found++;
		}
	}
	return found == 1 ? 0 : -1;
}

/* Refuses data that holds a secret key, before any keyring (even a scratch one) sees it. */
static int refuse_secret(struct pouch_pgp *pgp, const char *data, size_t len, const char *file,
			 struct pouch_err *err)
{
	struct pouch_key_info *keys = NULL;
	size_t i, n = 0;
	int ret = 0;

	/* A bare revocation certificate lists no key, or does not parse as one: both fine. */
	if (pouch_pgp_inspect(pgp, data, len, &keys, &n, NULL) < 0)
		return 0;
	for (i = 0; i < n && !ret; i++)
		if (keys[i].secret)
			ret = pouch_err_set(err, POUCH_E_REFUSED, "'%s' holds a secret key: give the "
					    "revocation certificate only", file);
	free(keys);
	return ret;
}

int pouch_directory_revoke(const struct pouch_home *h, const char *code, const char *file,
			   char *fpr, struct pouch_err *err)
{
	struct pouch_partner p = { 0 };
	struct pouch_pgp *pgp = NULL, *scratch = NULL;
	struct pouch_key_info info;
	char *data = NULL, *dir = NULL, *rev = NULL;
	const char *one[1];
	int *before = NULL;
	size_t i, idx = 0, len = 0, rlen = 0;
	int made_dir = 0, ret;

	fpr[0] = '\0';
	ret = pouch_partner_load(h, code, &p, err);
	if (!ret)
		ret = pouch_fs_read(file, KEY_FILE_MAX, &data, &len, err);
	if (ret < 0)
		goto out;
	if (len == 0) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "revocation file '%s' is empty", file);
		goto out;
	}
	ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = refuse_secret(pgp, data, len, file, err);
	if (ret < 0)
		goto out;
	before = calloc(p.nkeys, sizeof(*before));
	if (!before || asprintf(&dir, "%s/.scratch-XXXXXX", h->dir) < 0) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if (!mkdtemp(dir)) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot create a scratch keyring in '%s': %s",
				    h->dir, strerror(errno));
		goto out;
	}
	made_dir = 1;
	ret = scratch_keyring(pgp, &p, dir, &scratch, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < p.nkeys; i++)
		before[i] = pouch_pgp_key(scratch, p.keys[i].fpr, 0, &info, NULL) == 0 &&
			    info.revoked;
	/* Try the certificate where it can harm nothing, and see which key it revokes. */
	ret = pouch_pgp_import_revocation(scratch, data, len, err);
	if (ret == POUCH_E_VERIFY || (ret == 0 && newly_revoked(scratch, &p, before, &idx) < 0))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "revocation file '%s' revokes no key of "
				    "partner '%s' that was not revoked already", file, code);
	if (ret < 0)
		goto out;
	one[0] = p.keys[idx].fpr;
	ret = pouch_pgp_export(scratch, one, 1, &rev, &rlen, err);
	if (!ret)
		ret = pouch_pgp_import_key(pgp, rev, rlen, one[0], err);
	if (!ret && (pouch_pgp_key(pgp, one[0], 0, &info, err) < 0 || !info.revoked))
		ret = pouch_err_set(err, POUCH_E_GPG, "key %s did not become revoked", one[0]);
	if (ret < 0)
		goto out;
	p.keys[idx].revoked = p.updated = time(NULL);
	ret = pouch_partner_save(h, &p, 0, err);
	if (!ret)
		snprintf(fpr, POUCH_FPR_LEN + 1, "%s", one[0]);
out:
	pouch_pgp_free(scratch);
	if (made_dir)
		pouch_fs_remove_tree(dir, NULL);
	pouch_pgp_free(pgp);
	pouch_partner_release(&p);
	free(before);
	free(dir);
	free(data);
	free(rev);
	return ret;
}

int pouch_directory_remove(const struct pouch_home *h, const char *code, struct pouch_err *err)
{
	struct pouch_partner p = { 0 };
	struct pouch_pgp *pgp = NULL;
	char *path = NULL, *ca_path = NULL;
	size_t i;
	int ret;

	ret = pouch_partner_load(h, code, &p, err);
	if (!ret)
		ret = pouch_home_pgp(h, &pgp, err);
	if (ret < 0)
		goto out;
	path = pouch_home_partner_file(h, code);
	if (p.ca_file)
		ca_path = pouch_path_join(h->partners, p.ca_file);
	if (!path || (p.ca_file && !ca_path)) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* The record goes first: without it nothing trusts the keys that follow it out. */
	ret = pouch_fs_remove(path, err);
	if (!ret && ca_path)
		ret = pouch_fs_remove(ca_path, err);
	for (i = 0; !ret && i < p.nkeys; i++) {
		struct pouch_key_info info;
		/* A revoked key stays: the keyring then remembers the revocation, and the key
		 * cannot be pinned again from an old copy that lacks it. */
		if (pouch_pgp_key(pgp, p.keys[i].fpr, 0, &info, NULL) == 0 && info.revoked)
			continue;
		ret = pouch_pgp_delete(pgp, p.keys[i].fpr, 0, err);
		if (ret < 0)
			pouch_err_prefix(err, "partner '%s' removed, but key %s stays in the keyring",
					 code, p.keys[i].fpr);
	}
out:
	pouch_pgp_free(pgp);
	pouch_partner_release(&p);
	free(path);
	free(ca_path);
	return ret;
}
