/* pouch pull: the sources, the package lists page by page (pull_page.c takes each page, its
 * packages downloaded and verified by pull_pool.c's workers), the packages' names, and each
 * group of them moved into inbox/ or quarantine/ and recorded with the cursor in one
 * transaction. Receipts are pull_receipts.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fault.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "directory/partner.h"
#include "package/receipt.h"
#include "exchange/pull_internal.h"

/* Moves name.pouch (and name.pouch.pgp) from incoming/ into dir, replacing what a crashed run
 * left. The caller syncs the directories. */
static int move_in(struct pull_run *r, const char *name, int payload, const char *dir,
		   char **envpath, struct pouch_err *err)
{
	char *from[2] = {NULL, NULL}, *to[2] = {NULL, NULL};
	int i, ret = 0;

	if (asprintf(&from[0], "%s/%s.pouch", r->st.incoming, name) < 0 ||
	    asprintf(&to[0], "%s/%s.pouch", dir, name) < 0 ||
	    asprintf(&from[1], "%s/%s.pouch.pgp", r->st.incoming, name) < 0 ||
	    asprintf(&to[1], "%s/%s.pouch.pgp", dir, name) < 0) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* The payload first: a package is in place when its envelope is. */
	for (i = payload ? 1 : 0; i >= 0 && !ret; i--)
		if (pouch_fault_hit("fs.rename") || rename(from[i], to[i]) < 0)
			ret = pouch_err_set(err, POUCH_E_IO, "cannot move '%s' to '%s': %s",
					    from[i], to[i], strerror(errno));
	/* Whatever moved goes back: no file stays in dir without its row. */
	for (i = 0; ret < 0 && i < 2; i++)
		if (access(to[i], F_OK) == 0 && access(from[i], F_OK) != 0)
			rename(to[i], from[i]);
	if (!ret) {
		*envpath = to[0];
		to[0] = NULL;
	}
out:
	for (i = 0; i < 2; i++) {
		free(from[i]);
		free(to[i]);
	}
	return ret;
}

/* Puts the files move_in moved into dir back into incoming/, when the package could not be
 * recorded: no file stays in the inbox or quarantine without its row. */
static void move_back(struct pull_run *r, const char *name, const char *dir)
{
	static const char *const ext[] = { ".pouch", ".pouch.pgp" };
	char *from = NULL, *to = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (asprintf(&from, "%s/%s%s", dir, name, ext[i]) < 0)
			from = NULL;
		if (asprintf(&to, "%s/%s%s", r->st.incoming, name, ext[i]) < 0)
			to = NULL;
		if (from && to)
			rename(from, to);
		free(from);
		free(to);
		from = to = NULL;
	}
}

/* Records the package (inside the caller's transaction). A bad package another source listed
 * under the same (sender, id) gives way: its sender was never proved, and what an endpoint
 * lists cannot take a sender's id (its file stays in quarantine/). */
static int record(struct pull_run *r, struct pull_source *s, const struct pull_slot *sl,
		  struct pouch_err *err)
{
	const struct pull_item *it = &sl->it;
	const struct pull_verdict *v = &sl->v;
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = pouch_db_prepare(r->st.db,
			       "DELETE FROM incoming WHERE sender = ? AND id = ? AND verdict = 'bad'",
			       &st, err);
	if (ret < 0)
		goto out;
	pouch_db_bind_text(st, 1, it->sender);
	pouch_db_bind_text(st, 2, it->id);
	if ((ret = pouch_db_step(st, err)) < 0)
		goto out;
	pouch_db_finalize(st);
	st = NULL;
	ret = pouch_db_prepare(r->st.db,
			       "INSERT INTO incoming (id, source, sender, digest, size, "
			       "payload_size, verdict, reason, header_sha256, priority, created, "
			       "expires, received, receipt, name) "
			       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       &st, err);
	if (ret < 0)
		goto out;
	pouch_db_bind_text(st, 1, it->id);
	pouch_db_bind_text(st, 2, s->tls.url);
	pouch_db_bind_text(st, 3, it->sender);
	pouch_db_bind_text(st, 4, v->digest);
	pouch_db_bind_int64(st, 5, (int64_t)it->size);
	if (it->payload >= 0)
		pouch_db_bind_int64(st, 6, it->payload);
	pouch_db_bind_text(st, 7, v->good ? "good" : "bad");
	pouch_db_bind_text(st, 8, v->good ? NULL : v->reason);
	if (v->named) {
		pouch_db_bind_text(st, 9, v->hsha);
		pouch_db_bind_text(st, 10, v->hd.priority);
		pouch_db_bind_int64(st, 11, v->hd.created);
		pouch_db_bind_int64(st, 12, v->hd.expires);
	}
	pouch_db_bind_int64(st, 13, r->o->now);
	if (sl->receipt)
		pouch_db_bind_blob(st, 14, sl->receipt, sl->rlen);
	pouch_db_bind_text(st, 15, it->name);
	ret = pouch_db_step(st, err);
out:
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

/* Whether the sender's package id was pulled before: good from any source, or bad from this
 * one. The same id from another sender is another package; a bad one from another source
 * proves nothing about its sender, and another source may hold the genuine package. */
static int known(struct pull_run *r, struct pull_source *s, const struct pull_item *it,
		 struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_db_prepare(r->st.db,
				    "SELECT 1 FROM incoming WHERE sender = ? AND id = ? AND "
				    "(verdict = 'good' OR source = ?)",
				    &st, err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, it->sender);
	pouch_db_bind_text(st, 2, it->id);
	pouch_db_bind_text(st, 3, s->tls.url);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret;
}

/* The slot's package files in inbox/ or quarantine/. */
static const char *slot_dir(struct pull_run *r, const struct pull_slot *sl)
{
	return sl->v.good ? r->st.inbox : r->st.quarantine;
}

/* The files moved, the directories synced, then in the trail (before the packages count as
 * pulled), then the rows with the cursor after the last slot in one transaction. */
int pull_store(struct pull_run *r, struct pull_source *s, struct pull_slot *slots, size_t n,
	       struct pouch_err *err)
{
	struct pouch_audit_entry *e = NULL;
	size_t i, moved = 0, ne = 0;
	int good = 0, bad = 0, ret = 0;

