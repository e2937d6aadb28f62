/* A delivery run and its report, for pouch push and pouch outbox retry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "deliver.h"
#include "input.h"
#include "progress.h"
#include "remind.h"
#include "exchange/push.h"
#include "base/validate.h"

/* What the callbacks share. */
struct push_ctx {
	struct progress pg;
	int failed; /* a --json line could not be made or written */
};

static void on_report(void *arg, const struct pouch_push_report *r)
{
	struct push_ctx *c = arg;
	const char *reminder = NULL;
	char *text;

	if (r->verdict == POUCH_PUSH_RETRY) {
		pouch_note("retrying %s for %s in %.1f s: %s", r->id, r->recipient,
			   (double)r->wait_ms / 1000.0, r->reason);
		return;
	}
	if (r->verdict == POUCH_PUSH_DELIVERED && remind_needed(r->priority))
		reminder = remind(r->id, r->recipient, "recipient");
	if (cli.json) {
		/* JSON Lines: each delivery as it is done (spec/cli/pouch-push.schema.json). */
		text = pouch_push_report_json(r);
		if (text && reminder)
			text = remind_json(text, reminder);
		if (!text || printf("%s\n", text) < 0 || fflush(stdout) == EOF)
			c->failed = 1;
		free(text);
		return;
	}
	if (r->verdict == POUCH_PUSH_DELIVERED)
		printf("delivered %s to %s (%s)\n", r->id, r->recipient, r->url);
	else
		printf("%s %s for %s: %s\n", r->verdict == POUCH_PUSH_FAILED ? "failed" : "queued",
		       r->id, r->recipient, r->reason ? r->reason : "");
	fflush(stdout);
}

static void on_transfer(void *arg, const char *label)
{
	struct push_ctx *c = arg;
	char shown[64];

	snprintf(shown, sizeof(shown), "push %s", label ? label : "");
	if (label)
		progress_start(&c->pg, shown);
	else
		progress_end(&c->pg);
}

static void on_progress(void *arg, const struct pouch_https_progress *p)
{
	struct push_ctx *c = arg;

	progress_cb(&c->pg, p);
}

int deliver_run(struct pouch_state *st, const char *const *ids, size_t nids, int retries,
		int parallel, time_t now)
{
	struct pouch_push_opts po = { 0 };
	struct pouch_push_summary sum = { 0 };
	struct pouch_err err = { 0 };
	struct push_ctx ctx = { 0 };

	po.ids = ids;
	po.nids = nids;
	po.retries = retries;
	po.parallel = parallel;
	po.now = now;
	po.report = on_report;
	po.transfer = on_transfer;
	po.progress = on_progress;
	po.arg = &ctx;
	progress_start(&ctx.pg, NULL);
	if (pouch_push_deliver(&cli.home, st, &po, &sum, &err) < 0) {
		progress_end(&ctx.pg);
		return pouch_fail(&err);
	}
	if (cli.json && (ctx.failed ||
			 printf("{\"type\":\"summary\",\"delivered\":%zu,\"queued\":%zu,"
				"\"failed\":%zu}\n", sum.delivered, sum.queued, sum.failed) < 0 ||
			 fflush(stdout) == EOF)) {
		pouch_error("cannot write the results to standard output");
		return EXIT_OPERATIONAL;
	}
	if (sum.failed)
		pouch_json_error(POUCH_E_REFUSED, "%zu deliver%s refused", sum.failed,
				 sum.failed == 1 ? "y was" : "ies were");
	else if (sum.queued)
		pouch_json_error(POUCH_E_NET, "%zu deliver%s left queued for a later push",
				 sum.queued, sum.queued == 1 ? "y is" : "ies are");
	return sum.failed ? EXIT_REFUSED : sum.queued ? EXIT_OPERATIONAL : EXIT_OK;
}

int outbox_begin(int argc, char **argv, const char *usage, const char **id, const char **to,
		 struct pouch_state *st)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS,
					      { "to", required_argument, NULL, 't' },
					      { NULL, 0, NULL, 0 } };
	struct pouch_err err = { 0 };
	int c, ret;

	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	*to = NULL;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		if (c == 't') {
			if ((ret = cli_once(to, optarg, "--to", usage)) != 0)
				return ret;
			cli_code_upper(optarg);
		} else if ((ret = cli_common_option(c, usage)) != CLI_CONTINUE) {
			return ret;
		}
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one package"
							      : "missing the package");
	if (*to && pouch_agency_code_check(*to, &err) < 0)
		return pouch_usage_error(usage, "%s", err.msg);
	*id = argv[optind];
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_state_open(&cli.home, st, &err) < 0 ||
	    pouch_state_lock(st, &cli.home, "push", &err) < 0)
		return pouch_fail(&err);
	return CLI_CONTINUE;
}
