/* pouch partner add: a partner agency enters the directory with its pinned key. */
#include "cmd.h"
#include "trust.h"
#include "partner_print.h"
#include "directory/directory.h"
#include "directory/identity.h"

static const char usage[] =
	"usage: pouch partner add CODE --key FILE [--fingerprint FPR] [--name NAME]\n"
	"                         [--endpoint URL [--ca FILE] [--pin SHA256]\n"
	"                          [--client-cert FILE --client-key FILE]] [--client-cn CN]\n"
	"  --key FILE          the partner's public key (one key, armored or binary)\n"
	"  --fingerprint FPR   the primary fingerprint the partner confirmed out of band\n"
	"  --name NAME         the partner's name\n"
	"  --endpoint URL      the partner's pouchd endpoint (https only)\n" TLSOPTS_USAGE
	"  --client-cn CN      the common name of the partner's client certificates at our\n"
	"                      pouchd (default: its code)\n";

int cmd_partner_add(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		TLSOPTS_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ "name", required_argument, NULL, 'n' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "client-cn", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_partner_req req = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_partner p = { 0 };
	struct pouch_err err = { 0 };
	struct tlsopts t = { 0 };
	struct cli_stdin in = { 0 };
	const char **slot;
	char fprs[8 * (POUCH_FPR_LEN + 1)];
	const char *name;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = tlsopts_option(&t, c, optarg, usage);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret > 0)
			continue;
		switch (c) {
		case 'k':
			slot = &req.key_file, name = "--key";
			break;
		case 'F':
			slot = &req.fingerprint, name = "--fingerprint";
			break;
		case 'n':
			slot = &req.name, name = "--name";
			break;
		case 'e':
			slot = &req.endpoint, name = "--endpoint";
			break;
		case 'N':
			slot = &req.client_cn, name = "--client-cn";
			break;
		default:
			ret = cli_common_option(c, usage);
			if (ret != CLI_CONTINUE)
				return ret;
			continue;
		}
		if (cli_once(slot, optarg, name, usage) ||
		    (c == 'k' && cli_dash(&t.dash, name, optarg, usage)))
			return EXIT_USAGE;
	}
	req.code = cli_partner_code(argc, argv, usage);
	if (!req.code)
		return EXIT_USAGE;
	if (!req.key_file)
		return pouch_usage_error(usage, "missing --key");
	if ((ret = cli_stdin_take(&in, &req.key_file, CLI_KEY_MAX)) != EXIT_OK ||
	    (ret = tlsopts_stdin(&t, &in)) != EXIT_OK)
		goto out;
	req.ca_file = t.ca;
	req.pin = t.pin;
	req.client_cert = t.client_cert;
	req.client_key = t.client_key;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_identity_load(&cli.home, &self, &err) < 0 ||
	    pouch_directory_add(&cli.home, &self, &req, &p, &err) < 0) {
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "partner-add",
			.agency = p.code, .endpoint = p.endpoint,
			.fingerprint = trust_partner_keys(&p, fprs, sizeof(fprs)) })) != EXIT_OK)
		goto out;
	pouch_note("added partner %s", p.code);
	if (!req.fingerprint)
		pouch_note("confirm fingerprint %s with %s out of band before trusting its "
			   "packages", p.keys[0].fpr, p.code);
	ret = partner_print(&p);
out:
	cli_stdin_release(&in);
	pouch_partner_release(&p);
	pouch_agency_release(&self);
	return ret;
}
