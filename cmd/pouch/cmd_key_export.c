/* pouch key export: our current public key, armored, for partners to pin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "base/fs.h"
#include "base/json.h"
#include "directory/identity.h"

/* --json: {"agency","fingerprint","path","key"}, the key's text when it goes to stdout, else
 * the file it went to (spec/cli/pouch-key-export.schema.json). */
static int print_json(const struct pouch_agency *a, const char *path, const char *key,
		      size_t len)
{
	char *qpath = path ? pouch_json_quote(path) : NULL, *text = NULL, *qkey = NULL;
	int ret = EXIT_OPERATIONAL;

	if (!path && (text = strndup(key, len)))
		qkey = pouch_json_quote(text);
	if ((path ? qpath != NULL : qkey != NULL) &&
	    printf("{\"agency\":\"%s\",\"fingerprint\":\"%s\",\"path\":%s,\"key\":%s}\n",
		   a->code, pouch_agency_current(a)->fpr, qpath ? qpath : "null",
		   qkey ? qkey : "null") >= 0 && fflush(stdout) == 0)
		ret = EXIT_OK;
	else
		pouch_error("cannot write to standard output");
	free(qpath);
	free(qkey);
	free(text);
	return ret;
}

static const char usage[] =
	"usage: pouch key export [-o FILE|- [--force]]\n"
	"  -o, --output FILE  write to FILE (never replaced without --force) instead of stdout\n"
	"                     ('-': stdout)\n";

int cmd_key_export(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	const char *out = NULL;
	char *key = NULL;
	size_t len = 0;
	int c, force = 0, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (c == 'o') {
			if (cli_once(&out, optarg, "--output", usage))
				return EXIT_USAGE;
		} else if (c == 'f') {
			if (cli_flag(&force, "--force", usage))
				return EXIT_USAGE;
		} else if ((ret = cli_common_option(c, usage)) != CLI_CONTINUE) {
			return ret;
		}
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if (force && (!out || strcmp(out, "-") == 0))
		return pouch_usage_error(usage, "--force goes with -o FILE");
	if (out && strcmp(out, "-") == 0)
		out = NULL;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_identity_load(&cli.home, &a, &err) < 0 ||
	    pouch_identity_export(&cli.home, &a, &key, &len, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (!out && cli.json) {
		ret = print_json(&a, NULL, key, len);
		goto out;
	}
	if (!out) {
		ret = fwrite(key, 1, len, stdout) == len && fflush(stdout) == 0 ? EXIT_OK
										: EXIT_OPERATIONAL;
		if (ret)
			pouch_error("cannot write to standard output");
		goto out;
	}
	if (pouch_fs_write_atomic(out, key, len, 0644, !force, &err) < 0) {
		if (err.code == POUCH_E_EXISTS)
			pouch_err_set(&err, POUCH_E_EXISTS, "'%s' exists: use --force to replace it",
				      out);
		ret = pouch_fail(&err);
		goto out;
	}
	pouch_note("wrote the public key of %s (%s) to '%s'", a.code,
		   pouch_agency_current(&a)->fpr, out);
	ret = cli.json ? print_json(&a, out, NULL, 0) : EXIT_OK;
out:
	free(key);
	pouch_agency_release(&a);
	return ret;
}
