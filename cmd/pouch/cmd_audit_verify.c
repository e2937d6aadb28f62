/* pouch audit verify: check the audit trail's hash chain and checkpoint signatures. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "audit/audit.h"

static const char usage[] = "usage: pouch audit verify [--json]\n";

static const char *plural(unsigned long long n)
{
	return n == 1 ? "y" : "ies";
}

static void say_intact(const struct pouch_audit_result *r)
{
	if (r->entries == 0) {
		printf("audit trail empty: no entries\n");
		return;
	}
	printf("audit trail intact: %llu entr%s, %llu checkpoint%s", r->entries, plural(r->entries),
	       r->checkpoints, r->checkpoints == 1 ? "" : "s");
	if (r->last_checkpoint == 0)
		printf(" (%llu entr%s not yet signed)\n", r->uncovered, plural(r->uncovered));
	else if (r->uncovered == 0)
		printf(", last checkpoint at entry %llu (every entry signed)\n", r->last_checkpoint);
	else
		printf(", last checkpoint at entry %llu (%llu entr%s after it not yet signed)\n",
		       r->last_checkpoint, r->uncovered, plural(r->uncovered));
}

int cmd_audit_verify(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_audit_result res;
	struct pouch_err err = { 0 };
	char *json = NULL;
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
	ret = pouch_audit_verify(&cli.home, &res, &err);
	if (ret < 0 && ret != POUCH_E_VERIFY)
		return pouch_fail(&err);
	if (cli.json) {
		json = pouch_audit_result_json(&res);
		if (!json || pouch_print(json) != EXIT_OK) {
			free(json);
			return EXIT_OPERATIONAL;
		}
		free(json);
	} else if (ret == 0)
		say_intact(&res);
	if (ret < 0)
		return pouch_fail(&err);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}
