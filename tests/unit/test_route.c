/* Unit tests for pkg/report/route*: the routing table's checks, matching a person (longest
 * postcode prefix, region, country, default), and the split: outputs sorted, about cut,
 * shared everywhere, the unrouted and the left out listed, the refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/route.h"

static const char head[] =
	"{\"format\": \"pouch-report/1\","
	" \"header\": {\"reference\": \"R-1\", \"title\": \"t\","
	"  \"created\": \"2026-01-01T00:00:00Z\","
	"  \"originator\": {\"agency\": \"GB-TEST\", \"unit\": \"u\", \"officer\": \"o\","
	"   \"contact_24x7\": \"+441632960000\"}},"
	" \"handling\": {\"classification\": {\"tier\": \"SECRET\", \"sensitive\": false,"
	"   \"caveats\": []}, \"tlp\": \"TLP:RED\", \"scheme\": \"uk-3x5x2\", \"codes\": [\"P\"],"
	"  \"purpose\": \"p\", \"legal_basis\": \"l\"},"
	" \"priority\": {\"level\": \"routine\"},";

#define GRADE "\"grade\": {\"source\": \"2\", \"intelligence\": \"B\"}"

static const char table_text[] =
	"{\"format\": \"pouch-routes/1\", \"routes\": ["
	" {\"country\": \"GB\", \"postcode\": \"M\", \"agency\": \"GB-A\"},"
	" {\"country\": \"GB\", \"postcode\": \"M1 4\", \"agency\": \"GB-B\"},"
	" {\"country\": \"GB\", \"region\": \"GB-LND\", \"agency\": \"GB-C\"},"
	" {\"country\": \"GB\", \"agency\": \"GB-D\"},"
	" {\"country\": \"US\", \"agency\": \"US-X\"}]}";

static json_t *parse(const char *text)
{
	json_t *j = NULL;

	assert_int_equal(pouch_json_parse("test", text, strlen(text), &j, NULL), 0);
	return j;
}

static json_t *report_with(const char *rest)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s}", head, rest);
	return parse(text);
}

static struct pouch_routes *table(const char *text)
{
	struct pouch_routes *t = NULL;
	json_t *j = parse(text);
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_routes_parse("t.json", j, &t, &err), 0);
	json_decref(j);
	return t;
}

static void table_refused(const char *text, const char *msg)
{
	struct pouch_routes *t = NULL;
	struct pouch_err err = { 0 };
	json_t *j = parse(text);

	assert_int_equal(pouch_routes_parse("t.json", j, &t, &err), POUCH_E_REFUSED);
	assert_null(t);
	if (!strstr(err.msg, msg))
		fail_msg("want '%s' in '%s'", msg, err.msg);
	json_decref(j);
}

/* Every agency but GB-C is a partner; the report's markings refuse GB-R; NO-ONE makes the
 * lookup fail. */
static int accept(const char *agency, void *arg, struct pouch_err *err)
{
	(*(int *)arg)++;
	if (!strcmp(agency, "GB-C"))
		return 0;
	if (!strcmp(agency, "GB-R"))
		return 2;
	if (!strcmp(agency, "NO-ONE"))
		return pouch_err_set(err, POUCH_E_CORRUPT, "partner record corrupt");
	return 1;
}

static void test_route__table_checks(void **state)
{
	(void)state;
	pouch_routes_free(table(table_text));
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"postcode\": \"M1\", \"agency\": \"GB-A\"}, {\"country\": \"GB\","
		      " \"postcode\": \"m 1\", \"agency\": \"GB-A\"}]}",
		      "routes[1]: the same match as routes[0] (GB postcode 'M1')");
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"region\": \"x\", \"agency\": \"GB-A\"}, {\"country\": \"GB\","
		      " \"region\": \"X\", \"agency\": \"GB-B\"}]}",
		      "routes[1]: the same match as routes[0] (GB region 'X')");
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"agency\": \"GB-A\"}, {\"country\": \"GB\", \"agency\": \"GB-A\"}]}",
		      "routes[1]: the same match as routes[0] (GB country)");
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"region\": \"x\", \"postcode\": \"M\", \"agency\": \"GB-A\"}]}",
		      "routes[0].postcode: not with region");
	table_refused("{\"format\": \"pouch-routes/2\", \"routes\": []}",
		      "routing table 't.json': format: 'pouch-routes/2' is not");
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"agency\": \"gb-a\"}]}", "routes[0].agency: 'gb-a' is not an agency code");
	table_refused("{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"GB\","
		      " \"postcode\": \"M-1\", \"agency\": \"GB-A\"}]}",
		      "routes[0].postcode: 'M-1' is not a postcode prefix");
}

