/* pouch report validate: check a report against spec/report.md, naming every error. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "input.h"
#include "base/json.h"
#include "report/report.h"

static const char usage[] = "usage: pouch report validate FILE|- [--json]\n";

/* --json: {"valid", "path", "errors": [...]} on one line. */
static int print_json(const char *path, const struct pouch_report_errors *e)
{
	json_t *list = json_array(), *j;
	char *text = NULL;
	size_t i;
	int ret;

	for (i = 0; list && i < e->n; i++)
		json_array_append_new(list, json_string(e->msg[i]));
	j = list ? json_pack("{s:b, s:s, s:o}", "valid", e->n == 0, "path", path, "errors", list)
		 : NULL;
	text = j ? pouch_json_text(j, 0) : NULL;
	ret = text ? pouch_print(text) : EXIT_OPERATIONAL;
	free(text);
	json_decref(j);
	return ret;
}

int cmd_report_validate(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_report_errors errors = { 0 };
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	const char *file, *path;
	json_t *report = NULL;
	size_t i;
	int c, ret, valid;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (optind != argc - 1)
		return pouch_usage_error(usage, optind < argc ? "give one report" : "missing FILE");
	path = file = argv[optind];
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if ((ret = cli_stdin_take(&in, &file, POUCH_REPORT_MAX)) != EXIT_OK)
		return ret;
	if (pouch_report_load(file, &report, &err) < 0) {
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	valid = pouch_report_validate(report, &errors, &err);
	if (valid == POUCH_E_NOMEM) {
		ret = pouch_fail(&err);
		goto out;
	}
	ret = cli.json ? print_json(path, &errors) : EXIT_OK;
	if (ret != EXIT_OK)
		goto out;
	for (i = 0; i < errors.n; i++)
		pouch_error("%s", errors.msg[i]);
	if (valid < 0) {
		pouch_error("report '%s' is not valid: %zu error%s", path, errors.count,
			    errors.count == 1 ? "" : "s");
		ret = EXIT_REFUSED;
	} else {
		pouch_note("report '%s' is valid", path);
	}
out:
	pouch_report_errors_release(&errors);
	json_decref(report);
	cli_stdin_release(&in);
	return ret;
}
