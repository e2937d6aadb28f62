/* pouch endpoint show: our own endpoint and its TLS settings. */
#include "cmd.h"
#include "partner_print.h"
#include "directory/endpoint.h"

static const char usage[] = "usage: pouch endpoint show [--json]\n";

int cmd_endpoint_show(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_endpoint e = { 0 };
	struct pouch_err err = { 0 };
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
	if (pouch_endpoint_load(&cli.home, &e, &err) < 0)
		return pouch_fail(&err);
	ret = endpoint_print(&e);
	pouch_endpoint_release(&e);
	return ret;
}
