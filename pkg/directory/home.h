/* The pouch home: a 0700 directory holding the agency identity (agency.json), pouch's private
 * GNUPGHOME (gnupg/) and the partner directory (partners/CODE.json). */
#ifndef POUCH_HOME_H
#define POUCH_HOME_H

#include "base/err.h"

struct pouch_pgp;

struct pouch_home {
	char *dir;      /* the home itself */
	char *gnupg;    /* dir/gnupg */
	char *partners; /* dir/partners */
	char *agency;   /* dir/agency.json */
};

/* Fills h with the paths of the home at dir (nothing is touched on disk). Release with
 * pouch_home_release. */
int pouch_home_init(struct pouch_home *h, const char *dir, struct pouch_err *err);

/* Frees the paths in h; h may be zeroed or already released. */
void pouch_home_release(struct pouch_home *h);

/* Creates the home's directories, mode 0700. */
int pouch_home_create(const struct pouch_home *h, struct pouch_err *err);

/* Returns 1 when the home holds an agency identity, else 0. */
int pouch_home_has_identity(const struct pouch_home *h);

/* Requires an agency identity: POUCH_E_NOTINIT ("run 'pouch init' first") otherwise. */
int pouch_home_require(const struct pouch_home *h, struct pouch_err *err);

/* Opens an OpenPGP context on the home's keyring. */
int pouch_home_pgp(const struct pouch_home *h, struct pouch_pgp **out, struct pouch_err *err);

/* Returns the newly allocated path of partner code's file (caller frees), or NULL. */
char *pouch_home_partner_file(const struct pouch_home *h, const char *code);

#endif
