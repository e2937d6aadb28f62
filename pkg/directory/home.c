/* The pouch home: paths, creation and the "initialised" check. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "directory/home.h"
#include "crypto/pgp.h"

int pouch_home_init(struct pouch_home *h, const char *dir, struct pouch_err *err)
{
	memset(h, 0, sizeof(*h));
	if (!dir[0])
		return pouch_err_set(err, POUCH_E_USAGE, "invalid home: empty path");
	h->dir = strdup(dir);
	h->gnupg = pouch_path_join(dir, "gnupg");
	h->partners = pouch_path_join(dir, "partners");
	h->agency = pouch_path_join(dir, "agency.json");
	if (!h->dir || !h->gnupg || !h->partners || !h->agency) {
		pouch_home_release(h);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	return 0;
}

void pouch_home_release(struct pouch_home *h)
{
	free(h->dir);
	free(h->gnupg);
	free(h->partners);
	free(h->agency);
	memset(h, 0, sizeof(*h));
}

int pouch_home_create(const struct pouch_home *h, struct pouch_err *err)
{
	int ret = pouch_fs_mkdir_private(h->dir, err);

	if (ret == 0)
		ret = pouch_fs_mkdir_private(h->gnupg, err);
	if (ret == 0)
		ret = pouch_fs_mkdir_private(h->partners, err);
	return ret;
}

int pouch_home_has_identity(const struct pouch_home *h)
{
	return pouch_fs_exists(h->agency);
}

int pouch_home_require(const struct pouch_home *h, struct pouch_err *err)
{
	if (!pouch_home_has_identity(h))
		return pouch_err_set(err, POUCH_E_NOTINIT,
				     "no agency identity in '%s': run 'pouch init' first", h->dir);
	return 0;
}

int pouch_home_pgp(const struct pouch_home *h, struct pouch_pgp **out, struct pouch_err *err)
{
	return pouch_pgp_new(h->gnupg, out, err);
}

char *pouch_home_partner_file(const struct pouch_home *h, const char *code)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s.json", h->partners, code) < 0)
		return NULL;
	return p;
}
