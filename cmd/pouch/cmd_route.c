/* pouch route: split a report that names persons in several areas into one report per
 * partner agency, by a routing table (spec/route.md); every person no route takes is listed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "base/fault.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/validate.h"
#include "directory/partner.h"
#include "package/handling.h"
#include "report/report.h"
#include "report/route.h"

static const char usage[] =
	"usage: pouch route REPORT|- --table ROUTES.json [-o DIR] [--force] [--allow-unrouted]\n"
	"                   [--batch-out FILE.jsonl] [--json]\n"
	"  --table FILE          the routing table (spec/route.md)\n"
	"  -o, --output DIR      write DIR/AGENCY.json for each agency (default: .)\n"
	"  --force               replace reports (and the batch file) that exist\n"
	"  --allow-unrouted      exit 0 even when persons or elements reach no agency\n"
	"  --batch-out FILE      write a line {\"to\": [AGENCY], \"report\": PATH} per report\n";

struct opts {
	const char *report, *table, *dir, *batch;
	int force, allow;
};

/* What decides whether an agency may receive the split's reports. */
struct recipient_check {
	const struct pouch_home *home;
	const json_t *report;
};

/* A partner of this home may receive a report (a missing record says not), unless the
 * report's nationality caveats refuse it, as pack would. */
static int may_receive(const char *agency, void *arg, struct pouch_err *err)
{
	const struct recipient_check *c = arg;
	struct pouch_partner p = { 0 };
	struct pouch_err why = { 0 };
	int ret = pouch_partner_load(c->home, agency, &p, err);

	pouch_partner_release(&p);
	if (ret == POUCH_E_NOTFOUND) {
		pouch_err_clear(err);
		return 0;
	}
	if (ret < 0)
		return ret;
	return pouch_handling_send_check(c->report, &agency, 1, &why) < 0 ? 2 : 1;
}

/* DIR/AGENCY.json for each output into paths[] (caller frees each). */
static int make_paths(const struct opts *o, const struct pouch_route_split *s, char **paths)
{
	char name[POUCH_CODE_MAX + 8];
	size_t i;

	for (i = 0; i < s->nout; i++) {
		snprintf(name, sizeof(name), "%s.json", s->out[i].agency);
		if (!(paths[i] = pouch_path_join(o->dir, name)))
			return -1;
	}
	return 0;
}

/* Without --force, nothing that exists is replaced: every file is checked before any is
 * written, so that a refusal writes none. */
static int refuse_existing(const struct opts *o, char **paths, size_t n)
{
	size_t i;

	for (i = 0; !o->force && i <= n; i++) {
		const char *p = i < n ? paths[i] : o->batch;
		if (p && pouch_fs_exists(p)) {
			struct pouch_err err = { 0 };
			pouch_err_set(&err, POUCH_E_EXISTS, "cannot write '%s': it exists (--force "
				      "replaces it)", p);
			return pouch_fail(&err);
		}
	}
	return EXIT_OK;
}

/* One line per output for pouch pack --batch, with absolute report paths. */
static int write_batch(const struct opts *o, const struct pouch_route_split *s)
{
	struct pouch_err err = { 0 };
	char dir[PATH_MAX], *text = NULL, *line;
	size_t i, len = 0;
	int ret = EXIT_OPERATIONAL;

	if (!realpath(o->dir, dir)) {
		pouch_error("cannot resolve '%s'", o->dir);
		return ret;
	}
	for (i = 0; i < s->nout; i++) {
		char path[PATH_MAX + POUCH_CODE_MAX + 8], *grown;
		json_t *j;
		snprintf(path, sizeof(path), "%s/%s.json", dir, s->out[i].agency);
		j = json_pack("{s:[s], s:s}", "to", s->out[i].agency, "report", path);
		line = j ? pouch_json_text(j, 0) : NULL;
		json_decref(j);
		grown = line ? realloc(text, len + strlen(line) + 2) : NULL;
		if (!grown) {
			free(line);
			pouch_error("out of memory");
			goto out;
		}
		text = grown;
		len += (size_t)sprintf(text + len, "%s\n", line);
		free(line);
	}
	if (pouch_fs_write_atomic(o->batch, text ? text : "", len, 0600, !o->force, &err) < 0)
		ret = pouch_fail(&err);
	else
		ret = EXIT_OK;
out:
	free(text);
	return ret;
}