static const char persons[] =
	" \"items\": [{\"n\": 1, \"text\": \"s\", \"shared\": true, " GRADE "},"
	"  {\"n\": 2, \"text\": \"ab\", \"about\": [\"a\", \"e\"], " GRADE "},"
	"  {\"n\": 3, \"text\": \"c\", \"about\": [\"c\"], " GRADE "},"
	"  {\"n\": 4, \"text\": \"f\", \"about\": [\"f\"], " GRADE "}],"
	" \"persons\": ["
	"  {\"role\": \"suspect\", \"id\": \"a\", \"location\": {\"country\": \"GB\","
	"   \"postcode\": \"m2 5\"}},"
	"  {\"role\": \"suspect\", \"id\": \"b\", \"location\": {\"country\": \"GB\","
	"   \"postcode\": \"M1 4BT\", \"region\": \"GB-LND\"}},"
	"  {\"role\": \"suspect\", \"id\": \"c\", \"location\": {\"country\": \"GB\","
	"   \"region\": \"gb-lnd\"}},"
	"  {\"role\": \"suspect\", \"id\": \"d\", \"location\": {\"country\": \"GB\"}},"
	"  {\"role\": \"victim\", \"id\": \"e\", \"country\": \"US\"},"
	"  {\"role\": \"witness\", \"id\": \"f\", \"country\": \"FR\"},"
	"  {\"role\": \"witness\"}]";

static void test_route__split(void **state)
{
	struct pouch_routes *t = table(table_text);
	struct pouch_route_split s = { 0 };
	struct pouch_err err = { 0 };
	json_t *r = report_with(persons);
	int asked = 0;

	(void)state;
	assert_int_equal(pouch_route_split(r, t, accept, &asked, &s, &err), 0);
	assert_int_equal(asked, 5); /* once per agency */
	assert_int_equal(s.nout, 4);
	assert_string_equal(s.out[0].agency, "GB-A"); /* a: M, the only prefix of M25 */
	assert_string_equal(s.out[1].agency, "GB-B"); /* b: the longer prefix over M and region */
	assert_string_equal(s.out[2].agency, "GB-D"); /* d: the country */
	assert_string_equal(s.out[3].agency, "US-X");
	assert_int_equal(s.out[0].persons, 1);
	assert_int_equal(s.out[0].items, 2);
	assert_int_equal(s.out[1].items, 1); /* only the shared one */
	assert_string_equal(s.persons[0].by, "postcode");
	assert_string_equal(s.persons[2].agency, "GB-C");
	assert_string_equal(s.persons[2].by, "region");
	assert_int_equal(s.persons[2].reason, POUCH_ROUTE_NOT_PARTNER);
	assert_int_equal(s.persons[5].reason, POUCH_ROUTE_NO_ROUTE);
	assert_int_equal(s.persons[6].reason, POUCH_ROUTE_NO_LOCATION);
	assert_null(s.persons[6].id);
	assert_string_equal(pouch_route_reason_name(s.persons[5].reason), "no-route");
	/* items[2] is about c, not a partner's; items[3] about f, in no area */
	assert_int_equal(s.nleft, 2);
	assert_string_equal(s.left[0], "items[2]");
	assert_string_equal(s.left[1], "items[3]");
	/* The item about a and e goes to both, its about cut to each one's person. */
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(
		json_object_get(s.out[3].report, "items"), 1), "about"), 0)), "e");
	assert_int_equal(json_array_size(json_object_get(json_array_get(
		json_object_get(s.out[0].report, "items"), 1), "about")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		s.out[3].report, "header"), "reference")), "R-1/US-X");
	assert_true(json_equal(json_object_get(s.out[2].report, "handling"),
			       json_object_get(r, "handling")));
	pouch_route_split_release(&s);
	assert_int_equal(s.nout, 0);

	/* A default takes the persons no route does, and those without a location. */
	pouch_routes_free(t);
	t = table("{\"format\": \"pouch-routes/1\", \"default\": \"GB-Z\", \"routes\": "
		  "[{\"country\": \"US\", \"agency\": \"US-X\"}]}");
	assert_int_equal(pouch_route_split(r, t, accept, &asked, &s, &err), 0);
	assert_int_equal(s.nout, 2);
	assert_int_equal(s.out[0].persons, 6);
	assert_string_equal(s.persons[6].by, "default");
	assert_int_equal(s.nleft, 0);
	pouch_route_split_release(&s);

	/* An agency the report's markings refuse gets nothing: its persons are listed. */
	pouch_routes_free(t);
	t = table("{\"format\": \"pouch-routes/1\", \"default\": \"GB-R\", \"routes\": "
		  "[{\"country\": \"US\", \"agency\": \"US-X\"}]}");
	assert_int_equal(pouch_route_split(r, t, accept, &asked, &s, &err), 0);
	assert_int_equal(s.nout, 1);
	assert_string_equal(s.out[0].agency, "US-X");
	assert_string_equal(s.persons[6].agency, "GB-R");
	assert_int_equal(s.persons[6].reason, POUCH_ROUTE_REFUSED);
	assert_string_equal(pouch_route_reason_name(s.persons[6].reason), "refused");
	pouch_route_split_release(&s);
	pouch_routes_free(t);
	json_decref(r);
}

