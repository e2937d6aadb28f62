/* The routing table (spec/route.md): read strictly, checked by the report model's walker
 * against its member tables, then for the rules between routes (a region or a postcode
 * prefix, not both; no match given twice). Matching a person's location lives here too. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fs.h"
#include "report/report_model.h"
#include "report/route_internal.h"

#define SHOW_MAX 82

static const struct spec format = {.kind = K_ENUM, .what = "the routing table format",
				   .values = (const char *const[]){POUCH_ROUTES_FORMAT, NULL}};
static const struct spec postcode = {
	.kind = K_PATTERN, .pattern = "^[A-Za-z0-9][A-Za-z0-9 ]{0,15}$",
	.what = "a postcode prefix (1 to 16 of A-Z, a-z, 0-9 and spaces, first a letter or digit)"};
static const struct spec route = {
	.kind = K_OBJECT, .what = "a route: country, agency",
	.members = (const struct member[]){{"country", 1, &report_country},
					   {"region", 0, &report_text},
					   {"postcode", 0, &postcode},
					   {"agency", 1, &report_agency}, {0}}};
static const struct spec routes = {.kind = K_ARRAY, .what = "an array of routes",
				   .elem = &route, .min = 1};
static const struct spec table = {
	.kind = K_OBJECT, .what = "a JSON object",
	.members = (const struct member[]){{"format", 1, &format}, {"routes", 1, &routes},
					   {"default", 0, &report_agency}, {0}}};

static const char *const by_name[] = {"country", "region", "postcode"};

void route_postcode_norm(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++)
		if (!isspace((unsigned char)*in))
			out[o++] = (char)toupper((unsigned char)*in);
	out[o] = '\0';
}

/* The first error of a walk, or the route rules' first, as err. */
static int refuse(const char *what, const char *msg, struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_REFUSED, "routing table '%s': %s", what, msg);
}

/* Whether routes a and b match the same persons. */
static int same_match(const struct route *a, const struct route *b)
{
	if (strcmp(a->country, b->country) || a->by != b->by)
		return 0;
	if (a->by == ROUTE_REGION)
		return !strcasecmp(a->key, b->key);
	return a->by == ROUTE_COUNTRY || !strcmp(a->key, b->key);
}

/* Takes the checked route r as routes->r[i], refusing what the walker could not see. */
static int take(const char *what, struct pouch_routes *t, size_t i, const json_t *r,
		struct pouch_err *err)
{
	const json_t *region = json_object_get(r, "region"), *pc = json_object_get(r, "postcode");
	struct route *x = &t->r[i];
	char shown[SHOW_MAX], msg[POUCH_ERR_MSG_MAX / 2];
	size_t j;

	snprintf(x->country, sizeof(x->country), "%s",
		 json_string_value(json_object_get(r, "country")));
	snprintf(x->agency, sizeof(x->agency), "%s",
		 json_string_value(json_object_get(r, "agency")));
	if (region && pc) {
		snprintf(msg, sizeof(msg), "routes[%zu].postcode: not with region (a route "
			 "matches a region or a postcode prefix, not both)", i);
		return refuse(what, msg, err);
	}
	x->by = pc ? ROUTE_POSTCODE : region ? ROUTE_REGION : ROUTE_COUNTRY;
	if (pc || region) {
		const char *v = json_string_value(pc ? pc : region);
		size_t size = strlen(v) + 1;
		if (!(x->key = malloc(size)))
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		if (pc)
			route_postcode_norm(v, x->key, size);
		else
			memcpy(x->key, v, size);
	}
	t->n = i + 1;
	for (j = 0; j < i; j++) {
		if (!same_match(&t->r[j], x))
			continue;
		pouch_escape(x->key ? x->key : "", shown, sizeof(shown));
		snprintf(msg, sizeof(msg),
			 "routes[%zu]: the same match as routes[%zu] (%s %s%s%s%s)", i, j,
			 x->country, by_name[x->by], x->key ? " '" : "", shown, x->key ? "'" : "");
		return refuse(what, msg, err);
	}
	return 0;
}

