/* Changes to the partner directory that touch both the records and the keyring. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory/tls_conf.h"
#include "directory/directory.h"
#include "base/fs.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"

#define KEY_FILE_MAX (1024 * 1024)

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

/* Reads key file f and requires one usable public key in it, with fingerprint fpr (normalized)
 * when that is set; its description goes to info. */
static int vet_key_file(struct pouch_pgp *pgp, const char *f, const char *fpr, char **data,
			size_t *len, struct pouch_key_info *info, struct pouch_err *err)
{
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
	if (fpr && strcmp(fpr, info->fpr) != 0) {
		pouch_fpr_normalize(fpr, want, NULL);
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

/* Vets and imports the key in file (fingerprint fpr, normalized, when set); the keyring's view
 * of it goes to after, and *imported says whether the keyring lacked it before. */
static int import_key(const struct pouch_home *h, const struct pouch_agency *self,
		      struct pouch_pgp *pgp, const char *file, const char *fpr,
		      struct pouch_key_info *after, int *imported, struct pouch_err *err)
{
	struct pouch_key_info info;
	char *data = NULL;
	size_t len = 0;
	int ret;

	*imported = 0;
	memset(&info, 0, sizeof(info));
	ret = vet_key_file(pgp, file, fpr, &data, &len, &info, err);
	if (!ret)
		ret = check_unpinned(h, self, info.fpr, err);
	if (ret < 0)
		goto out;
	*imported = pouch_pgp_key(pgp, info.fpr, 0, after, NULL) == POUCH_E_NOTFOUND;
	ret = pouch_pgp_import_key(pgp, data, len, info.fpr, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot import key file '%s'", file);
		goto out;
	}
	/* The keyring may know more than the file, e.g. an earlier revocation. */
	ret = pouch_pgp_key(pgp, info.fpr, 0, after, err);
	if (!ret && (after->revoked || after->expired || after->invalid || !after->can_encrypt))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "key %s in '%s' is revoked or not valid "
				    "in the keyring", info.fpr, file);
out:
	if (ret < 0 && *imported) {
		if (info.fpr[0])
			pouch_pgp_delete(pgp, info.fpr, 0, NULL);
		*imported = 0;
	}
	free(data);
	return ret;
}

/* import_key for req's partner key, described as a newly pinned key in k. */
static int import_partner_key(const struct pouch_home *h, const struct pouch_agency *self,
			      struct pouch_pgp *pgp, const struct pouch_partner_req *req,
			      struct pouch_partner_key *k, int *imported, struct pouch_err *err)
{
	struct pouch_key_info after;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = import_key(h, self, pgp, req->key_file, req->fingerprint, &after, imported, err);
	if (ret < 0)
		return ret;
	snprintf(k->fpr, sizeof(k->fpr), "%s", after.fpr);
	k->added = k->valid_from = time(NULL);
	k->expires = after.expires;
	return 0;
}

int pouch_directory_import_key(const struct pouch_home *h, const struct pouch_agency *self,
			       const char *key_file, const char *fpr, struct pouch_key_info *info,
			       int *imported, struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	char want[POUCH_FPR_LEN + 1];
	int ret = 0;

	*imported = 0;
	if (fpr)
		ret = pouch_fpr_normalize(fpr, want, err);
	if (!ret)
		ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = import_key(h, self, pgp, key_file, fpr ? want : NULL, info, imported, err);
	pouch_pgp_free(pgp);
	return ret;
}

/* Refuses cn as the client common name of partner code when our own agency or another partner
 * already goes by it: pouchd could not tell them apart. */
static int check_cn_free(const struct pouch_home *h, const struct pouch_agency *self,
			 const char *code, const char *cn, struct pouch_err *err)
{
	char **codes = NULL;
	size_t i, n = 0;
	int ret;

	if (strcmp(cn, self->code) == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "client common name '%s' is our own "
				     "agency's", cn);
	ret = pouch_partner_codes(h, &codes, &n, err);
	for (i = 0; !ret && i < n; i++) {
		struct pouch_partner p;
		if (strcmp(codes[i], code) == 0)
			continue;
		ret = pouch_partner_load(h, codes[i], &p, err);
		if (!ret && strcmp(pouch_partner_client_cn(&p), cn) == 0)
			ret = pouch_err_set(err, POUCH_E_EXISTS,
					    "client common name '%s' is already partner '%s''s", cn,
					    p.code);
		pouch_partner_release(&p);
	}
	pouch_partner_codes_free(codes, n);
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
	if (!ret && !req->client_cert != !req->client_key)
		ret = pouch_err_set(err, POUCH_E_USAGE, "give --client-cert and --client-key "
				    "together");
	if (!ret && (req->ca_file || req->pin || req->client_cert) && !req->endpoint)
		ret = pouch_err_set(err, POUCH_E_USAGE, "--ca, --pin and --client-cert need "
				    "--endpoint");
	if (!ret && req->pin)
		ret = pouch_pin_normalize(req->pin, pin, err);
	if (!ret && req->client_cn)
		ret = pouch_client_cn_check(req->client_cn, err);
	return ret;
}

int pouch_directory_add(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_req *req, struct pouch_partner *out,
			struct pouch_err *err)
{
	struct pouch_partner_req r = *req;
	struct pouch_tls_files files = { 0 };
	struct pouch_partner_key k;
	struct pouch_pgp *pgp = NULL;
	char fpr[POUCH_FPR_LEN + 1] = "";
	int imported = 0, ret;

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
	ret = check_cn_free(h, self, req->code, req->client_cn ? req->client_cn : req->code, err);
	if (!ret)
		ret = pouch_tls_files_read(&files, req->ca_file, req->client_cert, req->client_key,
					   err);
	if (!ret)
		ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = import_partner_key(h, self, pgp, &r, &k, &imported, err);
	if (ret < 0)
		goto out;
	snprintf(out->code, sizeof(out->code), "%s", req->code);
	snprintf(out->name, sizeof(out->name), "%s", req->name ? req->name : "");
	snprintf(out->client_cn, sizeof(out->client_cn), "%s",
		 req->client_cn ? req->client_cn : "");
	out->created = out->updated = k.added;
	if (req->pin)
		pouch_pin_normalize(req->pin, out->tls.pin, NULL);
	ret = pouch_partner_add_key(out, &k, err);
	if (!ret && req->endpoint && !(out->endpoint = strdup(req->endpoint)))
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!ret)
		ret = pouch_tls_files_install(&files, h->partners, req->code, &out->tls, err);
	if (!ret) {
		ret = pouch_partner_save(h, out, 1, err);
		if (ret < 0)
			pouch_tls_files_rollback(&files);
	}
out:
	if (ret < 0) {
		if (imported)
			pouch_pgp_delete(pgp, k.fpr, 0, NULL);
		pouch_partner_release(out);
	}
	pouch_pgp_free(pgp);
	pouch_tls_files_release(&files);
	return ret;
}

