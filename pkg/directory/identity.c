/* Our agency's identity: creating it with its key (or, for a gateway home, from the agency's
 * public key), rotating the key, exporting it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory/directory.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "crypto/pgp.h"

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

static void delete_key(const struct pouch_home *h, const char *fpr, int secret)
{
	struct pouch_pgp *pgp = NULL;

	if (pouch_home_pgp(h, &pgp, NULL) == 0)
		pouch_pgp_delete(pgp, fpr, secret, NULL);
	pouch_pgp_free(pgp);
}

static void drop_key(const struct pouch_home *h, const char *fpr)
{
	delete_key(h, fpr, 1);
}

static void drop_public_key(const struct pouch_home *h, const char *fpr)
{
	delete_key(h, fpr, 0);
}

/* Refuses to replace an existing identity without force, naming it when it can be read. */
static int refuse_existing(const struct pouch_home *h, int force, struct pouch_err *err)
{
	struct pouch_agency old = { 0 };
	int ret;

	if (!pouch_home_has_identity(h) || force)
		return 0;
	if (pouch_agency_load(h->agency, &old, NULL) == 0)
		ret = pouch_err_set(err, POUCH_E_EXISTS, "'%s' already holds the identity of %s: "
				    "use --force to replace it", h->dir, old.code);
	else
		ret = pouch_err_set(err, POUCH_E_EXISTS, "'%s' already holds an agency identity: "
				    "use --force to replace it", h->dir);
	pouch_agency_release(&old);
	return ret;
}

/* What creating a home made, so that a failure can remove it again. */
struct made {
	char *top; /* the highest directory created, or NULL */
	int gnupg, partners;
};

/* Creates the home's directories, noting in m what was not there. */
static int make_home(const struct pouch_home *h, struct made *m, struct pouch_err *err)
{
	memset(m, 0, sizeof(*m));
	m->top = pouch_fs_first_missing(h->dir);
	if (!m->top) {
		m->gnupg = !pouch_fs_exists(h->gnupg);
		m->partners = !pouch_fs_exists(h->partners);
	}
	return pouch_home_create(h, err);
}

/* Removes what make_home made when failed is set; frees m. */
static void made_done(const struct pouch_home *h, struct made *m, int failed)
{
	if (failed && m->top)
		pouch_fs_remove_tree(m->top, NULL);
	if (failed && m->gnupg)
		pouch_fs_remove_tree(h->gnupg, NULL);
	if (failed && m->partners)
		pouch_fs_remove_tree(h->partners, NULL);
	free(m->top);
	memset(m, 0, sizeof(*m));
}

int pouch_identity_create(const struct pouch_home *h, const char *code, const char *name,
			  const struct pouch_key_opts *ko, int force, struct pouch_agency *out,
			  struct pouch_err *err)
{
	struct pouch_agency_key k;
	struct made m = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = pouch_agency_code_check(code, err);
	if (!ret)
		ret = pouch_name_check("agency name", name, err);
	if (!ret)
		ret = refuse_existing(h, force, err);
	if (ret)
		return ret;
	/* Whatever this call creates, it removes again on failure. */
	ret = make_home(h, &m, err);
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
	if (ret < 0)
		pouch_agency_release(out);
	made_done(h, &m, ret < 0);
	return ret;
}

/* Imports the agency's public key from key_file (vetted, with fingerprint fpr) into the home's
 * keyring, described in k; *imported as for pouch_directory_import_key. */
static int import_agency_key(const struct pouch_home *h, const struct pouch_agency *a,
			     const char *key_file, const char *fpr, struct pouch_agency_key *k,
			     int *imported, struct pouch_err *err)
{
	struct pouch_key_info info;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = pouch_directory_import_key(h, a, key_file, fpr, &info, imported, err);
	if (ret < 0)
		return ret;
	snprintf(k->fpr, sizeof(k->fpr), "%s", info.fpr);
	k->created = info.created;
	k->expires = info.expires;
	return 0;
}

int pouch_identity_create_gateway(const struct pouch_home *h, const char *code, const char *name,
				  const char *key_file, const char *fpr, int force,
				  struct pouch_agency *out, struct pouch_err *err)
{
	struct pouch_agency_key k = { 0 };
	struct made m = { 0 };
	int imported = 0, ret;

