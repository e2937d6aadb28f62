/* The outbox: taking our packages into it (verified, copied, queued in one transaction).
 * Delivery is in push_deliver.c, reading the outbox back in push_show.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "directory/agency.h"
#include "audit/audit.h"
#include "base/fs.h"
#include "exchange/push_internal.h"
#include "package/receipt.h"
#include "base/timefmt.h"
#include "package/verify.h"

/* One file on its way into the outbox. */
struct incoming_pkg {
	const char *path;
	struct pouch_verified v;
	int verified;
	char digest[POUCH_SHA256_HEX];
	uint64_t size;
	char header_sha256[POUCH_SHA256_HEX];
	int added;
	int copied; /* its files are in the outbox, its rows not yet committed */
	char agencies[POUCH_RECIPIENTS_MAX * (POUCH_CODE_MAX + 1) + 1]; /* for the audit trail */
};

static int nomem(struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

/* The SHA-256 and size of the file at path, refused unhashed when larger than max. */
static int file_digest(const char *path, uint64_t max, char *hex, uint64_t *size,
		       struct pouch_err *err)
{
	int fd, ret = pouch_fs_open_regular(NULL, path, max, 0, &fd, NULL, err);

	if (ret < 0)
		return ret;
	ret = pouch_sha256_fd(fd, hex, size, err);
	close(fd);
	if (ret < 0)
		pouch_err_prefix(err, "cannot read '%s'", path);
	return ret;
}

/* The digest the outbox holds for id into digest (""), 0 when found, 1 when not. */
static int stored_digest(struct pouch_state *s, const char *id, char *digest,
			 struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	const char *d;
	int ret;

	ret = pouch_db_prepare(s->db, "SELECT digest FROM outgoing WHERE id = ?", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, id);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW) {
		d = pouch_db_column_text(st, 0);
		snprintf(digest, POUCH_SHA256_HEX, "%s", d ? d : "");
		ret = 0;
	} else if (ret == POUCH_DB_DONE) {
		ret = 1;
	}
	pouch_db_finalize(st);
	return ret;
}

/* Reads p->path whole, once: its digest is of the very bytes a package of ours is taken from. */
static int read_whole(struct incoming_pkg *p, char **buf, size_t *len, struct pouch_err *err)
{
	int ret = pouch_fs_read(p->path, POUCH_ENVELOPE_MAX, buf, len, err);

	if (ret == 0)
		ret = pouch_sha256_buf(*buf, *len, p->digest, err);
	p->size = *len;
	return ret;
}

/* Verifies p->path (or takes it as one this home packed) and works out whether it is new to
 * the outbox. */
static int examine(const struct pouch_home *h, struct pouch_state *s,
		   const struct pouch_agency *own, struct incoming_pkg *p, time_t now,
		   struct pouch_err *err)
{
	char stored[POUCH_SHA256_HEX], *buf = NULL;
	size_t len = 0;
	int ret;

	ret = read_whole(p, &buf, &len, err);
	if (ret == 0)
		ret = push_take_own(s, own, p->path, buf, len, p->digest, now, &p->v, err);
	free(buf);
	if (ret < 0)
		return ret;
	if (ret == 0 && (ret = pouch_package_verify(h, p->path, now, &p->v, err)) < 0)
		return ret;
	p->verified = 1;
	if (strcmp(p->v.h.sender.agency, own->code) != 0)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "cannot push '%s': package %s was sent by %s, not by us (%s)",
				     p->path, p->v.h.id, p->v.h.sender.agency, own->code);
	ret = pouch_receipt_header_sha256(p->v.env.header, p->v.env.header_len, p->header_sha256,
					  err);
	if (ret < 0)
		return ret;
	ret = stored_digest(s, p->v.h.id, stored, err);
	if (ret < 0)
		return ret;
	if (ret == 1) {
		p->added = 1;
		return 0;
	}
	if (strcmp(stored, p->digest) != 0)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "cannot push '%s': another package with id %s is already in the "
				     "outbox", p->path, p->v.h.id);
	p->added = 0;
	return 0;
}

