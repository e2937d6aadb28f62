/* pouch whoami: this agency's code, name, key fingerprint and expiry. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "directory/identity.h"
#include "base/timefmt.h"

static const char usage[] = "usage: pouch whoami [--json]\n";

int cmd_whoami(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	const struct pouch_agency_key *cur;
	char when[POUCH_TIME_LEN];
	char *json = NULL;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_identity_load(&cli.home, &a, &err) < 0)
		return pouch_fail(&err);
	if (cli.json) {
		json = pouch_agency_json(&a);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		goto out;
	}
	cur = pouch_agency_current(&a);
	printf("agency:      %s\n", a.code);
	printf("name:        %s\n", a.name);
	printf("fingerprint: %s\n", cur->fpr);
	printf("expires:     %s\n", cur->expires ? pouch_time_format(cur->expires, when) : "never");
	for (i = 0; i < a.nkeys; i++)
		if (a.keys[i].retired)
			printf("retired:     %s (verifies until %s)\n", a.keys[i].fpr,
			       pouch_time_format(a.keys[i].verify_until, when));
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
out:
	free(json);
	pouch_agency_release(&a);
	return ret;
}
