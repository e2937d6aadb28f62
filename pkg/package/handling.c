/* Handling rules for dissemination (spec/forward.md section 2): nationality caveats for every
 * sending, and for onward dissemination also 5x5x5 4, TLP and the handling codes that need the
 * originator's permission. The strictest rule refuses. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/validate.h"
#include "package/handling.h"

/* Nationality caveats and the countries (ISO 3166-1 alpha-2, the prefix of an agency code)
 * whose agencies may receive what carries them. A caveat not in this table is refused: what
 * pouch cannot read it does not pass on. */
static const struct caveat {
	const char *name;
	const char *countries; /* space-separated */
} caveats[] = {
	{ "UK EYES ONLY", "GB" },
	{ "UK/US EYES ONLY", "GB US" },
	{ "AUS/CAN/NZ/UK/US EYES ONLY", "AU CA NZ GB US" },
	{ "FVEY", "AU CA NZ GB US" },
};

/* What is refused: "forwarding" (onward dissemination) or "sending" (a first sending). */
struct refusal {
	const char *act;
	const char *to;
};

static int refuse(struct pouch_err *err, const struct refusal *r, const char *rule,
		  const char *why)
{
	return pouch_err_set(err, POUCH_E_REFUSED, "%s to '%s' is refused by rule %s: %s", r->act,
			     r->to, rule, why);
}

/* The country of an agency code: its first two letters when a hyphen follows them; "" when
 * the code has no such prefix (an international body, or a code from before prefixes). */
