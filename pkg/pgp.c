/* OpenPGP through GPGME: the only module that includes gpgme.h (see ../shared/OPENPGP.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <unistd.h>

#include <gpgme.h>

#include "pouch/pgp.h"

struct pouch_pgp {
	gpgme_ctx_t ctx;
	const char *passphrase;
	char *home; /* the GNUPGHOME, for messages */
};

static const char *gerr(gpgme_error_t e, char *buf, size_t len)
{
	gpgme_strerror_r(e, buf, len);
	return buf;
}

static int gpg_fail(struct pouch_err *err, int code, const char *what, gpgme_error_t e)
{
	char buf[256];

	return pouch_err_set(err, code, "%s: %s", what, gerr(e, buf, sizeof(buf)));
}

int pouch_pgp_new(const char *gnupghome, struct pouch_pgp **out, struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	gpgme_error_t e;
	int ret = POUCH_E_GPG;

	*out = NULL;
	/* gpgconf only tells GPGME where gpg lives, at the cost of three processes a command. */
	gpgme_set_global_flag("disable-gpgconf", "1");
	if (!gpgme_check_version(GPGME_VERSION))
		return pouch_err_set(err, POUCH_E_GPG, "GPGME is older than %s", GPGME_VERSION);
	pgp = calloc(1, sizeof(*pgp));
	if (!pgp || !(pgp->home = strdup(gnupghome))) {
		free(pgp);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	e = gpgme_new(&pgp->ctx);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot start GPGME", e);
		goto out;
	}
	e = gpgme_ctx_set_engine_info(pgp->ctx, GPGME_PROTOCOL_OpenPGP, NULL, gnupghome);
	if (!e)
		e = gpgme_set_protocol(pgp->ctx, GPGME_PROTOCOL_OpenPGP);
	/* No network lookups and no keys taken from signatures: only the pinned keyring counts. */
	if (!e)
		e = gpgme_set_ctx_flag(pgp->ctx, "auto-key-retrieve", "0");
	if (!e)
		e = gpgme_set_ctx_flag(pgp->ctx, "auto-key-import", "0");
	if (!e)
		e = gpgme_set_keylist_mode(pgp->ctx, GPGME_KEYLIST_MODE_LOCAL);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot set up GnuPG", e);
		goto out;
	}
	gpgme_set_armor(pgp->ctx, 1);
	*out = pgp;
	pgp = NULL;
	ret = 0;
out:
	pouch_pgp_free(pgp);
	return ret;
}

void pouch_pgp_free(struct pouch_pgp *pgp)
{
	if (!pgp)
		return;
	if (pgp->ctx)
		gpgme_release(pgp->ctx);
	free(pgp->home);
	free(pgp);
}

static gpgme_error_t passphrase_cb(void *hook, const char *uid_hint, const char *info,
				   int prev_was_bad, int fd)
{
	struct pouch_pgp *pgp = hook;
	const char *p = pgp->passphrase;

	(void)uid_hint;
	(void)info;
	/* A wrong passphrase is not retried: the same answer would come again. */
	if (prev_was_bad || !p)
		return gpg_error(GPG_ERR_BAD_PASSPHRASE);
	if (gpgme_io_writen(fd, p, strlen(p)) < 0 || gpgme_io_writen(fd, "\n", 1) < 0)
		return gpg_error_from_syserror();
	return 0;
}

void pouch_pgp_set_passphrase(struct pouch_pgp *pgp, const char *passphrase)
{
	pgp->passphrase = passphrase;
	if (passphrase) {
		gpgme_set_pinentry_mode(pgp->ctx, GPGME_PINENTRY_MODE_LOOPBACK);
		gpgme_set_passphrase_cb(pgp->ctx, passphrase_cb, pgp);
	} else {
		gpgme_set_pinentry_mode(pgp->ctx, GPGME_PINENTRY_MODE_DEFAULT);
		gpgme_set_passphrase_cb(pgp->ctx, NULL, NULL);
	}
}

static int usable(gpgme_subkey_t sk)
{
	return !sk->revoked && !sk->expired && !sk->disabled && !sk->invalid;
}

