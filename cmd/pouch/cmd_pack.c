/* pouch pack: seal a report and its attachments into a package for partner agencies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "audit/audit.h"
#include "package/envelope.h"
#include "base/fs.h"
#include "base/json.h"
#include "package/pack.h"
#include "base/secret.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch pack --to CODE[,CODE...] --report FILE [--attach FILE]...\n"
	"                  [--priority P] [--expires DURATION] [--no-self] [-o DIR]\n"
	"                  [--passphrase-file FILE]\n"
	"  --to CODES             recipient agencies, each in the partner directory\n"
	"  --report FILE          the report: a JSON object\n"
	"  --attach FILE          an attachment, kept under its base name (repeatable)\n"
	"  --priority P           immediate, urgent, routine (default) or information\n"
	"  --expires DURATION     N and h, d, w or y (default 30d)\n"
	"  --no-self              do not encrypt to our own key as well\n"
	"  -o, --output DIR       where ID.pouch (and ID.pouch.pgp) go (default: .)\n"
	"  --passphrase-file FILE our key's passphrase (default: gpg-agent asks)\n";

#define MAX_ATTACH 1024

struct pack_cli {
	const char *to, *report, *priority, *expires, *out, *passfile;
	const char *attach[MAX_ATTACH];
	size_t nattach;
	int no_self;
};

/* Splits the comma-separated codes in s (modified) into to[]. */
static size_t split_codes(char *s, const char **to, size_t max)
{
	size_t n = 0;
	char *comma;

	/* An empty item (",", "A,,B", "A,") is a mistake, never dropped quietly: it stays "" and
	 * fails the code check. */
	for (;;) {
		if (n == max)
			return max + 1;
		to[n++] = s;
		comma = strchr(s, ',');
		if (!comma)
			return n;
		*comma = '\0';
		s = comma + 1;
	}
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
		{ NULL, 0, NULL, 0 },
	};
	int ch, ret = 0;

	while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			ret = cli_once(&c->to, optarg, "--to", usage);
			break;
		case 'r':
			ret = cli_once(&c->report, optarg, "--report", usage);
			break;
		case 'a':
			if (c->nattach == MAX_ATTACH)
				return pouch_usage_error(usage, "more than %d attachments", MAX_ATTACH);
			c->attach[c->nattach++] = optarg;
			break;
		case 'p':
			ret = cli_once(&c->priority, optarg, "--priority", usage);
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
	if (!c->to || !c->report)
		return pouch_usage_error(usage, "missing %s", c->to ? "--report" : "--to");
	return 0;
}

static int detached_beside(const char *dir, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	return pouch_fs_exists(path);
}

/* Removes the package's files again: a package that could not be recorded is not made. */
static void unmake(const char *dir, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	pouch_fs_remove(path, NULL);
	path[strlen(path) - 4] = '\0';
	pouch_fs_remove(path, NULL);
}

int cmd_pack(int argc, char **argv)
{
	struct pack_cli c = { 0 };
	struct pouch_pack_req req = { 0 };
	struct pouch_err err = { 0 };
	const char *to[(POUCH_RECIPIENTS_MAX + 1)];
	char id[POUCH_UUID_LEN], *codes = NULL, *pass = NULL, envelope[4096];
	time_t now = time(NULL);
	int ret = parse(argc, argv, &c);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	codes = strdup(c.to);
	if (!codes)
		return EXIT_OPERATIONAL;
	req.nto = split_codes(codes, to, (POUCH_RECIPIENTS_MAX + 1));
	req.to = to;
	req.report = c.report;
	req.attach = c.attach;
	req.nattach = c.nattach;
	req.priority = c.priority;
	req.no_self = c.no_self;
	req.out_dir = c.out ? c.out : ".";
	req.expires_in = 30LL * 86400;
	if (c.expires && pouch_duration_parse("--expires", c.expires, &req.expires_in, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (c.passfile) {
		if (pouch_secret_read_passphrase(c.passfile, &pass, &err) < 0) {
			ret = pouch_fail(&err);
			goto out;
		}
		req.passphrase = pass;
	}
	if (req.nto > (POUCH_RECIPIENTS_MAX + 1) - 1 || req.nto == 0) {
		ret = pouch_usage_error(usage, "give 1 to %d recipients in --to",
					(POUCH_RECIPIENTS_MAX + 1) - 1);
		goto out;
	}
	if (pouch_pack(&cli.home, &req, now, id, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	/* Recorded before it is reported; without a record there is no package (exit 3). */
	snprintf(envelope, sizeof(envelope), "%s/%s.pouch", req.out_dir, id);
	if (pouch_audit_append_file(&cli.home, &(struct pouch_audit_entry){ .event = "pack",
		    .id = id, .agency = c.to }, envelope, now, &err) < 0) {
		unmake(req.out_dir, id);
		ret = pouch_fail(&err);
		goto out;
	}
	if (pouch_audit_checkpoint(&cli.home, pass, now, &err) < 0)
		pouch_warn("%s", err.msg);
	if (req.priority && strcmp(req.priority, "immediate") == 0)
		pouch_warn("priority immediate: also phone the recipient's 24/7 contact now; pouch "
			   "is never the only channel for a child in danger");
	if (cli.json) {
		char *path = pouch_json_quote(envelope);

		/* The id is a UUID: nothing to escape. */
		if (!path || printf("{\"id\":\"%s\",\"path\":%s,\"detached\":%s}\n", id, path,
				    detached_beside(req.out_dir, id) ? "true" : "false") < 0) {
			free(path);
			pouch_error("cannot write the results");
			ret = EXIT_OPERATIONAL;
			goto out;
		}
		free(path);
	} else {
		printf("%s\n", id);
	}
	pouch_note("packed %s/%s.pouch%s", req.out_dir, id,
		   detached_beside(req.out_dir, id) ? " (its payload beside it, in ID.pouch.pgp)" : "");
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
out:
	pouch_secret_free(pass);
	free(codes);
	return ret;
}
