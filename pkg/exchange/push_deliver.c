/* Delivering the outbox: queued deliveries grouped by endpoint, each package tried
 * (push_attempt.c) by the workers of push_pool.c, transient failures retried with full-jitter
 * backoff, and every attempt recorded in state.db and the audit trail, in the order queued. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "audit/audit.h"
#include "exchange/push_internal.h"

static time_t run_now(const struct push_run *r)
{
	return r->o->now + (time_t)(r->waited_ms / 1000);
}

/* ---- recording ---- */

static const char *verdict_word(enum push_outcome_kind k)
{
	return k == OUT_DELIVERED ? "delivered" : k == OUT_FAILED ? "failed" : "queued";
}

/* Records an attempt (counted when counted is set) with outcome out on delivery j at time now,
 * adding its audit entry to audit (*naudit entries; the strings borrowed from j, url, out). */
static int record(struct push_run *r, struct push_job *j, const char *url,
		  const struct push_outcome *out, int counted, time_t now,
		  struct pouch_audit_entry **audit, size_t *naudit, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	uint64_t next_ms;
	int ret;

	if (out->kind == OUT_DELIVERED) {
		ret = pouch_db_prepare(r->s->db, "UPDATE delivery SET state = 'delivered', attempts "
				       "= attempts + 1, last_attempt = ?1, next_attempt = NULL, "
				       "delivered = ?1, reason = NULL WHERE id = ?2 AND "
				       "recipient = ?3", &st, err);
	} else if (out->kind == OUT_FAILED) {
		ret = pouch_db_prepare(r->s->db, "UPDATE delivery SET state = 'failed', attempts = "
				       "attempts + 1, last_attempt = ?1, next_attempt = NULL, "
				       "reason = ?4 WHERE id = ?2 AND recipient = ?3 AND state = 'queued'", &st,
				       err);
	} else {
		ret = pouch_db_prepare(r->s->db, counted ? "UPDATE delivery SET attempts = attempts "
				       "+ 1, last_attempt = ?1, next_attempt = ?5, reason = ?4 WHERE "
				       "id = ?2 AND recipient = ?3"
				       : "UPDATE delivery SET next_attempt = ?5, reason = ?4 WHERE "
					 "id = ?2 AND recipient = ?3 AND ?1 IS NOT NULL", &st, err);
	}
	if (ret < 0)
		return ret;
	next_ms = pouch_push_backoff_ms((unsigned)(j->attempts < 16 ? j->attempts : 16),
					out->retry_after_ms, UINT32_MAX);
	pouch_db_bind_int64(st, 1, (int64_t)now);
	pouch_db_bind_text(st, 2, j->id);
	pouch_db_bind_text(st, 3, j->recipient);
	if (out->kind != OUT_DELIVERED)
		pouch_db_bind_text(st, 4, out->reason);
	if (out->kind == OUT_RETRY || out->kind == OUT_STUCK)
		pouch_db_bind_int64(st, 5, (int64_t)now + (int64_t)(next_ms / 1000));
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	if (ret < 0)
		return ret;
	if (!counted)
		return 0;
	j->attempts++;
	return pouch_array_push(audit, naudit, sizeof(**audit), &(struct pouch_audit_entry){
					.event = "push-attempt", .id = j->id, .agency = j->recipient,
					.endpoint = url, .verdict = verdict_word(out->kind),
					.reason = out->kind == OUT_DELIVERED ? NULL : out->reason },
				err);
}

static void report(struct push_run *r, const struct push_job *j, const char *url,
		   enum pouch_push_verdict v, const char *reason, uint64_t wait_ms)
{
	struct pouch_push_report rep = { v, j->id, j->recipient, url, reason, j->attempts,
					 wait_ms, j->priority };

	if (v == POUCH_PUSH_DELIVERED)
		r->sum->delivered++;
	else if (v == POUCH_PUSH_QUEUED)
		r->sum->queued++;
	else if (v == POUCH_PUSH_FAILED)
		r->sum->failed++;
	if (!r->o->report)
		return;
	/* Not over a transfer's progress line, which a worker may be drawing. */
	pthread_mutex_lock(&r->show);
	r->o->report(r->o->arg, &rep);
	pthread_mutex_unlock(&r->show);
}

static enum pouch_push_verdict final_verdict(enum push_outcome_kind k)
{
	return k == OUT_DELIVERED ? POUCH_PUSH_DELIVERED
				  : k == OUT_FAILED ? POUCH_PUSH_FAILED : POUCH_PUSH_QUEUED;
}

/* Whether job i is one of unit u's: its package, at its target, not done (a unit without a
 * target is its first job alone). */
static int of_unit(const struct push_run *r, const struct push_unit *u, size_t i)
{
	const struct push_job *j = &r->jobs[i];

	return !j->done && j->target == u->target && strcmp(j->id, r->jobs[u->first].id) == 0 &&
	       (u->target >= 0 || i == u->first);
}

