/* Private to pkg/report/: the parsed routing table (route_table.c) that the split (route.c)
 * matches persons against. */
#ifndef POUCH_ROUTE_INTERNAL_H
#define POUCH_ROUTE_INTERNAL_H

#include "report/route.h"

enum route_by { ROUTE_COUNTRY, ROUTE_REGION, ROUTE_POSTCODE };

struct route {
	char country[3];
	enum route_by by;
	char *key; /* the region as given, or the postcode prefix normalised; NULL by country */
	char agency[POUCH_CODE_MAX + 1];
};

struct pouch_routes {
	struct route *r;
	size_t n;
	char deflt[POUCH_CODE_MAX + 1]; /* "" when the table has no default */
};

/* A postcode without white space, in upper case, into out (size bytes, cut when longer). */
void route_postcode_norm(const char *in, char *out, size_t size);

/* The route that takes person (a valid report's): the longest postcode prefix of its
 * country, else its region, else its country; NULL when none does (the default is the
 * caller's). *no_location is set when the person has neither location nor country. */
const struct route *route_match(const struct pouch_routes *t, const json_t *person,
				int *no_location);

/* "country", "region" or "postcode": what r matches by. */
const char *route_by_name(const struct route *r);

#endif
