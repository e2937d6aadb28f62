/* pouch partner remove: a partner leaves the directory, and its keys the keyring. */
#include <stdio.h>

#include "cmd.h"
#include "directory/directory.h"

static const char usage[] = "usage: pouch partner remove CODE\n";

int cmd_partner_remove(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_err err = { 0 };
	const char *code;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	code = cli_partner_code(argc, argv, usage);
	if (!code)
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_directory_remove(&cli.home, code, &err) < 0)
		return pouch_fail(&err);
	if (cli.json) {
		/* The code is validated: [A-Z0-9-] only, nothing to escape. */
		printf("{\"agency\":\"%s\",\"removed\":true}\n", code);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
	}
	pouch_note("removed partner %s", code);
	return EXIT_OK;
}
