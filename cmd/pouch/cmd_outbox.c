/* pouch outbox: the packages still waiting for delivery (or, with --all, every package sent),
 * each with its recipients' states and receipts. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "exchange/push.h"

static const char usage[] = "usage: pouch outbox [--all] [--json]\n";

int cmd_outbox(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS,
					      { "all", no_argument, NULL, 'a' },
					      { NULL, 0, NULL, 0 } };
	struct pouch_outgoing_info *list = NULL;
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	time_t now = time(NULL);
	size_t i, n = 0;
	char *text = NULL;
	int c, ret, all = 0;

	st.lock_fd = -1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 'a') {
			if (cli_flag(&all, "--all", usage))
				return EXIT_USAGE;
			continue;
		}
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_state_open(&cli.home, &st, &err) < 0 ||
	    pouch_push_list(&st, all, &list, &n, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (pouch_push_check_receipts(&cli.home, &st, &list[i], now, &err) < 0) {
			ret = pouch_fail(&err);
			goto out;
		}
	}
	if (cli.json) {
		text = pouch_outgoing_list_json(list, n, 0);
		ret = text ? pouch_print(text) : EXIT_OPERATIONAL;
		goto out;
	}
	if (n == 0)
		pouch_note(all ? "the outbox is empty" : "nothing is waiting for delivery");
	ret = EXIT_OK;
	for (i = 0; i < n && ret == EXIT_OK; i++) {
		free(text);
		text = pouch_outgoing_text(&list[i]);
		ret = text ? pouch_print(text) : EXIT_OPERATIONAL;
	}
out:
	if (ret == EXIT_OPERATIONAL && !text && err.code == 0)
		pouch_error("out of memory");
	free(text);
	pouch_outgoing_list_free(list, n);
	pouch_state_close(&st);
	return ret;
}