static void fill_info(gpgme_key_t key, struct pouch_key_info *info)
{
	gpgme_subkey_t sk;
	size_t i;

	memset(info, 0, sizeof(*info));
	if (key->subkeys && key->subkeys->fpr) {
		snprintf(info->fpr, sizeof(info->fpr), "%s", key->subkeys->fpr);
		for (i = 0; info->fpr[i]; i++)
			if (info->fpr[i] >= 'a' && info->fpr[i] <= 'f')
				info->fpr[i] = (char)(info->fpr[i] - 'a' + 'A');
		info->created = (time_t)key->subkeys->timestamp;
		info->expires = (time_t)key->subkeys->expires;
	}
	if (key->uids && key->uids->uid)
		pouch_escape(key->uids->uid, info->uid, sizeof(info->uid));
	info->secret = key->secret;
	info->revoked = key->revoked;
	info->expired = key->expired;
	info->disabled = key->disabled;
	info->invalid = key->invalid;
	for (sk = key->subkeys; sk; sk = sk->next) {
		if (key->revoked || key->expired || !usable(sk))
			continue;
		info->can_sign |= sk->can_sign;
		info->can_encrypt |= sk->can_encrypt;
	}
}

int pouch_pgp_generate(struct pouch_pgp *pgp, const char *uid, long long expires_in,
		       int protect, char *fpr, struct pouch_err *err)
{
	unsigned flags = GPGME_CREATE_FORCE;
	gpgme_genkey_result_t res;
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	char primary[POUCH_FPR_LEN + 1] = "";
	int ret = POUCH_E_GPG;

	if (!protect)
		flags |= GPGME_CREATE_NOPASSWD;
	if (expires_in == 0)
		flags |= GPGME_CREATE_NOEXPIRE;
	e = gpgme_op_createkey(pgp->ctx, uid, "ed25519", 0, (unsigned long)expires_in, NULL,
			       flags | GPGME_CREATE_SIGN | GPGME_CREATE_CERT);
	if (gpgme_err_code(e) == GPG_ERR_NO_AGENT)
		return pouch_err_set(err, POUCH_E_GPG, "cannot generate the agency key: gpg-agent "
				     "did not start for '%s' (a path too long for its socket?)",
				     pgp->home);
	if (e)
		return gpg_fail(err, POUCH_E_GPG, "cannot generate the agency key", e);
	res = gpgme_op_genkey_result(pgp->ctx);
	if (!res || !res->fpr || strlen(res->fpr) != POUCH_FPR_LEN)
		return pouch_err_set(err, POUCH_E_GPG, "cannot generate the agency key: no "
				     "fingerprint reported");
	snprintf(primary, sizeof(primary), "%s", res->fpr);
	e = gpgme_get_key(pgp->ctx, primary, &key, 1);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot find the new agency key", e);
		goto out;
	}
	e = gpgme_op_createsubkey(pgp->ctx, key, "cv25519", 0, (unsigned long)expires_in,
				  flags | GPGME_CREATE_ENCR);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot generate the encryption subkey", e);
		goto out;
	}
	snprintf(fpr, POUCH_FPR_LEN + 1, "%s", primary);
	ret = 0;
out:
	gpgme_key_unref(key);
	if (ret < 0 && primary[0])
		pouch_pgp_delete(pgp, primary, 1, NULL);
	return ret;
}

int pouch_pgp_inspect(struct pouch_pgp *pgp, const char *buf, size_t len,
		      struct pouch_key_info **keys, size_t *n, struct pouch_err *err)
{
	struct pouch_key_info *list = NULL;
	gpgme_data_t data = NULL;
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	size_t count = 0;
	int ret = POUCH_E_GPG;

	*keys = NULL;
	*n = 0;
	e = gpgme_data_new_from_mem(&data, buf, len, 0);
	if (e)
		return gpg_fail(err, POUCH_E_GPG, "cannot read key data", e);
	e = gpgme_op_keylist_from_data_start(pgp->ctx, data, 0);
	while (!e) {
		struct pouch_key_info *grown;

		e = gpgme_op_keylist_next(pgp->ctx, &key);
		if (e)
			break;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown) {
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			goto out;
		}
		list = grown;
		fill_info(key, &list[count++]);
		gpgme_key_unref(key);
		key = NULL;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		ret = gpg_fail(err, POUCH_E_VERIFY, "not a readable OpenPGP key", e);
		goto out;
	}
	*keys = list;
	*n = count;
	list = NULL;
	ret = 0;
