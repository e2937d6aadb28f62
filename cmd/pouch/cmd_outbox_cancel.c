/* pouch outbox cancel: take a package's deliveries (or one recipient's) out of the queue. */
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "deliver.h"
#include "exchange/push.h"

static const char usage[] = "usage: pouch outbox cancel ID [--to CODE] [--json]\n"
	OUTBOX_ARGS_USAGE;

int cmd_outbox_cancel(int argc, char **argv)
{
	struct pouch_state st;
	struct pouch_err err = { 0 };
	const char *prefix = NULL, *to = NULL;
	char id[POUCH_UUID_LEN] = "";
	size_t n = 0;
	int ret = outbox_begin(argc, argv, usage, &prefix, &to, &st);

	if (ret != CLI_CONTINUE)
		goto out;
	if (pouch_push_change(&cli.home, &st, 0, prefix, to, time(NULL), id, &n, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	/* The id is a UUID and the code checked: nothing to escape. */
	if (cli.json)
		ret = printf("{\"id\":\"%s\",\"recipient\":%s%s%s,\"cancelled\":%zu}\n", id,
			     to ? "\"" : "", to ? to : "null", to ? "\"" : "", n) < 0;
	else
		ret = printf("cancelled %zu deliver%s of %s%s%s\n", n, n == 1 ? "y" : "ies", id,
			     to ? " to " : "", to ? to : "") < 0;
	ret = ret || fflush(stdout) ? EXIT_OPERATIONAL : EXIT_OK;
out:
	pouch_state_close(&st);
	return ret;
}
