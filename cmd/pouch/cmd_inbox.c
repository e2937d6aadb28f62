/* pouch inbox: the packages pulled in, good and quarantined, one line each (a JSON array with
 * --json). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "exchange/pull.h"
#include "base/timefmt.h"

static const char usage[] = "usage: pouch inbox [--json]\n";

struct list {
	size_t n;
	int failed;
};

static int show(const struct pouch_inbox_item *it, void *arg)
{
	struct list *l = arg;
	char when[POUCH_TIME_LEN];
	char *json;
	int bad;

	if (cli.json) {
		json = pouch_inbox_item_json(it);
		bad = !json || printf("%s%s", l->n ? "," : "", json) < 0;
		free(json);
	} else {
		bad =
		    printf("%s %s %s %s %s, %s%s%s\n", it->id, it->sender,
			   it->priority ? it->priority : "-", pouch_time_format(it->received, when),
			   !it->has_receipt   ? "no receipt"
			   : it->receipt_sent ? "receipt sent"
					      : "receipt pending",
			   it->good ? "good" : "quarantined", it->reason ? ": " : "",
			   it->reason ? it->reason : "") < 0;
	}
	l->n++;
	l->failed |= bad;
	return bad;
}

int cmd_inbox(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
	struct pouch_err err = {0};
	struct list l = {0};
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (cli.json && printf("[") < 0)
		return EXIT_OPERATIONAL;
	ret = pouch_inbox_list(&cli.home, show, &l, &err);
	if (ret < 0)
		return pouch_fail(&err);
	if ((cli.json && printf("]\n") < 0) || l.failed || fflush(stdout))
		return pouch_error("cannot write the list"), EXIT_OPERATIONAL;
	if (!cli.json && !l.n)
		pouch_note("the inbox is empty");
	return EXIT_OK;
}
