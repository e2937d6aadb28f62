/* pouch verify: is this package genuine? Needs no private key. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "audit/audit.h"
#include "base/timefmt.h"
#include "package/verify.h"

static const char usage[] =
	"usage: pouch verify FILE|- [--json]\n"
	"  FILE  the package ('-': standard input, a package with its payload inline)\n";

static void say_good(const struct pouch_verified *v)
{
	char created[POUCH_TIME_LEN], expires[POUCH_TIME_LEN];
	size_t i;

	printf("good package %s from %s (fingerprint %s) to ", v->h.id, v->h.sender.agency,
	       v->h.sender.fpr);
	for (i = 0; i < v->h.nrecipients; i++)
		printf("%s%s", i ? ", " : "", v->h.recipients[i].agency);
	printf(", priority %s, created %s, expires %s\n", v->h.priority,
	       pouch_time_format(v->h.created, created), pouch_time_format(v->h.expires, expires));
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_verified v;
	struct pouch_err err = { 0 }, aerr = { 0 };
	struct cli_stdin in = { 0 };
	time_t now = cli_now();
	const char *path, *file;
	char *json = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one package"
							      : "missing the package");
	path = argv[optind];
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	file = path;
	if ((ret = cli_stdin_package(&in, &file, "verify")) != EXIT_OK)
		return ret;
	ret = pouch_package_verify(&cli.home, file, now, &v, &err);
	cli_stdin_shown(&in, &err);
	/* Every verdict, good or bad, is recorded before it is reported: exit 3 without it. */
	if ((ret == 0 || err.code == POUCH_E_VERIFY || err.code == POUCH_E_EXPIRED) &&
	    pouch_audit_append_file(&cli.home, &(struct pouch_audit_entry){ .event = "verify",
		    .id = ret ? NULL : v.h.id, .agency = ret ? NULL : v.h.sender.agency,
		    .verdict = ret ? "bad" : "good", .reason = ret ? err.msg : NULL }, file, now,
		    &aerr) < 0) {
		cli_stdin_release(&in);
		if (ret == 0)
			pouch_verified_release(&v);
		else
			pouch_fail(&err);
		return pouch_fail(&aerr);
	}
	cli_stdin_release(&in);
	if (ret < 0)
		return pouch_fail(&err);
	if (cli.json) {
		json = pouch_verdict_json(path, &v);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		free(json);
	} else {
		say_good(&v);
		ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
	}
	pouch_verified_release(&v);
	return ret;
}
