/* Several packages on their way per endpoint: worker threads, each with a connection of its own
 * to one target, take the target's units in order (one at a time until one is delivered, and
 * again after a failure; then up to the run's parallel), try each with retries and full-jitter
 * backoff, and post what every attempt came to. The caller's thread records and reports the
 * events in the units' order, so what a run prints does not depend on which transfer ends
 * first; so that the endpoint's verification of one package overlaps the next upload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/json.h"
#include "exchange/push_internal.h"

struct worker {
	struct push_conn c;
	pthread_t thread;
};

uint64_t pouch_push_backoff_ms(unsigned n, uint64_t retry_after_ms, uint32_t rnd)
{
	uint64_t ceiling = POUCH_PUSH_BACKOFF_CAP_MS, delay;

	if (n < 16 && ((uint64_t)POUCH_PUSH_BACKOFF_BASE_MS << n) < ceiling)
		ceiling = (uint64_t)POUCH_PUSH_BACKOFF_BASE_MS << n;
	delay = ((uint64_t)rnd * (ceiling + 1)) >> 32;
	return delay < retry_after_ms ? retry_after_ms : delay;
}

static uint32_t random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)time(NULL) * 2654435761u;
	return r;
}

/* Ends the run with e (the first failure wins). r->mu held. */
static void fail_run(struct push_run *r, const struct pouch_err *e)
{
	if (!r->fail.code) {
		r->fail = *e;
		if (!r->fail.code)
			r->fail.code = POUCH_E_IO;
	}
	r->stop = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_cond_signal(&r->posted);
}

/* Posts ev for unit u. r->mu held. */
static void post(struct push_run *r, struct push_unit *u, const struct push_event *ev)
{
	struct pouch_err e = { 0 };

	if (pouch_array_push(&u->events, &u->nevents, sizeof(*ev), ev, &e) < 0) {
		fail_run(r, &e);
		return;
	}
	if (ev->final)
		u->finished = 1;
	pthread_cond_signal(&r->posted);
}

/* Waits ms, less when the run stops. r->mu held. */
static void pause_ms(struct push_run *r, uint64_t ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!r->stop && pthread_cond_timedwait(&r->changed, &r->mu, &until) != ETIMEDOUT)
		;
}