	if (!(e = calloc(2 * n + 1, sizeof(*e))))
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (; moved < n && !ret; moved++) {
		struct pull_slot *sl = &slots[moved];
		const char *agency = sl->v.named ? sl->v.hd.sender.agency : sl->it.sender;
		if (sl->step == PULL_SKIP)
			continue;
		if ((ret = move_in(r, sl->it.name, sl->it.payload >= 0, slot_dir(r, sl), &sl->stored,
				   err)) < 0)
			break;
		good |= sl->v.good;
		bad |= !sl->v.good;
		e[ne++] = (struct pouch_audit_entry){.event = "pull",
						     .id = sl->it.id,
						     .agency = agency,
						     .digest = sl->v.digest,
						     .endpoint = s->tls.url};
		e[ne++] = (struct pouch_audit_entry){.event = "verify",
						     .id = sl->it.id,
						     .agency = agency,
						     .digest = sl->v.digest,
						     .verdict = sl->v.good ? "good" : "bad",
						     .reason = sl->v.good ? NULL : sl->v.reason};
	}
	if (!ret && ((good && (ret = pouch_fs_sync_dir(r->st.inbox, err)) < 0) ||
		     (bad && (ret = pouch_fs_sync_dir(r->st.quarantine, err)) < 0) ||
		     (ne && (ret = pouch_fs_sync_dir(r->st.incoming, err)) < 0) ||
		     (ne && (ret = pouch_audit_append_n(r->h, e, ne, r->o->now, err)) < 0) ||
		     (ret = pouch_db_begin(r->st.db, err)) < 0))
		goto out;
	for (i = 0; i < n && !ret; i++)
		if (slots[i].step != PULL_SKIP)
			ret = record(r, s, &slots[i], err);
	if (!ret && n)
		ret = pull_cursor_set(r, s->tls.url, "packages", slots[n - 1].it.cursor, err);
	if (!ret)
		ret = pouch_db_commit(r->st.db, err);
	if (ret < 0)
		pouch_db_rollback(r->st.db);
out:
	/* No file stays in inbox/ or quarantine/ without its row. */
	for (i = 0; ret < 0 && i < moved && i < n; i++)
		if (slots[i].stored) {
			move_back(r, slots[i].it.name, slot_dir(r, &slots[i]));
			free(slots[i].stored);
			slots[i].stored = NULL;
		}
	free(e);
	return ret;
}

/* Whether a name is taken: by a row, or by an earlier package of the page. */
static int name_taken(struct pull_run *r, struct pull_slot *slots, size_t n, const char *name,
		      struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if (slots[i].step != PULL_SKIP && strcmp(slots[i].it.name, name) == 0)
			return 1;
	if ((ret = pouch_db_prepare(r->st.db, "SELECT 1 FROM incoming WHERE name = ?", &st,
				    err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, name);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret < 0 ? ret : ret == POUCH_DB_ROW;
}

/* The base name of each package's files in incoming/, inbox/ and quarantine/: the id, or
 * SENDER.ID when another sender's package holds that name already. A package pulled before,
 * or listed twice in the page, is skipped. */
int pull_name(struct pull_run *r, struct pull_source *s, struct pull_slot *slots, size_t n,
	      struct pouch_err *err)
{
	struct pull_item *it;
	size_t i, k;
	int ret;

	for (i = 0; i < n; i++) {
		it = &slots[i].it;
		if ((ret = known(r, s, it, err)) < 0)
			return ret;
		for (k = 0; ret != POUCH_DB_ROW && k < i; k++)
			if (slots[k].step != PULL_SKIP && strcmp(slots[k].it.id, it->id) == 0 &&
			    strcmp(slots[k].it.sender, it->sender) == 0)
				ret = POUCH_DB_ROW;
		if (ret == POUCH_DB_ROW) {
			slots[i].step = PULL_SKIP;
			continue;
		}
		slots[i].step = PULL_FETCHING;
		if ((ret = name_taken(r, slots, i, it->id, err)) < 0)
			return ret;
		if (ret)
			snprintf(it->name, sizeof(it->name), "%s.%s", it->sender, it->id);
		else
			snprintf(it->name, sizeof(it->name), "%s", it->id);
	}
	return 0;
}

static void source_release(struct pull_source *s)
{
	pouch_https_free(s->https);
	pouch_tls_paths_release(&s->tls);
	memset(s, 0, sizeof(*s));
}

/* Pulls everything from one source; a failure of the source is reported, not returned. */
static int pull_source(struct pull_run *r, struct pull_source *s, struct pouch_err *err)
{
	struct pouch_https_opts ho = {0};
	struct pouch_pull_event ev = {0};
	struct pouch_err serr = {0};
	int ret;

	r->res->sources++;
	ho.ca_file = s->tls.ca_file;
	ho.pin = s->tls.pin;
	ho.client_cert = s->tls.client_cert;
	ho.client_key = s->tls.client_key;
	if ((ret = pouch_https_new(&ho, &s->https, &serr)) == 0 &&
	    (ret = pull_pool_start(r, s, &serr)) == 0 &&
	    (ret = pull_list(r, s, "packages", pull_take_page, &serr)) == 0 &&
	    (ret = pull_send_receipts(r, s, NULL, &serr)) == 0)
		ret = pull_fetch_receipts(r, s, &serr);
	pull_pool_stop(r);
	if (ret == POUCH_E_NET || ret == POUCH_E_USAGE) {
		ev.kind = POUCH_PULL_SOURCE_FAILED;
		ev.reason = serr.msg;
		pull_emit(r, s, &ev);
		return 0;
	}
	if (ret < 0)
		*err = serr;
	return ret;
}

/* Adds party's endpoint to the list unless its URL is there already. */
static int source_add(const struct pouch_home *h, const char *party, struct pull_source **list,
		      size_t *n, int required, struct pouch_err *err)
{
	struct pull_source s = {0};
	size_t i;
	int ret;

	snprintf(s.party, sizeof(s.party), "%s", party);
	ret = pouch_endpoint_tls(h, party, &s.tls, err);
	if (ret == POUCH_E_NOTFOUND && !required) {
		pouch_err_clear(err);
		ret = 0;
		goto out;
	}
	if (ret < 0)
		goto out;
	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].tls.url, s.tls.url) == 0)
			goto out;
	if ((ret = pouch_array_push(list, n, sizeof(s), &s, err)) == 0)
		return 0;
out:
	source_release(&s);
	return ret;
}

