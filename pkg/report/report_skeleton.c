/* Skeletons of reports (pouch report new): every required member present, each value to write
 * a placeholder saying what goes there ("FILL IN: ..."), which pouch_report_validate refuses
 * until it is replaced; optional sections that do not apply are deleted by the writer. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "report/report.h"

#define F "FILL IN: "

/* Per scheme: the handling code, the conditions and an item's grade. */
static const struct {
	const char *name, *codes, *conditions, *grade;
} schemes[] = {
	{ "uk-3x5x2",
	  "[\"" F "one handling code: P (lawful sharing permitted) or C (permitted subject to the "
	  "conditions below)\"]",
	  F "the conditions the recipient must keep (required with C; with P delete this member)",
	  "{\"source\": \"" F "1 reliable, 2 untested or 3 not reliable\", \"intelligence\": \"" F
	  "A known directly to the source, B known indirectly but corroborated, C known "
	  "indirectly, D not known or E suspected to be false\"}" },
	{ "uk-5x5x5",
	  "[\"" F "one handling code: 1 law enforcement incl. EEA, 2 UK non-prosecuting parties, "
	  "3 non-EEA law enforcement, 4 originating agency only, 5 no further dissemination\"]",
	  F "the conditions the recipient must keep (required with 2, 3 and 5; with 1 or 4 delete "
	  "this member)",
	  "{\"source\": \"" F "A always reliable, B mostly reliable, C sometimes reliable, D "
	  "unreliable or E untested\", \"intelligence\": \"" F "1 known to be true, 2 known "
	  "personally to the source, 3 not personally known but corroborated, 4 cannot be judged "
	  "or 5 suspected to be false\"}" },
	{ "europol-4x4",
	  "[\"" F "one or more of H0 (only for preventing and combating crime), H1 (not in judicial "
	  "proceedings without permission), H2 (not to be disseminated without permission), H3 "
	  "(other restrictions, written below); one code per string\"]",
	  F "the other restrictions (required with H3; without H3 delete this member)",
	  "{\"source\": \"" F "A no doubt, B reliable in most instances, C unreliable in most "
	  "instances or X cannot be assessed\", \"accuracy\": \"" F "1 not in doubt, 2 known "
	  "personally to the source, 3 not known personally but corroborated or 4 cannot be "
	  "corroborated\"}" },
};

static const char head[] =
	"{\"format\": \"pouch-report/1\",\n"
	" \"header\": {\"reference\": \"" F "your reference for this report\",\n"
	"  \"title\": \"" F "a short title (it travels encrypted, never on the envelope)\",\n"
	"  \"created\": \"%s\",\n"
	"  \"originator\": {\"agency\": \"" F "your agency code (GB-CEOP)\", \"unit\": \"" F
	"your unit\", \"officer\": \"" F "a pseudonymous officer reference, not a name\", "
	"\"contact_24x7\": \"" F "a number or desk reachable at any hour\"}%s},\n"
	" \"handling\": {\"classification\": {\"tier\": \"OFFICIAL\", \"sensitive\": true, "
	"\"caveats\": []},\n"
	"  \"tlp\": \"" F "TLP:RED, TLP:AMBER+STRICT, TLP:AMBER, TLP:GREEN or TLP:CLEAR\",\n"
	"  \"scheme\": \"%s\", \"codes\": %s,\n"
	"  \"conditions\": \"%s\",\n"
	"  \"purpose\": \"" F "why the report is shared\",\n"
	"  \"legal_basis\": \"" F "the law under which it is shared\"},\n"
	" \"priority\": %s,\n"
	" \"offences\": [{\"type\": \"" F "csam-possession, csam-manufacture, csam-distribution, "
	"child-sex-trafficking, child-sex-tourism, child-sexual-molestation, "
	"misleading-domain-name, misleading-words-or-images, online-enticement, "
	"unsolicited-obscene-material or other\", \"annotations\": []}],\n"
	" \"items\": [{\"n\": 1, \"kind\": \"intelligence\", \"text\": \"" F "one piece of "
	"intelligence, graded on its own\", \"grade\": %s},\n"
	"  {\"n\": 2, \"kind\": \"provenance\", \"text\": \"" F "where the intelligence came from\", "
	"\"grade\": %s}],\n"
	" \"persons\": [%s],\n"
	"%s"
	" \"actions\": [{\"action\": \"%s\", \"details\": \"" F "what the recipient is asked to "
	"do\", \"due\": \"" F "when, RFC 3339 (2026-11-23T10:21:00Z)\"}]}\n";

