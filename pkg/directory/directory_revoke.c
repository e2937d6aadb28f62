/* Revoking and removing partners: a revocation is tried on a scratch keyring first; a removed
 * partner's revoked keys stay so that an old copy cannot be pinned again. */
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
	const struct pouch_tls_conf none = { 0 };
	struct pouch_partner p = { 0 };
	struct pouch_pgp *pgp = NULL;
	char *path = NULL;
	size_t i;
	int ret;

	ret = pouch_partner_load(h, code, &p, err);
	if (!ret)
		ret = pouch_home_pgp(h, &pgp, err);
	if (ret < 0)
		goto out;
	path = pouch_home_partner_file(h, code);
	if (!path) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* The record goes first: without it nothing trusts the keys that follow it out, and no
	 * one uses its TLS files. */
	ret = pouch_fs_remove(path, err);
	if (!ret)
		ret = pouch_tls_files_prune(h->partners, code, &none, err);
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
	return ret;
}