/* Records the n events ev (of the units unit, in the run's order) in one transaction, their
 * audit entries appended in one write before it commits, then reports each: a retry with its
 * wait, a final outcome per job. A kill before the commit leaves the deliveries queued: the
 * next run sends them again and the endpoint answers 200 for what it holds, so nothing is lost
 * or stored twice. */
static int record_events(struct push_run *r, const size_t *unit, const struct push_event *ev,
			 size_t n, struct pouch_err *err)
{
	struct pouch_audit_entry *audit = NULL;
	size_t k, i, naudit = 0;
	int ret;

	if ((ret = pouch_db_begin(r->s->db, err)) < 0)
		return ret;
	for (k = 0; k < n; k++) {
		const struct push_unit *u = &r->units[unit[k]];
		const char *url = u->target >= 0 ? r->targets[u->target].url : NULL;
		time_t now = run_now(r);
		if (!ev[k].final)
			r->waited_ms += ev[k].wait_ms;
		for (i = u->first; i < r->njobs; i++) {
			if (of_unit(r, u, i) &&
			    (ret = record(r, &r->jobs[i], url, &ev[k].out, ev[k].counted, now,
					  &audit, &naudit, err)) < 0)
				goto out;
		}
	}
	ret = pouch_audit_append_many(r->h, audit, naudit, run_now(r), err);
out:
	free(audit);
	if (ret < 0) {
		pouch_db_rollback(r->s->db);
		return ret;
	}
	if ((ret = pouch_db_commit(r->s->db, err)) < 0)
		return ret;
	for (k = 0; k < n; k++) {
		const struct push_unit *u = &r->units[unit[k]];
		const char *url = u->target >= 0 ? r->targets[u->target].url : NULL;
		const struct push_outcome *out = &ev[k].out;
		if (!ev[k].final) {
			report(r, &r->jobs[u->first], url, POUCH_PUSH_RETRY, out->reason,
			       ev[k].wait_ms);
			continue;
		}
		for (i = u->first; i < r->njobs; i++) {
			if (!of_unit(r, u, i))
				continue;
			r->jobs[i].done = 1;
			report(r, &r->jobs[i], url, final_verdict(out->kind),
			       out->kind == OUT_DELIVERED ? NULL : out->reason, 0);
		}
	}
	return 0;
}

/* ---- planning ---- */

static void strip_slash(char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
}

/* The target for url with the TLS settings tls (taken over: zeroed here), found or added. */
static int target_for(struct push_run *r, struct pouch_tls_paths *tls, long *index,
		      struct pouch_err *err)
{
	struct push_target t = { 0 };
	size_t i;

	strip_slash(tls->url);
	for (i = 0; i < r->ntargets; i++) {
		if (strcmp(r->targets[i].url, tls->url) == 0) {
			pouch_tls_paths_release(tls);
			*index = (long)i;
			return 0;
		}
	}
	t.url = tls->url;
	t.tls = *tls;
	if (pouch_array_push(&r->targets, &r->ntargets, sizeof(t), &t, err) < 0) {
		pouch_tls_paths_release(tls);
		return POUCH_E_NOMEM;
	}
	memset(tls, 0, sizeof(*tls));
	*index = (long)r->ntargets - 1;
	return 0;
}

/* Works out where job j goes (endpoint: the URL it was queued with, or NULL). A party without a
 * usable endpoint leaves j without a target and its reason set. */
static int resolve(struct push_run *r, struct push_job *j, const char *endpoint,
		   struct pouch_err *err)
{
	struct pouch_tls_paths tls = { 0 }, own = { 0 };
	struct pouch_err e = { 0 };
	char *url = NULL;
	int ret;

	j->target = -1;
	if (!endpoint) {
		ret = pouch_endpoint_tls(r->h, j->recipient, &tls, &e);
		if (ret == POUCH_E_NOMEM)
			return pouch_err_set(err, ret, "%s", e.msg);
		if (ret < 0) {
			snprintf(j->reason, sizeof(j->reason), "%s", e.msg);
			pouch_tls_paths_release(&tls);
			return 0;
		}
		return target_for(r, &tls, &j->target, err);
	}
	/* A given URL: our own endpoint's TLS when it is our own endpoint, else the recipient's
	 * settings when it has a record, else the system's CAs and no client certificate. */
	url = strdup(endpoint);
	if (!url)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	strip_slash(url);
	ret = pouch_endpoint_tls(r->h, NULL, &own, &e);
	if (ret == 0) {
		strip_slash(own.url);
		if (strcmp(own.url, url) == 0) {
			free(url);
			return target_for(r, &own, &j->target, err);
		}
	}
	pouch_tls_paths_release(&own);
	ret = pouch_endpoint_tls(r->h, j->recipient, &tls, &e);
	if (ret == POUCH_E_NOMEM) {
		free(url);
		pouch_tls_paths_release(&tls);
		return pouch_err_set(err, ret, "%s", e.msg);
	}
	if (ret < 0)
		pouch_tls_paths_release(&tls);
	free(tls.url);
	tls.url = url;
	return target_for(r, &tls, &j->target, err);
}

