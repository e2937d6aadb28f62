/* OpenPGP through GPGME, the keyring's integrity: every key is looked up by one exact full
 * fingerprint and must be held by exactly one certificate, and no certificate comes in that
 * would hold a key (by fingerprint or by keygrip) that another certificate already holds. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/pgp_internal.h"
#include "base/fs.h"

static int is_fpr(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == POUCH_FPR_LEN;
}

int pgp_get_key(struct pouch_pgp *pgp, const char *fpr, int secret, int primary,
		gpgme_key_t *out, struct pouch_err *err)
{
	gpgme_key_t found[2] = { NULL, NULL };
	size_t n = 0;
	int ret;

	*out = NULL;
	/* A key ID, a user ID or a short form could match several keys: only a full one. */
	if (!fpr || !is_fpr(fpr))
		return pouch_err_set(err, POUCH_E_USAGE, "'%s' is not a full fingerprint",
				     fpr ? fpr : "");
	ret = pgp_keycache_find(pgp->cache, pgp->keys, fpr, secret, found, &n, err);
	if (ret < 0)
		return pouch_err_prefix(err, "cannot look up a key");
	if (n == 0)
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not in the keyring", fpr);
	else if (n > 1)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "key %s is held by more than one "
				    "certificate in '%s' (%s and %s): remove the one that should "
				    "not hold it", fpr, pgp->home, found[0]->subkeys->fpr,
				    found[1]->subkeys->fpr);
	else if (primary && (!found[0]->subkeys || strcasecmp(found[0]->subkeys->fpr, fpr) != 0))
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "key %s is not a primary key", fpr);
	if (!ret) {
		*out = found[0];
		found[0] = NULL;
	}
	gpgme_key_unref(found[0]);
	gpgme_key_unref(found[1]);
	return ret;
}

/* Whether a and b are the same key material: the same fingerprint, or the same keygrip (the
 * same key with another creation time has another fingerprint). */
static int same_key(gpgme_subkey_t a, gpgme_subkey_t b)
{
	if (a->fpr && b->fpr && strcasecmp(a->fpr, b->fpr) == 0)
		return 1;
	return a->keygrip && b->keygrip && strcasecmp(a->keygrip, b->keygrip) == 0;
}

/* Refuses when key (from the data, primary fpr) and held (another certificate, or the same
 * one as the keyring holds it) share a key they must not share. */
static int clash(gpgme_key_t key, gpgme_key_t held, struct pouch_err *err)
{
	int same_cert = strcasecmp(key->subkeys->fpr, held->subkeys->fpr) == 0;
	gpgme_subkey_t a, b;

	for (a = key->subkeys; a; a = a->next)
		for (b = held->subkeys; b; b = b->next) {
			if (!same_key(a, b))
				continue;
			/* The same certificate again: the same keys, with their fingerprints. */
			if (same_cert && a->fpr && b->fpr && strcasecmp(a->fpr, b->fpr) == 0)
				continue;
			if (same_cert)
				return pouch_err_set(err, POUCH_E_REFUSED, "certificate %s would "
						     "hold key %s twice", key->subkeys->fpr, a->fpr);
			return pouch_err_set(err, POUCH_E_REFUSED, "key %s of certificate %s is "
					     "already in the keyring under certificate %s",
					     a->fpr, key->subkeys->fpr, held->subkeys->fpr);
		}
	return 0;
}

/* Refuses a certificate that holds one key twice (by fingerprint or keygrip). */
static int check_self(gpgme_key_t key, struct pouch_err *err)
{
	gpgme_subkey_t a, b;

	if (!key->subkeys || !key->subkeys->fpr || !is_fpr(key->subkeys->fpr))
		return pouch_err_set(err, POUCH_E_REFUSED, "a certificate without a v4 "
				     "fingerprint");
	for (a = key->subkeys; a; a = a->next) {
		if (!a->fpr)
			return pouch_err_set(err, POUCH_E_REFUSED, "certificate %s has a key "
					     "without a fingerprint", key->subkeys->fpr);
		for (b = a->next; b; b = b->next)
			if (same_key(a, b))
				return pouch_err_set(err, POUCH_E_REFUSED, "certificate %s holds "
						     "key %s twice", key->subkeys->fpr, b->fpr);
	}
	return 0;
}

/* The certificates in buf with their keygrips, which GnuPG lists only for keys in a keyring:
 * imported into a scratch keyring (no gpg-agent started: public keys only), listed, and
 * removed. *out is a NULL-terminated array (caller unrefs). Secret key material is
 * POUCH_E_VERIFY. */
