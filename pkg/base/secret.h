/* Secrets read from files (passphrases never travel on the command line) and their wiping. */
#ifndef POUCH_SECRET_H
#define POUCH_SECRET_H

#include "base/err.h"

#define POUCH_PASSPHRASE_MAX 1024

/* Reads a passphrase: the first line of path, without its line end. The file must be a
 * regular file that neither group nor others can read (POUCH_E_REFUSED otherwise), and the
 * passphrase must not be empty. *out is freed with pouch_secret_free. */
int pouch_secret_read_passphrase(const char *path, char **out, struct pouch_err *err);

/* Wipes and frees a secret string (NULL allowed). */
void pouch_secret_free(char *secret);

#endif
