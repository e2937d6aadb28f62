/* pouch outbox retry: queue a package's deliveries that failed (or were cancelled) again, and
 * try them now. */
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "deliver.h"
#include "exchange/push.h"

static const char usage[] =
	"usage: pouch outbox retry ID [--to CODE] [--json]\n"
	"  ID          the package (its id, or the start of it)\n"
	"  --to CODE   only the delivery to this recipient\n";

int cmd_outbox_retry(int argc, char **argv)
{
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	const char *prefix, *to, *ids[1];
	char id[POUCH_UUID_LEN] = "";
	time_t now = time(NULL);
	size_t n = 0;
	int ret;

	if ((ret = outbox_args(argc, argv, usage, &prefix, &to)) != CLI_CONTINUE)
		return ret;
	if ((ret = outbox_open(&st)) != EXIT_OK)
		goto out;
	if (pouch_push_change(&cli.home, &st, 1, prefix, to, now, id, &n, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	pouch_note("queued %zu deliver%s of %s again", n, n == 1 ? "y" : "ies", id);
	ids[0] = id;
	ret = deliver_run(&st, ids, 1, POUCH_PUSH_RETRIES, now);
out:
	pouch_state_close(&st);
	return ret;
}
