/* pouch pull: the sources, the package lists page by page, each package downloaded into
 * incoming/ (resumable), verified, moved into inbox/ or quarantine/ and recorded with the cursor
 * in one transaction. Receipts are pull_receipts.c's. */
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
#include "crypto/digest.h"
#include "package/envelope.h"
#include "package/handling.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "directory/partner.h"
#include "package/receipt.h"
#include "base/uuid.h"
#include "package/verify.h"
#include "exchange/pull_internal.h"

/* A package record from a list, checked (it names files and goes into rows). */
struct item {
	const char *id, *sender, *digest, *cursor;
	uint64_t size;
	int64_t payload; /* the detached payload's size, or -1 */
	char name[POUCH_CODE_MAX + 1 + POUCH_UUID_LEN]; /* its files' base name (name_item) */
};

/* What verifying a download found. */
struct verdict {
	int good;
	char reason[POUCH_ERR_MSG_MAX];
	int named;		/* the header was read and names the listed package */
	struct pouch_header hd; /* when named */
	char hsha[POUCH_SHA256_HEX];
	char digest[POUCH_SHA256_HEX]; /* of the envelope file as downloaded */
};

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && s[64] == '\0';
}

/* Reads and checks one package record of a list. */
static int item_read(const struct pull_source *s, json_t *j, struct item *it, struct pouch_err *err)
{
	json_t *size, *pay, *psize;

	memset(it, 0, sizeof(*it));
	it->payload = -1;
	if (!json_is_object(j))
		goto bad;
	it->id = json_string_value(json_object_get(j, "id"));
	it->sender = json_string_value(json_object_get(j, "sender"));
	it->digest = json_string_value(json_object_get(j, "digest"));
	it->cursor = json_string_value(json_object_get(j, "cursor"));
	size = json_object_get(j, "size");
	pay = json_object_get(j, "payload");
	if (!it->id || pouch_uuid_check(it->id, NULL) < 0 || !it->sender ||
	    pouch_agency_code_check(it->sender, NULL) < 0 || !is_hex64(it->digest) || !it->cursor ||
	    !it->cursor[0] || !json_is_integer(size) || json_integer_value(size) <= 0 ||
	    (unsigned long long)json_integer_value(size) > POUCH_ENVELOPE_MAX || !pay)
		goto bad;
	it->size = (uint64_t)json_integer_value(size);
	if (!json_is_null(pay)) {
		psize = json_object_get(pay, "size");
		if (!json_is_integer(psize) || json_integer_value(psize) <= 0)
			goto bad;
		it->payload = json_integer_value(psize);
	}
	return 0;
bad:
	return pouch_err_set(err, POUCH_E_NET, "malformed package record from %s", s->tls.url);
}

/* Downloads url into final (through final.part, resumed from what it holds) unless final is
 * there already with size bytes. */
