/* pouch key add: a gateway home follows its agency's key rotation by pinning the new key. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "trust.h"
#include "input.h"
#include "directory/identity.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch key add --key FILE --fingerprint FPR [--overlap DURATION]\n"
	"  --key FILE             the agency's new public key (after its 'pouch key rotate';\n"
	"                         '-': standard input)\n"
	"  --fingerprint FPR      its primary fingerprint, confirmed out of band\n"
	"  --overlap DURATION     how long the old key still verifies (default 30d)\n"
	"  only in a gateway home ('pouch init --gateway')\n";

static int report(const struct pouch_agency *a, const char *fpr)
{
	const struct pouch_agency_key *old = NULL;
	char until[POUCH_TIME_LEN];
	char *json;
	size_t i;
	int ret;

	if (cli.json) {
		json = pouch_agency_json(a);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		free(json);
		return ret;
	}
	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].retired && (!old || a->keys[i].retired >= old->retired))
			old = &a->keys[i];
	printf("new key:     %s\n", fpr);
	if (old)
		printf("old key:     %s (verifies until %s)\n", old->fpr,
		       pouch_time_format(old->verify_until, until));
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

int cmd_key_add(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ "overlap", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	const char *key = NULL, *fpr = NULL, *overlap_s = NULL;
	char new_fpr[POUCH_FPR_LEN + 1];
	long long overlap = 30LL * 86400;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			ret = cli_once(&key, optarg, "--key", usage);
			break;
		case 'F':
			ret = cli_once(&fpr, optarg, "--fingerprint", usage);
			break;
		case 'O':
			ret = cli_once(&overlap_s, optarg, "--overlap", usage);
			break;
		default:
			ret = cli_common_option(c, usage);
			if (ret != CLI_CONTINUE)
				return ret;
			ret = 0;
		}
		if (ret)
			return EXIT_USAGE;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (!key || !fpr)
		return pouch_usage_error(usage, "missing %s", key ? "--fingerprint" : "--key");
	if (overlap_s && pouch_duration_parse("--overlap", overlap_s, &overlap, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		goto out;
	if ((ret = cli_stdin_take(&in, &key, CLI_KEY_MAX)) != EXIT_OK)
		goto out;
	if (pouch_identity_load(&cli.home, &a, &err) < 0 ||
	    pouch_identity_gateway_add_key(&cli.home, &a, key, fpr, overlap, new_fpr, &err) < 0) {
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "key-add", .agency = a.code,
					.fingerprint = new_fpr })) != EXIT_OK)
		goto out;
	pouch_note("pinned the new key of %s; the old one verifies until its overlap ends",
		   a.code);
	ret = report(&a, new_fpr);
out:
	cli_stdin_release(&in);
	pouch_agency_release(&a);
	return ret;
}
