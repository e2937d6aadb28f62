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
	"usage: pouch show ID|DIR|FILE [--format text|json|html] [-o FILE|- [--force]]\n"
	"  ID    a package opened in this home into ./ID (pouch open's default)\n"
	"  DIR   the directory pouch open made\n"
	"  FILE  the pouch.json in such a directory\n"
	"  --format FORMAT    text (default), json (as --json) or html (one self-contained\n"
	"                     document for the case file)\n"
	"  -o, --output FILE  write the view to the new FILE (mode 0600, never replaced without\n"
	"                     --force) instead of standard output ('-': standard output)\n"
	"  --json             the same as --format json\n";

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

/* The JSON view, a line of text, or NULL when out of memory. */
static char *json_view(const struct pouch_opened_dir *pk)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:O, s:o}", "id", pk->id, "sender", pk->sender,
			      "path", pk->dir, "report", pk->report, "derived", derived(pk));
	char *text = j ? pouch_json_text(j, 0) : NULL, *line = NULL;

	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	free(text);
	json_decref(j);
	return line;
}

/* The view in format (text, json or html) in memory: *out, *len. */
static int render(const struct pouch_opened_dir *pk, const char *format, char **out, size_t *len)
{
	FILE *m;
	int ret;

	if (strcmp(format, "json") == 0) {
		*out = json_view(pk);
		*len = *out ? strlen(*out) : 0;
		return *out ? 0 : -1;
	}
	if (!(m = open_memstream(out, len)))
		return -1;
	ret = strcmp(format, "html") == 0 ? show_html(m, pk) : show_print(m, pk);
	if (fclose(m) != 0)
		ret = -1;
	return ret;
}

/* Writes the view to out (NULL: standard output); the exit status. */
static int emit(const struct pouch_opened_dir *pk, const char *format, const char *out,
		int force)
{
	struct pouch_err err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	int ret = EXIT_OK;

	if (render(pk, format, &buf, &len) < 0) {
		pouch_error("cannot show the package: out of memory");
		ret = EXIT_OPERATIONAL;
	} else if (!out) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) == EOF) {
			pouch_error("cannot write to standard output: %s", strerror(errno));
			ret = EXIT_OPERATIONAL;
		}
	} else if (pouch_fs_write_atomic(out, buf, len, 0600, !force, &err) < 0) {
		if (err.code == POUCH_E_EXISTS)
			pouch_err_set(&err, POUCH_E_EXISTS, "'%s' exists: use --force to replace it",
				      out);
		ret = pouch_fail(&err);
	} else {
		pouch_note("wrote the %s view of %s to '%s'", format, pk->id, out);
	}
	free(buf);
	return ret;
}

/* Parses the command line into *format, *out and *force, the package left at argv[optind]:
 * CLI_CONTINUE, or the exit status (usage printed) when the line is not valid. */
static int options(int argc, char **argv, const char **format, const char **out, int *force)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		if (c == 'F')
			ret = cli_once(format, optarg, "--format", usage);
		else if (c == 'o')
			ret = cli_once(out, optarg, "--output", usage);
		else if (c == 'f')
			ret = cli_flag(force, "--force", usage);
		else if ((ret = cli_common_option(c, usage)) == CLI_CONTINUE)
			ret = 0;
		else
			return ret;
		if (ret)
			return ret;
	}
	if (*format && strcmp(*format, "text") && strcmp(*format, "json") &&
	    strcmp(*format, "html"))
		return pouch_usage_error(usage, "unknown format '%s': text, json or html",
					 *format);
	if (*format && cli.json && strcmp(*format, "json"))
		return pouch_usage_error(usage, "--json and --format %s conflict", *format);
	if (!*format)
		*format = cli.json ? "json" : "text";
	if (*force && (!*out || strcmp(*out, "-") == 0))
		return pouch_usage_error(usage, "--force goes with -o FILE");
	if (*out && strcmp(*out, "-") == 0)
		*out = NULL;
	if (optind != argc - 1)
		return pouch_usage_error(usage, optind < argc ? "give one package"
							      : "missing the package");
	if (strcmp(argv[optind], "-") == 0)
		return pouch_usage_error(usage, "pouch show reads an opened package's directory, "
					 "not standard input");
	return CLI_CONTINUE;
}

int cmd_show(int argc, char **argv)
{
	struct pouch_opened_dir pk = { 0 };
	struct pouch_err err = { 0 };
	const char *format = NULL, *out = NULL;
	char *dir = NULL, *again = NULL, id[POUCH_UUID_LEN];
	int force = 0, ret;

	if ((ret = options(argc, argv, &format, &out, &force)) != CLI_CONTINUE)
		return ret;
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
		    .id = pk.id, .agency = pk.sender,
		    .verdict = out || strcmp(format, "text") ? "exported" : "displayed" },
		    time(NULL), &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	ret = emit(&pk, format, out, force);
out:
	pouch_opened_dir_release(&pk);
	free(again);
	free(dir);
	return ret;
}
