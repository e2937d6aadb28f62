/* pouch partner revoke: import a partner's revocation certificate; that key never verifies
 * again. */
#include <stdio.h>

#include "cmd.h"
#include "trust.h"
#include "input.h"
#include "directory/directory.h"

static const char usage[] =
	"usage: pouch partner revoke CODE --revocation FILE\n"
	"  --revocation FILE  the revocation certificate the partner issued for one of its keys\n"
	"                     ('-': standard input)\n";

int cmd_partner_revoke(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "revocation", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	const char *file = NULL;
	char fpr[POUCH_FPR_LEN + 1];
	const char *code;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 'r')
			ret = cli_once(&file, optarg, "--revocation", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret; /* help printed (0) or a usage error */
		if (ret)
			return ret;
	}
	code = cli_partner_code(argc, argv, usage);
	if (!code)
		return EXIT_USAGE;
	if (!file)
		return pouch_usage_error(usage, "missing --revocation");
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if ((ret = cli_stdin_take(&in, &file, CLI_KEY_MAX)) != EXIT_OK)
		return ret;
	ret = pouch_directory_revoke(&cli.home, code, file, fpr, &err);
	if (ret < 0)
		ret = cli_stdin_fail(&in, &err);
	cli_stdin_release(&in);
	if (ret)
		return ret;
	if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "partner-revoke",
					.agency = code, .fingerprint = fpr,
					.verdict = "revoked" })) != EXIT_OK)
		return ret;
	if (cli.json) {
		printf("{\"agency\":\"%s\",\"fingerprint\":\"%s\",\"state\":\"revoked\"}\n", code,
		       fpr);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
	}
	printf("revoked key %s of partner %s: it no longer verifies\n", fpr, code);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}
