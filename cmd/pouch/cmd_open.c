/* pouch open: verify, decrypt and unpack a package addressed to us into a new directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "progress.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "exchange/pull.h"
#include "package/open.h"
#include "package/provenance.h"
#include "base/secret.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch open FILE|ID|- [-o DIR] [--passphrase-file FILE] [--json]\n"
	"  FILE                   the package ('-': standard input, a package with its payload\n"
	"                         inline)\n"
	"  ID                     a package in the inbox: its id, the start of it, or SENDER/ID\n"
	"  -o, --output DIR       a new directory for the content (default: ./ID)\n"
	"  --passphrase-file FILE our key's passphrase (default: none; pouch open never prompts,\n"
	"                         only a passphrase gpg-agent has cached serves)\n";

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	progress_bytes(arg, done, total);
}

/* A forwarded package says where it came from; whether that checks is for the reader to know,
 * not a reason to refuse what its (pinned) sender signed. */
static void provenance_note(const char *dir, time_t now)
{
	struct pouch_provenance p;
	struct pouch_err err = { 0 };

	if (pouch_provenance_check_dir(&cli.home, dir, now, &p, &err) < 0)
		pouch_warn("forwarded package: %s", err.msg);
	else if (p.forwarded)
		pouch_note("forwarded from package %s of %s; originator %s (package %s), its signed "
			   "header checked against the key pinned for it: the report and its "
			   "attachment list are the originator's, signed by it", p.id, p.sender,
			   p.origin, p.origin_id);
}

int cmd_open(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_opened res;
	struct pouch_inbox_entry entry = { 0 };
	struct pouch_arrival arrival = { 0 };
	struct pouch_err err = { 0 }, aerr = { 0 };
	struct cli_stdin in = { 0 };
	struct progress pg;
	struct pouch_progress po = { on_progress, &pg };
	const char *out = NULL, *passfile = NULL, *path;
	char *pass = NULL, when[POUCH_TIME_LEN];
	time_t now = cli_now();
	int c, ret, status;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (c == 'o')
			ret = cli_once(&out, optarg, "--output", usage);
		else if (c == 'P')
			ret = cli_once(&passfile, optarg, "--passphrase-file", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret;
		if (ret)
			return ret;
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one package"
							      : "missing the package");
	if (out && strcmp(out, "-") == 0)
		return pouch_usage_error(usage, "a package opens into a directory: give -o DIR");
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	path = argv[optind];
	/* An id, where no such file is: the package in the inbox, verified on arrival. */
	if (strcmp(path, "-") != 0 && !pouch_fs_exists(path) && pouch_inbox_ref(path)) {
		if (pouch_inbox_find(&cli.home, path, &entry, &err) < 0)
			return pouch_fail(&err);
		path = entry.path;
		arrival.received = entry.received;
		arrival.header_sha256 = entry.header_sha256;
	}
	if ((ret = cli_stdin_package(&in, &path, "open")) != EXIT_OK)
		goto done;
	if (passfile && pouch_secret_read_passphrase(passfile, &pass, &err) < 0) {
		cli_stdin_release(&in);
		ret = pouch_fail(&err);
		goto done;
	}
	progress_start(&pg, "open");
	ret = pouch_package_open_arrived(&cli.home, path, out, pass, &po, now,
					 entry.path ? &arrival : NULL, &res, &err);
	progress_end(&pg);
	cli_stdin_shown(&in, &err);
	/* Opened or refused, it is recorded before it is reported; an opened package that cannot
	 * be recorded is removed again (exit 3). A usage error is no attempt. */
	status = ret ? pouch_err_exit_status(ret) : EXIT_OK;
	if (status != EXIT_USAGE &&
	    pouch_audit_append_file(&cli.home, &(struct pouch_audit_entry){ .event = "open",
		    .id = ret ? NULL : res.v.h.id, .agency = ret ? NULL : res.v.h.sender.agency,
		    .verdict = !ret ? "opened" : status == EXIT_REFUSED ? "refused" : "failed",
		    .reason = ret ? err.msg : NULL }, entry.path ? entry.path : argv[optind], now,
		    &aerr) < 0) {
		if (ret == 0) {
			pouch_fs_remove_tree(res.dir, NULL);
			pouch_opened_release(&res);
		} else
			pouch_fail(&err);
		pouch_secret_free(pass);
		cli_stdin_release(&in);
		ret = pouch_fail(&aerr);
		goto done;
	}
	if (status != EXIT_USAGE && pouch_audit_checkpoint(&cli.home, pass, now, &aerr) < 0)
		pouch_warn("%s", aerr.msg);
	pouch_secret_free(pass);
	cli_stdin_release(&in);
	if (ret < 0) {
		ret = pouch_fail(&err);
		goto done;
	}
	if (res.seen_before)
		pouch_note("package %s was opened before, on %s", res.v.h.id,
			   pouch_time_format(res.seen_before, when));
	provenance_note(res.dir, now);
	if (cli.json) {
		char *json = pouch_opened_json(&res);
		ret = !json || printf("%s\n", json) < 0;
		free(json);
	} else
		ret = printf("opened package %s from %s into %s\n", res.v.h.id,
			     res.v.h.sender.agency, res.dir) < 0;
	pouch_opened_release(&res);
	ret = ret || fflush(stdout) ? EXIT_OPERATIONAL : EXIT_OK;
done:
	pouch_inbox_entry_release(&entry);
	return ret;
}
