/* Routing a report (spec/route.md): a routing table maps a country, a region or a postcode
 * prefix to an agency, and a report that names persons in several areas splits into one
 * report per agency, holding its persons, the elements about them and the shared ones. */
#ifndef POUCH_ROUTE_H
#define POUCH_ROUTE_H

#include <stddef.h>

#include "base/err.h"
#include "base/json.h"
#include "base/validate.h"

#define POUCH_ROUTES_FORMAT "pouch-routes/1"

/* The report's lists whose elements carry "about" or "shared" (report.md section 13),
 * NULL-terminated: offences, items, media, actions, attachments. */
extern const char *const pouch_report_routed[];

/* A routing table, parsed. */
struct pouch_routes;

/* Reads the table file at path (at most POUCH_RECORD_MAX bytes, strict JSON: duplicate names
 * refused) and checks it against spec/route.md into *out (free with pouch_routes_free). A
 * missing file is POUCH_E_NOTFOUND; an unreadable one POUCH_E_IO; a malformed or invalid one
 * POUCH_E_REFUSED with the first problem in err, "routing table 'PATH': routes[2].agency:
 * ...". */
int pouch_routes_load(const char *path, struct pouch_routes **out, struct pouch_err *err);

/* As pouch_routes_load for a table already parsed (borrowed); what names it in messages. */
int pouch_routes_parse(const char *what, const json_t *table, struct pouch_routes **out,
		       struct pouch_err *err);

void pouch_routes_free(struct pouch_routes *r);

/* Why a person went to no output. */
enum pouch_route_reason {
	POUCH_ROUTE_ROUTED = 0,
	POUCH_ROUTE_NO_LOCATION,  /* the person has neither location nor country */
	POUCH_ROUTE_NO_ROUTE,     /* no route matches and the table has no default */
	POUCH_ROUTE_NOT_PARTNER,  /* the route's agency is not a partner */
	POUCH_ROUTE_REFUSED,      /* the report's handling markings refuse the route's agency */
};

/* "no-location", "no-route", "not-a-partner", "refused" (or "routed"): a static string. */
const char *pouch_route_reason_name(enum pouch_route_reason r);

/* The table's verdict on persons[index]. */
struct pouch_route_person {
	size_t index;
	const char *id;     /* its id, borrowed from the report; NULL when it has none */
	char agency[POUCH_CODE_MAX + 1]; /* the matching route's agency; "" when none */
	const char *by;     /* what matched: "postcode", "region", "country", "default"; or NULL */
	enum pouch_route_reason reason;
};

/* One agency's report and what it holds (counts per list of report.md). */
struct pouch_route_output {
	char agency[POUCH_CODE_MAX + 1];
	json_t *report; /* owned */
	size_t persons, offences, items, media, actions, attachments;
};

/* A split: the outputs sorted by agency code, every person's verdict in report order, and
 * the paths of the elements that reached no output ("items[3]"), because every person they
 * are about went unrouted. */
struct pouch_route_split {
	struct pouch_route_output *out;
	size_t nout;
	struct pouch_route_person *persons;
	size_t npersons;
	char **left;
	size_t nleft;
};

/* Splits report (borrowed; valid by pouch_report_validate) by routes into *out (caller
 * zeroes, releases with pouch_route_split_release). Each output is a valid report: the
 * original with its header's reference suffixed "/AGENCY", its handling and priority as they
 * are, the persons routed to that agency, and of each routed list the shared elements and
 * those about one of its persons (with "about" cut to its persons); a list left empty is left
 * out. Persons that no route takes are listed, never dropped. Returns 0; POUCH_E_REFUSED
 * when the report names no persons, an element is neither about persons nor shared (the
 * first one named), or an agency's report would hold no items; accept's errors;
 * POUCH_E_NOMEM. accept(agency, arg, err) says whether an agency may receive a report: 1 yes,
 * 0 no (not a partner), 2 no (the report's handling markings refuse it), or a negative
 * POUCH_E_* with err set, which stops the split; it is asked once per agency. */
int pouch_route_split(const json_t *report, const struct pouch_routes *routes,
		      int (*accept)(const char *agency, void *arg, struct pouch_err *err),
		      void *arg, struct pouch_route_split *out, struct pouch_err *err);

void pouch_route_split_release(struct pouch_route_split *s);

#endif
