/* pouch partner remove: a partner leaves the directory, and its keys the keyring; its
 * deliveries still in the outbox are cancelled. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "trust.h"
#include "base/fs.h"
#include "directory/directory.h"
#include "exchange/push.h"

static const char usage[] = "usage: pouch partner remove CODE\n";

/* Cancels the deliveries to code still queued or failed (a home that never pushed has no
 * state to look at). */
static int cancel_deliveries(const char *code, size_t *n)
{
	struct pouch_state st = { 0 };
	struct pouch_err err = { 0 };
	char *db = pouch_path_join(cli.home.dir, POUCH_STATE_FILE);
	int ret = EXIT_OK;

	*n = 0;
	if (!db)
		return pouch_error("out of memory"), EXIT_OPERATIONAL;
	if (pouch_fs_exists(db) &&
	    (pouch_state_open(&cli.home, &st, &err) < 0 ||
	     pouch_push_cancel_partner(&cli.home, &st, code, "partner removed", time(NULL), n,
				       &err) < 0))
		ret = pouch_fail(&err);
	pouch_state_close(&st);
	free(db);
	return ret;
}

int cmd_partner_remove(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_partner p = { 0 };
	struct pouch_err err = { 0 };
	char fprs[8 * (POUCH_FPR_LEN + 1)];
	const char *code;
	size_t n = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	code = cli_partner_code(argc, argv, usage);
	if (!code)
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	/* Its keys, for the audit entry, while it is still there. */
	if (pouch_partner_load(&cli.home, code, &p, &err) < 0 ||
	    pouch_directory_remove(&cli.home, code, &err) < 0) {
		pouch_partner_release(&p);
		return pouch_fail(&err);
	}
	ret = trust_record(&(struct pouch_audit_entry){ .event = "partner-remove", .agency = code,
				   .fingerprint = p.nkeys ? trust_partner_keys(&p, fprs,
									       sizeof(fprs))
							  : NULL });
	pouch_partner_release(&p);
	if (ret == EXIT_OK)
		ret = cancel_deliveries(code, &n);
	if (ret != EXIT_OK)
		return ret;
	if (n)
		pouch_note("cancelled %zu deliver%s to %s still in the outbox", n,
			   n == 1 ? "y" : "ies", code);
	if (cli.json) {
		/* The code is validated: [A-Z0-9-] only, nothing to escape. */
		printf("{\"agency\":\"%s\",\"removed\":true,\"cancelled\":%zu}\n", code, n);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
	}
	pouch_note("removed partner %s", code);
	return EXIT_OK;
}