/* The change asked for is well formed and asks for something, with no two parts at odds. */
int pouch_directory_change_check(const struct pouch_partner_change *c, struct pouch_err *err)
{
	char pin[POUCH_PIN_LEN + 1];
	int tls = c->ca_file || c->pin, client = c->client_cert || c->client_key;
	int ret = pouch_agency_code_check(c->code, err);

	if (ret)
		return ret;
	if (!c->endpoint && !c->no_endpoint && !tls && !c->no_tls && !client && !c->no_client &&
	    !c->client_cn && !c->no_client_cn)
		return pouch_err_set(err, POUCH_E_USAGE, "nothing to change: give at least one "
				     "setting");
	if (c->endpoint && c->no_endpoint)
		return pouch_err_set(err, POUCH_E_USAGE, "give --endpoint or --no-endpoint, not "
				     "both");
	if (c->no_endpoint && (tls || c->no_tls || client || c->no_client))
		return pouch_err_set(err, POUCH_E_USAGE, "--no-endpoint drops the TLS settings: "
				     "give no TLS option with it");
	if (tls && c->no_tls)
		return pouch_err_set(err, POUCH_E_USAGE, "give --ca and --pin, or --no-tls, not "
				     "both");
	if (client && c->no_client)
		return pouch_err_set(err, POUCH_E_USAGE, "give --client-cert and --client-key, or "
				     "--no-client, not both");
	if (!c->client_cert != !c->client_key)
		return pouch_err_set(err, POUCH_E_USAGE, "give --client-cert and --client-key "
				     "together");
	if (c->client_cn && c->no_client_cn)
		return pouch_err_set(err, POUCH_E_USAGE, "give --client-cn or --no-client-cn, not "
				     "both");
	if (c->endpoint)
		ret = pouch_endpoint_check(c->endpoint, err);
	if (!ret && c->pin)
		ret = pouch_pin_normalize(c->pin, pin, err);
	if (!ret && c->client_cn)
		ret = pouch_client_cn_check(c->client_cn, err);
	return ret;
}

