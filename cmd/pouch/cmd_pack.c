/* pouch pack: seal a report and its attachments into a package for partner agencies. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "input.h"
#include "progress.h"
#include "remind.h"
#include "audit/audit.h"
#include "package/envelope.h"
#include "base/fs.h"
#include "base/json.h"
#include "package/pack.h"
#include "base/secret.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch pack --to CODE[,CODE...]... --report FILE [--attach FILE]...\n"
	"                  [--priority P] [--expires DURATION] [--no-self] [-o FILE|DIR]\n"
	"                  [--passphrase-file FILE]\n"
	"  --to CODES             recipient agencies, each in the partner directory (repeatable)\n"
	"  --report FILE          the report (spec/report.md; '-': standard input)\n"
	"  --attach FILE          an attachment, kept under its base name (repeatable)\n"
	"  --priority P           refuse unless the report's priority is P (immediate, urgent,\n"
	"                         routine or information)\n"
	"  --expires DURATION     N and h, d, w or y (default 30d)\n"
	"  --no-self              do not encrypt to our own key as well\n"
	"  -o, --output FILE|DIR  the new package file, or an existing directory for ID.pouch\n"
	"                         (default: .); a detached payload goes beside it as ID.pouch.pgp\n"
	"  --passphrase-file FILE our key's passphrase (default: gpg-agent asks on a terminal)\n";

#define MAX_ATTACH 1024

struct pack_cli {
	const char *report, *priority, *expires, *out, *passfile;
	const char *to[POUCH_RECIPIENTS_MAX];
	size_t nto;
	int too_many; /* more than POUCH_RECIPIENTS_MAX codes in --to */
	const char *attach[MAX_ATTACH];
	size_t nattach;
	int no_self;
};

/* Priorities are taken in any case and kept in lower case: s is changed in place. */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
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
			/* An empty item (",", "A,,B", "A,") is a mistake, never dropped quietly: it
			 * stays "" and fails the code check. */
			if (cli_codes_add(optarg, c->to, &c->nto, POUCH_RECIPIENTS_MAX) < 0)
				c->too_many = 1;
			break;
		case 'r':
			ret = cli_once(&c->report, optarg, "--report", usage);
			break;
		case 'a':
			if (c->nattach == MAX_ATTACH)
				return pouch_usage_error(usage, "more than %d attachments", MAX_ATTACH);
			if (strcmp(optarg, "-") == 0)
				return pouch_usage_error(usage, "an attachment is named after its file: "
							 "'--attach -' has no name");
			c->attach[c->nattach++] = optarg;
			break;
		case 'p':
			ret = cli_once(&c->priority, optarg, "--priority", usage);
			lower(optarg);
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
	if (!c->nto || !c->report)
		return pouch_usage_error(usage, "missing %s", c->nto ? "--report" : "--to");
	if (c->too_many)
		return pouch_usage_error(usage, "give 1 to %d recipients in --to",
					 POUCH_RECIPIENTS_MAX);
	if (c->out && strcmp(c->out, "-") == 0)
		return pouch_usage_error(usage, "a package cannot go to standard output (its payload "
					 "may travel beside it): give -o FILE or -o DIR");
	return 0;
}

/* Where -o points: an existing directory keeps ID.pouch (out_dir), anything else names the
 * new package file (out_file), which must not exist and whose directory must. */
static int output(const char *out, struct pouch_pack_req *req)
{
	struct stat st;
	size_t len = strlen(out);
	char *dir;
	int ok;

	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
		req->out_dir = out;
		return EXIT_OK;
	}
	if (len == 0 || out[len - 1] == '/') {
		pouch_error("cannot write in '%s': no such directory", out);
		return EXIT_OPERATIONAL;
	}
	if (pouch_fs_exists(out)) {
		pouch_error("cannot write '%s': it exists (a package file is never replaced)", out);
		return EXIT_REFUSED; /* as POUCH_E_EXISTS is everywhere */
	}
	dir = pouch_fs_dir_of(out);
	ok = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (!ok)
		pouch_error("cannot write '%s': no directory '%s'", out, dir ? dir : "");
	free(dir);
	req->out_file = out;
	req->out_dir = NULL;
	return ok ? EXIT_OK : EXIT_OPERATIONAL;
}

