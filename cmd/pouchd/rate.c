/* pouchd's per-agency request budget: a token bucket per agency. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pouchd.h"

/* A token bucket per agency: per_minute requests, refilled continuously. */
struct bucket {
	char agency[POUCH_CODE_MAX + 1];
	double tokens;
	time_t at;
};

struct pd_rate {
	pthread_mutex_t lock;
	unsigned per_minute;
	struct bucket *b;
	size_t n;
};

int pd_rate_new(unsigned per_minute, struct pd_rate **out)
{
	struct pd_rate *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r)
		return -1;
	pthread_mutex_init(&r->lock, NULL);
	r->per_minute = per_minute;
	return 0;
}

void pd_rate_free(struct pd_rate *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->b);
	free(r);
}

static struct bucket *find(struct pd_rate *r, const char *agency, time_t now)
{
	struct bucket *more;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->b[i].agency, agency) == 0)
			return &r->b[i];
	more = realloc(r->b, (r->n + 1) * sizeof(*more));
	if (!more)
		return NULL;
	r->b = more;
	snprintf(r->b[r->n].agency, sizeof(r->b[r->n].agency), "%s", agency);
	r->b[r->n].tokens = r->per_minute;
	r->b[r->n].at = now;
	return &r->b[r->n++];
}

unsigned pd_rate_take(struct pd_rate *r, const char *agency, time_t now)
{
	struct bucket *b;
	unsigned wait = 0;

	if (!r || r->per_minute == 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	b = find(r, agency, now);
	if (!b) {
		wait = 1;
	} else {
		if (now > b->at) {
			b->tokens += (double)(now - b->at) * r->per_minute / 60.0;
			if (b->tokens > r->per_minute)
				b->tokens = r->per_minute;
			b->at = now;
		}
		if (b->tokens >= 1.0)
			b->tokens -= 1.0;
		else
			wait = (unsigned)((1.0 - b->tokens) * 60.0 / r->per_minute) + 1;
	}
	pthread_mutex_unlock(&r->lock);
	return wait;
}