/* Applies c to p, short of the files: the TLS trust and the client certificate are replaced
 * as a whole when given (the new files' names are set when they are put in place). */
static int apply_change(const struct pouch_partner_change *c, struct pouch_partner *p,
			struct pouch_err *err)
{
	if (c->endpoint) {
		char *url = strdup(c->endpoint);
		if (!url)
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		free(p->endpoint);
		p->endpoint = url;
	}
	if (c->no_endpoint) {
		free(p->endpoint);
		p->endpoint = NULL;
	}
	if (c->no_endpoint || c->no_tls || c->ca_file || c->pin) {
		free(p->tls.ca_file);
		p->tls.ca_file = NULL;
		p->tls.pin[0] = '\0';
		if (c->pin)
			pouch_pin_normalize(c->pin, p->tls.pin, NULL);
	}
	if (c->no_endpoint || c->no_client || c->client_cert) {
		free(p->tls.client_cert);
		free(p->tls.client_key);
		p->tls.client_cert = p->tls.client_key = NULL;
	}
	if (c->client_cn || c->no_client_cn)
		snprintf(p->client_cn, sizeof(p->client_cn), "%s",
			 c->client_cn ? c->client_cn : "");
	if (!p->endpoint && (c->ca_file || c->pin || c->client_cert || p->tls.ca_file ||
			     p->tls.pin[0] || p->tls.client_cert))
		return pouch_err_set(err, POUCH_E_USAGE, "partner '%s' has no endpoint for TLS "
				     "settings: give --endpoint", p->code);
	return 0;
}

int pouch_directory_set(const struct pouch_home *h, const struct pouch_agency *self,
			const struct pouch_partner_change *c, struct pouch_partner *out,
			struct pouch_err *err)
{
	struct pouch_tls_files files = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = pouch_directory_change_check(c, err);
	if (!ret)
		ret = pouch_partner_load(h, c->code, out, err);
	if (!ret)
		ret = apply_change(c, out, err);
	if (!ret && (c->client_cn || c->no_client_cn))
		ret = check_cn_free(h, self, out->code, pouch_partner_client_cn(out), err);
	if (!ret)
		ret = pouch_tls_files_read(&files, c->ca_file, c->client_cert, c->client_key, err);
	if (!ret)
		ret = pouch_tls_files_install(&files, h->partners, out->code, &out->tls, err);
	if (ret < 0)
		goto out;
	out->updated = time(NULL);
	ret = pouch_partner_save(h, out, 0, err);
	if (ret < 0) {
		pouch_tls_files_rollback(&files);
		goto out;
	}
	/* The record names only what it uses now: the rest can go. */
	ret = pouch_tls_files_prune(h->partners, out->code, &out->tls, err);
	if (ret < 0)
		pouch_err_prefix(err, "partner '%s' is updated, but a file it no longer uses stays",
				 out->code);
out:
	if (ret < 0)
		pouch_partner_release(out);
	pouch_tls_files_release(&files);
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