out:
	gpgme_op_keylist_end(pgp->ctx);
	gpgme_key_unref(key);
	gpgme_data_release(data);
	free(list);
	return ret;
}

static int do_import(struct pouch_pgp *pgp, const char *buf, size_t len,
		     gpgme_import_result_t *res, struct pouch_err *err)
{
	gpgme_data_t data = NULL;
	gpgme_error_t e;

	e = gpgme_data_new_from_mem(&data, buf, len, 0);
	if (!e)
		e = gpgme_op_import(pgp->ctx, data);
	gpgme_data_release(data);
	if (e)
		return gpg_fail(err, POUCH_E_GPG, "cannot import", e);
	*res = gpgme_op_import_result(pgp->ctx);
	if (!*res)
		return pouch_err_set(err, POUCH_E_GPG, "cannot import: no result from GnuPG");
	return 0;
}

int pouch_pgp_import_key(struct pouch_pgp *pgp, const char *buf, size_t len,
			 const char *expect_fpr, struct pouch_err *err)
{
	gpgme_import_result_t res;
	gpgme_import_status_t st;
	int ret, seen = 0;

	ret = do_import(pgp, buf, len, &res, err);
	if (ret < 0)
		return ret;
	if (res->secret_read > 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "secret key material was offered");
	/* The data was read as a key before; nothing considered means GnuPG could not work. */
	if (res->considered == 0)
		return pouch_err_set(err, POUCH_E_GPG, "GnuPG imported nothing into '%s' (is it "
				     "writable?)", pgp->home);
	if (!expect_fpr)
		return 0;
	if (res->considered != 1 || res->not_imported > 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "%d keys considered, %d not imported",
				     res->considered, res->not_imported);
	for (st = res->imports; st; st = st->next) {
		if (!st->fpr || strcasecmp(st->fpr, expect_fpr) != 0 || st->result)
			return pouch_err_set(err, POUCH_E_VERIFY, "unexpected key %s in import",
					     st->fpr ? st->fpr : "(none)");
		seen = 1;
	}
	if (!seen)
		return pouch_err_set(err, POUCH_E_VERIFY, "key %s was not imported", expect_fpr);
	return 0;
}

int pouch_pgp_import_revocation(struct pouch_pgp *pgp, const char *buf, size_t len,
				struct pouch_err *err)
{
	gpgme_import_result_t res;
	int ret;

	ret = do_import(pgp, buf, len, &res, err);
	if (ret < 0)
		return ret;
	if (res->secret_read > 0)
		return pouch_err_set(err, POUCH_E_VERIFY, "secret key material was offered");
	/* A bare certificate counts as a new revocation, a key carrying one as a new signature:
	 * the caller looks at the keys to see what changed. */
	return 0;
}

int pouch_pgp_key(struct pouch_pgp *pgp, const char *fpr, int secret,
		  struct pouch_key_info *info, struct pouch_err *err)
{
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	int ret;

	e = gpgme_get_key(pgp->ctx, fpr, &key, secret);
	if (gpgme_err_code(e) == GPG_ERR_EOF)
		return pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not in the keyring", fpr);
	if (e)
		return gpg_fail(err, POUCH_E_GPG, "cannot look up a key", e);
	fill_info(key, info);
	gpgme_key_unref(key);
	/* A 40-hex pattern also matches a subkey; only the primary fingerprint counts. */
	ret = strcasecmp(info->fpr, fpr) == 0
		      ? 0
		      : pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not a primary key", fpr);
	return ret;
}

int pouch_pgp_export(struct pouch_pgp *pgp, const char *const *fprs, size_t n, char **out,
		     size_t *len, struct pouch_err *err)
{
	const char **patterns = NULL;
	gpgme_data_t data = NULL;
	gpgme_error_t e;
	char *mem = NULL;
	size_t mlen = 0;
	int ret = POUCH_E_GPG;

	*out = NULL;
	patterns = calloc(n + 1, sizeof(*patterns));
	if (!patterns)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	memcpy(patterns, fprs, n * sizeof(*patterns));
	e = gpgme_data_new(&data);
	if (!e)
		e = gpgme_op_export_ext(pgp->ctx, patterns, GPGME_EXPORT_MODE_MINIMAL, data);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot export", e);
		goto out;
	}
	mem = gpgme_data_release_and_get_mem(data, &mlen);
	data = NULL;
	if (!mem || mlen == 0) {
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "cannot export: no such key");
		goto out;
	}
	*out = malloc(mlen + 1);
	if (!*out) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, mem, mlen);
	(*out)[mlen] = '\0';
	if (len)
		*len = mlen;
	ret = 0;
