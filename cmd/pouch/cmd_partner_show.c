/* pouch partner show: one partner's record and the state of each pinned key. */
#include "cmd.h"
#include "partner_print.h"

static const char usage[] = "usage: pouch partner show CODE [--json]\n";

int cmd_partner_show(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_partner p = { 0 };
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
	if (pouch_partner_load(&cli.home, code, &p, &err) < 0)
		return pouch_fail(&err);
	ret = partner_print(&p);
	pouch_partner_release(&p);
	return ret;
}