/* The person's verdict for people: "persons[2] (id p3): ...". */
static void print_unrouted(const json_t *report, const struct pouch_route_person *p)
{
	char line[512 + POUCH_ERR_MSG_MAX], id[96] = "";
	const char *to = p->agency;
	struct pouch_err why = { 0 };

	if (p->id)
		snprintf(id, sizeof(id), " (id %s)", p->id);
	if (p->reason == POUCH_ROUTE_NO_LOCATION)
		snprintf(line, sizeof(line), "unrouted: persons[%zu]%s: no location or country",
			 p->index, id);
	else if (p->reason == POUCH_ROUTE_NO_ROUTE)
		snprintf(line, sizeof(line), "unrouted: persons[%zu]%s: no route matches its "
			 "location", p->index, id);
	else if (p->reason == POUCH_ROUTE_REFUSED) {
		pouch_handling_send_check(report, &to, 1, &why);
		snprintf(line, sizeof(line), "unrouted: persons[%zu]%s: routed by %s to '%s', "
			 "refused: %s", p->index, id, p->by, p->agency, why.msg);
	} else
		snprintf(line, sizeof(line), "unrouted: persons[%zu]%s: routed by %s to '%s', "
			 "which is not a partner", p->index, id, p->by, p->agency);
	pouch_print(line);
}

