/* Our agency's identity: creating it with its key, rotating the key, exporting it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pouch/fs.h"
#include "pouch/identity.h"
#include "pouch/pgp.h"

/* Generates a key for agency code/name and describes it in k. */
static int new_key(const struct pouch_home *h, const char *code, const char *name,
		   const struct pouch_key_opts *ko, struct pouch_agency_key *k,
		   struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	struct pouch_key_info info;
	char *uid = NULL;
	int ret;

	memset(k, 0, sizeof(*k));
	if (asprintf(&uid, "%s (pouch agency %s)", name, code) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = pouch_home_pgp(h, &pgp, err);
	if (ret < 0)
		goto out;
	if (ko->passphrase)
		pouch_pgp_set_passphrase(pgp, ko->passphrase);
	ret = pouch_pgp_generate(pgp, uid, ko->expires_in, ko->protect, k->fpr, err);
	if (ret < 0)
		goto out;
	ret = pouch_pgp_key(pgp, k->fpr, 0, &info, err);
	if (ret < 0) {
		pouch_pgp_delete(pgp, k->fpr, 1, NULL);
		goto out;
	}
	k->created = info.created;
	k->expires = info.expires;
out:
	pouch_pgp_free(pgp);
	free(uid);
	return ret;
}

static void drop_key(const struct pouch_home *h, const char *fpr)
{
	struct pouch_pgp *pgp = NULL;

	if (pouch_home_pgp(h, &pgp, NULL) == 0)
		pouch_pgp_delete(pgp, fpr, 1, NULL);
	pouch_pgp_free(pgp);
}

int pouch_identity_create(const struct pouch_home *h, const char *code, const char *name,
			  const struct pouch_key_opts *ko, int force, struct pouch_agency *out,
			  struct pouch_err *err)
{
	struct pouch_agency_key k;
	struct pouch_agency old = { 0 };
	char *made = NULL;
	int made_gnupg = 0, made_partners = 0, ret;

	memset(out, 0, sizeof(*out));
	ret = pouch_agency_code_check(code, err);
	if (!ret)
		ret = pouch_name_check("agency name", name, err);
	if (ret)
		return ret;
	if (pouch_home_has_identity(h)) {
		if (!force) {
			/* Name the identity that would be lost, when it can be read. */
			if (pouch_agency_load(h->agency, &old, NULL) == 0)
				ret = pouch_err_set(err, POUCH_E_EXISTS,
						    "'%s' already holds the identity of %s: use "
						    "--force to replace it", h->dir, old.code);
			else
				ret = pouch_err_set(err, POUCH_E_EXISTS,
						    "'%s' already holds an agency identity: use "
						    "--force to replace it", h->dir);
			pouch_agency_release(&old);
			return ret;
		}
	}
	/* Whatever this call creates, it removes again on failure. */
	made = pouch_fs_first_missing(h->dir);
	if (!made) {
		made_gnupg = !pouch_fs_exists(h->gnupg);
		made_partners = !pouch_fs_exists(h->partners);
	}
	ret = pouch_home_create(h, err);
	if (ret < 0)
		goto out;
	ret = new_key(h, code, name, ko, &k, err);
	if (ret < 0)
		goto out;
	snprintf(out->code, sizeof(out->code), "%s", code);
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->created = time(NULL);
	ret = pouch_agency_add_key(out, &k, err);
	if (!ret)
		ret = pouch_agency_save(h->agency, out, !force, err);
	if (ret < 0)
		drop_key(h, k.fpr);
out:
	if (ret < 0) {
		pouch_agency_release(out);
		if (made)
			pouch_fs_remove_tree(made, NULL);
		if (made_gnupg)
			pouch_fs_remove_tree(h->gnupg, NULL);
		if (made_partners)
			pouch_fs_remove_tree(h->partners, NULL);
	}
	free(made);
	return ret;
}

int pouch_identity_load(const struct pouch_home *h, struct pouch_agency *out,
			struct pouch_err *err)
{
	int ret = pouch_home_require(h, err);

	if (ret < 0) {
		memset(out, 0, sizeof(*out));
		return ret;
	}
	return pouch_agency_load(h->agency, out, err);
}

int pouch_identity_rotate(const struct pouch_home *h, struct pouch_agency *a,
			  const struct pouch_key_opts *ko, long long overlap, char *out_fpr,
			  struct pouch_err *err)
{
	struct pouch_agency_key k, *cur = (struct pouch_agency_key *)pouch_agency_current(a);
	struct pouch_agency_key saved;
	time_t now = time(NULL);
	int ret;

	if (!cur)
		return pouch_err_set(err, POUCH_E_CORRUPT, "agency file '%s' has no current key",
				     h->agency);
	ret = new_key(h, a->code, a->name, ko, &k, err);
	if (ret < 0)
		return ret;
	saved = *cur;
	cur->retired = now;
	cur->verify_until = now + (time_t)overlap;
	ret = pouch_agency_add_key(a, &k, err);
	if (!ret)
		ret = pouch_agency_save(h->agency, a, 0, err);
	if (ret < 0) {
		/* add_key may have moved the array: find the old key again by fingerprint. */
		size_t i;
		for (i = 0; i < a->nkeys; i++)
			if (strcmp(a->keys[i].fpr, saved.fpr) == 0)
				a->keys[i] = saved;
		if (a->nkeys && strcmp(a->keys[a->nkeys - 1].fpr, k.fpr) == 0)
			a->nkeys--;
		drop_key(h, k.fpr);
		return ret;
	}
	snprintf(out_fpr, POUCH_FPR_LEN + 1, "%s", k.fpr);
	return 0;
}

int pouch_identity_export(const struct pouch_home *h, const struct pouch_agency *a, char **out,
			  size_t *len, struct pouch_err *err)
{
	const struct pouch_agency_key *cur = pouch_agency_current(a);
	struct pouch_pgp *pgp = NULL;
	const char *fprs[1];
	int ret;

	if (!cur)
		return pouch_err_set(err, POUCH_E_CORRUPT, "agency file '%s' has no current key",
				     h->agency);
	fprs[0] = cur->fpr;
	ret = pouch_home_pgp(h, &pgp, err);
	if (!ret)
		ret = pouch_pgp_export(pgp, fprs, 1, out, len, err);
	pouch_pgp_free(pgp);
	return ret;
}