/* The recipients as the audit trail takes them: the codes joined by commas. */
static char *joined(const char *const *to, size_t n)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(to[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, to[i]);
	}
	return s;
}

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	progress_bytes(arg, done, total);
}

static int detached_beside(const char *dir, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	return pouch_fs_exists(path);
}

/* Removes the package's files again: a package that could not be recorded is not made. */
static void unmake(const char *dir, const char *envelope, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", dir, id);
	pouch_fs_remove(path, NULL);
	pouch_fs_remove(envelope, NULL);
}

int cmd_pack(int argc, char **argv)
{
	struct pack_cli c = { 0 };
	struct pouch_pack_req req = { 0 };
	struct pouch_err err = { 0 };
	struct cli_stdin in = { 0 };
	struct pouch_report_errors errors = { 0 };
	struct progress pg;
	char id[POUCH_UUID_LEN], *codes = NULL, *pass = NULL, *dir = NULL, envelope[4096];
	char priority[16] = "";
	const char *reminder;
	size_t i;
	time_t now = time(NULL);
	int ret = parse(argc, argv, &c);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	req.to = c.to;
	req.nto = c.nto;
	req.report = c.report;
	req.attach = c.attach;
	req.nattach = c.nattach;
	req.priority = c.priority;
	req.report_errors = &errors;
	req.priority_used = priority;
	req.no_self = c.no_self;
	req.out_dir = ".";
	req.expires_in = 30LL * 86400;
	if (c.expires && pouch_duration_parse("--expires", c.expires, &req.expires_in, &err) < 0)
		return pouch_fail(&err);
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (c.out && (ret = output(c.out, &req)) != EXIT_OK)
		return ret;
	codes = joined(c.to, c.nto);
	if (!codes)
		return EXIT_OPERATIONAL;
	if (c.passfile && pouch_secret_read_passphrase(c.passfile, &pass, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	req.passphrase = cli_passphrase(pass);
	if ((ret = cli_stdin_take(&in, &req.report, POUCH_REPORT_MAX)) != EXIT_OK)
		goto out;
	progress_start(&pg, "pack");
	req.progress.fn = on_progress;
	req.progress.arg = &pg;
	ret = pouch_pack(&cli.home, &req, now, id, &err);
	progress_end(&pg);
	if (ret < 0) {
		for (i = 0; i < errors.n; i++)
			pouch_error("%s", errors.msg[i]);
		ret = cli_stdin_fail(&in, &err);
		goto out;
	}
	/* Recorded before it is reported; without a record there is no package (exit 3). */
	dir = req.out_file ? pouch_fs_dir_of(req.out_file) : strdup(req.out_dir);
	if (!dir) {
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	if (req.out_file)
		snprintf(envelope, sizeof(envelope), "%s", req.out_file);
	else
		snprintf(envelope, sizeof(envelope), "%s/%s.pouch", dir, id);
	if (pouch_audit_append_file(&cli.home, &(struct pouch_audit_entry){ .event = "pack",
		    .id = id, .agency = codes }, envelope, now, &err) < 0) {
		unmake(dir, envelope, id);
		ret = pouch_fail(&err);
		goto out;
	}
	if (pouch_audit_checkpoint(&cli.home, pass, now, &err) < 0)
		pouch_warn("%s", err.msg);
	/* The priority pack took from the report (req.priority_used). */
	reminder = remind_needed(priority) ? remind(id, codes, "recipient") : NULL;
	if (cli.json) {
		char *path = pouch_json_quote(envelope), *json = NULL;

		/* The id is a UUID: nothing to escape. */
		if (path && asprintf(&json, "{\"id\":\"%s\",\"path\":%s,\"detached\":%s}", id,
				     path, detached_beside(dir, id) ? "true" : "false") < 0)
			json = NULL;
		if (json && reminder)
			json = remind_json(json, reminder);
		free(path);
		if (!json || printf("%s\n", json) < 0) {
			free(json);
			pouch_error("cannot write the results");
			ret = EXIT_OPERATIONAL;
			goto out;
		}
		free(json);
	} else {
		printf("%s\n", id);
	}
	pouch_note("packed %s%s", envelope,
		   detached_beside(dir, id) ? " (its payload beside it, in ID.pouch.pgp)" : "");
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
out:
	pouch_report_errors_release(&errors);
	cli_stdin_release(&in);
	pouch_secret_free(pass);
	free(codes);
	free(dir);
	return ret;
}
