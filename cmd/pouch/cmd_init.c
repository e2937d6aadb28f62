/* pouch init: create the home, pouch's GNUPGHOME and this agency's identity and key; or, with
 * --gateway, a home for pouchd that holds the agency's public key only. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "trust.h"
#include "input.h"
#include "keyopts.h"
#include "directory/identity.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch init --agency CODE --name NAME [--expires DURATION]\n"
	"                  [--passphrase-file FILE | --no-passphrase] [--force]\n"
	"       pouch init --gateway --agency CODE [--name NAME] --key FILE --fingerprint FPR\n"
	"                  [--force]\n"
	"  --agency CODE          this agency's code: 2-32 of A-Z, 0-9, '-' (e.g. GB-NCA-CEOP);\n"
	"                         --code CODE is the same\n"
	"  --name NAME            this agency's name (for a gateway, default: the code)\n"
	KEYOPTS_USAGE
	"  --force                replace an existing identity\n"
	"  --gateway              a home for pouchd: the agency's public key only, no secret key\n"
	"  --key FILE             the agency's public key ('pouch key export'), for --gateway\n"
	"  --fingerprint FPR      its primary fingerprint, confirmed out of band, for --gateway\n";

struct init_cli {
	const char *code, *name, *key, *fingerprint;
	int force, gateway;
	struct keyopts k;
};

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
	printf("initialised %s%s (%s) in %s\n", a->gateway ? "a gateway for " : "", a->code,
	       a->name, cli.home.dir);
	printf("fingerprint: %s\n", k->fpr);
	printf("expires:     %s\n", k->expires ? pouch_time_format(k->expires, when) : "never");
	if (a->gateway)
		pouch_note("next: add the partners whose packages this gateway takes ('pouch "
			   "partner add'); it holds no secret key: it verifies, never signs or "
			   "opens");
	else
		pouch_note("next: send partners your public key ('pouch key export -o %s.asc') and "
			   "read them the fingerprint out of band",
			   a->code);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

/* Parses the options into c; returns -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct init_cli *c)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		KEYOPTS_OPTIONS,
		{ "agency", required_argument, NULL, 'a' },
		{ "code", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "gateway", no_argument, NULL, 'g' },
		{ "key", required_argument, NULL, 'k' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, r;

	while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		r = keyopts_option(&c->k, ch, optarg, usage);
		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (ch) {
		case 'a':
			r = cli_once(&c->code, optarg, "--agency", usage);
			cli_code_upper(optarg);
			break;
		case 'n':
			r = cli_once(&c->name, optarg, "--name", usage);
			break;
		case 'f':
			r = cli_flag(&c->force, "--force", usage);
			break;
		case 'g':
			r = cli_flag(&c->gateway, "--gateway", usage);
			break;
		case 'k':
			r = cli_once(&c->key, optarg, "--key", usage);
			break;
		case 'F':
			r = cli_once(&c->fingerprint, optarg, "--fingerprint", usage);
			break;
		default:
			r = cli_common_option(ch, usage);
			if (r != CLI_CONTINUE)
				return r;
			r = 0;
		}
		if (r)
			return EXIT_USAGE;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (!c->code)
		return pouch_usage_error(usage, "missing --agency");
	if (c->gateway) {
		if (c->k.expires || c->k.passphrase_file || c->k.no_passphrase)
			return pouch_usage_error(usage, "--gateway takes no key options: a gateway "
						 "holds no secret key");
		if (!c->key || !c->fingerprint)
			return pouch_usage_error(usage, "missing %s", c->key ? "--fingerprint"
									     : "--key");
		return -1;
	}
	if (c->key || c->fingerprint)
		return pouch_usage_error(usage, "--key and --fingerprint go with --gateway");
	if (!c->name)
		return pouch_usage_error(usage, "missing --name");
	r = keyopts_finish(&c->k, usage);
	return r == EXIT_OK ? -1 : r;
}

int cmd_init(int argc, char **argv)
{
	struct init_cli c = { 0 };
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	int ret = parse(argc, argv, &c);

	if (ret >= 0 || (ret = cli_ready()) != EXIT_OK)
		goto out;
	if (c.gateway)
		ret = pouch_identity_create_gateway(&cli.home, c.code, c.name, c.key, c.fingerprint,
						    c.force, &a, &err);
	else
		ret = pouch_identity_create(&cli.home, c.code, c.name, &c.k.ko, c.force, &a, &err);
	if (ret < 0)
		ret = pouch_fail(&err);
	else if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "init",
			  .agency = a.code, .fingerprint = trust_agency_key(&a),
			  .verdict = c.gateway ? "gateway" : NULL })) == EXIT_OK)
		ret = report(&a);
out:
	keyopts_release(&c.k);
	pouch_agency_release(&a);
	return ret;
}