int pouch_routes_parse(const char *what, const json_t *tbl, struct pouch_routes **out,
		       struct pouch_err *err)
{
	struct pouch_report_errors errors = {0};
	struct pouch_routes *t = NULL;
	const json_t *list = json_object_get(tbl, "routes"), *r;
	struct walk w;
	size_t i;
	int ret = POUCH_E_NOMEM;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.out = &errors;
	walk_check(&w, tbl, &table);
	walk_release(&w);
	if (w.nomem)
		goto nomem;
	if (w.count) {
		ret = refuse(what, errors.n ? errors.msg[0] : "not valid", err);
		goto out;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->r = calloc(json_array_size(list), sizeof(*t->r))))
		goto nomem;
	if (json_object_get(tbl, "default"))
		snprintf(t->deflt, sizeof(t->deflt), "%s",
			 json_string_value(json_object_get(tbl, "default")));
	json_array_foreach(list, i, r)
		if ((ret = take(what, t, i, r, err)) < 0)
			goto out;
	*out = t;
	t = NULL;
	ret = 0;
	goto out;
nomem:
	ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
out:
	pouch_report_errors_release(&errors);
	pouch_routes_free(t);
	return ret;
}

int pouch_routes_load(const char *path, struct pouch_routes **out, struct pouch_err *err)
{
	char what[POUCH_ERR_MSG_MAX / 2], shown[SHOW_MAX];
	char *text = NULL;
	json_t *tbl = NULL;
	size_t len;
	int ret;

	*out = NULL;
	pouch_escape(path, shown, sizeof(shown));
	ret = pouch_fs_read(path, POUCH_RECORD_MAX, &text, &len, err);
	if (ret < 0) {
		if (ret == POUCH_E_NOTFOUND)
			pouch_err_set(err, ret, "routing table '%s' does not exist", shown);
		return ret;
	}
	snprintf(what, sizeof(what), "routing table '%s'", shown);
	ret = pouch_json_parse(what, text, len, &tbl, err);
	if (ret < 0) {
		ret = POUCH_E_REFUSED; /* malformed input, not a file pouch wrote */
		if (err)
			err->code = ret;
	} else {
		ret = pouch_routes_parse(shown, tbl, out, err);
	}
	json_decref(tbl);
	free(text);
	return ret;
}

void pouch_routes_free(struct pouch_routes *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->r[i].key);
	free(t->r);
	free(t);
}

/* The person's country, region and normalised postcode (NULL or "" when it has none). */
static const char *where(const json_t *p, const char **region, char *pc, size_t size)
{
	const json_t *loc = json_object_get(p, "location");
	const char *c = json_string_value(json_object_get(loc ? loc : p, "country"));

	*region = json_string_value(json_object_get(loc, "region"));
	pc[0] = '\0';
	if (json_string_value(json_object_get(loc, "postcode")))
		route_postcode_norm(json_string_value(json_object_get(loc, "postcode")), pc, size);
	return c;
}

const struct route *route_match(const struct pouch_routes *t, const json_t *person,
				int *no_location)
{
	const struct route *best = NULL, *x;
	const char *country, *region;
	char pc[256];
	size_t i, bestlen = 0;

	country = where(person, &region, pc, sizeof(pc));
	*no_location = !country;
	for (i = 0; country && i < t->n; i++) {
		x = &t->r[i];
		if (strcmp(x->country, country))
			continue;
		if (x->by == ROUTE_POSTCODE && pc[0] && !strncmp(pc, x->key, strlen(x->key)) &&
		    strlen(x->key) > bestlen) {
			best = x;
			bestlen = strlen(x->key);
		}
	}
	for (i = 0; country && !best && region && i < t->n; i++)
		if (t->r[i].by == ROUTE_REGION && !strcmp(t->r[i].country, country) &&
		    !strcasecmp(t->r[i].key, region))
			best = &t->r[i];
	for (i = 0; country && !best && i < t->n; i++)
		if (t->r[i].by == ROUTE_COUNTRY && !strcmp(t->r[i].country, country))
			best = &t->r[i];
	return best;
}

const char *route_by_name(const struct route *r)
{
	return by_name[r->by];
}
