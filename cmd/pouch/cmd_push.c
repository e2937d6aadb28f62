/* pouch push: take packages into the outbox and deliver them (or flush the outbox). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "progress.h"
#include "exchange/push.h"

static const char usage[] =
	"usage: pouch push [FILE...] [--endpoint URL] [--retries N] [--json]\n";

/* What the callbacks share. */
struct push_ctx {
	struct progress pg;
	int failed; /* a --json line could not be made or written */
};

static void on_report(void *arg, const struct pouch_push_report *r)
{
	struct push_ctx *c = arg;
	char *text;

	if (r->verdict == POUCH_PUSH_RETRY) {
		pouch_note("retrying %s for %s in %.1f s: %s", r->id, r->recipient,
			   (double)r->wait_ms / 1000.0, r->reason);
		return;
	}
	if (cli.json) {
		/* JSON Lines: each delivery as it is done (spec/cli/pouch-push.schema.json). */
		text = pouch_push_report_json(r);
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

static int parse_retries(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > POUCH_PUSH_RETRIES_MAX)
		return pouch_usage_error(usage, "--retries must be a number from 0 to %d",
					 POUCH_PUSH_RETRIES_MAX);
	*out = (int)v;
	return 0;
}

int cmd_push(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS,
					      { "endpoint", required_argument, NULL, 'e' },
					      { "retries", required_argument, NULL, 'r' },
					      { NULL, 0, NULL, 0 } };
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_push_opts po = { 0 };
	struct pouch_push_summary sum = { 0 };
	struct pouch_push_queued *queued = NULL;
	struct push_ctx ctx = { 0 };
	const char *endpoint = NULL, *retries_s = NULL, **ids = NULL;
	time_t now = time(NULL);
	size_t i, nfiles;
	int c, ret;

	st.lock_fd = -1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ret = cli_once(&endpoint, optarg, "--endpoint", usage);
			break;
		case 'r':
			ret = cli_once(&retries_s, optarg, "--retries", usage);
			break;
		default:
			ret = cli_common_option(c, usage);
			if (ret == CLI_CONTINUE)
				ret = 0;
			else
				return ret;
		}
		if (ret)
			return ret;
	}
	po.retries = POUCH_PUSH_RETRIES;
	if (retries_s && (ret = parse_retries(retries_s, &po.retries)) != 0)
		return ret;
	nfiles = (size_t)(argc - optind);
	if (endpoint && nfiles == 0)
		return pouch_usage_error(usage, "--endpoint needs the packages to send there");
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_state_open(&cli.home, &st, &err) < 0 ||
	    pouch_state_lock(&st, &cli.home, "push", &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (nfiles) {
		queued = calloc(nfiles, sizeof(*queued));
		ids = calloc(nfiles, sizeof(*ids));
		if (!queued || !ids) {
			pouch_error("out of memory");
			ret = EXIT_OPERATIONAL;
			goto out;
		}
		if (pouch_push_queue(&cli.home, &st, (const char *const *)argv + optind, nfiles,
				     endpoint, now, queued, &err) < 0) {
			ret = pouch_fail(&err);
			goto out;
		}
		for (i = 0; i < nfiles; i++) {
			ids[i] = queued[i].id;
			if (!queued[i].added)
				pouch_note("%s is already in the outbox", queued[i].id);
		}
		po.ids = ids;
		po.nids = nfiles;
	}
	po.now = now;
	po.report = on_report;
	po.transfer = on_transfer;
	po.progress = on_progress;
	po.arg = &ctx;
	progress_start(&ctx.pg, NULL);
	if (pouch_push_deliver(&cli.home, &st, &po, &sum, &err) < 0) {
		progress_end(&ctx.pg);
		ret = pouch_fail(&err);
		goto out;
	}
	if (cli.json && (ctx.failed ||
			 printf("{\"type\":\"summary\",\"delivered\":%zu,\"queued\":%zu,"
				"\"failed\":%zu}\n", sum.delivered, sum.queued, sum.failed) < 0 ||
			 fflush(stdout) == EOF)) {
		pouch_error("cannot write the results to standard output");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	ret = sum.failed ? EXIT_REFUSED : sum.queued ? EXIT_OPERATIONAL : EXIT_OK;
	if (sum.failed)
		pouch_json_error(POUCH_E_REFUSED, "%zu deliver%s refused", sum.failed,
				 sum.failed == 1 ? "y was" : "ies were");
	else if (sum.queued)
		pouch_json_error(POUCH_E_NET, "%zu deliver%s left queued for a later push",
				 sum.queued, sum.queued == 1 ? "y is" : "ies are");
out:
	free(ids);
	free(queued);
	pouch_state_close(&st);
	return ret;
}