static int print_text(const json_t *report, const struct pouch_route_split *s, char **paths)
{
	char line[PATH_MAX + 128];
	size_t i;

	for (i = 0; i < s->nout; i++) {
		const struct pouch_route_output *x = &s->out[i];
		snprintf(line, sizeof(line), "%s: %zu person%s, %zu item%s: %s", x->agency,
			 x->persons, x->persons == 1 ? "" : "s", x->items, x->items == 1 ? "" : "s",
			 paths[i]);
		if (pouch_print(line) != EXIT_OK)
			return EXIT_OPERATIONAL;
	}
	for (i = 0; i < s->npersons; i++)
		if (s->persons[i].reason != POUCH_ROUTE_ROUTED)
			print_unrouted(report, &s->persons[i]);
	for (i = 0; i < s->nleft; i++) {
		snprintf(line, sizeof(line), "left out: %s: about unrouted persons only",
			 s->left[i]);
		if (pouch_print(line) != EXIT_OK)
			return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

static int print_json(const struct opts *o, const struct pouch_route_split *s, char **paths)
{
	json_t *j = NULL, *outs = json_array(), *unrouted = json_array(), *left = json_array();
	char *text = NULL;
	size_t i;
	int ret = EXIT_OPERATIONAL;

	for (i = 0; outs && i < s->nout; i++) {
		const struct pouch_route_output *x = &s->out[i];
		json_array_append_new(outs, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
			"agency", x->agency, "path", paths[i], "persons", (json_int_t)x->persons,
			"offences", (json_int_t)x->offences, "items", (json_int_t)x->items,
			"media", (json_int_t)x->media, "actions", (json_int_t)x->actions,
			"attachments", (json_int_t)x->attachments));
	}
	for (i = 0; unrouted && i < s->npersons; i++) {
		const struct pouch_route_person *p = &s->persons[i];
		if (p->reason == POUCH_ROUTE_ROUTED)
			continue;
		json_array_append_new(unrouted, json_pack("{s:I, s:s?, s:s, s:s?}",
			"person", (json_int_t)p->index, "id", p->id,
			"reason", pouch_route_reason_name(p->reason),
			"agency", p->agency[0] ? p->agency : NULL));
	}
	for (i = 0; left && i < s->nleft; i++)
		json_array_append_new(left, json_string(s->left[i]));
	if (outs && unrouted && left)
		j = json_pack("{s:s, s:s, s:O, s:O, s:O, s:s?}", "path", o->report,
			      "directory", o->dir, "outputs", outs, "unrouted", unrouted,
			      "left_out", left, "batch", o->batch);
	text = j ? pouch_json_text(j, 0) : NULL;
	if (text)
		ret = pouch_print(text);
	else
		pouch_error("out of memory");
	free(text);
	json_decref(j);
	json_decref(outs);
	json_decref(unrouted);
	json_decref(left);
	return ret;
}

/* Writes every output, each atomically with mode 0600, then the batch file. */
/* Moves the staged reports into place: replacing what is there with --force, else never. */
static int move_all(const struct opts *o, const struct pouch_route_split *s, char **staged,
		    char **paths)
{
	struct pouch_err err = { 0 };
	size_t i;

	for (i = 0; i < s->nout; i++)
		if ((o->force ? rename(staged[i], paths[i]) : pouch_fs_move(staged[i], paths[i])) < 0) {
			pouch_err_set(&err, errno == EEXIST ? POUCH_E_EXISTS : POUCH_E_IO,
				      "cannot write '%s': %s", paths[i], strerror(errno));
			return pouch_fail(&err);
		}
	if (pouch_fs_sync_dir(o->dir, &err) < 0)
		return pouch_fail(&err);
	return EXIT_OK;
}

/* Every report is written (and synced) into a private staging directory inside DIR first, then
 * all are moved into place: a failure while writing, such as a full disk, leaves DIR as it
 * was. Fault site "route.write" (test builds): writing a staged report fails. */
static int write_all(const struct opts *o, const struct pouch_route_split *s, char **paths)
{
	struct pouch_err err = { 0 };
	char name[POUCH_CODE_MAX + 8], *stage = NULL, **staged = NULL;
	size_t i;
	int lock = -1, ret = EXIT_OK;

	if (s->nout && !pouch_fs_exists(o->dir) && pouch_fs_mkdir_private(o->dir, &err) < 0)
		return pouch_fail(&err);
	if (s->nout && pouch_fs_workdir_new(o->dir, ".route-", &stage, &lock, &err) < 0)
		return pouch_fail(&err);
	staged = calloc(s->nout + 1, sizeof(*staged));
	for (i = 0; staged && ret == EXIT_OK && i < s->nout; i++) {
		snprintf(name, sizeof(name), "%s.json", s->out[i].agency);
		if (!(staged[i] = pouch_path_join(stage, name)))
			break;
		if (pouch_fault_hit("route.write"))
			pouch_err_set(&err, POUCH_E_IO, "cannot write '%s': %s", staged[i],
				      strerror(EIO));
		else if (pouch_json_save_record(staged[i], s->out[i].report, 1, &err) == 0)
			continue;
		pouch_err_prefix(&err, "cannot write the report for '%s'", s->out[i].agency);
		ret = pouch_fail(&err);
	}
	if (ret == EXIT_OK && (!staged || i < s->nout)) {
		pouch_error("out of memory");
		ret = EXIT_OPERATIONAL;
	}
	if (ret == EXIT_OK && s->nout)
		ret = move_all(o, s, staged, paths);
	if (stage && pouch_fs_remove_tree(stage, &err) < 0 && ret == EXIT_OK)
		ret = pouch_fail(&err);
	for (i = 0; staged && i < s->nout; i++)
		free(staged[i]);
	free(staged);
	free(stage);
	if (lock >= 0)
		close(lock);
	if (ret == EXIT_OK && o->batch)
		ret = write_batch(o, s);
	return ret;
}

/* The exit status for what reached no agency. */
static int verdict(const struct opts *o, const struct pouch_route_split *s)
{
	struct pouch_err err = { 0 };
	size_t i, unrouted = 0;

	for (i = 0; i < s->npersons; i++)
		unrouted += s->persons[i].reason != POUCH_ROUTE_ROUTED;
	if ((!unrouted && !s->nleft) || o->allow)
		return EXIT_OK;
	pouch_err_set(&err, POUCH_E_REFUSED, "%zu person%s not routed and %zu element%s sent to "
		      "no agency (listed above; --allow-unrouted accepts that)", unrouted,
		      unrouted == 1 ? "" : "s", s->nleft, s->nleft == 1 ? "" : "s");
	return pouch_fail(&err);
}

static int route(struct opts *o, const char *file, const struct cli_stdin *in)
{
	struct pouch_report_errors errors = { 0 };
	struct pouch_route_split split = { 0 };
	struct recipient_check check;
	struct pouch_routes *routes = NULL;
	struct pouch_err err = { 0 };
	json_t *report = NULL;
	char **paths = NULL;
	size_t i;
	int ret;

	if (pouch_routes_load(o->table, &routes, &err) < 0)
		return pouch_fail(&err);
	if (pouch_report_load(file, &report, &err) < 0) {
		ret = cli_stdin_fail(in, &err);
		goto out;
	}
	if ((ret = pouch_report_validate(report, &errors, &err)) < 0) {
		for (i = 0; ret == POUCH_E_REFUSED && i < errors.n; i++)
			pouch_error("%s", errors.msg[i]);
		pouch_err_set(&err, ret, "cannot route: report '%s' is not valid: %zu error%s",
			      o->report, errors.count, errors.count == 1 ? "" : "s");
		ret = pouch_fail(&err);
		goto out;
	}
	check = (struct recipient_check){ &cli.home, report };
	if (pouch_route_split(report, routes, may_receive, &check, &split, &err) < 0) {
		pouch_err_prefix(&err, "cannot route '%s'", o->report);
		ret = pouch_fail(&err);
		goto out;
	}
	paths = calloc(split.nout + 1, sizeof(*paths));
	if (!paths || make_paths(o, &split, paths) < 0) {
		pouch_error("out of memory");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	if ((ret = refuse_existing(o, paths, split.nout)) != EXIT_OK ||
	    (ret = write_all(o, &split, paths)) != EXIT_OK)
		goto out;
	ret = cli.json ? print_json(o, &split, paths) : print_text(report, &split, paths);
	if (ret == EXIT_OK)
		ret = verdict(o, &split);
out:
	for (i = 0; paths && i < split.nout; i++)
		free(paths[i]);
	free(paths);
	pouch_route_split_release(&split);
	pouch_report_errors_release(&errors);
	pouch_routes_free(routes);
	json_decref(report);
	return ret;
}

int cmd_route(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "table", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "allow-unrouted", no_argument, NULL, 'a' },
		{ "batch-out", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct cli_stdin in = { 0 };
	const char *file;
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (c == 't')
			ret = cli_once(&o.table, optarg, "--table", usage);
		else if (c == 'o')
			ret = cli_once(&o.dir, optarg, "--output", usage);
		else if (c == 'b')
			ret = cli_once(&o.batch, optarg, "--batch-out", usage);
		else if (c == 'f')
			ret = cli_flag(&o.force, "--force", usage);
		else if (c == 'a')
			ret = cli_flag(&o.allow, "--allow-unrouted", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret;
		if (ret)
			return ret;
	}
	if (optind != argc - 1)
		return pouch_usage_error(usage,
					 optind < argc ? "give one report" : "missing REPORT");
	if (!o.table)
		return pouch_usage_error(usage, "missing --table");
	if (!strcmp(o.table, "-") || (o.dir && !strcmp(o.dir, "-")) ||
	    (o.batch && !strcmp(o.batch, "-")))
		return pouch_usage_error(usage, "only REPORT may be '-' (standard input)");
	o.report = file = argv[optind];
	o.dir = o.dir ? o.dir : ".";
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if ((ret = cli_stdin_take(&in, &file, POUCH_REPORT_MAX)) != EXIT_OK)
		return ret;
	ret = route(&o, file, &in);
	cli_stdin_release(&in);
	return ret;
}
