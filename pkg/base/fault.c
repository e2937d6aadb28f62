/* Fault injection for test builds (-DPOUCH_FAULTS): named sites that fail or stop at their
 * n-th call. Compiled to nothing in other builds. */
#ifdef POUCH_FAULTS
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/fault.h"

#define RULES_MAX 8

struct rule {
	char site[40];
	long n;
	long seen;
	int stop;
};

static struct rule rules[RULES_MAX];
static size_t nrules;

static int parse_rule(const char *text, size_t len, struct rule *r)
{
	char buf[80], *colon, *end, *action;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	colon = strchr(buf, ':');
	if (!colon || colon == buf || (size_t)(colon - buf) >= sizeof(r->site))
		return -1;
	*colon = '\0';
	action = strchr(colon + 1, ':');
	if (action)
		*action++ = '\0';
	errno = 0;
	r->n = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || r->n < 1)
		return -1;
	if (action && strcmp(action, "stop") != 0 && strcmp(action, "fail") != 0)
		return -1;
	memcpy(r->site, buf, (size_t)(colon - buf) + 1);
	r->stop = action && strcmp(action, "stop") == 0;
	r->seen = 0;
	return 0;
}

int pouch_fault_arm(const char *spec)
{
	struct rule parsed[RULES_MAX];
	size_t n = 0, len;
	const char *p = spec;

	while (*p) {
		len = strcspn(p, ",");
		if (n == RULES_MAX || parse_rule(p, len, &parsed[n]) < 0)
			return -1;
		n++;
		p += len;
		if (*p == ',')
			p++;
	}
	memcpy(rules, parsed, n * sizeof(parsed[0]));
	nrules = n;
	return 0;
}

int pouch_fault_hit(const char *site)
{
	size_t i;

	for (i = 0; i < nrules; i++) {
		if (strcmp(rules[i].site, site) != 0 ||
		    __atomic_add_fetch(&rules[i].seen, 1, __ATOMIC_SEQ_CST) != rules[i].n)
			continue;
		if (rules[i].stop) {
			raise(SIGSTOP);
			continue;
		}
		errno = EIO;
		return 1;
	}
	return 0;
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int pouch_fault_unused;
#endif
