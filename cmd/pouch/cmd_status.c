/* pouch status: one sent package's deliveries and receipts, the receipts verified again. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "exchange/push.h"

static const char usage[] = "usage: pouch status ID [--json]\n";

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_outgoing_info o = { 0 };
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	time_t now = time(NULL);
	char *text = NULL;
	int c, ret;

	st.lock_fd = -1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one package id"
							      : "missing the package id");
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_state_open(&cli.home, &st, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (pouch_push_get(&st, argv[optind], &o, &err) < 0) {
		/* An id we never sent is a refusal (exit 1), not a usage error. */
		ret = pouch_fail(&err);
		if (err.code == POUCH_E_NOTFOUND)
			ret = EXIT_REFUSED;
		goto out;
	}
	if (pouch_push_check_receipts(&cli.home, &st, &o, now, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	text = cli.json ? pouch_outgoing_json(&o, 0) : pouch_outgoing_text(&o);
	if (!text) {
		pouch_error("out of memory");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	ret = pouch_print(text);
out:
	free(text);
	pouch_outgoing_info_release(&o);
	pouch_state_close(&st);
	return ret;
}