static int download(struct pull_run *r, struct pull_source *s, const char *id, const char *url,
		    const char *final, uint64_t size, struct pouch_err *err)
{
	struct pouch_https_req req;
	struct pouch_https_resp resp = {0};
	struct stat sb;
	char *part = NULL;
	int fd = -1, ret = 0;

	if (lstat(final, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == size)
		return 0;
	if (asprintf(&part, "%s.part", final) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	fd = open(part, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot open '%s': %s", part, strerror(errno));
		goto out;
	}
	/* A run killed after the last byte and before the rename left it whole. */
	if ((uint64_t)sb.st_size == size)
		goto done;
	pouch_https_req_init(&req, "GET", url);
	req.out_fd = fd;
	req.resume_from = (uint64_t)sb.st_size < size ? (uint64_t)sb.st_size : 0;
	req.max_response = size;
	req.timeout_ms = -1;
	req.progress = r->o->progress;
	req.progress_arg = r->o->arg;
	if (r->o->transfer_start)
		r->o->transfer_start(r->o->arg, id);
	ret = pouch_https_request(s->https, &req, &resp, err);
	if (r->o->transfer_end)
		r->o->transfer_end(r->o->arg);
	if (ret < 0)
		goto out;
	if (resp.status != 200 && resp.status != 206) {
		ret = pull_status_error(s, &resp, "cannot download", err);
		goto out;
	}
	if (resp.start + resp.received != size) {
		ret =
		    pouch_err_set(err, POUCH_E_NET,
				  "cannot download package %s from %s: got "
				  "%llu bytes of %llu",
				  id, s->tls.url, (unsigned long long)(resp.start + resp.received),
				  (unsigned long long)size);
		goto out;
	}
done:
	if (pouch_fault_hit("fs.fsync") || fsync(fd) < 0 || pouch_fault_hit("fs.rename") ||
	    rename(part, final) < 0) {
		ret =
		    pouch_err_set(err, POUCH_E_IO, "cannot store '%s': %s", final, strerror(errno));
		goto out;
	}
	ret = pouch_fs_sync_dir(r->st.incoming, err);
out:
	if (fd >= 0)
		close(fd);
	pouch_https_resp_release(&resp);
	free(part);
	return ret;
}

/* Makes reason fit a receipt: escaped, at most POUCH_REASON_MAX characters. */
static void reason_set(struct verdict *v, const char *msg)
{
	const unsigned char *p;
	size_t n = 0, len;

	pouch_escape(msg, v->reason, sizeof(v->reason));
	for (p = (const unsigned char *)v->reason; *p; p += len, n++) {
		len = pouch_utf8_seq(p);
		if (!len || n == POUCH_REASON_MAX) {
			*(unsigned char *)p = '\0';
			break;
		}
	}
	if (!v->reason[0])
		snprintf(v->reason, sizeof(v->reason), "not genuine");
}

/* The header of a package that failed verification, when it can be read (not trusted). */
static void header_read(const char *path, struct verdict *v)
{
	struct pouch_envelope env = {0};

	if (pouch_envelope_read(path, &env, NULL) == 0 &&
	    pouch_header_decode(env.header, env.header_len, &v->hd, NULL) == 0 &&
	    pouch_receipt_header_sha256(env.header, env.header_len, v->hsha, NULL) == 0)
		v->named = 1;
	pouch_envelope_release(&env);
}

/* Verifies the downloaded package at path as pouch verify does, and against the list's record.
 * Only a failure to check at all is an error. */
static int check(struct pull_run *r, const char *path, const struct item *it, struct verdict *v,
		 struct pouch_err *err)
{
	struct pouch_verified pv = {0};
	struct pouch_err verr = {0};
	const char *msg, *tail;
	int fd, ret, rc;

	memset(v, 0, sizeof(*v));
	ret = pouch_fs_open_regular(NULL, path, UINT64_MAX, POUCH_FS_NOFOLLOW, &fd, NULL, err);
	if (ret < 0)
		return ret == POUCH_E_NOTFOUND ? (err ? err->code = POUCH_E_IO : POUCH_E_IO) : ret;
	ret = pouch_sha256_fd(fd, v->digest, NULL, err);
	close(fd);
	if (ret < 0)
		return ret;
	ret = pouch_package_verify(r->h, path, r->o->now, &pv, &verr);
	if (ret == 0) {
		v->good = v->named = 1;
		v->hd = pv.h;
		ret = pouch_receipt_header_sha256(pv.env.header, pv.env.header_len, v->hsha, err);
		if (!ret && (rc = pouch_ceiling_check_verified(r->h, &pv, &verr)))
			ret = rc == POUCH_E_REFUSED ? (v->good = 0, reason_set(v, verr.msg), 0)
						    : pouch_err_set(err, rc, "%s", verr.msg);
		pouch_verified_release(&pv);
		if (ret < 0)
			return ret;
	} else if (ret == POUCH_E_VERIFY) {
		/* The reason without our file's path: it goes to the sender too. */
		msg = verr.msg;
		if ((tail = strstr(msg, "' is not genuine: ")))
			msg = tail + strlen("' is not genuine: ");
		reason_set(v, msg);
		header_read(path, v);
	} else {
		return pouch_err_set(err, ret, "%s", verr.msg);
	}
	/* The package is known by the listed (sender, id): the header must name the same. */
	if (v->named && (strcmp(v->hd.id, it->id) != 0 ||
			 strcmp(v->hd.sender.agency, it->sender) != 0)) {
		v->named = 0;
		if (v->good)
			reason_set(v, "the header's id or sender is not those the endpoint listed");
		v->good = 0;
	} else if (v->good && strcmp(v->digest, it->digest) != 0) {
		v->good = 0;
		reason_set(v, "the envelope's SHA-256 is not the one the endpoint listed");
	}
	return 0;
}

/* Moves name.pouch (and name.pouch.pgp) from incoming/ into dir, replacing what a crashed run
 * left. */
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
	if (!ret && (ret = pouch_fs_sync_dir(dir, err)) == 0)
		ret = pouch_fs_sync_dir(r->st.incoming, err);
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

/* Records the package and the cursor after it in one transaction. A bad package another
 * source listed under the same (sender, id) gives way: its sender was never proved, and what
 * an endpoint lists cannot take a sender's id (its file stays in quarantine/). */
static int record(struct pull_run *r, struct pull_source *s, const struct item *it,
		  const struct verdict *v, const char *receipt, size_t rlen, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_db_begin(r->st.db, err)) < 0)
		return ret;
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
	if (receipt)
		pouch_db_bind_blob(st, 14, receipt, rlen);
	pouch_db_bind_text(st, 15, it->name);
	if ((ret = pouch_db_step(st, err)) < 0 ||
	    (ret = pull_cursor_set(r, s->tls.url, "packages", it->cursor, err)) < 0)
		goto out;
	ret = pouch_db_commit(r->st.db, err);
out:
	pouch_db_finalize(st);
	if (ret < 0)
		pouch_db_rollback(r->st.db);
	return ret < 0 ? ret : 0;
}

/* Whether the sender's package id was pulled before: good from any source, or bad from this
 * one. The same id from another sender is another package; a bad one from another source
 * proves nothing about its sender, and another source may hold the genuine package. */
