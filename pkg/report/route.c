/* Splitting a report by its persons' areas (spec/route.md): each person's route, one report
 * per agency with its persons, the shared elements and those about its persons, and what
 * reached no agency listed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/route_internal.h"

#define SHOW_MAX 82

/* A person id and the person's index, sorted by id for lookups. */
struct idx {
	const char *id;
	size_t person;
};

struct split {
	const json_t *report, *persons;
	struct idx *ids;
	size_t nids;
	struct pouch_route_split *s;
	long *output; /* per person: the output it goes to, or -1 */
};

const char *pouch_route_reason_name(enum pouch_route_reason r)
{
	static const char *const names[] = {"routed", "no-location", "no-route",
					    "not-a-partner", "refused"};

	return r <= POUCH_ROUTE_REFUSED ? names[r] : "unknown";
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct idx *)a)->id, ((const struct idx *)b)->id);
}

/* The output of the person whose id is id, or -1 (unrouted). */
static long output_of(const struct split *sp, const char *id)
{
	struct idx key = {.id = id}, *hit;

	hit = bsearch(&key, sp->ids, sp->nids, sizeof(*sp->ids), by_id);
	return hit ? sp->output[hit->person] : -1;
}

/* Whether element e goes to output o (o < 0: whether it goes to any). */
static int goes_to(const struct split *sp, const json_t *e, long o)
{
	const json_t *id;
	size_t k;

	if (json_is_true(json_object_get(e, "shared")))
		return 1;
	json_array_foreach(json_object_get(e, "about"), k, id) {
		long to = output_of(sp, json_string_value(id));
		if (to >= 0 && (o < 0 || to == o))
			return 1;
	}
	return 0;
}

/* Every element says whom it concerns: about persons, or shared. */
static int check_marked(const json_t *report, struct pouch_err *err)
{
	const char *first = NULL;
	size_t l, i, fi = 0, count = 0;
	const json_t *e;

	for (l = 0; pouch_report_routed[l]; l++)
		json_array_foreach(json_object_get(report, pouch_report_routed[l]), i, e) {
			if (json_object_get(e, "about") || json_object_get(e, "shared"))
				continue;
			if (!count++) {
				first = pouch_report_routed[l];
				fi = i;
			}
		}
	if (!count)
		return 0;
	if (count == 1)
		return pouch_err_set(err, POUCH_E_REFUSED, "%s[%zu] is neither about persons nor "
				     "shared: say whom it concerns ('about') or that every agency "
				     "gets it ('shared': true)", first, fi);
	return pouch_err_set(err, POUCH_E_REFUSED, "%s[%zu] and %zu other elements are neither "
			     "about persons nor shared: say whom each concerns ('about') or that "
			     "every agency gets it ('shared': true)", first, fi, count - 1);
}

/* Finds or adds agency among the outputs (kept sorted); its index into *at. */
static int output_add(struct pouch_route_split *s, const char *agency, size_t *at,
		      struct pouch_err *err)
{
	struct pouch_route_output *grown;
	size_t i;

	for (i = 0; i < s->nout && strcmp(s->out[i].agency, agency) < 0; i++)
		;
	*at = i;
	if (i < s->nout && !strcmp(s->out[i].agency, agency))
		return 0;
	grown = realloc(s->out, (s->nout + 1) * sizeof(*grown));
	if (!grown)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	s->out = grown;
	memmove(&s->out[i + 1], &s->out[i], (s->nout - i) * sizeof(*grown));
	memset(&s->out[i], 0, sizeof(*grown));
	snprintf(s->out[i].agency, sizeof(s->out[i].agency), "%s", agency);
	s->nout++;
	return 0;
}

/* Each person's route, and whether its agency may receive (asked once per agency). */
static int route_persons(struct split *sp, const struct pouch_routes *t,
			 int (*accept)(const char *, void *, struct pouch_err *), void *arg,
			 struct pouch_err *err)
{
	struct pouch_route_split *s = sp->s;
	char (*asked)[POUCH_CODE_MAX + 1] = NULL;
	int *verdict = NULL, ret = 0;
	size_t i, j, nasked = 0, n = json_array_size(sp->persons);