static int selected(const struct pouch_push_opts *o, const char *id)
{
	size_t i;

	if (!o->ids)
		return 1;
	for (i = 0; i < o->nids; i++)
		if (strcmp(o->ids[i], id) == 0)
			return 1;
	return 0;
}

/* Loads the queued deliveries o selects, in the order they were queued, and resolves each. */
static int plan(struct push_run *r, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	struct push_job j;
	const char *t;
	char *endpoint;
	int ret;

	ret = pouch_db_prepare(r->s->db, "SELECT d.id, d.recipient, d.endpoint, d.attempts, "
			       "o.digest, o.size, o.payload_size, o.priority FROM delivery d JOIN outgoing o "
			       "ON o.id = d.id WHERE d.state = 'queued' ORDER BY o.queued, d.id, "
			       "d.pos", &st, err);
	if (ret < 0)
		return ret;
	while ((ret = pouch_db_step(st, err)) == POUCH_DB_ROW) {
		memset(&j, 0, sizeof(j));
		snprintf(j.id, sizeof(j.id), "%s", (t = pouch_db_column_text(st, 0)) ? t : "");
		if (!selected(r->o, j.id))
			continue;
		snprintf(j.recipient, sizeof(j.recipient), "%s",
			 (t = pouch_db_column_text(st, 1)) ? t : "");
		j.attempts = (long)pouch_db_column_int64(st, 3);
		snprintf(j.digest, sizeof(j.digest), "%s",
			 (t = pouch_db_column_text(st, 4)) ? t : "");
		j.size = (uint64_t)pouch_db_column_int64(st, 5);
		j.payload_size = pouch_db_column_is_null(st, 6) ? -1 : pouch_db_column_int64(st, 6);
		snprintf(j.priority, sizeof(j.priority), "%s",
			 (t = pouch_db_column_text(st, 7)) ? t : "");
		endpoint = NULL;
		if ((t = pouch_db_column_text(st, 2)) && !(endpoint = strdup(t))) {
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			break;
		}
		ret = resolve(r, &j, endpoint, err);
		free(endpoint);
		if (ret < 0 || (ret = pouch_array_push(&r->jobs, &r->njobs, sizeof(j), &j, err)) < 0)
			break;
	}
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

/* Groups the jobs into units: a package goes to each target once, for all its recipients
 * there (its jobs are next to each other, in the order queued). */
static int group(struct push_run *r, struct pouch_err *err)
{
	struct push_unit u;
	size_t i, k;
	int dup;

	for (i = 0; i < r->njobs; i++) {
		dup = 0;
		for (k = i; !dup && k-- > 0 && strcmp(r->jobs[k].id, r->jobs[i].id) == 0;)
			dup = r->jobs[i].target >= 0 && r->jobs[k].target == r->jobs[i].target;
		if (dup)
			continue;
		memset(&u, 0, sizeof(u));
		u.first = i;
		u.target = r->jobs[i].target;
		if (pouch_array_push(&r->units, &r->nunits, sizeof(u), &u, err) < 0)
			return POUCH_E_NOMEM;
		k = r->nunits - 1;
		if (u.target >= 0 && pouch_array_push(&r->targets[u.target].units,
						      &r->targets[u.target].nunits, sizeof(k), &k,
						      err) < 0)
			return POUCH_E_NOMEM;
	}
	return 0;
}

int pouch_push_deliver(const struct pouch_home *h, struct pouch_state *s,
		       const struct pouch_push_opts *o, struct pouch_push_summary *sum,
		       struct pouch_err *err)
{
	struct push_run r = { .h = h, .s = s, .o = o, .sum = sum };
	size_t i;
	int ret;

	memset(sum, 0, sizeof(*sum));
	if (o->retries < 0 || o->retries > POUCH_PUSH_RETRIES_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "retries must be from 0 to %d",
				     POUCH_PUSH_RETRIES_MAX);
	if (o->parallel < 0 || o->parallel > POUCH_PUSH_PARALLEL_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "parallel must be from 1 to %d",
				     POUCH_PUSH_PARALLEL_MAX);
	r.parallel = o->parallel ? o->parallel : POUCH_PUSH_PARALLEL;
	if ((ret = plan(&r, err)) < 0 || (ret = group(&r, err)) < 0)
		goto out;
	for (i = 0; i < r.ntargets; i++)
		r.targets[i].limit = 1;
	/* libcurl is set up before the threads start. */
	if (r.nunits && (ret = pouch_https_global_init(err)) < 0)
		goto out;
	ret = r.nunits ? push_pool_run(&r, record_events, err) : 0;
out:
	for (i = 0; i < r.ntargets; i++) {
		free(r.targets[i].units);
		pouch_tls_paths_release(&r.targets[i].tls);
	}
	free(r.targets);
	free(r.units);
	free(r.jobs);
	return ret < 0 ? ret : 0;
}
