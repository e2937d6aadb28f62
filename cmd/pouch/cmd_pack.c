/* pouch pack: seal a report and its attachments into a package for partner agencies. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "pack_batch.h"
#include "packout.h"
#include "progress.h"
#include "remind.h"
#include "audit/audit.h"
#include "package/envelope.h"
#include "base/fs.h"
#include "base/json.h"
#include "package/pack.h"
#include "base/secret.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch pack --to CODE[,CODE...]... --report FILE [--attach FILE]...\n"
	"                  [--priority P] [--expires DURATION] [--no-self] [-o FILE|DIR]\n"
	"                  [--passphrase-file FILE]\n"
	"       pouch pack --batch FILE [-j N] [--all-or-nothing] [--expires DURATION]\n"
	"                  [--no-self] [-o DIR] [--passphrase-file FILE]\n"
	"  --to CODES             recipient agencies, each in the partner directory (repeatable)\n"
	"  --report FILE          the report (spec/report.md; '-': standard input)\n"
	"  --attach FILE          an attachment, kept under its base name (repeatable)\n"
	"  --priority P           refuse unless the report's priority is P (immediate, urgent,\n"
	"                         routine or information)\n"
	"  --expires DURATION     N and h, d, w or y (default 30d)\n"
	"  --no-self              do not encrypt to our own key as well\n"
	"  -o, --output FILE|DIR  the new package file, or an existing directory for ID.pouch\n"
	"                         (default: .); a detached payload goes beside it as ID.pouch.pgp\n"
	"  --passphrase-file FILE our key's passphrase (default: gpg-agent asks on a terminal)\n"
	"  --batch FILE           one package per line of FILE, each line a JSON object with\n"
	"                         to, report and optional attachments and priority\n"
	"                         (spec/batch.md; '-': standard input)\n"
	"  -j, --jobs N           with --batch: N packing processes (default: the online cores)\n"
	"  --all-or-nothing       with --batch: write nothing unless every line packs\n";

#define MAX_ATTACH 1024

struct pack_cli {
	const char *report, *priority, *expires, *out, *passfile, *batch, *jobs;
	int all_or_nothing;
	const char *to[POUCH_RECIPIENTS_MAX];
	size_t nto;
	int too_many; /* more than POUCH_RECIPIENTS_MAX codes in --to */
	const char *attach[MAX_ATTACH];
	size_t nattach;
	int no_self;
};

/* Priorities are taken in any case and kept in lower case: s is changed in place. */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* --batch takes everything that is per package from its lines. */
static int batch_check(const struct pack_cli *c)
{
	const char *clash = c->nto ? "--to" : c->report ? "--report" : c->nattach ? "--attach"
			  : c->priority ? "--priority" : NULL;
	char *end;
	long j;

	if (!c->batch)
		return pouch_usage_error(usage, "%s goes with --batch only",
					 c->jobs ? "--jobs" : "--all-or-nothing");
	if (clash)
		return pouch_usage_error(usage, "--batch takes recipients, reports, attachments and "
					 "priorities from its lines, not from %s", clash);
	if (c->out && strcmp(c->out, "-") == 0)
		return pouch_usage_error(usage, "a batch writes packages into a directory: give "
					 "-o DIR");
	if (c->jobs) {
		j = strtol(c->jobs, &end, 10);
		if (!*c->jobs || *end || j < 1 || j > BATCH_JOBS_MAX)
			return pouch_usage_error(usage, "invalid --jobs '%s': give 1 to %d", c->jobs,
						 BATCH_JOBS_MAX);
	}
	return 0;
}