/* Delivers unit u over w's connection, retrying transient failures, posting each attempt. */
static void deliver_unit(struct worker *w, struct push_unit *u)
{
	struct push_run *r = w->c.run;
	struct push_target *t = w->c.t;
	struct push_event ev;
	struct pouch_err e = { 0 };
	unsigned n;
	int ret, end;

	for (n = 0;; n++) {
		memset(&ev, 0, sizeof(ev));
		ret = push_attempt(&w->c, &r->jobs[u->first], &ev.out, &e);
		pthread_mutex_lock(&r->mu);
		if (ret < 0) {
			fail_run(r, &e);
			pthread_mutex_unlock(&r->mu);
			return;
		}
		ev.counted = 1;
		ev.final = ev.out.kind != OUT_RETRY || (int)n >= r->o->retries ||
			   ev.out.retry_after_ms > POUCH_PUSH_BACKOFF_CAP_MS;
		if (!ev.final) {
			ev.wait_ms = pouch_push_backoff_ms(n, ev.out.retry_after_ms, random32());
			t->limit = 1;
		} else if (ev.out.kind == OUT_DELIVERED) {
			t->limit = r->parallel;
		} else if (ev.out.kind != OUT_FAILED) {
			t->limit = 1;
			t->down = 1;
			snprintf(t->reason, sizeof(t->reason), "%s", ev.out.reason);
		}
		post(r, u, &ev);
		if (!ev.final)
			pause_ms(r, ev.wait_ms);
		end = ev.final || r->stop;
		pthread_mutex_unlock(&r->mu);
		if (end)
			return;
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct push_run *r = w->c.run;
	struct push_target *t = w->c.t;
	struct push_event ev;
	struct push_unit *u;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->stop && t->next < t->nunits && !t->down && t->active >= t->limit)
			pthread_cond_wait(&r->changed, &r->mu);
		if (r->stop || t->next >= t->nunits)
			break;
		u = &r->units[t->units[t->next++]];
		if (t->down) {
			/* Not tried: the endpoint gave up on an earlier package, as said. */
			memset(&ev, 0, sizeof(ev));
			push_set_reason(&ev.out, OUT_STUCK, "%s", t->reason);
			ev.final = 1;
			post(r, u, &ev);
			continue;
		}
		t->active++;
		pthread_mutex_unlock(&r->mu);
		deliver_unit(w, u);
		pthread_mutex_lock(&r->mu);
		t->active--;
		pthread_cond_broadcast(&r->changed);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Starts the workers: up to r->parallel per target, no more than it has units. */
static int start(struct push_run *r, struct worker **out, size_t *n)
{
	struct worker *w;
	size_t i, k, all = 0;

	for (i = 0; i < r->ntargets; i++)
		all += r->targets[i].nunits < (size_t)r->parallel ? r->targets[i].nunits
								  : (size_t)r->parallel;
	*n = 0;
	*out = w = calloc(all ? all : 1, sizeof(*w));
	if (!w)
		return -1;
	for (i = 0; i < r->ntargets; i++) {
		for (k = 0; k < r->targets[i].nunits && k < (size_t)r->parallel; k++) {
			w[*n].c.run = r;
			w[*n].c.t = &r->targets[i];
			if (pthread_create(&w[*n].thread, NULL, work, &w[*n]) != 0)
				return -1;
			(*n)++;
		}
	}
	return 0;
}

/* Takes the events posted since the last call, in order: those of the first unit not wholly
 * recorded and of the units after it while each is finished. r->mu held. */
static int take(struct push_run *r, size_t *head, size_t **units, struct push_event **ev,
		size_t *n, struct pouch_err *err)
{
	size_t k;

	*n = 0;
	for (k = *head; k < r->nunits; k++) {
		struct push_unit *u = &r->units[k];
		size_t m = *n;
		for (; u->seen < u->nevents; u->seen++) {
			if (pouch_array_push(ev, &m, sizeof(**ev), &u->events[u->seen], err) < 0 ||
			    pouch_array_push(units, n, sizeof(**units), &k, err) < 0)
				return POUCH_E_NOMEM;
		}
		if (!u->finished)
			break;
	}
	while (*head < r->nunits && r->units[*head].finished &&
	       r->units[*head].seen == r->units[*head].nevents)
		(*head)++;
	return 0;
}

int push_pool_run(struct push_run *r,
		  int (*record)(struct push_run *r, const size_t *unit, const struct push_event *ev,
				size_t n, struct pouch_err *err),
		  struct pouch_err *err)
{
	struct worker *w = NULL;
	struct push_event *ev = NULL, none;
	size_t *units = NULL, head = 0, nw = 0, n, i;
	pthread_condattr_t ca;
	int ret = 0;

	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->show, NULL);
	pthread_cond_init(&r->posted, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->changed, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&r->mu);
	/* A package without an endpoint is not tried; its reason says why. */
	for (i = 0; i < r->nunits; i++) {
		if (r->units[i].target >= 0)
			continue;
		memset(&none, 0, sizeof(none));
		push_set_reason(&none.out, OUT_STUCK, "%s", r->jobs[r->units[i].first].reason);
		none.final = 1;
		post(r, &r->units[i], &none);
	}
	if (start(r, &w, &nw) < 0)
		fail_run(r, &(struct pouch_err){ POUCH_E_NOMEM, "cannot start the delivery "
						 "threads" });
	while (head < r->nunits) {
		while (!r->fail.code && r->units[head].seen == r->units[head].nevents)
			pthread_cond_wait(&r->posted, &r->mu);
		if (r->fail.code)
			break;
		if ((ret = take(r, &head, &units, &ev, &n, err)) < 0)
			break;
		pthread_mutex_unlock(&r->mu);
		ret = record(r, units, ev, n, err);
		free(units);
		free(ev);
		units = NULL;
		ev = NULL;
		pthread_mutex_lock(&r->mu);
		if (ret < 0)
			break;
	}
	if (ret == 0 && r->fail.code)
		ret = pouch_err_set(err, r->fail.code, "%s", r->fail.msg);
	r->stop = 1;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->mu);
	for (i = 0; i < nw; i++) {
		pthread_join(w[i].thread, NULL);
		pouch_https_free(w[i].c.https);
	}
	free(w);
	free(units);
	free(ev);
	for (i = 0; i < r->nunits; i++)
		free(r->units[i].events);
	pthread_cond_destroy(&r->changed);
	pthread_cond_destroy(&r->posted);
	pthread_mutex_destroy(&r->show);
	pthread_mutex_destroy(&r->mu);
	return ret;
}