static const char referral_header[] =
	",\n  \"referral_source\": \"" F "ncmec-cybertip, industry, international-partner, public, "
	"internal or other\",\n  \"external_references\": [{\"scheme\": \"" F "ncmec, siena, "
	"interpol, icse, caid, force or other\", \"value\": \"" F "the reference\"}]";

static const char suspect[] =
	"{\"role\": \"suspect\", \"names\": [\"" F "a name, or delete\"], \"country\": \"" F
	"ISO 3166-1 alpha-2 (GB), or delete\", \"accounts\": [{\"service\": \"" F "the service\", "
	"\"user_id\": \"" F "its user id\", \"screen_names\": [\"" F "a screen name\"]}], "
	"\"ip_events\": [{\"address\": \"" F "an IP address\", \"event\": \"" F "login, "
	"registration, purchase, upload, other or unknown\", \"time\": \"" F "RFC 3339 with its "
	"zone\"}], \"risk_flags\": []}";

static const char victim[] =
	"{\"role\": \"victim\", \"approx_age\": \"" F "an age in years (a number)\", \"victim\": "
	"{\"identified\": \"" F "true or false\", \"safeguarding\": \"" F "the safeguarding "
	"status\"}}";

static const char media[] =
	" \"media\": [{\"hashes\": {\"sha256\": \"" F "64 lower-case hex digits\"}, \"name\": \"" F
	"the file name\", \"viewed_by_provider\": \"" F "true or false: did the provider look at "
	"it\", \"categories\": [{\"scheme\": \"uk-sentencing\", \"code\": \"" F "A, B or C\"}], "
	"\"flags\": []}],\n";

static const char routine[] =
	"{\"level\": \"" F "routine or information (urgent and immediate need a reason, a "
	"respond-by time and a 24/7 contact)\"}";

static const char pressing[] =
	"{\"level\": \"immediate\", \"reason\": \"" F "why a child is believed to be in immediate "
	"danger\", \"respond_by\": \"" F "RFC 3339 (2026-11-23T10:21:00Z)\", \"contact_24x7\": \""
	F "who to phone at any hour (also phone them: pouch is never the only channel)\"}";

static const char referral_priority[] =
	"{\"level\": \"" F "immediate, urgent, routine or information (immediate and urgent need "
	"reason, respond_by and contact_24x7)\", \"source_priority\": {\"scheme\": "
	"\"ncmec-cybertip\", \"value\": \"" F "the source's own priority as given (NCMEC: 1, 2, 3 "
	"or E)\"}}";

int pouch_report_skeleton(const char *scheme, const char *template, time_t now, json_t **out,
			  struct pouch_err *err)
{
	char *text = NULL, created[POUCH_TIME_LEN], persons[sizeof(suspect) + sizeof(victim) + 8];
	size_t i;
	int n, referral = 0, immediate = 0;

	*out = NULL;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strcmp(schemes[i].name, scheme ? scheme : "uk-3x5x2"))
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0]))
		return pouch_err_set(err, POUCH_E_USAGE, "unknown scheme '%s' (uk-3x5x2, uk-5x5x5 "
				     "or europol-4x4)", scheme);
	if (template && !strcmp(template, "referral"))
		referral = 1;
	else if (template && !strcmp(template, "immediate"))
		immediate = 1;
	else if (template && strcmp(template, "dissemination"))
		return pouch_err_set(err, POUCH_E_USAGE, "unknown template '%s' (dissemination, "
				     "referral or immediate)", template);
	snprintf(persons, sizeof(persons), "%s%s%s", suspect, immediate ? ",\n  " : "",
		 immediate ? victim : "");
	n = asprintf(&text, head, pouch_time_format(now, created),
		     referral ? referral_header : "", schemes[i].name, schemes[i].codes,
		     schemes[i].conditions,
		     referral ? referral_priority : immediate ? pressing : routine,
		     schemes[i].grade, schemes[i].grade, persons, referral ? media : "",
		     immediate ? "safeguarding-visit" : F "safeguarding-visit, data-preservation, "
		     "subscriber-check, victim-identification, arrest, search, deconfliction, "
		     "intelligence-development or other");
	if (n < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	n = pouch_json_parse("the skeleton", text, (size_t)n, out, err);
	free(text);
	return n;
}
