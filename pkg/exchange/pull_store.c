/* pouch pull, storing: a group of pulled packages moved from incoming/ into inbox/ or
 * quarantine/, the directories synced, the audit entries appended and the rows recorded with
 * the cursor in one transaction; and the names of a page's packages. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/fault.h"
#include "base/fs.h"
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
		     (ne && (ret = pouch_audit_append_many(r->h, e, ne, r->o->now, err)) < 0) ||
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
