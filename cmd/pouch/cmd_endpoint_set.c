/* pouch endpoint set: our own endpoint (the pouchd we pull from and publish to) and its TLS. */
#include "cmd.h"
#include "trust.h"
#include "partner_print.h"
#include "directory/endpoint.h"

static const char usage[] =
	"usage: pouch endpoint set --endpoint URL [--ca FILE] [--pin SHA256]\n"
	"                          [--client-cert FILE --client-key FILE]\n"
	"  --endpoint URL      our pouchd endpoint (https only)\n" TLSOPTS_USAGE
	"  what is not given is not kept: each set replaces the whole setting\n";

/* The change's audit entry: our code, the URL, and the TLS settings it has. */
static int record(const struct pouch_endpoint *e)
{
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	int ret;

	if (pouch_agency_load(cli.home.agency, &a, &err) < 0)
		return pouch_fail(&err);
	ret = trust_record(&(struct pouch_audit_entry){ .event = "endpoint-set", .agency = a.code,
				   .endpoint = e->url });
	pouch_agency_release(&a);
	return ret;
}

int cmd_endpoint_set(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		TLSOPTS_OPTIONS,
		{ "endpoint", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_endpoint_req req = { 0 };
	struct pouch_endpoint e = { 0 };
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
		if (c == 'e') {
			if (cli_once(&req.url, optarg, "--endpoint", usage))
				return EXIT_USAGE;
			continue;
		}
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (!req.url)
		return pouch_usage_error(usage, "missing --endpoint");
	if (!t.client_cert != !t.client_key)
		return pouch_usage_error(usage, "give --client-cert and --client-key together");
	if ((ret = tlsopts_stdin(&t, &in)) != EXIT_OK)
		return ret;
	req.ca_file = t.ca;
	req.pin = t.pin;
	req.client_cert = t.client_cert;
	req.client_key = t.client_key;
	if ((ret = cli_ready()) != EXIT_OK) {
		cli_stdin_release(&in);
		return ret;
	}
	ret = pouch_endpoint_set(&cli.home, &req, &e, &err);
	if (ret < 0)
		ret = cli_stdin_fail(&in, &err);
	cli_stdin_release(&in);
	if (ret)
		return ret;
	if ((ret = record(&e)) != EXIT_OK) {
		pouch_endpoint_release(&e);
		return ret;
	}
	pouch_note("set our endpoint");
	ret = endpoint_print(&e);
	pouch_endpoint_release(&e);
	return ret;
}
