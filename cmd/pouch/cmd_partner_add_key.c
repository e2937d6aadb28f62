/* pouch partner add-key: pin a partner's new key beside the old one (key rollover). */
#include "cmd.h"
#include "trust.h"
#include "partner_print.h"
#include "directory/directory.h"
#include "directory/identity.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch partner add-key CODE --key FILE [--fingerprint FPR] [--overlap DURATION]\n"
	"  --key FILE          the partner's new public key ('-': standard input)\n"
	"  --fingerprint FPR   its primary fingerprint, confirmed out of band\n"
	"  --overlap DURATION  end the window of the keys pinned so far after DURATION\n"
	"                      (N followed by h, d, w or y); without it they stay valid\n";

int cmd_partner_add_key(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "key", required_argument, NULL, 'k' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ "overlap", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_partner_req req = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_partner p = { 0 };
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	const char *overlap_s = NULL;
	long long overlap = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 'k')
			ret = cli_once(&req.key_file, optarg, "--key", usage);
		else if (c == 'F')
			ret = cli_once(&req.fingerprint, optarg, "--fingerprint", usage);
		else if (c == 'O')
			ret = cli_once(&overlap_s, optarg, "--overlap", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret; /* help printed (0) or a usage error */
		if (ret)
			return ret;
	}
	req.code = cli_partner_code(argc, argv, usage);
	if (!req.code)
		return EXIT_USAGE;
	if (!req.key_file)
		return pouch_usage_error(usage, "missing --key");
	if (overlap_s && pouch_duration_parse("--overlap", overlap_s, &overlap, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		goto out;
	if ((ret = cli_stdin_take(&in, &req.key_file, CLI_KEY_MAX)) != EXIT_OK)
		goto out;
	if (pouch_identity_load(&cli.home, &self, &err) < 0 ||
	    pouch_directory_add_key(&cli.home, &self, &req, overlap, &p, &err) < 0) {
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "partner-add-key",
			.agency = p.code, .fingerprint = p.keys[p.nkeys - 1].fpr })) != EXIT_OK)
		goto out;
	pouch_note("pinned key %s for partner %s", p.keys[p.nkeys - 1].fpr, p.code);
	if (!req.fingerprint)
		pouch_note("confirm fingerprint %s with %s out of band before trusting its "
			   "packages", p.keys[p.nkeys - 1].fpr, p.code);
	ret = partner_print(&p);
out:
	cli_stdin_release(&in);
	pouch_partner_release(&p);
	pouch_agency_release(&self);
	return ret;
}
