/* The report's codes spelled out: the meanings of DOMAIN's grading and handling schemes, TLP
 * 2.0 labels and priority levels, as spec/report.md gives them. */
#include <stddef.h>
#include <string.h>

#include "report/report_meaning.h"

struct meaning {
	const char *code, *text;
};

struct scheme_meanings {
	const char *scheme, *label;
	const char *grade1, *grade2; /* the grade's members */
	const struct meaning *m1, *m2, *handling;
};

#define M(...) ((const struct meaning[]){__VA_ARGS__, {NULL, NULL}})

static const struct scheme_meanings schemes[] = {
	{"uk-3x5x2", "UK 3x5x2", "source", "intelligence",
	 M({"1", "reliable source"}, {"2", "untested source"}, {"3", "not reliable source"}),
	 M({"A", "known directly to the source"}, {"B", "known indirectly, corroborated"},
	   {"C", "known indirectly"}, {"D", "not known"}, {"E", "suspected to be false"}),
	 M({"P", "lawful sharing permitted"},
	   {"C", "lawful sharing permitted subject to conditions"})},
	{"uk-5x5x5", "UK 5x5x5 (legacy)", "source", "intelligence",
	 M({"A", "always reliable source"}, {"B", "mostly reliable source"},
	   {"C", "sometimes reliable source"}, {"D", "unreliable source"},
	   {"E", "untested source"}),
	 M({"1", "known to be true without reservation"},
	   {"2", "known personally to the source but not to the officer"},
	   {"3", "not personally known to the source but corroborated"},
	   {"4", "cannot be judged"}, {"5", "suspected to be false or malicious"}),
	 M({"1", "other law enforcement and prosecuting agencies, including EEA"},
	   {"2", "UK non-prosecuting parties (authorisation and records needed)"},
	   {"3", "non-EEA law enforcement (special conditions)"},
	   {"4", "originating agency only"},
	   {"5", "no further dissemination: refer to the originator"})},
	{"europol-4x4", "Europol 4x4", "source", "accuracy",
	 M({"A", "no doubt about the source"}, {"B", "source reliable in most instances"},
	   {"C", "source unreliable in most instances"}, {"X", "source cannot be assessed"}),
	 M({"1", "not in doubt"},
	   {"2", "known personally to the source but not to the official passing it on"},
	   {"3", "not known personally to the source but corroborated"},
	   {"4", "not known personally to the source and cannot be corroborated"}),
	 M({"H0", "only for preventing and combating crime"},
	   {"H1", "not to be disclosed in judicial proceedings without the provider's "
		  "permission"},
	   {"H2", "not to be disseminated without the provider's permission"},
	   {"H3", "other restrictions: see the conditions"})},
};

static const struct meaning tlps[] = {
	{"TLP:RED", "named recipients only, no further disclosure"},
	{"TLP:AMBER+STRICT", "the recipient's organisation only"},
	{"TLP:AMBER", "the recipient's organisation and its clients"},
	{"TLP:GREEN", "the community, never public channels"},
	{"TLP:CLEAR", "no limit on disclosure"},
	{NULL, NULL},
};

static const struct meaning levels[] = {
	{"immediate", "a child believed in immediate danger, a threat to life"},
	{"urgent", "time-critical"},
	{"routine", "routine"},
	{"information", "for information"},
	{NULL, NULL},
};

static const char *lookup(const struct meaning *m, const char *code)
{
	for (; m && m->code; m++)
		if (code && strcmp(m->code, code) == 0)
			return m->text;
	return NULL;
}

static const struct scheme_meanings *find(const char *scheme)
{
	size_t i;

	for (i = 0; scheme && i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(schemes[i].scheme, scheme) == 0)
			return &schemes[i];
	return NULL;
}

const char *pouch_grade_meaning(const char *scheme, const char *member, const char *code)
{
	const struct scheme_meanings *s = find(scheme);

	if (!s || !member)
		return NULL;
	if (strcmp(member, s->grade1) == 0)
		return lookup(s->m1, code);
	if (strcmp(member, s->grade2) == 0)
		return lookup(s->m2, code);
	return NULL;
}

const char *pouch_handling_meaning(const char *scheme, const char *code)
{
	const struct scheme_meanings *s = find(scheme);

	return s ? lookup(s->handling, code) : NULL;
}

const char *pouch_scheme_label(const char *scheme)
{
	const struct scheme_meanings *s = find(scheme);

	return s ? s->label : NULL;
}

const char *pouch_tlp_meaning(const char *tlp)
{
	return lookup(tlps, tlp);
}

const char *pouch_priority_meaning(const char *level)
{
	return lookup(levels, level);
}
