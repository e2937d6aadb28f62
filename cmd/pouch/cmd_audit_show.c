/* pouch audit show: list the audit trail, one line per entry (a JSON array with --json). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "audit/audit.h"
#include "base/validate.h"

static const char usage[] = "usage: pouch audit show [--json]\n";

/* A value from the log, escaped for the terminal ("-" when absent). */
static const char *shown(const char *s, char *buf, size_t len)
{
	if (!s)
		return "-";
	pouch_escape(s, buf, len);
	return buf;
}

static int show_one(const struct pouch_audit_record *r, void *arg)
{
	char when[32], event[40], id[48], agency[72], verdict[40];
	int *first = arg;

	if (cli.json) {
		/* The line is a strict JSON object, exactly as hashed. */
		if (printf("%s%s", *first ? "" : ",", r->line) < 0)
			return EXIT_OPERATIONAL;
		*first = 0;
		return 0;
	}
	if (printf("%5llu %-20s %-16s %-36s %-11s %s\n", r->seq,
		   shown(r->time, when, sizeof(when)), shown(r->event, event, sizeof(event)),
		   shown(r->id, id, sizeof(id)), shown(r->agency, agency, sizeof(agency)),
		   shown(r->verdict, verdict, sizeof(verdict))) < 0)
		return EXIT_OPERATIONAL;
	return 0;
}

int cmd_audit_show(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_err err = { 0 };
	int c, ret, first = 1;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (cli.json)
		fputs("[", stdout);
	ret = pouch_audit_read(&cli.home, show_one, &first, &err);
	if (ret < 0) {
		/* What was listed stands; a JSON array is closed so that it still parses. */
		if (cli.json)
			puts("]");
		fflush(stdout);
		return pouch_fail(&err);
	}
	if (ret > 0)
		return ret;
	if (cli.json)
		puts("]");
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}
