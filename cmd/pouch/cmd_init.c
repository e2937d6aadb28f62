/* pouch init: create the home, pouch's GNUPGHOME and this agency's identity and key. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "keyopts.h"
#include "pouch/identity.h"
#include "pouch/timefmt.h"

static const char usage[] =
	"usage: pouch init --agency CODE --name NAME [--expires DURATION]\n"
	"                  [--passphrase-file FILE | --no-passphrase] [--force]\n"
	"  --agency CODE          this agency's code: 2-32 of A-Z, 0-9, '-' (e.g. GB-NCA-CEOP)\n"
	"  --name NAME            this agency's name\n" KEYOPTS_USAGE
	"  --force                replace an existing identity\n";

/* Prints what init made, for people or as JSON. */
static int report(const struct pouch_agency *a)
{
	const struct pouch_agency_key *k = pouch_agency_current(a);
	char when[POUCH_TIME_LEN];
	char *json;
	int ret;

	if (cli.json) {
		json = pouch_agency_json(a);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		free(json);
		return ret;
	}
	printf("initialised %s (%s) in %s\n", a->code, a->name, cli.home.dir);
	printf("fingerprint: %s\n", k->fpr);
	printf("expires:     %s\n", k->expires ? pouch_time_format(k->expires, when) : "never");
	pouch_note("next: send partners your public key ('pouch key export -o %s.asc') and read "
		   "them the fingerprint out of band",
		   a->code);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		KEYOPTS_OPTIONS,
		{ "agency", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct keyopts k = { 0 };
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	const char *code = NULL, *name = NULL;
	int c, force = 0, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		int r = keyopts_option(&k, c, optarg, usage);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		switch (c) {
		case 'a':
			if (cli_once(&code, optarg, "--agency", usage))
				goto out;
			break;
		case 'n':
			if (cli_once(&name, optarg, "--name", usage))
				goto out;
			break;
		case 'f':
			if (cli_flag(&force, "--force", usage))
				goto out;
			break;
		default:
			r = cli_common_option(c, usage);
			if (r != CLI_CONTINUE) {
				ret = r;
				goto out;
			}
		}
	}
	ret = EXIT_USAGE;
	if (cli_no_args(argc, argv, usage))
		goto out;
	if (!code || !name) {
		pouch_usage_error(usage, "missing %s", code ? "--name" : "--agency");
		goto out;
	}
	ret = keyopts_finish(&k, usage);
	if (ret != EXIT_OK)
		goto out;
	if (pouch_identity_create(&cli.home, code, name, &k.ko, force, &a, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	ret = report(&a);
out:
	keyopts_release(&k);
	pouch_agency_release(&a);
	return ret;
}
