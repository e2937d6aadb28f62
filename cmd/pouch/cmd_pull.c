/* pouch pull: fetch what is addressed to us from our endpoint and our partners', verify it into
 * the inbox or quarantine, send our receipts and collect the receipts for what we sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "audit/audit.h"
#include "exchange/pull.h"
#include "base/secret.h"
#include "input.h"
#include "progress.h"
#include "remind.h"

static const char usage[] =
    "usage: pouch pull [--from CODE] [--limit N] [--passphrase-file FILE] [--json]\n"
    "  --from CODE            only that party's endpoint (our own code: our own endpoint)\n"
    "  --limit N              packages asked for per page, 1 to 1000 (default 100)\n"
    "  --passphrase-file FILE our key's passphrase, to sign receipts (default: gpg-agent\n"
    "                         asks on a terminal)\n";

struct out {
	struct progress pg;
	int failed; /* writing stdout failed */
};

static void on_event(void *arg, const struct pouch_pull_event *ev)
{
	struct out *o = arg;
	const char *reminder = NULL;
	char *json;
	int bad = 0;

	if (ev->kind == POUCH_PULL_SOURCE_FAILED) {
		pouch_error("cannot pull from %s: %s", ev->party, ev->reason);
		return;
	}
	if (ev->kind == POUCH_PULL_WARNING) {
		pouch_warn("%s", ev->reason);
		return;
	}
	if (ev->kind == POUCH_PULL_GOOD && remind_needed(ev->priority))
		reminder = remind(ev->id, ev->agency, "sender");
	if (cli.json) {
		json = pouch_pull_event_json(ev);
		if (json && reminder)
			json = remind_json(json, reminder);
		bad = !json || printf("%s\n", json) < 0;
		free(json);
	} else if (ev->kind == POUCH_PULL_GOOD) {
		/* The file's own name: SENDER.ID.pouch when another sender's package has the id. */
		const char *file = ev->path ? strrchr(ev->path, '/') : NULL;
		bad = printf("good %s from %s -> inbox/%s\n", ev->id, ev->agency,
			     file ? file + 1 : "") < 0;
	} else if (ev->kind == POUCH_PULL_QUARANTINED) {
		bad = printf("quarantined %s from %s: %s\n", ev->id, ev->agency, ev->reason) < 0;
	} else if (ev->kind == POUCH_PULL_RECEIPT) {
		bad = printf("receipt %s for %s from %s%s%s\n", ev->verdict, ev->id, ev->agency,
			     ev->reason ? ": " : "", ev->reason ? ev->reason : "") < 0;
	}
	if (bad || fflush(stdout))
		o->failed = 1;
}

static void on_start(void *arg, const char *label)
{
	char shown[64];

	snprintf(shown, sizeof(shown), "pull %s", label ? label : "");
	progress_start(&((struct out *)arg)->pg, shown);
}

static void on_progress(void *arg, const struct pouch_https_progress *p)
{
	progress_cb(&((struct out *)arg)->pg, p);
}

static void on_end(void *arg)
{
	progress_end(&((struct out *)arg)->pg);
}

int cmd_pull(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTIONS,
	    {"from", required_argument, NULL, 'F'},
	    {"limit", required_argument, NULL, 'L'},
	    {"passphrase-file", required_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	struct pouch_pull_opts po = {0};
	struct pouch_pull_result res;
	struct pouch_err err = {0}, aerr = {0};
	struct out o = {0};
	const char *from = NULL, *limit = NULL, *passfile = NULL;
	char *pass = NULL, *end = NULL;
	unsigned long n = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 'F') {
			ret = cli_once(&from, optarg, "--from", usage);
			cli_code_upper(optarg);
		} else if (c == 'L')
			ret = cli_once(&limit, optarg, "--limit", usage);
		else if (c == 'P')
			ret = cli_once(&passfile, optarg, "--passphrase-file", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret;
		if (ret)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (limit) {
		n = strtoul(limit, &end, 10);
		if (limit[0] < '0' || limit[0] > '9' || *end || n < 1 || n > POUCH_PULL_LIMIT_MAX)
			return pouch_usage_error(usage, "--limit takes 1 to %d",
						 POUCH_PULL_LIMIT_MAX);
	}
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (passfile && pouch_secret_read_passphrase(passfile, &pass, &err) < 0)
		return pouch_fail(&err);
	po.from = from;
	po.passphrase = cli_passphrase(pass);
	po.limit = n;
	po.now = time(NULL);
	po.event = on_event;
	po.transfer_start = on_start;
	po.progress = on_progress;
	po.transfer_end = on_end;
	po.arg = &o;
	ret = pouch_pull(&cli.home, &po, &res, &err);
	/* What was pulled is covered by a signature at once, like pack and open. */
	if (res.sources && pouch_audit_checkpoint(&cli.home, pass, po.now, &aerr) < 0)
		pouch_warn("%s", aerr.msg);
	pouch_secret_free(pass);
	if (ret < 0)
		return pouch_fail(&err);
	if (cli.json && !o.failed &&
	    (printf("{\"type\":\"summary\",\"sources\":%u,\"failed\":%u,\"good\":%u,"
		    "\"quarantined\":%u,\"receipts_sent\":%u,\"receipts\":%u}\n", res.sources,
		    res.failed, res.good, res.quarantined, res.receipts_sent, res.receipts) < 0 ||
	     fflush(stdout) == EOF))
		o.failed = 1;
	if (o.failed)
		return pouch_error("cannot write the results"), EXIT_OPERATIONAL;
	if (res.quarantined)
		pouch_json_error(POUCH_E_VERIFY, "%u package%s quarantined", res.quarantined,
				 res.quarantined == 1 ? "" : "s");
	if (!cli.json && !res.good && !res.quarantined && !res.receipts && !res.failed)
		pouch_note("nothing new from %u source%s", res.sources,
			   res.sources == 1 ? "" : "s");
	return res.quarantined ? EXIT_REFUSED : res.failed ? EXIT_OPERATIONAL : EXIT_OK;
}
