/* pouch outbox retry: queue a package's deliveries that failed (or were cancelled) again, and
 * try them now. */
#include <time.h>

#include "cmd.h"
#include "deliver.h"
#include "exchange/push.h"

static const char usage[] = "usage: pouch outbox retry ID [--to CODE] [--json]\n"
	OUTBOX_ARGS_USAGE;

int cmd_outbox_retry(int argc, char **argv)
{
	struct pouch_state st;
	struct pouch_err err = { 0 };
	const char *prefix = NULL, *to = NULL, *ids[1];
	char id[POUCH_UUID_LEN] = "";
	time_t now = time(NULL);
	size_t n = 0;
	int ret = outbox_begin(argc, argv, usage, &prefix, &to, &st);

	if (ret != CLI_CONTINUE)
		goto out;
	if (pouch_push_change(&cli.home, &st, 1, prefix, to, now, id, &n, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	pouch_note("queued %zu deliver%s of %s again", n, n == 1 ? "y" : "ies", id);
	ids[0] = id;
	ret = deliver_run(&st, ids, 1, POUCH_PUSH_RETRIES, 0, now);
out:
	pouch_state_close(&st);
	return ret;
}