out:
	gpgme_free(mem);
	gpgme_data_release(data);
	free(patterns);
	return ret;
}

int pouch_pgp_delete(struct pouch_pgp *pgp, const char *fpr, int secret, struct pouch_err *err)
{
	gpgme_key_t key = NULL;
	gpgme_error_t e;

	e = gpgme_get_key(pgp->ctx, fpr, &key, 0);
	if (gpgme_err_code(e) == GPG_ERR_EOF)
		return 0;
	if (!e)
		e = gpgme_op_delete_ext(pgp->ctx, key,
					GPGME_DELETE_FORCE | (secret ? GPGME_DELETE_ALLOW_SECRET : 0));
	gpgme_key_unref(key);
	if (e)
		return gpg_fail(err, POUCH_E_GPG, "cannot delete a key", e);
	return 0;
}

/* A key looked up by primary fingerprint, for signing (secret) or encrypting to. */
static int key_by_fpr(struct pouch_pgp *pgp, const char *fpr, int secret, gpgme_key_t *key,
		      struct pouch_err *err)
{
	gpgme_error_t e = gpgme_get_key(pgp->ctx, fpr, key, secret);

	if (e) {
		*key = NULL;
		return gpg_fail(err, gpgme_err_code(e) == GPG_ERR_EOF ? POUCH_E_NOTFOUND : POUCH_E_GPG,
				secret ? "cannot find our signing key" : "cannot find a recipient key",
				e);
	}
	if (!(*key)->subkeys || strcasecmp((*key)->subkeys->fpr, fpr) != 0) {
		gpgme_key_unref(*key);
		*key = NULL;
		return pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not a primary key", fpr);
	}
	return 0;
}

static int use_signer(struct pouch_pgp *pgp, const char *signer, struct pouch_err *err)
{
	gpgme_key_t key = NULL;
	gpgme_error_t e;
	int ret = key_by_fpr(pgp, signer, 1, &key, err);

	if (ret < 0)
		return ret;
	gpgme_signers_clear(pgp->ctx);
	e = gpgme_signers_add(pgp->ctx, key);
	gpgme_key_unref(key);
	return e ? gpg_fail(err, POUCH_E_GPG, "cannot use our signing key", e) : 0;
}

/* Exactly one new signature and no invalid signer. */
static int check_sign_result(gpgme_sign_result_t res, struct pouch_err *err)
{
	if (!res || res->invalid_signers || !res->signatures || res->signatures->next)
		return pouch_err_set(err, POUCH_E_GPG, "GnuPG did not make exactly one signature");
	return 0;
}

int pouch_pgp_sign_detached(struct pouch_pgp *pgp, const char *signer, const void *buf,
			    size_t len, char **sig, size_t *siglen, struct pouch_err *err)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t e;
	char *mem = NULL;
	size_t mlen = 0;
	int ret;

	*sig = NULL;
	ret = use_signer(pgp, signer, err);
	if (ret < 0)
		return ret;
	gpgme_set_armor(pgp->ctx, 0);
	e = gpgme_data_new_from_mem(&in, buf, len, 0);
	if (!e)
		e = gpgme_data_new(&out);
	if (!e)
		e = gpgme_op_sign(pgp->ctx, in, out, GPGME_SIG_MODE_DETACH);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot sign", e);
		goto out;
	}
	ret = check_sign_result(gpgme_op_sign_result(pgp->ctx), err);
	if (ret < 0)
		goto out;
	mem = gpgme_data_release_and_get_mem(out, &mlen);
	out = NULL;
	*sig = mem ? malloc(mlen ? mlen : 1) : NULL;
	if (!*sig) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*sig, mem, mlen);
	*siglen = mlen;
out:
	gpgme_set_armor(pgp->ctx, 1);
	gpgme_signers_clear(pgp->ctx);
	gpgme_free(mem);
	gpgme_data_release(in);
	gpgme_data_release(out);
	return ret;
}

