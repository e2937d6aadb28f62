/* pouch report new: a skeleton report to fill in (spec/report.md), on standard output or in a
 * new file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "base/fs.h"
#include "base/json.h"
#include "report/report.h"

static const char usage[] =
	"usage: pouch report new [--scheme SCHEME] [--template TEMPLATE] [-o FILE] [--json]\n"
	"  --scheme SCHEME      the grading scheme: uk-3x5x2 (default), uk-5x5x5 or europol-4x4\n"
	"  --template TEMPLATE  dissemination (default), referral or immediate\n"
	"  -o, --output FILE    write the skeleton to the new FILE (never replaced) instead of\n"
	"                       standard output\n";

int cmd_report_new(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "scheme", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *scheme = NULL, *template = NULL, *out = NULL;
	struct pouch_err err = { 0 };
	json_t *report = NULL;
	char *text = NULL, *path = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (c == 's')
			ret = cli_once(&scheme, optarg, "--scheme", usage);
		else if (c == 't')
			ret = cli_once(&template, optarg, "--template", usage);
		else if (c == 'o')
			ret = cli_once(&out, optarg, "--output", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret;
		if (ret)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (pouch_report_skeleton(scheme, template, time(NULL), &report, &err) < 0)
		return pouch_usage_error(usage, "%s", err.msg);
	if (out && !strcmp(out, "-"))
		out = NULL;
	if ((ret = cli_ready()) != EXIT_OK)
		goto out;
	text = pouch_json_text(report, !cli.json || out);
	if (!text) {
		pouch_error("out of memory");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	if (!out) {
		ret = pouch_print(text);
		goto out;
	}
	if (pouch_fs_write_atomic(out, text, strlen(text), 0600, 1, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (cli.json) {
		path = pouch_json_quote(out);
		if (!path || printf("{\"path\":%s}\n", path) < 0)
			ret = EXIT_OPERATIONAL;
	}
	pouch_note("wrote %s: replace every \"FILL IN:\" value, delete what does not apply, then "
		   "'pouch report validate %s'", out, out);
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
out:
	free(path);
	free(text);
	json_decref(report);
	return ret;
}
