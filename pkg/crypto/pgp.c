/* OpenPGP through GPGME: keys (generate, inspect, import, export, delete) and the passphrase.
 * The OpenPGP module (pkg/crypto/pgp*.c and pgp_internal.h) is the only one that includes
 * gpgme.h (see ../shared/OPENPGP.md). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <unistd.h>

#include "crypto/pgp_internal.h"
#include "base/fs.h"

static int usable(gpgme_subkey_t sk)
{
	return !sk->revoked && !sk->expired && !sk->disabled && !sk->invalid;
}

void pgp_fill_info(gpgme_key_t key, struct pouch_key_info *info)
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
	pgp_write_conf(gnupghome);
	pgp = calloc(1, sizeof(*pgp));
	if (!pgp || !(pgp->home = strdup(gnupghome))) {
		free(pgp);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	/* The process home's keys are listed once for the run; another home's for the context. */
	pgp->own_cache = !pgp_set_process_home(gnupghome);
	pgp->cache = pgp_keycache_get(gnupghome, !pgp->own_cache);
	if (!pgp->cache) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	e = pgp_new_ctx(gnupghome, &pgp->ctx);
	if (!e)
		e = pgp_new_ctx(gnupghome, &pgp->keys);
	if (e) {
		ret = pgp_fail(err, POUCH_E_GPG, "cannot set up GnuPG", e);
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
	if (pgp->keys)
		gpgme_release(pgp->keys);
	if (pgp->own_cache)
		pgp_keycache_free(pgp->cache);
	free(pgp->home);
	free(pgp);
}

/* GnuPG's NEED_PASSPHRASE gives "KEYID MAINKEYID ALGO 0" for a secret key; its
 * NEED_PASSPHRASE_SYM gives "CIPHER S2K HASH" for a message encrypted with a passphrase. */
static int for_secret_key(const char *uid_hint, const char *info)
{
	size_t i;

	if (!uid_hint || !info)
		return 0;
	for (i = 0; i < 16; i++)
		if (!strchr("0123456789ABCDEFabcdef", info[i]) || !info[i])
			return 0;
	return info[16] == ' ';
}

static gpgme_error_t passphrase_cb(void *hook, const char *uid_hint, const char *info,
				   int prev_was_bad, int fd)
{
	struct pouch_pgp *pgp = hook;
	const char *p = pgp->passphrase;

	if (pgp->decrypting && !for_secret_key(uid_hint, info)) {
		pgp->asked_sym = 1;
		return gpg_error(GPG_ERR_CANCELED);
	}
	if (!p) {
		pgp->asked_key = 1;
		return gpg_error(GPG_ERR_CANCELED);
	}
	/* A wrong passphrase is not retried: the same answer would come again. */
	if (prev_was_bad)
		return gpg_error(GPG_ERR_BAD_PASSPHRASE);
	if (gpgme_io_writen(fd, p, strlen(p)) < 0 || gpgme_io_writen(fd, "\n", 1) < 0)
		return gpg_error_from_syserror();
	return 0;
}