/* Removes p's files from the outbox (those of a package whose rows were not committed). */
static void uncopy(struct pouch_state *s, const struct incoming_pkg *p)
{
	char *path = NULL;

	if (asprintf(&path, "%s/%s.pouch", s->outbox, p->v.h.id) < 0)
		return;
	pouch_fs_remove(path, NULL);
	free(path);
	if (asprintf(&path, "%s/%s.pouch.pgp", s->outbox, p->v.h.id) < 0)
		return;
	pouch_fs_remove(path, NULL);
	free(path);
}

/* Copies p's files into the outbox as ID.pouch (and ID.pouch.pgp) and checks the copy is what
 * was verified. A file left there without a row (an earlier run stopped before its commit) is
 * replaced: the caller holds the push lock and no row names it. */
static int copy_in(struct pouch_state *s, struct incoming_pkg *p, struct pouch_err *err)
{
	char *env = NULL, *pay = NULL, digest[POUCH_SHA256_HEX];
	uint64_t size;
	int ret;

	if (asprintf(&env, "%s/%s.pouch", s->outbox, p->v.h.id) < 0) {
		env = NULL;
		return nomem(err);
	}
	if (p->v.payload_path && asprintf(&pay, "%s.pgp", env) < 0) {
		pay = NULL;
		ret = nomem(err);
		goto out;
	}
	/* The payload copy too must be what the header signs: the file may change after verify. */
	if (pay && ((ret = pouch_fs_copy(p->v.payload_path, pay, 0600, 0, err)) < 0 ||
		    (ret = file_digest(pay, UINT64_MAX, digest, &size, err)) < 0))
		goto out;
	if (pay && (strcmp(digest, p->v.h.payload_sha256) != 0 || size != p->v.h.payload_size)) {
		ret = pouch_err_set(err, POUCH_E_REFUSED, "cannot push '%s': its payload changed "
				    "while being read", p->path);
		goto out;
	}
	if ((ret = pouch_fs_copy(p->path, env, 0600, 0, err)) < 0 ||
	    (ret = file_digest(env, UINT64_MAX, digest, &size, err)) < 0)
		goto out;
	if (strcmp(digest, p->digest) != 0 || size != p->size)
		ret = pouch_err_set(err, POUCH_E_REFUSED, "cannot push '%s': it changed while "
				    "being read", p->path);
out:
	if (ret < 0)
		uncopy(s, p);
	free(env);
	free(pay);
	return ret;
}

