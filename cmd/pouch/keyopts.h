/* The key-protection and expiry options that 'pouch init' and 'pouch key rotate' share. */
#ifndef POUCH_KEYOPTS_H
#define POUCH_KEYOPTS_H

#include "directory/identity.h"

#define KEYOPTS_OPTIONS \
	{ "expires", required_argument, NULL, 'E' }, \
	{ "passphrase-file", required_argument, NULL, 'P' }, \
	{ "no-passphrase", no_argument, NULL, 'N' }

#define KEYOPTS_USAGE \
	"  --expires DURATION     key lifetime: N and h, d, w or y, or never (default 2y)\n" \
	"  --passphrase-file FILE protect the key with the first line of FILE (mode 0600)\n" \
	"  --no-passphrase        leave the key unprotected (for unattended test setups)\n" \
	"  without either, gpg-agent's pinentry asks on the terminal (none: a usage error)\n"

struct keyopts {
	const char *expires;
	const char *passphrase_file;
	int no_passphrase;
	char *passphrase; /* read from passphrase_file */
	struct pouch_key_opts ko;
};

/* Takes option c (one of KEYOPTS_OPTIONS); returns 1 when it was one, 0 when not, or
 * EXIT_USAGE (negated) on a repeated option. */
int keyopts_option(struct keyopts *k, int c, const char *arg, const char *usage);

/* Checks the options and reads the passphrase; fills k->ko. Returns an exit status. */
int keyopts_finish(struct keyopts *k, const char *usage);

/* Wipes the passphrase. */
void keyopts_release(struct keyopts *k);

#endif