static void split_refused(const char *rest, const char *tbl, int code, const char *msg)
{
	struct pouch_routes *t = table(tbl);
	struct pouch_route_split s = { 0 };
	struct pouch_err err = { 0 };
	json_t *r = report_with(rest);
	int asked = 0;

	assert_int_equal(pouch_route_split(r, t, accept, &asked, &s, &err), code);
	if (!strstr(err.msg, msg))
		fail_msg("want '%s' in '%s'", msg, err.msg);
	assert_int_equal(s.nout, 0);
	assert_null(s.out);
	pouch_routes_free(t);
	json_decref(r);
}

static void test_route__refusals(void **state)
{
	(void)state;
	split_refused(" \"items\": [{\"n\": 1, \"text\": \"x\", \"shared\": true, " GRADE "}]",
		      table_text, POUCH_E_REFUSED, "the report names no persons to route");
	split_refused(" \"items\": [{\"n\": 1, \"text\": \"x\", " GRADE "}],"
		      " \"persons\": [{\"role\": \"suspect\", \"country\": \"US\"}]",
		      table_text, POUCH_E_REFUSED, "items[0] is neither about persons nor shared");
	split_refused(" \"items\": [{\"n\": 1, \"text\": \"x\", \"about\": [\"a\"], " GRADE "}],"
		      " \"persons\": [{\"role\": \"suspect\", \"id\": \"a\", \"country\": \"US\"},"
		      "  {\"role\": \"suspect\", \"country\": \"GB\"}]",
		      table_text, POUCH_E_REFUSED, "the report for 'GB-D' would hold no items");
	split_refused(" \"items\": [{\"n\": 1, \"text\": \"x\", \"shared\": true, " GRADE "}],"
		      " \"persons\": [{\"role\": \"suspect\", \"country\": \"US\"}]",
		      "{\"format\": \"pouch-routes/1\", \"routes\": [{\"country\": \"US\","
		      " \"agency\": \"NO-ONE\"}]}", POUCH_E_CORRUPT, "partner record corrupt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route__table_checks),
		cmocka_unit_test(test_route__split),
		cmocka_unit_test(test_route__refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
