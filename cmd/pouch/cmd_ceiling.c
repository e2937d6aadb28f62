/* pouch ceiling: show or set the installation's classification ceiling, above which pack,
 * pull and open refuse a package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "audit/audit.h"
#include "package/handling.h"

static const char usage[] =
	"usage: pouch ceiling [TIER|none]\n"
	"  TIER   OFFICIAL, SECRET or TOP SECRET (any case; TOP-SECRET too): packages classified\n"
	"         above it are refused on pack, pull and open\n"
	"  none   remove the ceiling\n"
	"  (no argument: show the ceiling)\n";

static int show(enum pouch_tier tier)
{
	const char *name = pouch_tier_name(tier);
	int ret;

	if (cli.json)
		ret = printf("{\"ceiling\":%s%s%s}\n", name ? "\"" : "", name ? name : "null",
			     name ? "\"" : "");
	else
		ret = printf("%s\n", name ? name : "none");
	return ret < 0 || fflush(stdout) ? EXIT_OPERATIONAL : EXIT_OK;
}

int cmd_ceiling(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_err err = { 0 };
	enum pouch_tier tier = POUCH_TIER_NONE;
	char *arg = NULL, *p;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1)
		if ((ret = cli_common_option(c, usage)) != CLI_CONTINUE)
			return ret;
	if (optind + 1 < argc)
		return pouch_usage_error(usage, "give one tier (quote 'TOP SECRET')");
	if (optind < argc) {
		arg = argv[optind];
		for (p = arg; *p; p++)
			if (*p == '-' || *p == '_')
				*p = ' ';
		if (strcasecmp(arg, "none") != 0 && pouch_tier_parse(arg, &tier, &err) < 0)
			return pouch_usage_error(usage, "%s", err.msg);
	}
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (!arg) {
		if (pouch_ceiling_load(&cli.home, &tier, &err) < 0)
			return pouch_fail(&err);
		return show(tier);
	}
	/* A change of what this installation accepts is recorded before it takes effect. */
	if (pouch_audit_append(&cli.home, &(struct pouch_audit_entry){ .event = "ceiling",
		    .verdict = "set", .reason = tier ? pouch_tier_name(tier) : "none" }, time(NULL),
		    &err) < 0 ||
	    pouch_ceiling_save(&cli.home, tier, &err) < 0)
		return pouch_fail(&err);
	if (pouch_audit_checkpoint(&cli.home, NULL, time(NULL), &err) < 0)
		pouch_warn("%s", err.msg);
	pouch_note("classification ceiling: %s", tier ? pouch_tier_name(tier) : "none");
	return show(tier);
}