/* Inserts the outgoing row of p and a queued delivery per recipient. */
static int insert_rows(struct pouch_state *s, const struct incoming_pkg *p, const char *endpoint,
		       time_t now, struct pouch_err *err)
{
	const struct pouch_header *hd = &p->v.h;
	struct pouch_db_stmt *st = NULL;
	size_t i;
	int ret;

	ret = pouch_db_prepare(s->db, "INSERT INTO outgoing (id, sender, digest, size, "
			       "header_sha256, priority, payload_size, created, expires, queued) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, hd->id);
	pouch_db_bind_text(st, 2, hd->sender.agency);
	pouch_db_bind_text(st, 3, p->digest);
	pouch_db_bind_int64(st, 4, (int64_t)p->size);
	pouch_db_bind_text(st, 5, p->header_sha256);
	pouch_db_bind_text(st, 6, hd->priority);
	if (p->v.payload_path)
		pouch_db_bind_int64(st, 7, (int64_t)hd->payload_size);
	else
		pouch_db_bind_null(st, 7);
	pouch_db_bind_int64(st, 8, (int64_t)hd->created);
	pouch_db_bind_int64(st, 9, (int64_t)hd->expires);
	pouch_db_bind_int64(st, 10, (int64_t)now);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	st = NULL;
	if (ret < 0)
		return ret;
	ret = pouch_db_prepare(s->db, "INSERT INTO delivery (id, pos, recipient, endpoint, state) "
			       "VALUES (?, ?, ?, ?, 'queued')", &st, err);
	for (i = 0; ret >= 0 && i < hd->nrecipients; i++) {
		pouch_db_reset(st);
		pouch_db_bind_text(st, 1, hd->id);
		pouch_db_bind_int64(st, 2, (int64_t)i);
		pouch_db_bind_text(st, 3, hd->recipients[i].agency);
		pouch_db_bind_text(st, 4, endpoint);
		ret = pouch_db_step(st, err);
	}
	pouch_db_finalize(st);
	return ret < 0 ? ret : 0;
}

/* The "push" audit entries of the newly queued packages (id, recipients, envelope digest),
 * in one append. */
static int audit_queued(const struct pouch_home *h, struct incoming_pkg *pk, size_t n, time_t now,
			struct pouch_err *err)
{
	struct pouch_audit_entry *e = calloc(n ? n : 1, sizeof(*e));
	size_t i, k, len, m = 0;
	int ret;

	if (!e)
		return nomem(err);
	for (k = 0; k < n; k++) {
		struct incoming_pkg *p = &pk[k];
		if (!p->added)
			continue;
		for (i = 0, len = 0; i < p->v.h.nrecipients; i++)
			len += (size_t)snprintf(p->agencies + len, sizeof(p->agencies) - len, "%s%s",
						i ? "," : "", p->v.h.recipients[i].agency);
		e[m++] = (struct pouch_audit_entry){ .event = "push", .id = p->v.h.id,
						     .agency = p->agencies, .digest = p->digest,
						     .verdict = "queued" };
	}
	ret = pouch_audit_append_many(h, e, m, now, err);
	free(e);
	return ret;
}

int pouch_push_queue(const struct pouch_home *h, struct pouch_state *s, const char *const *paths,
		     size_t n, const char *endpoint, time_t now, struct pouch_push_queued *out,
		     struct pouch_err *err)
{
	struct pouch_agency own = { 0 };
	struct incoming_pkg *pk = NULL;
	size_t i, j;
	int ret;

	if (endpoint && (ret = pouch_endpoint_check(endpoint, err)) < 0)
		return ret;
	if ((ret = pouch_agency_load(h->agency, &own, err)) < 0)
		return ret;
	pk = calloc(n ? n : 1, sizeof(*pk));
	if (!pk) {
		ret = nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		pk[i].path = paths[i];
		if ((ret = examine(h, s, &own, &pk[i], now, err)) < 0)
			goto out;
		/* The same package twice in one command is queued once. */
		for (j = 0; j < i && pk[i].added; j++) {
			if (strcmp(pk[j].v.h.id, pk[i].v.h.id) != 0)
				continue;
			if (strcmp(pk[j].digest, pk[i].digest) != 0) {
				ret = pouch_err_set(err, POUCH_E_REFUSED, "cannot push '%s' and "
						    "'%s': two packages with the same id %s",
						    pk[j].path, pk[i].path, pk[i].v.h.id);
				goto out;
			}
			pk[i].added = 0;
		}
	}
	for (i = 0; i < n; i++) {
		if (pk[i].added && (ret = copy_in(s, &pk[i], err)) < 0)
			goto out;
		pk[i].copied = pk[i].added;
	}
	if ((ret = pouch_fs_sync_dir(s->outbox, err)) < 0 || (ret = pouch_db_begin(s->db, err)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (pk[i].added && (ret = insert_rows(s, &pk[i], endpoint, now, err)) < 0) {
			pouch_db_rollback(s->db);
			goto out;
		}
	}
	if ((ret = pouch_db_commit(s->db, err)) < 0)
		goto out;
	for (i = 0; i < n; i++)
		pk[i].copied = 0; /* their rows name them now */
	for (i = 0; i < n; i++) {
		snprintf(out[i].id, sizeof(out[i].id), "%s", pk[i].v.h.id);
		out[i].added = pk[i].added;
	}
	ret = audit_queued(h, pk, n, now, err);
out:
	for (i = 0; pk && i < n; i++) {
		if (pk[i].copied)
			uncopy(s, &pk[i]);
		if (pk[i].verified)
			pouch_verified_release(&pk[i].v);
	}
	free(pk);
	pouch_agency_release(&own);
	return ret;
}
