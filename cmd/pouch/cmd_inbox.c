/* pouch inbox: the packages pulled in, good and quarantined, immediate first, one line each (a
 * JSON array with --json), filtered by sender, priority, opened or not, and date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "exchange/pull.h"
#include "package/envelope.h"
#include "base/timefmt.h"
#include "base/validate.h"

static const char usage[] =
	"usage: pouch inbox [--from CODE] [--priority P] [--opened | --unopened]\n"
	"                   [--since DATE] [--until DATE] [--json]\n"
	"  --from CODE      only the packages this agency sent\n"
	"  --priority P     only those of priority P (immediate, urgent, routine, information)\n"
	"  --opened         only those opened here; --unopened: only those not opened yet\n"
	"  --since DATE     only those received at or after DATE (YYYY-MM-DD, or RFC 3339 UTC)\n"
	"  --until DATE     only those received before DATE (a day: before its end)\n";

struct list {
	size_t n;
	int failed;
	time_t now;
};

/* ", expires TIME" (or "expired"), then ", opened TIME" or ", not opened", for a good one. */
static int show_text(const struct pouch_inbox_item *it, const struct list *l)
{
	char when[POUCH_TIME_LEN], exp[POUCH_TIME_LEN], opened[POUCH_TIME_LEN];
	int immediate = it->priority && strcmp(it->priority, "immediate") == 0;

	if (printf("%s%s %s %s %s %s, %s", immediate ? "!! " : "", it->id ? it->id : "-",
		   it->sender ? it->sender : "-",
		   immediate ? "IMMEDIATE" : it->priority ? it->priority : "-",
		   pouch_time_format(it->received, when),
		   !it->has_receipt   ? "no receipt"
		   : it->receipt_sent ? "receipt sent"
				      : "receipt pending",
		   it->good ? "good" : "quarantined") < 0)
		return 1;
	if (!it->good)
		return printf(": %s\n", it->reason ? it->reason : "") < 0;
	if (it->expires)
		pouch_time_format(it->expires, exp);
	return printf(", %s %s, %s%s\n", it->expires && l->now >= it->expires ? "expired" : "expires",
		      it->expires ? exp : "-", it->opened ? "opened " : "not opened",
		      it->opened ? pouch_time_format(it->opened, opened) : "") < 0;
}

static int show(const struct pouch_inbox_item *it, void *arg)
{
	struct list *l = arg;
	char *json;
	int bad;

	if (cli.json) {
		json = pouch_inbox_item_json(it);
		bad = !json || printf("%s%s", l->n ? "," : "", json) < 0;
		free(json);
	} else {
		bad = show_text(it, l);
	}
	l->n++;
	l->failed |= bad;
	return bad;
}

/* A DATE of --since or --until: a day (its start; with end set, the start of the next day) or
 * an RFC 3339 UTC time. */
static int parse_date(const char *name, const char *s, int end, time_t *out)
{
	char full[POUCH_TIME_LEN + 16];

	if (strlen(s) == 10) {
		snprintf(full, sizeof(full), "%sT00:00:00Z", s);
		if (pouch_time_parse(full, out, NULL) == 0) {
			*out += end ? 86400 : 0;
			return 0;
		}
	} else if (pouch_time_parse(s, out, NULL) == 0) {
		return 0;
	}
	return pouch_usage_error(usage, "invalid %s '%s': give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
				 name, s);
}

/* Reads the options into f; returns CLI_CONTINUE or an exit status. */
static int parse(int argc, char **argv, struct pouch_inbox_filter *f)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "from", required_argument, NULL, 'f' },
		{ "priority", required_argument, NULL, 'p' },
		{ "opened", no_argument, NULL, 'O' },
		{ "unopened", no_argument, NULL, 'U' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *since = NULL, *until = NULL;
	struct pouch_err err = { 0 };
	int c, ret, opened = 0, unopened = 0;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 'f')
			ret = cli_once(&f->from, optarg, "--from", usage);
		else if (c == 'p')
			ret = cli_once(&f->priority, optarg, "--priority", usage);
		else if (c == 'O')
			ret = cli_flag(&opened, "--opened", usage);
		else if (c == 'U')
			ret = cli_flag(&unopened, "--unopened", usage);
		else if (c == 's')
			ret = cli_once(&since, optarg, "--since", usage);
		else if (c == 'u')
			ret = cli_once(&until, optarg, "--until", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret; /* help printed (0) or a usage error */
		if (ret)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (opened && unopened)
		return pouch_usage_error(usage, "give --opened or --unopened, not both");
	f->opened = opened ? 1 : unopened ? -1 : 0;
	if (f->from) {
		cli_code_upper((char *)f->from);
		if (pouch_agency_code_check(f->from, &err) < 0)
			return pouch_usage_error(usage, "%s", err.msg);
	}
	if (f->priority && pouch_priority_check(f->priority, &err) < 0)
		return pouch_usage_error(usage, "%s", err.msg);
	if ((since && (ret = parse_date("--since", since, 0, &f->since)) != 0) ||
	    (until && (ret = parse_date("--until", until, 1, &f->until)) != 0))
		return ret;
	return CLI_CONTINUE;
}

int cmd_inbox(int argc, char **argv)
{
	struct pouch_inbox_filter f = { 0 };
	struct pouch_err err = { 0 };
	struct list l = { 0 };
	int ret;

	if ((ret = parse(argc, argv, &f)) != CLI_CONTINUE)
		return ret;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	l.now = cli_now();
	if (cli.json && printf("[") < 0)
		return EXIT_OPERATIONAL;
	ret = pouch_inbox_list(&cli.home, &f, show, &l, &err);
	if (ret < 0)
		return pouch_fail(&err);
	if ((cli.json && printf("]\n") < 0) || l.failed || fflush(stdout))
		return pouch_error("cannot write the list"), EXIT_OPERATIONAL;
	if (!cli.json && !l.n)
		pouch_note(f.from || f.priority || f.opened || f.since || f.until
				   ? "no package in the inbox matches"
				   : "the inbox is empty");
	return EXIT_OK;
}
