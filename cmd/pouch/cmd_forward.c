/* pouch forward: re-disseminate an opened package to new recipients, as the handling rules
 * allow, carrying its provenance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "packout.h"
#include "progress.h"
#include "base/secret.h"
#include "base/timefmt.h"
#include "package/forward.h"
#include "opened_ref.h"

static const char usage[] =
	"usage: pouch forward ID|DIR --to CODE[,CODE...]... [--permission FILE]\n"
	"                     [--expires DURATION] [--no-self] [-o FILE|DIR]\n"
	"                     [--passphrase-file FILE]\n"
	"  ID|DIR                 the opened package: the directory pouch open made (./ID)\n"
	"  --to CODES             the new recipients, each in the partner directory (repeatable)\n"
	"  --permission FILE      the originator's signed permission (pouch permit)\n"
	"  --expires DURATION     N and h, d, w or y (default 30d)\n"
	"  --no-self              do not encrypt to our own key as well\n"
	"  -o, --output FILE|DIR  the new package file, or an existing directory for ID.pouch\n"
	"                         (default: .)\n"
	"  --passphrase-file FILE our key's passphrase (default: gpg-agent asks on a terminal)\n";

struct forward_cli {
	const char *dir, *permission, *expires, *out, *passfile;
	const char *to[POUCH_RECIPIENTS_MAX];
	size_t nto;
	int too_many, no_self;
};

static int parse(int argc, char **argv, struct forward_cli *c)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "to", required_argument, NULL, 't' },
		{ "permission", required_argument, NULL, 'p' },
		{ "expires", required_argument, NULL, 'E' },
		{ "no-self", no_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, ret = 0;

	while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (ch == 't')
			c->too_many |= cli_codes_add(optarg, c->to, &c->nto,
						     POUCH_RECIPIENTS_MAX) < 0;
		else if (ch == 'p')
			ret = cli_once(&c->permission, optarg, "--permission", usage);
		else if (ch == 'E')
			ret = cli_once(&c->expires, optarg, "--expires", usage);
		else if (ch == 'S')
			ret = cli_flag(&c->no_self, "--no-self", usage);
		else if (ch == 'o')
			ret = cli_once(&c->out, optarg, "--output", usage);
		else if (ch == 'P')
			ret = cli_once(&c->passfile, optarg, "--passphrase-file", usage);
		else if ((ret = cli_common_option(ch, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret == EXIT_OK ? -1 : ret;
		if (ret)
			return ret;
	}
	if (optind + 1 != argc)
		return pouch_usage_error(usage, optind < argc ? "give one opened package"
							      : "missing the opened package");
	c->dir = argv[optind];
	if (!c->nto)
		return pouch_usage_error(usage, "missing --to");
	if (c->too_many)
		return pouch_usage_error(usage, "give 1 to %d recipients in --to",
					 POUCH_RECIPIENTS_MAX);
	if (c->out && strcmp(c->out, "-") == 0)
		return pouch_usage_error(usage, "a package cannot go to standard output (its payload "
					 "may travel beside it): give -o FILE or -o DIR");
	if (c->permission && strcmp(c->permission, "-") == 0)
		return pouch_usage_error(usage, "give the permission as a file");
	return 0;
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	progress_bytes(arg, done, total);
}

/* What the audit trail says of a forward made: where from, and on whose permission. */
static void reason_of(const struct pouch_forwarded *res, char *out, size_t size)
{
	int n = snprintf(out, size, "package %s from %s, originator %s", res->original,
			 res->sender, res->originator);

	if (res->grantee[0] && n > 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, ", with its permission for %s", res->grantee);
}

int cmd_forward(int argc, char **argv)
{
	struct forward_cli c = { 0 };
	struct pouch_forward_req req = { 0 };
	struct pouch_forwarded res;
	struct pouch_err err = { 0 };
	struct progress pg;
	char *codes = NULL, *pass = NULL, *dir = NULL, reason[256], extra[256];
	char digest[POUCH_SHA256_HEX] = "";
	char id[POUCH_UUID_LEN];
	time_t now = time(NULL);
	int ret = parse(argc, argv, &c);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	req.dir = c.dir;
	req.permission = c.permission;
	req.pack.to = c.to;
	req.pack.nto = c.nto;
	req.pack.no_self = c.no_self;
	req.pack.out_dir = ".";
	req.pack.expires_in = 30LL * 86400;
	if (c.expires &&
	    pouch_duration_parse("--expires", c.expires, &req.pack.expires_in, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (c.out && (ret = cli_pack_output(c.out, &req.pack)) != EXIT_OK)
		return ret;
	if (cli_opened_dir(c.dir, &dir, id, &err) < 0)
		return pouch_fail(&err);
	req.dir = dir;
	codes = cli_codes_join(c.to, c.nto);
	if (!codes) {
		free(dir);
		return EXIT_OPERATIONAL;
	}
	if (c.passfile && pouch_secret_read_passphrase(c.passfile, &pass, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	req.pack.passphrase = cli_passphrase(pass);
	progress_start(&pg, "forward");
	req.pack.progress.fn = on_progress;
	req.pack.progress.arg = &pg;
	req.pack.envelope_sha256 = digest;
	ret = pouch_forward(&cli.home, &req, now, &res, &err);
	progress_end(&pg);
	if (ret < 0) {
		if (pouch_err_exit_status(ret) == EXIT_REFUSED)
			cli_audit_refusal("forward", res.original[0] ? res.original : NULL, codes,
					  &err, now);
		ret = pouch_fail(&err);
		goto out;
	}
	reason_of(&res, reason, sizeof(reason));
	snprintf(extra, sizeof(extra), "\"original\":{\"id\":\"%s\",\"sender\":\"%s\"},"
		 "\"originator\":\"%s\",\"permission\":%s%s%s", res.original, res.sender,
		 res.originator, res.grantee[0] ? "\"" : "", res.grantee[0] ? res.grantee : "null",
		 res.grantee[0] ? "\"" : "");
	req.pack.priority_used = res.priority;
	ret = cli_pack_done(&req.pack, res.id, &(struct pouch_audit_entry){ .event = "forward",
				    .agency = codes, .verdict = "forwarded", .reason = reason },
			    pass, now, extra);
out:
	pouch_secret_free(pass);
	free(codes);
	free(dir);
	return ret;
}