static int parse(int argc, char **argv, struct pack_cli *c)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "to", required_argument, NULL, 't' },
		{ "report", required_argument, NULL, 'r' },
		{ "attach", required_argument, NULL, 'a' },
		{ "priority", required_argument, NULL, 'p' },
		{ "expires", required_argument, NULL, 'E' },
		{ "no-self", no_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "batch", required_argument, NULL, 'B' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "all-or-nothing", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, ret = 0;

	while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "o:j:", opts, NULL)) != -1) {
		switch (ch) {
		case 'B':
			ret = cli_once(&c->batch, optarg, "--batch", usage);
			break;
		case 'j':
			ret = cli_once(&c->jobs, optarg, "--jobs", usage);
			break;
		case 'A':
			ret = cli_flag(&c->all_or_nothing, "--all-or-nothing", usage);
			break;
		case 't':
			/* An empty item (",", "A,,B", "A,") is a mistake, never dropped quietly: it
			 * stays "" and fails the code check. */
			if (cli_codes_add(optarg, c->to, &c->nto, POUCH_RECIPIENTS_MAX) < 0)
				c->too_many = 1;
			break;
		case 'r':
			ret = cli_once(&c->report, optarg, "--report", usage);
			break;
		case 'a':
			if (c->nattach == MAX_ATTACH)
				return pouch_usage_error(usage, "more than %d attachments", MAX_ATTACH);
			if (strcmp(optarg, "-") == 0)
				return pouch_usage_error(usage, "an attachment is named after its file: "
							 "'--attach -' has no name");
			c->attach[c->nattach++] = optarg;
			break;
		case 'p':
			ret = cli_once(&c->priority, optarg, "--priority", usage);
			lower(optarg);
			break;
		case 'E':
			ret = cli_once(&c->expires, optarg, "--expires", usage);
			break;
		case 'S':
			ret = cli_flag(&c->no_self, "--no-self", usage);
			break;
		case 'o':
			ret = cli_once(&c->out, optarg, "--output", usage);
			break;
		case 'P':
			ret = cli_once(&c->passfile, optarg, "--passphrase-file", usage);
			break;
		default:
			ret = cli_common_option(ch, usage);
			if (ret != CLI_CONTINUE)
				return ret == EXIT_OK ? -1 : ret;
			ret = 0;
		}
		if (ret)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (c->batch || c->jobs || c->all_or_nothing)
		return batch_check(c);
	if (!c->nto || !c->report)
		return pouch_usage_error(usage, "missing %s", c->nto ? "--report" : "--to");
	if (c->too_many)
		return pouch_usage_error(usage, "give 1 to %d recipients in --to",
					 POUCH_RECIPIENTS_MAX);
	if (c->out && strcmp(c->out, "-") == 0)
		return pouch_usage_error(usage, "a package cannot go to standard output (its payload "
					 "may travel beside it): give -o FILE or -o DIR");
	return 0;
}

/* pack --batch, once the command line is checked. */
static int run_batch(const struct pack_cli *c)
{
	struct batch_opts o = { .file = c->batch, .out = c->out, .no_self = c->no_self,
				.all_or_nothing = c->all_or_nothing };
	struct pouch_err err = { 0 };
	char *pass = NULL;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	o.jobs = c->jobs ? strtol(c->jobs, NULL, 10) : cores > 0 ? cores : 1;
	if (o.jobs > BATCH_JOBS_MAX)
		o.jobs = BATCH_JOBS_MAX;
	o.expires_in = 30LL * 86400;
	if (c->expires && pouch_duration_parse("--expires", c->expires, &o.expires_in, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (c->passfile && pouch_secret_read_passphrase(c->passfile, &pass, &err) < 0)
		return pouch_fail(&err);
	o.passphrase = cli_passphrase(pass);
	ret = pack_batch(&o);
	pouch_secret_free(pass);
	return ret;
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	progress_bytes(arg, done, total);
}

int cmd_pack(int argc, char **argv)
{
	struct pack_cli c = { 0 };
	struct pouch_pack_req req = { 0 };
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	struct pouch_report_errors errors = { 0 };
	struct progress pg;
	char id[POUCH_UUID_LEN], *codes = NULL, *pass = NULL, priority[16] = "";
	char digest[POUCH_SHA256_HEX] = "";
	size_t i;
	time_t now = time(NULL);
	int ret = parse(argc, argv, &c);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (c.batch)
		return run_batch(&c);
	req.to = c.to;
	req.nto = c.nto;
	req.report = c.report;
	req.attach = c.attach;
	req.nattach = c.nattach;
	req.priority = c.priority;
	req.report_errors = &errors;
	req.priority_used = priority;
	req.envelope_sha256 = digest;
	req.no_self = c.no_self;
	req.out_dir = ".";
	req.expires_in = 30LL * 86400;
	if (c.expires && pouch_duration_parse("--expires", c.expires, &req.expires_in, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (c.out && (ret = cli_pack_output(c.out, &req)) != EXIT_OK)
		return ret;
	codes = cli_codes_join(c.to, c.nto);
	if (!codes)
		return EXIT_OPERATIONAL;
	if (c.passfile && pouch_secret_read_passphrase(c.passfile, &pass, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	req.passphrase = cli_passphrase(pass);
	if ((ret = cli_stdin_take(&in, &req.report, POUCH_REPORT_MAX)) != EXIT_OK)
		goto out;
	progress_start(&pg, "pack");
	req.progress.fn = on_progress;
	req.progress.arg = &pg;
	ret = pouch_pack(&cli.home, &req, now, id, &err);
	progress_end(&pg);
	if (ret < 0) {
		for (i = 0; i < errors.n; i++)
			pouch_error("%s", errors.msg[i]);
		/* A refusal (an invalid report, the classification ceiling, a partner without a
		 * valid key) is recorded; a usage error or an operational failure is no decision. */
		if (pouch_err_exit_status(ret) == EXIT_REFUSED)
			cli_audit_refusal("pack", NULL, codes, &err, now);
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	ret = cli_pack_done(&req, id, &(struct pouch_audit_entry){ .event = "pack",
				    .agency = codes }, pass, now, NULL);
out:
	pouch_report_errors_release(&errors);
	cli_stdin_release(&in);
	pouch_secret_free(pass);
	free(codes);
	return ret;
}