void pgp_no_prompt(struct pouch_pgp *pgp)
{
	pgp->asked_sym = pgp->asked_key = 0;
	gpgme_set_pinentry_mode(pgp->ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	gpgme_set_passphrase_cb(pgp->ctx, passphrase_cb, pgp);
}

void pouch_pgp_set_progress(struct pouch_pgp *pgp, const struct pouch_progress *progress)
{
	pgp->progress.fn = progress ? progress->fn : NULL;
	pgp->progress.arg = progress ? progress->arg : NULL;
}

void pouch_pgp_set_passphrase(struct pouch_pgp *pgp, const char *passphrase)
{
	pgp->passphrase = passphrase;
	if (passphrase) {
		pgp_no_prompt(pgp);
	} else {
		gpgme_set_pinentry_mode(pgp->ctx, GPGME_PINENTRY_MODE_DEFAULT);
		gpgme_set_passphrase_cb(pgp->ctx, NULL, NULL);
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
	pgp_keycache_invalidate(pgp->cache);
	if (gpgme_err_code(e) == GPG_ERR_NO_AGENT)
		return pouch_err_set(err, POUCH_E_GPG, "cannot generate the agency key: gpg-agent "
				     "did not start for '%s' (a path too long for its socket?)",
				     pgp->home);
	if (e)
		return pgp_fail(err, POUCH_E_GPG, "cannot generate the agency key", e);
	res = gpgme_op_genkey_result(pgp->ctx);
	if (!res || !res->fpr || strlen(res->fpr) != POUCH_FPR_LEN)
		return pouch_err_set(err, POUCH_E_GPG, "cannot generate the agency key: no "
				     "fingerprint reported");
	snprintf(primary, sizeof(primary), "%s", res->fpr);
	ret = pgp_get_key(pgp, primary, 0, 1, &key, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot find the new agency key");
		goto out;
	}
	ret = POUCH_E_GPG;
	e = gpgme_op_createsubkey(pgp->ctx, key, "cv25519", 0, (unsigned long)expires_in,
				  flags | GPGME_CREATE_ENCR);
	pgp_keycache_invalidate(pgp->cache);
	if (e) {
		ret = pgp_fail(err, POUCH_E_GPG, "cannot generate the encryption subkey", e);
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
		return pgp_fail(err, POUCH_E_GPG, "cannot read key data", e);
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
		pgp_fill_info(key, &list[count++]);
		gpgme_key_unref(key);
		key = NULL;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		ret = pgp_fail(err, POUCH_E_VERIFY, "not a readable OpenPGP key", e);
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
	/* Whatever came of it, the keyring may have changed. */
	pgp_keycache_invalidate(pgp->cache);
	if (e)
		return pgp_fail(err, POUCH_E_GPG, "cannot import", e);
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

	/* Checked before the keyring changes: a refused certificate leaves no trace. */
	ret = pgp_check_import(pgp, buf, len, err);
	if (ret < 0)
		return ret;
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
	int ret = pgp_get_key(pgp, fpr, secret, 1, &key, err);

	if (ret < 0)
		return ret;
	pgp_fill_info(key, info);
	gpgme_key_unref(key);
	return 0;
}

int pouch_pgp_export(struct pouch_pgp *pgp, const char *const *fprs, size_t n, char **out,
		     size_t *len, struct pouch_err *err)
{
	const char **patterns = NULL;
	gpgme_data_t data = NULL;
	gpgme_error_t e;
	char *mem = NULL;
	size_t i, mlen = 0;
	int ret;

	*out = NULL;
	/* GnuPG exports every certificate a pattern matches: each must name exactly one. */
	for (i = 0; i < n; i++) {
		gpgme_key_t key = NULL;

		ret = pgp_get_key(pgp, fprs[i], 0, 1, &key, err);
		gpgme_key_unref(key);
		if (ret < 0)
			return pouch_err_prefix(err, "cannot export");
	}
	ret = POUCH_E_GPG;
	patterns = calloc(n + 1, sizeof(*patterns));
	if (!patterns)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	memcpy(patterns, fprs, n * sizeof(*patterns));
	e = gpgme_data_new(&data);
	if (!e)
		e = gpgme_op_export_ext(pgp->ctx, patterns, GPGME_EXPORT_MODE_MINIMAL, data);
	if (e) {
		ret = pgp_fail(err, POUCH_E_GPG, "cannot export", e);
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
	int ret = pgp_get_key(pgp, fpr, 0, 0, &key, err);

	if (ret == POUCH_E_NOTFOUND)
		return 0;
	if (ret < 0)
		return ret;
	/* Deleting by a subkey's fingerprint would take its whole certificate. */
	if (strcasecmp(key->subkeys->fpr, fpr) != 0) {
		gpgme_key_unref(key);
		return pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not a primary key", fpr);
	}
	e = gpgme_op_delete_ext(pgp->ctx, key,
				GPGME_DELETE_FORCE | (secret ? GPGME_DELETE_ALLOW_SECRET : 0));
	pgp_keycache_invalidate(pgp->cache);
	gpgme_key_unref(key);
	if (e)
		return pgp_fail(err, POUCH_E_GPG, "cannot delete a key", e);
	return 0;
}
