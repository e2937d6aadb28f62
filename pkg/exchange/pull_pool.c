/* pouch pull's workers: per source, r->jobs threads, each over a kept connection of its own,
 * take the packages of a page in listing order, download, verify and answer each (or send its
 * receipt once stored), while the caller's thread stores them in order (pull_page.c). Workers
 * touch no row: state.db stays the caller's thread's. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/pull_internal.h"

struct pull_pool {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct pull_slot **queue; /* a ring of cap entries */
	size_t head, count, cap;
	size_t busy;	   /* queued or being worked on */
	unsigned long gen; /* steps finished */
	int quit;
	struct pull_run *r;
	struct pull_source *s;
	size_t n;
	pthread_t *threads;
	struct pouch_https **https;
};

/* One step of slot on https, outside the lock. */
static void work(struct pull_pool *p, struct pouch_https *https, struct pull_slot *slot)
{
	if (slot->step == PULL_FETCHING)
		slot->ret = pull_fetch(p->r, p->s, https, slot, &slot->err);
	else
		slot->ret = pull_put_receipt(p->s, https, slot->it.id, slot->receipt, slot->rlen,
					     &slot->sent, &slot->warning, &slot->err);
	if (slot->ret < 0 && !slot->err.msg[0])
		pouch_err_set(&slot->err, slot->ret, "cannot pull package %s", slot->it.id);
}

static void *worker_main(void *arg)
{
	struct pull_pool *p = arg;
	struct pouch_https *https;
	struct pull_slot *slot;
	size_t me;

	pthread_mutex_lock(&p->lock);
	for (me = 0; me < p->n && !pthread_equal(p->threads[me], pthread_self()); me++)
		;
	https = me < p->n ? p->https[me] : NULL;
	for (;;) {
		while (!p->count && !p->quit)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->count)
			break;
		slot = p->queue[p->head];
		p->head = (p->head + 1) % p->cap;
		p->count--;
		pthread_mutex_unlock(&p->lock);
		work(p, https, slot);
		pthread_mutex_lock(&p->lock);
		slot->step = slot->step == PULL_FETCHING ? PULL_FETCHED : PULL_SENT;
		p->busy--;
		p->gen++;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pull_pool_start(struct pull_run *r, struct pull_source *s, struct pouch_err *err)
{
	struct pouch_https_opts ho = {0};
	struct pull_pool *p = calloc(1, sizeof(*p));
	size_t i;
	int ret = 0;

	if (!p || !(p->threads = calloc(r->jobs, sizeof(*p->threads))) ||
	    !(p->https = calloc(r->jobs, sizeof(*p->https)))) {
		if (p)
			free(p->threads);
		free(p);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->r = r;
	p->s = s;
	r->pool = p;
	ho.ca_file = s->tls.ca_file;
	ho.pin = s->tls.pin;
	ho.client_cert = s->tls.client_cert;
	ho.client_key = s->tls.client_key;
	for (i = 0; !ret && i < r->jobs; i++)
		ret = pouch_https_new(&ho, &p->https[i], err);
	/* Each thread finds its handle by its id, which is set under the lock. */
	pthread_mutex_lock(&p->lock);
	for (i = 0; !ret && i < r->jobs; i++)
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			ret = pouch_err_set(err, POUCH_E_NOMEM, "cannot start a pull worker");
		else
			p->n++;
	pthread_mutex_unlock(&p->lock);
	if (ret < 0)
		pull_pool_stop(r);
	return ret;
}

void pull_pool_stop(struct pull_run *r)
{
	struct pull_pool *p = r->pool;
	size_t i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	for (i = 0; i < r->jobs; i++)
		pouch_https_free(p->https[i]);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->queue);
	free(p->threads);
	free(p->https);
	free(p);
	r->pool = NULL;
}

/* The ring grows when full (only the caller's thread queues, under the lock). */
static int grow(struct pull_pool *p)
{
	size_t cap = p->cap ? p->cap * 2 : 64, i;
	struct pull_slot **q = malloc(cap * sizeof(*q));

	if (!q)
		return -1;
	for (i = 0; i < p->count; i++)
		q[i] = p->queue[(p->head + i) % p->cap];
	free(p->queue);
	p->queue = q;
	p->head = 0;
	p->cap = cap;
	return 0;
}

void pull_pool_queue(struct pull_run *r, struct pull_slot *slot)
{
	struct pull_pool *p = r->pool;

	pthread_mutex_lock(&p->lock);
	if (p->count == p->cap && grow(p) < 0) {
		/* Out of memory: the step is done here instead. */
		pthread_mutex_unlock(&p->lock);
		work(p, p->s->https, slot);
		slot->step = slot->step == PULL_FETCHING ? PULL_FETCHED : PULL_SENT;
		return;
	}
	p->queue[(p->head + p->count) % p->cap] = slot;
	p->count++;
	p->busy++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void pull_pool_lock(struct pull_run *r)
{
	pthread_mutex_lock(&r->pool->lock);
}

void pull_pool_unlock(struct pull_run *r)
{
	pthread_mutex_unlock(&r->pool->lock);
}

size_t pull_pool_wait(struct pull_run *r, unsigned long *seen, int drop)
{
	struct pull_pool *p = r->pool;
	struct pull_slot *slot;
	size_t i, kept = 0;

	while (seen && *seen == p->gen && p->busy)
		pthread_cond_wait(&p->done, &p->lock);
	if (seen)
		*seen = p->gen;
	for (i = 0; drop && i < p->count; i++) {
		slot = p->queue[(p->head + i) % p->cap];
		if (slot->step == PULL_FETCHING) {
			slot->step = PULL_DROPPED;
			p->busy--;
		} else {
			p->queue[(p->head + kept++) % p->cap] = slot;
		}
	}
	if (drop)
		p->count = kept;
	return p->busy;
}