/* OPENPGP.md steps 4 to 7, short of the pin: one good signature by a valid key; its primary
 * fingerprint to signer. */
static int check_signatures(struct pouch_pgp *pgp, gpgme_verify_result_t res, char *signer,
			    struct pouch_err *err)
{
	gpgme_signature_t sig = res ? res->signatures : NULL;
	struct pouch_key_info info;
	char buf[128];

	signer[0] = '\0';
	if (!sig)
		return pouch_err_set(err, POUCH_E_VERIFY, "not signed");
	if (sig->next)
		return pouch_err_set(err, POUCH_E_VERIFY, "more than one signature");
	switch (gpgme_err_code(sig->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_NO_PUBKEY:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is not in the "
				     "keyring (no partner in the directory pins it)",
				     sig->fpr ? sig->fpr : "(unknown)");
	case GPG_ERR_CERT_REVOKED:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is revoked",
				     sig->fpr ? sig->fpr : "(unknown)");
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_SIG_EXPIRED:
		return pouch_err_set(err, POUCH_E_VERIFY, "signed by key %s, which is expired",
				     sig->fpr ? sig->fpr : "(unknown)");
	default:
		return pouch_err_set(err, POUCH_E_VERIFY, "bad signature: %s",
				     gerr(sig->status, buf, sizeof(buf)));
	}
	if (sig->wrong_key_usage || sig->validity_reason || sig->validity == GPGME_VALIDITY_NEVER)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by a key not valid for it");
	if (!sig->fpr || strlen(sig->fpr) != POUCH_FPR_LEN)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by an unknown key");
	/* A signing subkey reports itself: the pin is on the primary key. */
	if (pouch_pgp_key(pgp, sig->fpr, 0, &info, NULL) < 0) {
		gpgme_key_t key = NULL;
		if (gpgme_get_key(pgp->ctx, sig->fpr, &key, 0) || !key->subkeys) {
			gpgme_key_unref(key);
			return pouch_err_set(err, POUCH_E_VERIFY, "signature by an unknown key");
		}
		fill_info(key, &info);
		gpgme_key_unref(key);
	}
	if (info.revoked || info.expired || info.disabled || info.invalid)
		return pouch_err_set(err, POUCH_E_VERIFY, "signature by key %s, which is %s",
				     info.fpr, info.revoked ? "revoked" : "expired or not valid");
	snprintf(signer, POUCH_FPR_LEN + 1, "%s", info.fpr);
	return 0;
}

int pouch_pgp_verify_detached(struct pouch_pgp *pgp, const void *buf, size_t len,
			      const void *sig, size_t siglen, char *signer, struct pouch_err *err)
{
	gpgme_data_t text = NULL, sigdata = NULL;
	gpgme_error_t e;
	int ret;

	signer[0] = '\0';
	e = gpgme_data_new_from_mem(&text, buf, len, 0);
	if (!e)
		e = gpgme_data_new_from_mem(&sigdata, sig, siglen, 0);
	if (!e)
		e = gpgme_op_verify(pgp->ctx, sigdata, text, NULL);
	if (e) {
		/* Malformed signature data is not genuine, not a GnuPG failure. */
		ret = gpg_fail(err, POUCH_E_VERIFY, "cannot verify", e);
		goto out;
	}
	ret = check_signatures(pgp, gpgme_op_verify_result(pgp->ctx), signer, err);
out:
	gpgme_data_release(text);
	gpgme_data_release(sigdata);
	return ret;
}