static void country_of(const char *code, char cc[3])
{
	cc[0] = '\0';
	if (code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z' && code[2] == '-')
		snprintf(cc, 3, "%.2s", code);
}

static int in_list(const char *list, const char *cc)
{
	size_t n = strlen(cc);
	const char *p;

	for (p = list; n && (p = strstr(p, cc)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static int check_caveats(const json_t *classification, const struct refusal *r,
			 struct pouch_err *err)
{
	const json_t *list = json_object_get(classification, "caveats"), *c;
	char cc[3], why[POUCH_ERR_MSG_MAX / 2], shown[128];
	size_t i, k;

	if (!list)
		return 0;
	if (!json_is_array(list))
		return refuse(err, r, "unmarked", "the report's caveats are not a list");
	country_of(r->to, cc);
	json_array_foreach(list, i, c) {
		const struct caveat *known = NULL;
		if (!json_is_string(c))
			return refuse(err, r, "unmarked", "the report holds a caveat that is not text");
		pouch_escape(json_string_value(c), shown, sizeof(shown));
		for (k = 0; k < sizeof(caveats) / sizeof(caveats[0]); k++)
			if (strcasecmp(json_string_value(c), caveats[k].name) == 0)
				known = &caveats[k];
		if (!known) {
			snprintf(why, sizeof(why), "caveat '%s' is not one pouch knows, so nothing "
				 "carrying it is passed on", shown);
			return refuse(err, r, "caveat", why);
		}
		if (!in_list(known->countries, cc)) {
			snprintf(why, sizeof(why), "caveat '%s' allows agencies of %s only, and '%s' %s",
				 shown, known->countries, r->to,
				 cc[0] ? "is of another country" : "names no country");
			return refuse(err, r, "caveat", why);
		}
	}
	return 0;
}

static int named(const struct pouch_forward_ctx *c, const char *to)
{
	size_t i;

	for (i = 0; i < c->nnamed; i++)
		if (strcmp(c->named[i], to) == 0)
			return 1;
	return 0;
}

static int is_str(const json_t *j, const char *s)
{
	return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

static int check_tlp(const struct pouch_forward_ctx *c, const json_t *tlp, const struct refusal *r,
		     int permitted, struct pouch_err *err)
{
	static const char *const known[] = { "TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER",
					     "TLP:GREEN", "TLP:CLEAR" };
	size_t i, ok = 0;

	if (!tlp)
		return 0; /* TLP is optional: a report need not carry one */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok |= is_str(tlp, known[i]);
	if (!ok)
		return refuse(err, r, "unmarked", "the report's TLP label is not one of TLP 2.0");
	if (is_str(tlp, "TLP:RED") && !named(c, r->to) && !permitted)
		return refuse(err, r, "tlp-red", "TLP:RED goes to its named recipients only; "
			      "wider sharing needs the originator's permission");
	if (is_str(tlp, "TLP:AMBER+STRICT") && strcmp(r->to, c->self) != 0 && !permitted)
		return refuse(err, r, "tlp-amber-strict", "TLP:AMBER+STRICT stays in the "
			      "recipient's organisation; wider sharing needs the originator's "
			      "permission");
	return 0;
}

static int codes_hold(const json_t *codes, const char *code)
{
	const json_t *c;
	size_t i;

	json_array_foreach(codes, i, c)
		if (is_str(c, code))
			return 1;
	return 0;
}

/* The handling codes of the report's scheme, in two passes: pass 0 what no permission relaxes
 * (5x5x5 4, stricter than any TLP label), pass 1 what the originator's permission does. */
static int check_codes(const json_t *handling, const struct refusal *r, int permitted, int pass,
		       struct pouch_err *err)
{
	const json_t *scheme = json_object_get(handling, "scheme");
	const json_t *codes = json_object_get(handling, "codes");
	const char *s = json_is_string(scheme) ? json_string_value(scheme) : "";

	if (!json_is_array(codes) || json_array_size(codes) == 0)
		return refuse(err, r, "unmarked", "the report carries no handling code");
	if (strcmp(s, "uk-5x5x5") == 0) {
		if (pass == 0 && codes_hold(codes, "4"))
			return refuse(err, r, "5x5x5-4", "handling code 4 keeps the intelligence in "
				      "the originating agency; no permission changes that");
		if (pass == 1 && codes_hold(codes, "5") && !permitted)
			return refuse(err, r, "5x5x5-5", "handling code 5 allows no further "
				      "dissemination without the originator's permission");
	} else if (strcmp(s, "uk-3x5x2") == 0) {
		if (pass == 1 && codes_hold(codes, "C") && !permitted)
			return refuse(err, r, "3x5x2-C", "handling code C allows sharing only on "
				      "the originator's conditions: forwarding needs its permission");
	} else if (strcmp(s, "europol-4x4") == 0) {
		if (pass == 1 && codes_hold(codes, "H2") && !permitted)
			return refuse(err, r, "europol-H2", "handling code H2 allows no "
				      "dissemination without the provider's permission");
	} else {
		return refuse(err, r, "unmarked", "the report names no grading scheme pouch knows");
	}
	return 0;
}

int pouch_handling_forward_check(const struct pouch_forward_ctx *c, const char *to,
				 struct pouch_err *err)
{
	const struct refusal r = { "forwarding", to };
	const json_t *handling = json_object_get(c->report, "handling");
	const json_t *classification = json_object_get(handling, "classification");
	const json_t *origin = json_object_get(json_object_get(json_object_get(c->report, "header"),
							       "originator"), "agency");
	int permitted = c->grantee && strcmp(c->grantee, to) == 0, ret;

	if ((c->originator && strcmp(c->originator, to) == 0) || is_str(origin, to))
		return 0;
	if (!json_is_object(handling) || !json_is_object(classification))
		return refuse(err, &r, "unmarked", "the report carries no handling markings");
	/* Strictest first: what no permission relaxes, then what the originator's does. */
	ret = check_caveats(classification, &r, err);
	if (!ret)
		ret = check_codes(handling, &r, permitted, 0, err);
	if (!ret)
		ret = check_tlp(c, json_object_get(handling, "tlp"), &r, permitted, err);
	if (!ret)
		ret = check_codes(handling, &r, permitted, 1, err);
	return ret;
}

int pouch_handling_forward_check_all(const struct pouch_forward_ctx *c, const char *const *to,
				     size_t n, struct pouch_err *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++)
		ret = pouch_handling_forward_check(c, to[i], err);
	return ret;
}

int pouch_handling_send_check(const json_t *report, const char *const *to, size_t n,
			      struct pouch_err *err)
{
	const json_t *handling = json_object_get(report, "handling");
	const json_t *classification = json_object_get(handling, "classification");
	const json_t *origin = json_object_get(json_object_get(json_object_get(report, "header"),
							       "originator"), "agency");
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		const struct refusal r = { "sending", to[i] };
		if (is_str(origin, to[i]))
			continue;
		if (!json_is_object(handling) || !json_is_object(classification))
			return refuse(err, &r, "unmarked", "the report carries no handling markings");
		ret = check_caveats(classification, &r, err);
	}
	return ret;
}