int pouch_pull(const struct pouch_home *h, const struct pouch_pull_opts *o,
	       struct pouch_pull_result *res, struct pouch_err *err)
{
	struct pull_run r = {0};
	struct pull_source *src = NULL;
	struct pouch_agency self = {0};
	char **codes = NULL;
	size_t i, n = 0, ncodes = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	r.h = h;
	r.o = o;
	r.res = res;
	r.limit = o->limit ? o->limit : POUCH_PULL_LIMIT;
	r.jobs = o->jobs ? o->jobs : POUCH_PULL_JOBS;
	if (r.limit > POUCH_PULL_LIMIT_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "a page holds 1 to %d packages",
				     POUCH_PULL_LIMIT_MAX);
	if ((ret = pouch_identity_load(h, &self, err)) < 0)
		return ret;
	if (o->from) {
		ret = source_add(h, o->from, &src, &n, 1, err);
	} else {
		ret = source_add(h, self.code, &src, &n, 0, err);
		if (!ret)
			ret = pouch_partner_codes(h, &codes, &ncodes, err);
		for (i = 0; !ret && i < ncodes; i++)
			ret = source_add(h, codes[i], &src, &n, 0, err);
		if (!ret && !n)
			ret = pouch_err_set(err, POUCH_E_NOTFOUND,
					    "no endpoint to pull from: set "
					    "ours (pouch endpoint set) or a partner's (pouch "
					    "partner set --endpoint)");
	}
	if (ret < 0 || (ret = pouch_state_open(h, &r.st, err)) < 0 ||
	    (ret = pouch_state_lock(&r.st, h, "pull", err)) < 0)
		goto out;
	for (i = 0; !ret && i < n; i++)
		ret = pull_source(&r, &src[i], err);
out:
	for (i = 0; i < n; i++)
		source_release(&src[i]);
	free(src);
	pouch_partner_codes_free(codes, ncodes);
	pouch_agency_release(&self);
	pouch_state_close(&r.st);
	return ret;
}
