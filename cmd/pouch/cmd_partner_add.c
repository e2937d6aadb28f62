/* pouch partner add: a partner agency enters the directory with its pinned key. */
#include "cmd.h"
#include "partner_print.h"
#include "pouch/directory.h"
#include "pouch/identity.h"

static const char usage[] =
	"usage: pouch partner add CODE --key FILE [--fingerprint FPR] [--name NAME]\n"
	"                         [--endpoint URL] [--ca FILE | --pin SHA256]\n"
	"  --key FILE          the partner's public key (one key, armored or binary)\n"
	"  --fingerprint FPR   the primary fingerprint the partner confirmed out of band\n"
	"  --name NAME         the partner's name\n"
	"  --endpoint URL      the partner's pouchd endpoint (https only)\n"
	"  --ca FILE           CA certificates (PEM) that issue the endpoint's certificate\n"
	"  --pin SHA256        the endpoint's public-key SHA-256 (sha256//BASE64 or hex)\n";

int cmd_partner_add(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ "name", required_argument, NULL, 'n' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "ca", required_argument, NULL, 'C' },
		{ "pin", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_partner_req req = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_partner p = { 0 };
	struct pouch_err err = { 0 };
	const char **slot;
	const char *name;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
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
		case 'C':
			slot = &req.ca_file, name = "--ca";
			break;
		case 'p':
			slot = &req.pin, name = "--pin";
			break;
		default:
			ret = cli_common_option(c, usage);
			if (ret != CLI_CONTINUE)
				return ret;
			continue;
		}
		if (cli_once(slot, optarg, name, usage))
			return EXIT_USAGE;
	}
	req.code = cli_partner_code(argc, argv, usage);
	if (!req.code)
		return EXIT_USAGE;
	if (!req.key_file)
		return pouch_usage_error(usage, "missing --key");
	if (req.ca_file && req.pin)
		return pouch_usage_error(usage, "give --ca or --pin, not both");
	if (pouch_identity_load(&cli.home, &self, &err) < 0 ||
	    pouch_directory_add(&cli.home, &self, &req, &p, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	pouch_note("added partner %s", p.code);
	if (!req.fingerprint)
		pouch_note("confirm fingerprint %s with %s out of band before trusting its "
			   "packages", p.keys[0].fpr, p.code);
	ret = partner_print(&p);
out:
	pouch_partner_release(&p);
	pouch_agency_release(&self);
	return ret;
}