static int known(struct pull_run *r, struct pull_source *s, const struct item *it,
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

/* Pulls one listed package: download, verify, our receipt, move, record, send the receipt. */
static int pull_item(struct pull_run *r, struct pull_source *s, const struct item *it,
		     struct pouch_err *err)
{
	struct verdict v;
	struct pouch_receipt rc = {0};
	struct pouch_pull_event ev = {0};
	char *env = NULL, *pay = NULL, *url = NULL, *purl = NULL, *stored = NULL, *file = NULL;
	size_t flen = 0;
	int ret;

	if ((ret = known(r, s, it, err)) < 0)
		return ret;
	if (ret == POUCH_DB_ROW)
		return pull_cursor_set(r, s->tls.url, "packages", it->cursor, err);
	/* The sender named, so that an endpoint holding the id from several senders serves
	 * this one. */
	if (asprintf(&env, "%s/%s.pouch", r->st.incoming, it->name) < 0 ||
	    asprintf(&pay, "%s/%s.pouch.pgp", r->st.incoming, it->name) < 0 ||
	    !(url = pull_url(s, "/v1/packages/%s?sender=%s", it->id, it->sender)) ||
	    !(purl = pull_url(s, "/v1/packages/%s/payload?sender=%s", it->id, it->sender))) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if ((it->payload >= 0 &&
	     (ret = download(r, s, it->id, purl, pay, (uint64_t)it->payload, err)) < 0) ||
	    (ret = download(r, s, it->id, url, env, it->size, err)) < 0 ||
	    (ret = check(r, env, it, &v, err)) < 0)
		goto out;
	if (v.named) {
		memcpy(rc.package, v.hd.id, sizeof(rc.package));
		memcpy(rc.header_sha256, v.hsha, sizeof(rc.header_sha256));
		memcpy(rc.sender, v.hd.sender.agency, sizeof(rc.sender));
		rc.accepted = v.good;
		if (!v.good)
			snprintf(rc.reason, sizeof(rc.reason), "%s", v.reason);
		rc.time = r->o->now;
		if ((ret = pouch_receipt_make(r->h, &rc, r->o->passphrase, &file, &flen, err)) < 0)
			goto out;
	}
	if ((ret = move_in(r, it->name, it->payload >= 0, v.good ? r->st.inbox : r->st.quarantine,
			   &stored, err)) < 0)
		goto out;
	/* Recorded in the trail before the package counts as pulled. */
	if ((ret = pouch_audit_append(
		 r->h,
		 &(struct pouch_audit_entry){.event = "pull",
					     .id = it->id,
					     .agency = v.named ? v.hd.sender.agency : it->sender,
					     .digest = v.digest,
					     .endpoint = s->tls.url},
		 r->o->now, err)) < 0 ||
	    (ret = pouch_audit_append(
		 r->h,
		 &(struct pouch_audit_entry){.event = "verify",
					     .id = it->id,
					     .agency = v.named ? v.hd.sender.agency : it->sender,
					     .digest = v.digest,
					     .verdict = v.good ? "good" : "bad",
					     .reason = v.good ? NULL : v.reason},
		 r->o->now, err)) < 0 ||
	    (ret = record(r, s, it, &v, file, flen, err)) < 0) {
		move_back(r, it->name, v.good ? r->st.inbox : r->st.quarantine);
		goto out;
	}
	ev.kind = v.good ? POUCH_PULL_GOOD : POUCH_PULL_QUARANTINED;
	ev.id = it->id;
	ev.agency = v.named ? v.hd.sender.agency : it->sender;
	ev.reason = v.good ? NULL : v.reason;
	ev.path = stored;
	pull_emit(r, s, &ev);
	if (file)
		ret = pull_send_receipts(r, s, it->name, err);
out:
	free(env);
	free(pay);
	free(url);
	free(purl);
	free(stored);
	free(file);
	return ret;
}

/* The base name of the item's files in incoming/, inbox/ and quarantine/: the id, or
 * SENDER.ID when another sender's package holds that name already. */
static int name_item(struct pull_run *r, struct item *it, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	if ((ret = pouch_db_prepare(r->st.db, "SELECT 1 FROM incoming WHERE name = ?", &st,
				    err)) < 0)
		return ret;
	pouch_db_bind_text(st, 1, it->id);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	if (ret == POUCH_DB_ROW)
		snprintf(it->name, sizeof(it->name), "%s.%s", it->sender, it->id);
	else
		snprintf(it->name, sizeof(it->name), "%s", it->id);
	return ret < 0 ? ret : 0;
}

/* One listed package: pulled unless it was before. */
static int take_package(struct pull_run *r, struct pull_source *s, json_t *j, struct pouch_err *err)
{
	struct item it;
	int ret;

	if ((ret = item_read(s, j, &it, err)) == 0 && (ret = name_item(r, &it, err)) == 0)
		ret = pull_item(r, s, &it, err);
	return ret;
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
	    (ret = pull_list(r, s, "packages", take_package, &serr)) == 0 &&
	    (ret = pull_send_receipts(r, s, NULL, &serr)) == 0)
		ret = pull_fetch_receipts(r, s, &serr);
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
