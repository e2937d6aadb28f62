/* The key-protection and expiry options that 'pouch init' and 'pouch key rotate' share. */
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "keyopts.h"
#include "base/secret.h"
#include "base/timefmt.h"

int keyopts_option(struct keyopts *k, int c, const char *arg, const char *usage)
{
	switch (c) {
	case 'E':
		return cli_once(&k->expires, arg, "--expires", usage) ? -EXIT_USAGE : 1;
	case 'P':
		return cli_once(&k->passphrase_file, arg, "--passphrase-file", usage) ? -EXIT_USAGE
										      : 1;
	case 'N':
		return cli_flag(&k->no_passphrase, "--no-passphrase", usage) ? -EXIT_USAGE : 1;
	default:
		return 0;
	}
}

int keyopts_finish(struct keyopts *k, const char *usage)
{
	struct pouch_err err = { 0 };

	k->ko.expires_in = 2LL * 365 * 86400;
	if (k->expires && strcmp(k->expires, "never") == 0)
		k->ko.expires_in = 0;
	else if (k->expires &&
		 pouch_duration_parse("--expires", k->expires, &k->ko.expires_in, &err) < 0)
		return pouch_fail(&err);
	if (k->no_passphrase && k->passphrase_file)
		return pouch_usage_error(usage, "give --passphrase-file or --no-passphrase, not both");
	/* gpg-agent's pinentry needs a terminal: without one it would be left waiting. */
	if (!k->no_passphrase && !k->passphrase_file && !isatty(STDIN_FILENO))
		return pouch_usage_error(usage, "no terminal to ask for the key's passphrase: give "
					 "--passphrase-file FILE or --no-passphrase");
	k->ko.protect = !k->no_passphrase;
	if (k->passphrase_file) {
		if (pouch_secret_read_passphrase(k->passphrase_file, &k->passphrase, &err) < 0)
			return pouch_fail(&err);
		k->ko.passphrase = k->passphrase;
	}
	return EXIT_OK;
}

void keyopts_release(struct keyopts *k)
{
	pouch_secret_free(k->passphrase);
	k->passphrase = NULL;
	k->ko.passphrase = NULL;
}
