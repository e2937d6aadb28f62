/* pouch permit: as a package's originator, allow one agency to receive it onward, in a
 * permission signed with our key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/secret.h"
#include "base/timefmt.h"
#include "base/uuid.h"
#include "base/validate.h"
#include "package/permit.h"

static const char usage[] =
	"usage: pouch permit ID --to CODE [--expires DURATION] [-o FILE|-]\n"
	"                    [--passphrase-file FILE]\n"
	"  ID                     the id of a package we sent\n"
	"  --to CODE              the agency that may receive it onward (a partner)\n"
	"  --expires DURATION     N and h, d, w or y (default 30d)\n"
	"  -o, --output FILE      write the permission to FILE (never replaced) instead of stdout\n"
	"                         ('-': stdout)\n"
	"  --passphrase-file FILE our key's passphrase (default: gpg-agent asks on a terminal)\n";

struct permit_cli {
	const char *id, *to, *expires, *out, *passfile;
};

static int parse(int argc, char **argv, struct permit_cli *c)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "to", required_argument, NULL, 't' },
		{ "expires", required_argument, NULL, 'E' },
		{ "output", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, ret = 0;

	while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (ch == 't') {
			cli_code_upper(optarg);
			ret = cli_once(&c->to, optarg, "--to", usage);
		} else if (ch == 'E') {
			ret = cli_once(&c->expires, optarg, "--expires", usage);
		} else if (ch == 'o') {
			ret = cli_once(&c->out, optarg, "--output", usage);
		} else if (ch == 'P') {
			ret = cli_once(&c->passfile, optarg, "--passphrase-file", usage);
		} else if ((ret = cli_common_option(ch, usage)) == CLI_CONTINUE) {
			ret = 0;
		} else {
			return ret == EXIT_OK ? -1 : ret;
		}
		if (ret)
			return ret;
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one package id"
							      : "missing the package id");
	c->id = argv[optind];
	if (!c->to)
		return pouch_usage_error(usage, "missing --to");
	if (pouch_uuid_check(c->id, NULL) < 0)
		return pouch_usage_error(usage, "'%s' is not a package id", c->id);
	if (pouch_agency_code_check(c->to, NULL) < 0)
		return pouch_usage_error(usage, "'%s' is not an agency code", c->to);
	if (c->out && strcmp(c->out, "-") == 0)
		c->out = NULL;
	return 0;
}

/* --json: the permission's fields, and where it went ("path") or its text ("permission"). */
static int print_json(const struct pouch_permission *p, const char *path, const char *text)
{
	char *fields = pouch_permission_json(p);
	char *qpath = path ? pouch_json_quote(path) : NULL;
	char *qtext = path ? NULL : pouch_json_quote(text);
	int ok = fields && (path ? qpath != NULL : qtext != NULL);

	/* fields is an object: its closing brace gives way to the two members. */
	if (ok)
		fields[strlen(fields) - 1] = '\0';
	ok = ok && printf("%s,\"path\":%s,\"permission\":%s}\n", fields, qpath ? qpath : "null",
			  qtext ? qtext : "null") >= 0;
	free(fields);
	free(qpath);
	free(qtext);
	return ok ? EXIT_OK : EXIT_OPERATIONAL;
}

int cmd_permit(int argc, char **argv)
{
	struct permit_cli c = { 0 };
	struct pouch_permission p;
	struct pouch_err err = { 0 };
	long long expires_in = 30LL * 86400;
	char *pass = NULL, *text = NULL, when[POUCH_TIME_LEN], reason[64];
	size_t len = 0;
	time_t now = time(NULL);
	int ret = parse(argc, argv, &c);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (c.expires && pouch_duration_parse("--expires", c.expires, &expires_in, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (c.out && pouch_fs_exists(c.out)) {
		pouch_error("cannot write '%s': it exists (a permission is never replaced)", c.out);
		return EXIT_REFUSED;
	}
	if (c.passfile && pouch_secret_read_passphrase(c.passfile, &pass, &err) < 0)
		return pouch_fail(&err);
	ret = pouch_permission_make(&cli.home, c.id, c.to, expires_in, cli_passphrase(pass), now,
				    &text, &len, &p, &err);
	if (!ret && c.out)
		ret = pouch_fs_write_atomic(c.out, text, len, 0644, 1, &err);
	if (ret < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	/* Recorded before it is handed out; without a record there is no permission. */
	snprintf(reason, sizeof(reason), "until %s", pouch_time_format(p.expires, when));
	if (pouch_audit_append(&cli.home, &(struct pouch_audit_entry){ .event = "permit",
		    .id = p.id, .agency = p.grantee, .verdict = "granted", .reason = reason }, now,
		    &err) < 0) {
		if (c.out)
			pouch_fs_remove(c.out, NULL);
		ret = pouch_fail(&err);
		goto out;
	}
	if (pouch_audit_checkpoint(&cli.home, pass, now, &err) < 0)
		pouch_warn("%s", err.msg);
	if (cli.json)
		ret = print_json(&p, c.out, text);
	else if (!c.out)
		ret = fwrite(text, 1, len, stdout) == len ? EXIT_OK : EXIT_OPERATIONAL;
	else
		ret = EXIT_OK;
	if (ret == EXIT_OK)
		pouch_note("permission for package %s to %s, until %s%s%s", p.id, p.grantee, when,
			   c.out ? ", in " : "", c.out ? c.out : "");
	if (ret == EXIT_OK && fflush(stdout) != 0)
		ret = EXIT_OPERATIONAL;
out:
	pouch_secret_free(pass);
	free(text);
	return ret;
}
