/* The routing members of a report (spec/report.md section 13) beyond the member tables: a
 * person's country or location, an element about persons or shared, person ids unique, and
 * every id an element is about naming a person of the report. */
#include <string.h>

#include "report/report_internal.h"
#include "report/route.h"

#define SHOW_MAX 82

const char *const pouch_report_routed[] = {"offences", "items", "media", "actions",
					   "attachments", NULL};

/* Fails at obj's member b when obj has both a and b. */
static void exclusive(struct walk *w, const json_t *obj, const char *a, const char *b,
		      const char *why)
{
	size_t old;

	if (!json_object_get(obj, a) || !json_object_get(obj, b))
		return;
	old = walk_push_name(w, b);
	walk_fail(w, "not with %s (%s)", a, why);
	walk_pop(w, old);
}

/* The index of the person whose id is id among the first n persons, or -1. */
static long person_with(const json_t *persons, size_t n, const json_t *id)
{
	size_t i;

	for (i = 0; i < n && i < json_array_size(persons); i++)
		if (json_equal(json_object_get(json_array_get(persons, i), "id"), (json_t *)id))
			return (long)i;
	return -1;
}

static void check_persons(struct walk *w, const json_t *persons)
{
	const json_t *p, *id;
	char buf[SHOW_MAX];
	size_t i, old;
	long first;

	json_array_foreach(persons, i, p) {
		if (!json_is_object(p))
			continue;
		old = walk_push_name(w, "persons");
		walk_push_index(w, i);
		exclusive(w, p, "country", "location",
			  "a person has a country or a location, which holds the country");
		id = json_object_get(p, "id");
		first = json_is_string(id) ? person_with(persons, i, id) : -1;
		if (first >= 0) {
			walk_push_name(w, "id");
			walk_fail(w, "%s is also the id of persons[%ld] (ids are unique)",
				  walk_show(id, buf, sizeof(buf)), first);
		}
		walk_pop(w, old);
	}
}

/* One element of a routed list: about or shared, and about naming persons. */
static void check_element(struct walk *w, const json_t *e, const json_t *persons)
{
	const json_t *about = json_object_get(e, "about"), *id;
	char buf[SHOW_MAX];
	size_t k, old;

	exclusive(w, e, "about", "shared", "an element is about persons or shared, not both");
	json_array_foreach(about, k, id) {
		if (!json_is_string(id) || walk_is_placeholder(id) ||
		    person_with(persons, json_array_size(persons), id) >= 0)
			continue;
		old = walk_push_name(w, "about");
		walk_push_index(w, k);
		walk_fail(w, "%s is no person's id in this report",
			  walk_show(id, buf, sizeof(buf)));
		walk_pop(w, old);
	}
}

void check_routing(struct walk *w, const json_t *report)
{
	const json_t *persons = json_object_get(report, "persons"), *e;
	size_t l, i, old;

	if (!json_is_array(persons))
		persons = NULL;
	check_persons(w, persons);
	for (l = 0; pouch_report_routed[l]; l++)
		json_array_foreach(json_object_get(report, pouch_report_routed[l]), i, e) {
			if (!json_is_object(e))
				continue;
			old = walk_push_name(w, pouch_report_routed[l]);
			walk_push_index(w, i);
			check_element(w, e, persons);
			walk_pop(w, old);
		}
}
