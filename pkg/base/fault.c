/* Fault injection for test builds (-DPOUCH_FAULTS): named sites that fail or stop at their
 * n-th call. Compiled to nothing in other builds. */
#ifdef POUCH_FAULTS
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fault.h"

#define RULES_MAX 8
#define GATE_MAX 256

struct rule {
	char site[40];
	long n;
	long seen;
	int stop;
	char gate[GATE_MAX]; /* hold=GATE: the path whose creation releases the hold, or "" */
};

static struct rule rules[RULES_MAX];
static size_t nrules;

static int parse_rule(const char *text, size_t len, struct rule *r)
{
	char buf[40 + GATE_MAX + 32], *colon, *end, *action;

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
	r->gate[0] = '\0';
	if (action && strncmp(action, "hold=", 5) == 0) {
		if (!action[5] || strlen(action + 5) >= sizeof(r->gate))
			return -1;
		memcpy(r->gate, action + 5, strlen(action + 5) + 1);
	} else if (action && strcmp(action, "stop") != 0 && strcmp(action, "fail") != 0) {
		return -1;
	}
	memcpy(r->site, buf, (size_t)(colon - buf) + 1);
	r->stop = action && strcmp(action, "stop") == 0;
	r->seen = 0;
	return 0;
}

/* Holds the calling thread alone (the rest of the process runs on): GATE.held is created to
 * say the hold is reached, then the thread waits until GATE exists. */
static void hold(const char *gate)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	char held[GATE_MAX + 8];
	int fd;

	snprintf(held, sizeof(held), "%s.held", gate);
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	while (access(gate, F_OK) != 0)
		nanosleep(&tick, NULL);
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
	const char *gate = NULL;
	int stop = 0, fail = 0;
	size_t i;

	/* Every rule of the site counts the call before any acts: a thread held by one rule must
	 * not keep the others from counting the calls of other threads. */
	for (i = 0; i < nrules; i++) {
		if (strcmp(rules[i].site, site) != 0 ||
		    __atomic_add_fetch(&rules[i].seen, 1, __ATOMIC_SEQ_CST) != rules[i].n)
			continue;
		if (rules[i].stop)
			stop = 1;
		else if (rules[i].gate[0])
			gate = rules[i].gate;
		else
			fail = 1;
	}
	if (stop)
		raise(SIGSTOP);
	if (gate)
		hold(gate);
	if (fail)
		errno = EIO;
	return fail;
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int pouch_fault_unused;
#endif
