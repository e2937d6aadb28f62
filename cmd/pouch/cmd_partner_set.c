/* pouch partner set: change a partner's endpoint, TLS settings and client common name. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "trust.h"
#include "partner_print.h"
#include "directory/directory.h"
#include "directory/identity.h"

static const char usage[] =
	"usage: pouch partner set CODE [--endpoint URL | --no-endpoint]\n"
	"                         [--ca FILE] [--pin SHA256] [--no-tls]\n"
	"                         [--client-cert FILE --client-key FILE | --no-client]\n"
	"                         [--client-cn CN | --no-client-cn]\n"
	"  --endpoint URL      the partner's pouchd endpoint (https only)\n"
	"  --no-endpoint       no endpoint (drops the TLS settings too)\n" TLSOPTS_USAGE
	"                      --ca and --pin replace the TLS trust as a whole\n"
	"  --no-tls            no CA file and no pin: the system CA store\n"
	"  --no-client         no client certificate\n"
	"  --client-cn CN      the common name of the partner's client certificates at our\n"
	"                      pouchd\n"
	"  --no-client-cn      that common name is the partner's code again\n";

/* What c changes, for the audit trail: "endpoint, tls, client, client-cn" or a part. */
static const char *changed(const struct pouch_partner_change *c, char *buf, size_t size)
{
	const char *const names[] = { "endpoint", "tls", "client", "client-cn" };
	const int set[] = { c->endpoint || c->no_endpoint, c->ca_file || c->pin || c->no_tls,
			    c->client_cert || c->no_client, c->client_cn || c->no_client_cn };
	size_t i, len = 0;

	snprintf(buf, size, "changed:");
	len = strlen(buf);
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i])
			len += (size_t)snprintf(buf + len, size - len, " %s", names[i]);
	return buf;
}

int cmd_partner_set(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		TLSOPTS_OPTIONS,
		{ "endpoint", required_argument, NULL, 'e' },
		{ "no-endpoint", no_argument, NULL, 'E' },
		{ "no-tls", no_argument, NULL, 'T' },
		{ "no-client", no_argument, NULL, 'L' },
		{ "client-cn", required_argument, NULL, 'N' },
		{ "no-client-cn", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_partner_change chg = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_partner p = { 0 };
	char what[64];
	struct pouch_err err = { 0 };
	struct tlsopts t = { 0 };
	struct cli_stdin in = { 0 };
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = tlsopts_option(&t, c, optarg, usage);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret > 0)
			continue;
		switch (c) {
		case 'e':
			ret = cli_once(&chg.endpoint, optarg, "--endpoint", usage);
			break;
		case 'E':
			ret = cli_flag(&chg.no_endpoint, "--no-endpoint", usage);
			break;
		case 'T':
			ret = cli_flag(&chg.no_tls, "--no-tls", usage);
			break;
		case 'L':
			ret = cli_flag(&chg.no_client, "--no-client", usage);
			break;
		case 'N':
			ret = cli_once(&chg.client_cn, optarg, "--client-cn", usage);
			break;
		case 'M':
			ret = cli_flag(&chg.no_client_cn, "--no-client-cn", usage);
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
	chg.code = cli_partner_code(argc, argv, usage);
	if (!chg.code)
		return EXIT_USAGE;
	if ((ret = tlsopts_stdin(&t, &in)) != EXIT_OK)
		goto out;
	chg.ca_file = t.ca;
	chg.pin = t.pin;
	chg.client_cert = t.client_cert;
	chg.client_key = t.client_key;
	if (pouch_directory_change_check(&chg, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	/* Conflicting or missing options are the library's to judge: one set of rules. */
	if (pouch_identity_load(&cli.home, &self, &err) < 0 ||
	    pouch_directory_set(&cli.home, &self, &chg, &p, &err) < 0) {
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	if ((ret = trust_record(&(struct pouch_audit_entry){ .event = "partner-set",
			.agency = p.code, .endpoint = p.endpoint,
			.reason = changed(&chg, what, sizeof(what)) })) != EXIT_OK)
		goto out;
	pouch_note("updated partner %s", p.code);
	ret = partner_print(&p);
out:
	cli_stdin_release(&in);
	pouch_partner_release(&p);
	pouch_agency_release(&self);
	return ret;
}
