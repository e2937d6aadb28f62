/* pouch pull, one package: its list record read and checked, its files downloaded into
 * incoming/ (resumable), and the download verified as pouch verify does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fault.h"
#include "crypto/digest.h"
#include "package/envelope.h"
#include "package/handling.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "package/receipt.h"
#include "base/uuid.h"
#include "package/verify.h"
#include "exchange/pull_internal.h"

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && s[64] == '\0';
}

/* Reads and checks one package record of a list. */
int pull_item_read(const struct pull_source *s, json_t *j, struct pull_item *it,
		   struct pouch_err *err)
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

/* The caller's transfer reports come from one worker at a time. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void progress_locked(void *arg, const struct pouch_https_progress *p)
{
	const struct pouch_pull_opts *o = arg;

	pthread_mutex_lock(&report_lock);
	o->progress(o->arg, p);
	pthread_mutex_unlock(&report_lock);
}

static void transfer_report(const struct pouch_pull_opts *o, const char *id)
{
	pthread_mutex_lock(&report_lock);
	if (id && o->transfer_start)
		o->transfer_start(o->arg, id);
	else if (!id && o->transfer_end)
		o->transfer_end(o->arg);
	pthread_mutex_unlock(&report_lock);
}

/* Downloads url into final (through final.part, resumed from what it holds) unless final is
 * there already with size bytes. The rename is made durable when the file moves on (pull.c
 * syncs incoming/ with the inbox). */
int pull_download(struct pull_run *r, struct pull_source *s, struct pouch_https *https,
		  const char *id, const char *url, const char *final, uint64_t size,
		  struct pouch_err *err)
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
	req.progress = r->o->progress ? progress_locked : NULL;
	req.progress_arg = (void *)r->o;
	transfer_report(r->o, id);
	ret = pouch_https_request(https, &req, &resp, err);
	transfer_report(r->o, NULL);
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
out:
	if (fd >= 0)
		close(fd);
	pouch_https_resp_release(&resp);
	free(part);
	return ret;
}

/* Makes reason fit a receipt: escaped, at most POUCH_REASON_MAX characters. */
static void reason_set(struct pull_verdict *v, const char *msg)
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
static void header_read(const char *path, struct pull_verdict *v)
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
int pull_check(struct pull_run *r, const char *path, const struct pull_item *it,
	       struct pull_verdict *v, struct pouch_err *err)
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
	} else if (ret == POUCH_E_VERIFY || ret == POUCH_E_EXPIRED) {
		/* The reason without our file's path: it goes to the sender too. */
		msg = verr.msg;
		if ((tail = strstr(msg, "' is not genuine: ")))
			msg = tail + strlen("' is not genuine: ");
		else if ((tail = strstr(msg, "' expired on ")))
			msg = tail + 2;
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

int pull_fetch(struct pull_run *r, struct pull_source *s, struct pouch_https *https,
	       struct pull_slot *slot, struct pouch_err *err)
{
	const struct pull_item *it = &slot->it;
	struct pull_verdict *v = &slot->v;
	struct pouch_receipt rc = {0};
	char *env = NULL, *pay = NULL, *url = NULL, *purl = NULL;
	int ret;

	/* The sender named, so that an endpoint holding the id from several senders serves
	 * this one. */
	if (asprintf(&env, "%s/%s.pouch", r->st.incoming, it->name) < 0 ||
	    asprintf(&pay, "%s/%s.pouch.pgp", r->st.incoming, it->name) < 0 ||
	    !(url = pull_url(s, "/v1/packages/%s?sender=%s", it->id, it->sender)) ||
	    !(purl = pull_url(s, "/v1/packages/%s/payload?sender=%s", it->id, it->sender))) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if ((it->payload >= 0 && (ret = pull_download(r, s, https, it->id, purl, pay,
						       (uint64_t)it->payload, err)) < 0) ||
	    (ret = pull_download(r, s, https, it->id, url, env, it->size, err)) < 0 ||
	    (ret = pull_check(r, env, it, v, err)) < 0 || !v->named)
		goto out;
	memcpy(rc.package, v->hd.id, sizeof(rc.package));
	memcpy(rc.header_sha256, v->hsha, sizeof(rc.header_sha256));
	memcpy(rc.sender, v->hd.sender.agency, sizeof(rc.sender));
	rc.accepted = v->good;
	if (!v->good)
		snprintf(rc.reason, sizeof(rc.reason), "%s", v->reason);
	rc.time = r->o->now;
	ret = pouch_receipt_make(r->h, &rc, r->o->passphrase, &slot->receipt, &slot->rlen, err);
out:
	free(env);
	free(pay);
	free(url);
	free(purl);
	return ret;
}
