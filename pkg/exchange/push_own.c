/* Packages this home made itself: pack records the SHA-256 of each envelope it writes in
 * state.db, and push takes a file with such a digest as ours without verifying its signature
 * again (its header is still parsed and held to our keys and the time). */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/timefmt.h"
#include "directory/agency.h"
#include "exchange/push_internal.h"
#include "package/verify.h"

int pouch_push_packed_record(const struct pouch_home *h, const char *id, const char *digest,
			     time_t now, struct pouch_err *err)
{
	return pouch_push_packed_record_many(h, &id, &digest, 1, now, err);
}

int pouch_push_packed_record_many(const struct pouch_home *h, const char *const *id,
				  const char *const *digest, size_t n, time_t now,
				  struct pouch_err *err)
{
	struct pouch_state s = { 0 };
	struct pouch_db_stmt *st = NULL;
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if (!pouch_is_hex256(digest[i]))
			return pouch_err_set(err, POUCH_E_USAGE, "cannot record package %s: no "
					     "digest", id[i]);
	if (n == 0)
		return 0;
	if ((ret = pouch_state_open(h, &s, err)) < 0)
		return ret;
	ret = pouch_db_begin(s.db, err);
	if (ret == 0)
		ret = pouch_db_prepare(s.db, "INSERT OR IGNORE INTO packed (digest, id, made) "
				       "VALUES (?, ?, ?)", &st, err);
	for (i = 0; ret == 0 && i < n; i++) {
		pouch_db_reset(st);
		pouch_db_bind_text(st, 1, digest[i]);
		pouch_db_bind_text(st, 2, id[i]);
		pouch_db_bind_int64(st, 3, (int64_t)now);
		ret = pouch_db_step(st, err);
		ret = ret < 0 ? ret : 0;
	}
	pouch_db_finalize(st);
	if (ret == 0)
		ret = pouch_db_commit(s.db, err);
	else
		pouch_db_rollback(s.db);
	pouch_state_close(&s);
	return ret;
}

/* Whether this home recorded digest as the envelope of package id it made: 1, 0, or < 0. */
static int packed_here(struct pouch_state *s, const char *digest, const char *id,
		       struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	const char *rid;
	int ret;

	ret = pouch_db_prepare(s->db, "SELECT id FROM packed WHERE digest = ?", &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, digest);
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_ROW)
		ret = (rid = pouch_db_column_text(st, 0)) && strcmp(rid, id) == 0;
	pouch_db_finalize(st);
	return ret == POUCH_DB_DONE ? 0 : ret;
}

/* Whether fpr is a key of our own agency a that signs now, as verification has it (a retired
 * key until its verify_until). */
static int own_signing_key(const struct pouch_agency *a, const char *fpr, time_t now)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (strcmp(a->keys[i].fpr, fpr) == 0 &&
		    (!a->keys[i].retired || now < a->keys[i].verify_until))
			return 1;
	return 0;
}

/* Whether the detached payload beside path is named as pack names it and is, now, the one the
 * header signs (a regular file of its size and SHA-256); its path goes to v->payload_path. Any
 * doubt is left to the full verification, which says what is wrong. */
static int payload_beside(const char *path, struct pouch_verified *v)
{
	char want[POUCH_UUID_LEN + 16], hex[POUCH_SHA256_HEX], *copy;
	uint64_t size = 0;
	int fd, ok;

	snprintf(want, sizeof(want), "%s.pouch.pgp", v->h.id);
	if (strcmp(v->env.detached, want) != 0 || !(copy = strdup(path)))
		return 0;
	ok = asprintf(&v->payload_path, "%s/%s", dirname(copy), want) >= 0;
	free(copy);
	if (!ok) {
		v->payload_path = NULL;
		return 0;
	}
	if (pouch_fs_open_regular(NULL, v->payload_path, UINT64_MAX, POUCH_FS_NOFOLLOW, &fd, &size,
				  NULL) < 0)
		return 0;
	ok = size == v->h.payload_size && pouch_sha256_fd(fd, hex, &size, NULL) == 0 &&
	     size == v->h.payload_size && strcmp(hex, v->h.payload_sha256) == 0;
	close(fd);
	return ok;
}

int push_take_own(struct pouch_state *s, const struct pouch_agency *own, const char *path,
		  const char *buf, size_t len, const char *digest, time_t now,
		  struct pouch_verified *v, struct pouch_err *err)
{
	struct pouch_err e = { 0 };
	char when[POUCH_TIME_LEN];
	int ret;

	memset(v, 0, sizeof(*v));
	/* Anything unexpected leaves the file to the full verification (return 0). */
	if (pouch_envelope_parse(buf, len, &v->env, &e) < 0 ||
	    pouch_header_decode(v->env.header, v->env.header_len, &v->h, &e) < 0 ||
	    strcmp(v->h.sender.agency, own->code) != 0 ||
	    !own_signing_key(own, v->h.sender.fpr, now) ||
	    (v->env.detached && !payload_beside(path, v)))
		goto not_ours;
	ret = packed_here(s, digest, v->h.id, err);
	if (ret <= 0) {
		pouch_verified_release(v);
		return ret;
	}
	/* The times are checked as verification checks them. */
	if (v->h.created > now + POUCH_CLOCK_SKEW)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "package '%s' is not genuine: created in "
				    "the future (%s)", path, pouch_time_format(v->h.created, when));
	else if (now >= v->h.expires)
		ret = pouch_err_set(err, POUCH_E_EXPIRED, "package '%s' expired on %s", path,
				    pouch_time_format(v->h.expires, when));
	if (ret < 0) {
		pouch_verified_release(v);
		return ret;
	}
	return 1;
not_ours:
	pouch_verified_release(v);
	return 0;
}
