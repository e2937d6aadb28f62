/* pouch push: take packages into the outbox and deliver them (or flush the outbox). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "deliver.h"
#include "exchange/push.h"

static const char usage[] =
	"usage: pouch push [FILE...] [--endpoint URL] [--retries N] [--parallel N] [--json]\n";

/* The number s of option name, from min to max, into *out. */
static int parse_count(const char *name, const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return pouch_usage_error(usage, "%s must be a number from %d to %d", name, min,
					 max);
	*out = (int)v;
	return 0;
}

int cmd_push(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS,
					      { "endpoint", required_argument, NULL, 'e' },
					      { "retries", required_argument, NULL, 'r' },
					      { "parallel", required_argument, NULL, 'p' },
					      { NULL, 0, NULL, 0 } };
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_push_queued *queued = NULL;
	const char *endpoint = NULL, *retries_s = NULL, *parallel_s = NULL, **ids = NULL;
	time_t now = time(NULL);
	size_t i, nfiles;
	int c, ret, retries = POUCH_PUSH_RETRIES, parallel = POUCH_PUSH_PARALLEL;

	st.lock_fd = -1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ret = cli_once(&endpoint, optarg, "--endpoint", usage);
			break;
		case 'r':
			ret = cli_once(&retries_s, optarg, "--retries", usage);
			break;
		case 'p':
			ret = cli_once(&parallel_s, optarg, "--parallel", usage);
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
	if (retries_s && (ret = parse_count("--retries", retries_s, 0, POUCH_PUSH_RETRIES_MAX,
					     &retries)) != 0)
		return ret;
	if (parallel_s && (ret = parse_count("--parallel", parallel_s, 1, POUCH_PUSH_PARALLEL_MAX,
					      &parallel)) != 0)
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
	}
	ret = deliver_run(&st, ids, nfiles, retries, parallel, now);
out:
	free(ids);
	free(queued);
	pouch_state_close(&st);
	return ret;
}
