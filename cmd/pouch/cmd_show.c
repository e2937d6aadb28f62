/* pouch show: a person's view of an opened package (the directory pouch open made): the
 * markings and conditions first, then the priority and the rest of the report. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "opened_ref.h"
#include "show_print.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/uuid.h"
#include "package/opened.h"
#include "report/report_meaning.h"

static const char usage[] =
	"usage: pouch show ID|DIR|FILE [--json]\n"
	"  ID    a package opened in this home into ./ID (pouch open's default)\n"
	"  DIR   the directory pouch open made\n"
	"  FILE  the pouch.json in such a directory\n";

/* {"n", "grade": "2B", "meaning": "2 untested source / B known indirectly, corroborated"}
 * for an item. */
static json_t *grade_text(const char *scheme, const json_t *item)
{
	const json_t *grade = json_object_get(item, "grade");
	const char *second = strcmp(scheme, "europol-4x4") == 0 ? "accuracy" : "intelligence";
	const char *s = json_string_value(json_object_get(grade, "source"));
	const char *t = json_string_value(json_object_get(grade, second));
	const char *ms = pouch_grade_meaning(scheme, "source", s);
	const char *mt = pouch_grade_meaning(scheme, second, t);
	char *text = NULL, code[8];
	json_t *j;

	if (!ms || !mt || asprintf(&text, "%s %s / %s %s", s, ms, t, mt) < 0)
		return NULL;
	snprintf(code, sizeof(code), "%s%s", s, t);
	j = json_pack("{s:O, s:s, s:s}", "n", json_object_get(item, "n"), "grade", code,
		      "meaning", text);
	free(text);
	return j;
}

/* What show derives from the report: the codes and grades spelled out, the attachment check. */
static json_t *derived(const struct pouch_opened_dir *pk)
{
	const json_t *h = json_object_get(pk->report, "handling"), *x;
	const json_t *p = json_object_get(pk->report, "priority");
	const char *scheme = json_string_value(json_object_get(h, "scheme"));
	const char *tlp = json_string_value(json_object_get(h, "tlp"));
	const char *level = json_string_value(json_object_get(p, "level"));
	json_t *codes = json_array(), *grades = json_array(), *att = json_array(), *g;
	size_t i;

	json_array_foreach(json_object_get(h, "codes"), i, x)
		json_array_append_new(codes, json_pack("{s:s, s:s}", "code", json_string_value(x),
						       "meaning", pouch_handling_meaning(
							       scheme, json_string_value(x))));
	json_array_foreach(json_object_get(pk->report, "items"), i, x) {
		g = grade_text(scheme, x);
		json_array_append_new(grades, g ? g : json_null());
	}
	json_array_foreach(json_object_get(pk->report, "attachments"), i, x)
		json_array_append_new(att, json_pack("{s:O, s:b}", "name", json_object_get(x, "name"),
						     "matches", 1));
	return json_pack("{s:s, s:s, s:o, s:s, s:b, s:o, s:o}", "scheme",
			 pouch_scheme_label(scheme), "tlp", pouch_tlp_meaning(tlp), "codes", codes,
			 "priority", pouch_priority_meaning(level), "immediate",
			 strcmp(level, "immediate") == 0, "grades", grades, "attachments", att);
}

static int print_json(const struct pouch_opened_dir *pk)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:O, s:o}", "id", pk->id, "sender", pk->sender,
			      "path", pk->dir, "report", pk->report, "derived", derived(pk));
	char *text = j ? pouch_json_text(j, 0) : NULL;
	int ret = text ? pouch_print(text) : EXIT_OPERATIONAL;

	if (!text)
		pouch_error("cannot show the package: out of memory");
	free(text);
	json_decref(j);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_opened_dir pk = { 0 };
	struct pouch_err err = { 0 };
	char *dir = NULL, *again = NULL, id[POUCH_UUID_LEN];
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (optind != argc - 1)
		return pouch_usage_error(usage, optind < argc ? "give one package"
							      : "missing the package");
	if (strcmp(argv[optind], "-") == 0)
		return pouch_usage_error(usage, "pouch show reads an opened package's directory, "
					 "not standard input");
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (cli_opened_dir(argv[optind], &dir, id, &err) < 0 ||
	    pouch_opened_dir_load(dir, &pk, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (id[0] && (strcmp(pk.id, id) != 0 ||
		      pouch_opened_find(&cli.home, pk.id, pk.sender, &again, &err) < 0)) {
		pouch_error("cannot show '%s': ./%s holds another package", argv[optind], id);
		ret = EXIT_REFUSED;
		goto out;
	}
	/* DOMAIN rule 2: the conditions are shown first, and that they were is recorded before
	 * anything is shown (no record, no showing). */
	if (pouch_audit_append(&cli.home, &(struct pouch_audit_entry){ .event = "conditions-shown",
		    .id = pk.id, .agency = pk.sender, .verdict = cli.json ? "exported" : "displayed" },
		    time(NULL), &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (cli.json)
		ret = print_json(&pk);
	else if (show_print(stdout, &pk) < 0 || fflush(stdout) == EOF)
	{
		pouch_error("cannot write to standard output: %s", strerror(errno));
		ret = EXIT_OPERATIONAL;
	} else
		ret = EXIT_OK;
out:
	pouch_opened_dir_release(&pk);
	free(again);
	free(dir);
	return ret;
}