	s->persons = calloc(n, sizeof(*s->persons));
	sp->output = calloc(n, sizeof(*sp->output));
	asked = calloc(n, sizeof(*asked));
	verdict = calloc(n, sizeof(*verdict));
	if (!s->persons || !sp->output || !asked || !verdict) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	s->npersons = n;
	for (i = 0; i < n; i++) {
		const json_t *p = json_array_get(sp->persons, i);
		struct pouch_route_person *v = &s->persons[i];
		int noloc;
		const struct route *r = route_match(t, p, &noloc);

		v->index = i;
		v->id = json_string_value(json_object_get(p, "id"));
		sp->output[i] = -1;
		if (r) {
			snprintf(v->agency, sizeof(v->agency), "%s", r->agency);
			v->by = route_by_name(r);
		} else if (t->deflt[0]) {
			snprintf(v->agency, sizeof(v->agency), "%s", t->deflt);
			v->by = "default";
		} else {
			v->reason = noloc ? POUCH_ROUTE_NO_LOCATION : POUCH_ROUTE_NO_ROUTE;
			continue;
		}
		for (j = 0; j < nasked && strcmp(asked[j], v->agency); j++)
			;
		if (j == nasked) {
			snprintf(asked[nasked], sizeof(asked[0]), "%s", v->agency);
			if ((verdict[nasked++] = accept(v->agency, arg, err)) < 0) {
				ret = verdict[j];
				goto out;
			}
		}
		if (verdict[j] != 1)
			v->reason = verdict[j] ? POUCH_ROUTE_REFUSED : POUCH_ROUTE_NOT_PARTNER;
	}
	/* Outputs only once every agency is known, so that their indexes stay put. */
	for (i = 0; i < n; i++) {
		size_t at;
		if (s->persons[i].reason == POUCH_ROUTE_ROUTED &&
		    (ret = output_add(s, s->persons[i].agency, &at, err)) < 0)
			goto out;
	}
	for (i = 0; i < n; i++)
		for (j = 0; s->persons[i].reason == POUCH_ROUTE_ROUTED && j < s->nout; j++)
			if (!strcmp(s->out[j].agency, s->persons[i].agency))
				sp->output[i] = (long)j;
out:
	free(asked);
	free(verdict);
	return ret;
}

