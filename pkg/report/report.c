/* Checking a report (spec/report.md): the member tables first, then the rules that tie one
 * member to another: handling codes, conditions and grades by scheme, what an immediate or
 * urgent priority needs, category codes by category scheme, the routing members
 * (report_refs.c). */
#include <stdlib.h>
#include <string.h>

#include "base/validate.h"
#include "report/report.h"
#include "report/report_model.h"

#define SHOW_MAX 82

static const struct scheme *find_scheme(const json_t *handling)
{
	const json_t *name = json_object_get(handling, "scheme");
	const struct scheme *s;

	for (s = report_schemes; s->name && json_is_string(name); s++)
		if (!strcmp(s->name, json_string_value(name)))
			return s;
	return NULL;
}

/* Section 4: the codes in the scheme, exactly one for the UK schemes, conditions with the codes
 * that need them. Values of another type were reported by the tables. */
static void check_codes(struct walk *w, const json_t *handling, const struct scheme *s)
{
	const json_t *codes = json_object_get(handling, "codes"), *code, *needs = NULL;
	char buf[SHOW_MAX], list[128];
	size_t i, old;

	if (!json_is_array(codes))
		return;
	old = walk_push_name(w, "handling.codes");
	if (s->single && json_array_size(codes) > 1)
		walk_fail(w, "a %s report has exactly one handling code, not %zu", s->label,
			  json_array_size(codes));
	json_array_foreach(codes, i, code) {
		size_t at = walk_push_index(w, i);
		if (json_is_string(code) && !walk_is_placeholder(code) && !walk_in(code, s->codes))
			walk_fail(w, "%s is not a %s handling code (%s)",
				  walk_show(code, buf, sizeof(buf)), s->label,
				  walk_list(s->codes, list, sizeof(list)));
		if (!needs && walk_in(code, s->conditional))
			needs = code;
		walk_pop(w, at);
	}
	walk_pop(w, old);
	if (needs && !json_object_get(handling, "conditions")) {
		old = walk_push_name(w, "handling.conditions");
		walk_fail(w, "missing: required with %s handling code %s (the conditions the "
			  "recipient must keep)", s->label, json_string_value(needs));
		walk_pop(w, old);
	}
}

/* Section 7: every item graded in the report's scheme. */
static void check_grades(struct walk *w, const json_t *items, const struct scheme *s)
{
	const json_t *item;
	size_t i, old;

	if (!json_is_array(items))
		return;
	json_array_foreach(items, i, item) {
		const json_t *grade = json_object_get(item, "grade");
		if (!json_is_object(item) || !json_is_object(grade))
			continue;
		old = walk_push_name(w, "items");
		walk_push_index(w, i);
		walk_push_name(w, "grade");
		walk_check(w, grade, s->grade);
		walk_pop(w, old);
	}
}

/* Section 5: immediate and urgent need a reason, a respond-by time and a 24/7 contact. */
static void check_priority(struct walk *w, const json_t *priority)
{
	static const char *const needed[] = {"reason", "respond_by", "contact_24x7", NULL};
	static const char *const pressing[] = {"immediate", "urgent", NULL};
	const json_t *level = json_object_get(priority, "level");
	size_t i, old;

	if (!json_is_object(priority) || !walk_in(level, pressing))
		return;
	for (i = 0; needed[i]; i++) {
		if (json_object_get(priority, needed[i]))
			continue;
		old = walk_push_name(w, "priority");
		walk_push_name(w, needed[i]);
		walk_fail(w, "missing: required for an %s report", json_string_value(level));
		walk_pop(w, old);
	}
}

/* Section 9: a category's code in its scheme, where the scheme has a list. */
static void check_categories(struct walk *w, const json_t *media)
{
	const json_t *m, *cat;
	const struct category_scheme *cs;
	char buf[SHOW_MAX], list[128];
	size_t i, j, old;

	json_array_foreach(media, i, m) {
		json_array_foreach(json_object_get(m, "categories"), j, cat) {
			const json_t *code = json_object_get(cat, "code");
			const json_t *sch = json_object_get(cat, "scheme");
			for (cs = report_categories; cs->name; cs++)
				if (walk_in(sch, (const char *const[]){cs->name, NULL}))
					break;
			if (!cs->name || !code || walk_in(code, cs->codes) ||
			    walk_is_placeholder(code))
				continue;
			old = walk_push_name(w, "media");
			walk_push_index(w, i);
			walk_push_name(w, "categories");
			walk_push_index(w, j);
			walk_push_name(w, "code");
			walk_fail(w, "%s is not a %s (%s)", walk_show(code, buf, sizeof(buf)),
				  cs->what, walk_list(cs->codes, list, sizeof(list)));
			walk_pop(w, old);
		}
	}
}

int pouch_report_validate(const json_t *report, struct pouch_report_errors *errors,
			  struct pouch_err *err)
{
	struct walk w;
	const json_t *handling = json_object_get(report, "handling");
	const struct scheme *s = json_is_object(handling) ? find_scheme(handling) : NULL;

	memset(&w, 0, sizeof(w));
	w.out = errors;
	walk_check(&w, report, &report_spec);
	if (json_is_object(report)) {
		if (s) {
			check_codes(&w, handling, s);
			check_grades(&w, json_object_get(report, "items"), s);
		}
		check_priority(&w, json_object_get(report, "priority"));
		check_categories(&w, json_object_get(report, "media"));
		check_routing(&w, report);
	}
	walk_release(&w);
	if (w.nomem)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory checking the report");
	if (w.count > errors->n) {
		size_t left = w.count - errors->n;
		w.final = 1;
		walk_pop(&w, 0);
		walk_fail(&w, "%zu more error%s not shown", left, left == 1 ? "" : "s");
		w.count--;
	}
	errors->count = w.count;
	if (!w.count)
		return 0;
	return pouch_err_set(err, POUCH_E_REFUSED, "the report is not valid: %zu error%s",
			     w.count, w.count == 1 ? "" : "s");
}

void pouch_report_errors_release(struct pouch_report_errors *errors)
{
	size_t i;

	if (!errors)
		return;
	for (i = 0; i < errors->n; i++)
		free(errors->msg[i]);
	free(errors->msg);
	errors->msg = NULL;
	errors->n = 0;
}

int pouch_marking_check(const char *what, const char *const *list, const char *value,
			struct pouch_err *err)
{
	char shown[SHOW_MAX];
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(list[i], value))
			return 0;
	pouch_escape(value, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE, "invalid %s '%s'", what, shown);
}

int pouch_report_marks(const json_t *report, struct pouch_report_marks *out,
		       struct pouch_err *err)
{
	const json_t *handling = json_object_get(report, "handling");

	out->tier = json_string_value(
		json_object_get(json_object_get(handling, "classification"), "tier"));
	out->tlp = json_string_value(json_object_get(handling, "tlp"));
	out->priority = json_string_value(
		json_object_get(json_object_get(report, "priority"), "level"));
	if (!out->tier || !out->tlp || !out->priority)
		return pouch_err_set(err, POUCH_E_CORRUPT,
				     "the report lacks its classification, TLP or priority");
	return 0;
}