	memset(out, 0, sizeof(*out));
	ret = pouch_agency_code_check(code, err);
	if (!ret)
		ret = pouch_name_check("agency name", name ? name : code, err);
	if (!ret && !fpr)
		ret = pouch_err_set(err, POUCH_E_USAGE, "a gateway needs the fingerprint of the "
				    "agency's key, confirmed out of band");
	if (!ret)
		ret = refuse_existing(h, force, err);
	if (ret)
		return ret;
	snprintf(out->code, sizeof(out->code), "%s", code);
	snprintf(out->name, sizeof(out->name), "%s", name ? name : code);
	out->gateway = 1;
	ret = make_home(h, &m, err);
	/* out has no keys yet: the vetting refuses a partner's key, not one we held before. */
	if (!ret)
		ret = import_agency_key(h, out, key_file, fpr, &k, &imported, err);
	if (ret < 0)
		goto out;
	out->created = time(NULL);
	ret = pouch_agency_add_key(out, &k, err);
	if (!ret)
		ret = pouch_agency_save(h->agency, out, !force, err);
out:
	if (ret < 0) {
		if (imported)
			drop_public_key(h, k.fpr);
		pouch_agency_release(out);
	}
	made_done(h, &m, ret < 0);
	return ret;
}

static int gateway_refusal(const struct pouch_agency *a, struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_NOTINIT, "this home is a gateway for %s: it holds no "
			     "secret key", a->code);
}

int pouch_identity_require_secret(const struct pouch_home *h, struct pouch_err *err)
{
	struct pouch_agency a;
	int ret = pouch_identity_load(h, &a, err);

	if (!ret && a.gateway)
		ret = gateway_refusal(&a, err);
	pouch_agency_release(&a);
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

/* Makes k current and retires the current key, which verifies for overlap more seconds, and
 * saves the record. On failure a is as it was. */
static int replace_current(const struct pouch_home *h, struct pouch_agency *a,
			   const struct pouch_agency_key *k, long long overlap,
			   struct pouch_err *err)
{
	struct pouch_agency_key saved, *cur = (struct pouch_agency_key *)pouch_agency_current(a);
	time_t now = time(NULL);
	size_t i;
	int ret;

	if (!cur)
		return pouch_err_set(err, POUCH_E_CORRUPT, "agency file '%s' has no current key",
				     h->agency);
	saved = *cur;
	cur->retired = now;
	cur->verify_until = now + (time_t)overlap;
	ret = pouch_agency_add_key(a, k, err);
	if (!ret)
		ret = pouch_agency_save(h->agency, a, 0, err);
	if (ret < 0) {
		/* add_key may have moved the array: find the old key again by fingerprint. */
		for (i = 0; i < a->nkeys; i++)
			if (strcmp(a->keys[i].fpr, saved.fpr) == 0)
				a->keys[i] = saved;
		if (a->nkeys && strcmp(a->keys[a->nkeys - 1].fpr, k->fpr) == 0)
			a->nkeys--;
	}
	return ret;
}

int pouch_identity_rotate(const struct pouch_home *h, struct pouch_agency *a,
			  const struct pouch_key_opts *ko, long long overlap, char *out_fpr,
			  struct pouch_err *err)
{
	struct pouch_agency_key k;
	int ret;

	if (a->gateway)
		return gateway_refusal(a, err);
	if (!pouch_agency_current(a))
		return pouch_err_set(err, POUCH_E_CORRUPT, "agency file '%s' has no current key",
				     h->agency);
	ret = new_key(h, a->code, a->name, ko, &k, err);
	if (ret < 0)
		return ret;
	ret = replace_current(h, a, &k, overlap, err);
	if (ret < 0) {
		drop_key(h, k.fpr);
		return ret;
	}
	snprintf(out_fpr, POUCH_FPR_LEN + 1, "%s", k.fpr);
	return 0;
}

int pouch_identity_gateway_add_key(const struct pouch_home *h, struct pouch_agency *a,
				   const char *key_file, const char *fpr, long long overlap,
				   char *out_fpr, struct pouch_err *err)
{
	struct pouch_agency_key k;
	int imported = 0, ret;

	if (!a->gateway)
		return pouch_err_set(err, POUCH_E_USAGE, "this home holds the secret key of %s: "
				     "make a new key with 'pouch key rotate'", a->code);
	if (!fpr)
		return pouch_err_set(err, POUCH_E_USAGE, "give the fingerprint of the agency's new "
				     "key, confirmed out of band");
	ret = import_agency_key(h, a, key_file, fpr, &k, &imported, err);
	if (ret < 0)
		return ret;
	ret = replace_current(h, a, &k, overlap, err);
	if (ret < 0) {
		if (imported)
			drop_public_key(h, k.fpr);
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
