/* Throwaway agencies for the unit tests that need real keys: each a pouch home with an identity
 * (ed25519 + cv25519, no passphrase, one year) in a directory the test made under /tmp, and the
 * two ways one comes to know another: its public key in the keyring only, or pinned as partner. */
#ifndef POUCH_TEST_AGENCIES_H
#define POUCH_TEST_AGENCIES_H

#include "fixture.h"
#include "directory/directory.h"
#include "directory/identity.h"
#include "crypto/pgp.h"

struct agency {
	struct pouch_home h;
	struct pouch_agency self; /* the identity record */
	char fpr[POUCH_FPR_LEN + 1];
	struct pouch_pgp *pgp;    /* on the home's keyring */
};

/* Creates agency code (also its name) with its home at dir/code. */
FIXTURE_FN void agency_make(struct agency *x, const char *dir, const char *code)
{
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", dir, code);
	assert_int_equal(pouch_home_init(&x->h, path, NULL), 0);
	assert_int_equal(pouch_identity_create(&x->h, code, code, &ko, 0, &x->self, NULL), 0);
	snprintf(x->fpr, sizeof(x->fpr), "%s", x->self.keys[0].fpr);
	assert_int_equal(pouch_home_pgp(&x->h, &x->pgp, NULL), 0);
}

/* Gives to's keyring from's public key, pinned by no one. */
FIXTURE_FN void agency_share(struct agency *from, struct agency *to)
{
	const char *one[1] = { from->fpr };
	char *key = NULL;
	size_t len = 0;

	assert_int_equal(pouch_pgp_export(from->pgp, one, 1, &key, &len, NULL), 0);
	assert_int_equal(pouch_pgp_import_key(to->pgp, key, len, from->fpr, NULL), 0);
	free(key);
}

/* Adds from to to's partner directory, its key pinned from now on (pouch partner add). */
FIXTURE_FN void agency_pin(struct agency *from, struct agency *to)
{
	struct pouch_partner_req req = { 0 };
	struct pouch_partner p;
	const char *one[1] = { from->fpr };
	char path[128], *key = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s.asc", from->h.dir, from->self.code);
	assert_int_equal(pouch_pgp_export(from->pgp, one, 1, &key, &len, NULL), 0);
	put_bytes(path, key, len, 0600);
	free(key);
	req.code = from->self.code;
	req.key_file = path;
	req.fingerprint = from->fpr;
	assert_int_equal(pouch_directory_add(&to->h, &to->self, &req, &p, NULL), 0);
	pouch_partner_release(&p);
}

/* Releases x and stops its gpg-agent. */
FIXTURE_FN void agency_drop(struct agency *x)
{
	char cmd[128];

	pouch_pgp_free(x->pgp);
	snprintf(cmd, sizeof(cmd), "gpgconf --homedir '%s' --kill all", x->h.gnupg);
	if (x->h.gnupg && system(cmd) != 0)
		fprintf(stderr, "# could not stop the agent of %s\n", x->h.gnupg);
	pouch_agency_release(&x->self);
	pouch_home_release(&x->h);
	memset(x, 0, sizeof(*x));
}

#endif