/* A copy of element e for output o: its about cut to the ids of o's persons. */
static json_t *element_for(const struct split *sp, const json_t *e, long o)
{
	const json_t *about = json_object_get(e, "about"), *id;
	json_t *copy = json_deep_copy(e), *cut;
	size_t k;

	if (!copy || !about)
		return copy;
	cut = json_array();
	json_array_foreach(about, k, id)
		if (output_of(sp, json_string_value(id)) == o)
			json_array_append(cut, (json_t *)id);
	if (!cut || json_object_set_new(copy, "about", cut)) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

/* The elements of list name for output o, into r (left out when none), counted in *count. */
static int take_list(const struct split *sp, json_t *r, const char *name, long o,
		     size_t *count)
{
	const json_t *e;
	json_t *list = json_array();
	size_t i;

	if (!list)
		return -1;
	json_array_foreach(json_object_get(sp->report, name), i, e)
		if (goes_to(sp, e, o) && json_array_append_new(list, element_for(sp, e, o))) {
			json_decref(list);
			return -1;
		}
	*count = json_array_size(list);
	if (!*count) {
		json_decref(list);
		return 0;
	}
	return json_object_set_new(r, name, list);
}

/* Output o's report: the original's members in its order, persons and routed lists cut. */
static int build(const struct split *sp, long o, struct pouch_err *err)
{
	struct pouch_route_output *out = &sp->s->out[o];
	size_t *counts[] = {&out->offences, &out->items, &out->media, &out->actions,
			    &out->attachments};
	const char *key;
	const json_t *v;
	json_t *r = json_object(), *persons = json_array(), *header;
	size_t i, l;
	char ref[POUCH_ERR_MSG_MAX];

	if (!r || !persons)
		goto nomem;
	json_object_foreach((json_t *)sp->report, key, v) {
		for (l = 0; pouch_report_routed[l] && strcmp(pouch_report_routed[l], key); l++)
			;
		if (pouch_report_routed[l]) {
			if (take_list(sp, r, key, o, counts[l]) < 0)
				goto nomem;
		} else if (!strcmp(key, "persons")) {
			for (i = 0; i < json_array_size(v); i++)
				if (sp->output[i] == o &&
				    json_array_append_new(persons,
							  json_deep_copy(json_array_get(v, i))))
					goto nomem;
			out->persons = json_array_size(persons);
			if (json_object_set(r, key, persons))
				goto nomem;
		} else if (json_object_set_new(r, key, json_deep_copy(v))) {
			goto nomem;
		}
	}
	header = json_object_get(r, "header");
	snprintf(ref, sizeof(ref), "%s/%s",
		 json_string_value(json_object_get(header, "reference")), out->agency);
	if (json_object_set_new(header, "reference", json_string(ref)))
		goto nomem;
	json_decref(persons);
	out->report = r;
	if (!out->items)
		return pouch_err_set(err, POUCH_E_REFUSED, "the report for '%s' would hold no "
				     "items: mark an item shared or about one of its persons",
				     out->agency);
	return 0;
nomem:
	json_decref(persons);
	json_decref(r);
	return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

/* The paths of the elements no output takes. */
static int list_left(const struct split *sp, struct pouch_err *err)
{
	struct pouch_route_split *s = sp->s;
	const json_t *e;
	char path[64], *dup;
	size_t l, i;

	for (l = 0; pouch_report_routed[l]; l++)
		json_array_foreach(json_object_get(sp->report, pouch_report_routed[l]), i, e) {
			if (goes_to(sp, e, -1))
				continue;
			snprintf(path, sizeof(path), "%s[%zu]", pouch_report_routed[l], i);
			dup = strdup(path);
			if (!dup || pouch_array_push(&s->left, &s->nleft, sizeof(dup), &dup, err)) {
				free(dup);
				return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			}
		}
	return 0;
}

/* Every output is a valid report, or the split is a fault (never written). */
static int recheck(const struct pouch_route_split *s, struct pouch_err *err)
{
	struct pouch_report_errors errors = {0};
	size_t o;
	int ret = 0;

	for (o = 0; !ret && o < s->nout; o++) {
		ret = pouch_report_validate(s->out[o].report, &errors, err);
		if (ret == POUCH_E_REFUSED)
			ret = pouch_err_set(err, POUCH_E_CORRUPT, "the report for '%s' is not "
					    "valid: %s", s->out[o].agency,
					    errors.n ? errors.msg[0] : "");
		pouch_report_errors_release(&errors);
	}
	return ret;
}

int pouch_route_split(const json_t *report, const struct pouch_routes *routes,
		      int (*accept)(const char *agency, void *arg, struct pouch_err *err),
		      void *arg, struct pouch_route_split *out, struct pouch_err *err)
{
	struct split sp = {.report = report, .s = out};
	const json_t *p;
	size_t i;
	long o;
	int ret;

	sp.persons = json_object_get(report, "persons");
	if (!json_array_size(sp.persons))
		return pouch_err_set(err, POUCH_E_REFUSED, "the report names no persons to route");
	if ((ret = check_marked(report, err)) < 0)
		return ret;
	sp.ids = calloc(json_array_size(sp.persons), sizeof(*sp.ids));
	if (!sp.ids)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	json_array_foreach(sp.persons, i, p)
		if (json_string_value(json_object_get(p, "id")))
			sp.ids[sp.nids++] =
				(struct idx){json_string_value(json_object_get(p, "id")), i};
	qsort(sp.ids, sp.nids, sizeof(*sp.ids), by_id);
	ret = route_persons(&sp, routes, accept, arg, err);
	for (o = 0; !ret && o < (long)out->nout; o++)
		ret = build(&sp, o, err);
	if (!ret)
		ret = list_left(&sp, err);
	if (!ret)
		ret = recheck(out, err);
	free(sp.ids);
	free(sp.output);
	if (ret < 0)
		pouch_route_split_release(out);
	return ret;
}

void pouch_route_split_release(struct pouch_route_split *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nout; i++)
		json_decref(s->out[i].report);
	for (i = 0; i < s->nleft; i++)
		free(s->left[i]);
	free(s->out);
	free(s->persons);
	free(s->left);
	memset(s, 0, sizeof(*s));
}