static int list_data(const char *buf, size_t len, gpgme_key_t **out, size_t *n,
		     struct pouch_err *err)
{
	static const char conf[] = "no-autostart\n";
	gpgme_key_t *list = NULL, key = NULL;
	gpgme_import_result_t res;
	gpgme_data_t data = NULL;
	gpgme_ctx_t ctx = NULL;
	gpgme_error_t e;
	char *dir = NULL, *path = NULL;
	size_t count = 0;
	int ret = POUCH_E_GPG;

	*out = NULL;
	*n = 0;
	/* In /tmp, not in the home: it holds public keys only, and a home that cannot be
	 * written fails at the import itself. */
	if (!(dir = strdup(P_tmpdir "/pouch-keys.XXXXXX")))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!mkdtemp(dir)) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot make a scratch keyring in '%s': %s",
				    P_tmpdir, strerror(errno));
		free(dir);
		return ret;
	}
	if (asprintf(&path, "%s/gpg.conf", dir) < 0) {
		path = NULL;
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	ret = pouch_fs_write_atomic(path, conf, sizeof(conf) - 1, 0600, 0, err);
	if (ret < 0)
		goto out;
	ret = POUCH_E_GPG;
	e = pgp_new_ctx(dir, &ctx);
	if (!e)
		e = gpgme_data_new_from_mem(&data, buf, len, 0);
	if (!e)
		e = gpgme_op_import(ctx, data);
	if (e) {
		ret = pgp_fail(err, POUCH_E_VERIFY, "not a readable OpenPGP key", e);
		goto out;
	}
	res = gpgme_op_import_result(ctx);
	if (!res || res->secret_read > 0) {
		ret = pouch_err_set(err, POUCH_E_VERIFY, "secret key material was offered");
		goto out;
	}
	e = gpgme_op_keylist_start(ctx, NULL, 0);
	while (!e) {
		gpgme_key_t *grown;

		e = gpgme_op_keylist_next(ctx, &key);
		if (e)
			break;
		grown = realloc(list, (count + 2) * sizeof(*list));
		if (!grown) {
			gpgme_key_unref(key);
			e = gpg_error(GPG_ERR_ENOMEM);
			break;
		}
		list = grown;
		list[count++] = key;
		list[count] = NULL;
	}
	gpgme_op_keylist_end(ctx);
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		ret = pgp_fail(err, POUCH_E_GPG, "cannot list a scratch keyring", e);
		goto out;
	}
	*out = list;
	*n = count;
	list = NULL;
	count = 0;
	ret = 0;
out:
	while (count > 0)
		gpgme_key_unref(list[--count]);
	free(list);
	gpgme_data_release(data);
	if (ctx)
		gpgme_release(ctx);
	pouch_fs_remove_tree(dir, NULL);
	free(path);
	free(dir);
	return ret;
}

/* Checks each certificate in keys against the keyring's. */
static int check_keyring(struct pouch_pgp *pgp, gpgme_key_t *keys, size_t n,
			 struct pouch_err *err)
{
	gpgme_key_t *held = NULL;
	size_t i, k, nheld = 0;
	int ret;

	ret = pgp_keycache_all(pgp->cache, pgp->keys, &held, &nheld, err);
	for (k = 0; !ret && k < nheld; k++)
		for (i = 0; !ret && i < n; i++)
			ret = held[k]->subkeys ? clash(keys[i], held[k], err) : 0;
	for (k = 0; k < nheld; k++)
		gpgme_key_unref(held[k]);
	free(held);
	return ret;
}

int pgp_check_import(struct pouch_pgp *pgp, const char *buf, size_t len, struct pouch_err *err)
{
	gpgme_key_t *keys = NULL;
	size_t i, j, n = 0;
	int ret;

	ret = list_data(buf, len, &keys, &n, err);
	for (i = 0; !ret && i < n; i++)
		ret = check_self(keys[i], err);
	/* Two certificates in one file may not share a key either, nor be one twice. */
	for (i = 0; !ret && i < n; i++)
		for (j = i + 1; !ret && j < n; j++)
			ret = strcasecmp(keys[i]->subkeys->fpr, keys[j]->subkeys->fpr) == 0
				      ? pouch_err_set(err, POUCH_E_REFUSED, "certificate %s is "
						      "given twice", keys[i]->subkeys->fpr)
				      : clash(keys[i], keys[j], err);
	if (!ret)
		ret = check_keyring(pgp, keys, n, err);
	for (i = 0; i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
	return ret;
}