int pouch_pgp_seal(struct pouch_pgp *pgp, const char *signer, const char *const *recipients,
		   size_t n, int in_fd, int out_fd, struct pouch_err *err)
{
	gpgme_key_t *keys = NULL;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_encrypt_result_t enc;
	gpgme_error_t e;
	size_t i;
	int ret;

	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = use_signer(pgp, signer, err);
	for (i = 0; !ret && i < n; i++)
		ret = key_by_fpr(pgp, recipients[i], 0, &keys[i], err);
	if (ret < 0)
		goto out;
	gpgme_set_armor(pgp->ctx, 0);
	e = gpgme_data_new_from_fd(&in, in_fd);
	if (!e)
		e = gpgme_data_new_from_fd(&out, out_fd);
	/* Trust is the partner directory's pin, not GnuPG's web of trust. No compression: the
	 * plaintext is then never larger than the message, which caps it on opening. */
	if (!e)
		e = gpgme_op_encrypt_sign(pgp->ctx, keys,
					  GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_COMPRESS, in,
					  out);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot sign and encrypt", e);
		goto out;
	}
	enc = gpgme_op_encrypt_result(pgp->ctx);
	if (!enc || enc->invalid_recipients) {
		ret = pouch_err_set(err, POUCH_E_GPG, "cannot encrypt to %s",
				    enc && enc->invalid_recipients && enc->invalid_recipients->fpr
					    ? enc->invalid_recipients->fpr
					    : "a recipient");
		goto out;
	}
	ret = check_sign_result(gpgme_op_sign_result(pgp->ctx), err);
out:
	gpgme_set_armor(pgp->ctx, 1);
	gpgme_signers_clear(pgp->ctx);
	gpgme_data_release(in);
	gpgme_data_release(out);
	for (i = 0; keys && i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	return ret;
}

/* A writer that refuses to grow past a cap (decompression bombs: ../shared/OPENPGP.md). */
struct capped {
	int fd;
	unsigned long long written, max;
	int over;
};

static ssize_t capped_write(void *handle, const void *buf, size_t size)
{
	struct capped *c = handle;
	size_t done = 0;

	if (size > c->max - c->written) {
		c->over = 1;
		errno = EFBIG;
		return -1;
	}
	while (done < size) {
		ssize_t n = write(c->fd, (const char *)buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	c->written += size;
	return (ssize_t)size;
}

/* Whether one of the message's session-key packets is for a secret key we hold. GnuPG reports
 * "no secret key" for a tampered message too, when another recipient's packet comes first. */
static int key_unusable(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_BAD_PASSPHRASE:
	case GPG_ERR_CANCELED:
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_PIN_ENTRY:
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_ENOTTY:
	case GPG_ERR_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

static int for_us(gpgme_decrypt_result_t dec)
{
	gpgme_recipient_t r;

	for (r = dec ? dec->recipients : NULL; r; r = r->next)
		if (gpgme_err_code(r->status) == GPG_ERR_NO_ERROR)
			return 1;
	return 0;
}

int pouch_pgp_open(struct pouch_pgp *pgp, int in_fd, int out_fd, unsigned long long max_plain,
		   char *signer, struct pouch_err *err)
{
	struct gpgme_data_cbs cbs = { NULL, capped_write, NULL, NULL };
	struct capped cap = { out_fd, 0, max_plain, 0 };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_decrypt_result_t dec;
	gpgme_error_t e;
	char buf[128];
	int ret;

	signer[0] = '\0';
	e = gpgme_data_new_from_fd(&in, in_fd);
	if (!e)
		e = gpgme_data_new_from_cbs(&out, &cbs, &cap);
	if (e) {
		ret = gpg_fail(err, POUCH_E_GPG, "cannot set up decryption", e);
		goto out;
	}
	e = gpgme_op_decrypt_verify(pgp->ctx, in, out);
	if (cap.over) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "plaintext larger than %llu bytes",
				    max_plain);
		goto out;
	}
	dec = gpgme_op_decrypt_result(pgp->ctx);
	/* Every error counts, NO_DATA included: a tampered compressed message ends in it. A
	 * secret key we could not use is our trouble, not the package's. */
	if (e && key_unusable(e)) {
		ret = pouch_err_set(err, POUCH_E_GPG, "cannot use our secret key: %s",
				    gerr(e, buf, sizeof(buf)));
		goto out;
	}
	if (e) {
		ret = pouch_err_set(err, for_us(dec) ? POUCH_E_VERIFY : POUCH_E_REFUSED,
				    "cannot decrypt: %s", for_us(dec) ? gerr(e, buf, sizeof(buf))
								      : "not encrypted to our key");
		goto out;
	}
	if (!dec || dec->legacy_cipher_nomdc || dec->unsupported_algorithm) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "not an integrity-protected message");
		goto out;
	}
	ret = check_signatures(pgp, gpgme_op_verify_result(pgp->ctx), signer, err);
out:
	gpgme_data_release(in);
	gpgme_data_release(out);
	return ret;
}
