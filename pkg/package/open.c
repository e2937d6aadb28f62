/* Opening a package: verify, decrypt (capped) straight into the extraction into a fresh private
 * directory, check the inner signature and then the binding and the archive, then record
 * (sender, id) as seen and move the directory into place. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "directory/agency.h"
#include "package/archive.h"
#include "base/fs.h"
#include "package/handling.h"
#include "package/manifest.h"
#include "package/open.h"
#include "package/pack.h"
#include "package/signed.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"
#include "report/report.h"

void pouch_opened_release(struct pouch_opened *res)
{
	pouch_verified_release(&res->v);
	free(res->dir);
	memset(res, 0, sizeof(*res));
}

static int addressed_to_us(const struct pouch_header *h, const struct pouch_agency *self,
			   struct pouch_err *err)
{
	size_t i, k;

	if (strcmp(h->sender.agency, self->code) == 0)
		return 0;
	for (i = 0; i < h->nrecipients; i++)
		for (k = 0; k < self->nkeys; k++)
			if (strcmp(h->recipients[i].agency, self->code) == 0 &&
			    strcmp(h->recipients[i].fpr, self->keys[k].fpr) == 0)
				return 0;
	return pouch_err_set(err, POUCH_E_REFUSED, "package %s is not addressed to %s", h->id,
			     self->code);
}

/* seen/SENDER.ID holds the SHA-256 of the header bytes of the package from SENDER first opened
 * under that id: an id belongs to its sender. seen/ID is a record made before that (its sender
 * unknown), still read. */
static char *seen_path(const struct pouch_home *home, const struct pouch_header *h, int legacy)
{
	char *p = NULL;

	if ((legacy ? asprintf(&p, "%s/seen/%s", home->dir, h->id)
		    : asprintf(&p, "%s/seen/%s.%s", home->dir, h->sender.agency, h->id)) < 0)
		return NULL;
	return p;
}

/* Compares the record at path with digest: 0 with *before set when it is this package (or
 * there is no record), POUCH_E_REFUSED when it is another. */
static int seen_compare(const char *path, int legacy, const struct pouch_header *h,
			const char *digest, time_t *before, struct pouch_err *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = pouch_fs_read(path, 256, &text, &len, err);
	if (ret == POUCH_E_NOTFOUND) {
		pouch_err_clear(err);
		ret = 0;
	} else if (ret == 0) {
		if (len < 64 || strncmp(text, digest, 64) != 0)
			ret = pouch_err_set(err, POUCH_E_REFUSED, "package id %s conflicts with a "
					    "different package opened before (%s)", h->id,
					    legacy ? "recorded before ids were per sender"
						   : "from the same sender");
		else
			*before = stat(path, &st) == 0 && st.st_mtime > 0 ? st.st_mtime : 1;
	}
	free(text);
	return ret;
}

/* Looks the package up in seen/ (the sender's record, else the one made before records were
 * per sender): *before is when it was first opened, 0 when never. */
static int seen_check(const struct pouch_home *home, const struct pouch_header *h,
		      const char *digest, time_t *before, struct pouch_err *err)
{
	char *path = NULL;
	int legacy, ret = 0;

	*before = 0;
	for (legacy = 0; !ret && !*before && legacy < 2; legacy++) {
		path = seen_path(home, h, legacy);
		ret = path ? seen_compare(path, legacy, h, digest, before, err)
			   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		free(path);
	}
	return ret;
}

int pouch_package_opened(const struct pouch_home *home, const char *sender, const char *id,
			 const char *digest, time_t *when, struct pouch_err *err)
{
	struct pouch_header h;
	int ret;

	memset(&h, 0, sizeof(h));
	snprintf(h.id, sizeof(h.id), "%s", id);
	snprintf(h.sender.agency, sizeof(h.sender.agency), "%s", sender);
	ret = seen_check(home, &h, digest, when, err);
	if (ret == POUCH_E_REFUSED) { /* another package under its id was opened, not this one */
		pouch_err_clear(err);
		*when = 0;
		ret = 0;
	}
	return ret;
}

/* Records (sender, id) as opened with digest, in one step that either creates the record or
 * finds the one there: link() never replaces a name, so of two opens racing with different
 * packages under one id exactly one records it and the other gets the conflict. *created tells
 * whether this call made the record; *before is set when this package was recorded before. */
static int seen_claim(const struct pouch_home *home, const struct pouch_header *h,
		      const char *digest, time_t *before, int *created, struct pouch_err *err)
{
	char *dir = pouch_path_join(home->dir, "seen"), *path = seen_path(home, h, 0);
	char line[POUCH_SHA256_HEX + 1];
	int ret;

	*created = 0;
	if (!dir || !path) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* A record made before records were per sender still counts, and can only be read. */
	ret = seen_check(home, h, digest, before, err);
	if (ret < 0 || *before)
		goto out;
	snprintf(line, sizeof(line), "%s\n", digest);
	ret = pouch_fs_mkdir_private(dir, err);
	if (!ret)
		ret = pouch_fs_write_atomic(path, line, strlen(line), 0600, 1, err);
	if (ret == POUCH_E_EXISTS) { /* another open was first: the same package, or not */
		pouch_err_clear(err);
		ret = seen_compare(path, 0, h, digest, before, err);
	} else if (ret == 0) {
		*created = 1;
	}
out:
	free(dir);
	free(path);
	return ret;
}

/* Undoes a record seen_claim made, when the package could not be put in place after all. */
static void seen_unclaim(const struct pouch_home *home, const struct pouch_header *h)
{
	char *path = seen_path(home, h, 0);

	if (path)
		unlink(path);
	free(path);
}

/* The payload as a readable descriptor: the inline bytes in memory, or the detached file. */
static int payload_fd(const struct pouch_verified *v, struct pouch_err *err)
{
	uint64_t size = 0;
	int fd, ret;

	if (v->payload_path) {
		/* Verified a moment ago, but it may have been swapped since: check again. */
		ret = pouch_fs_open_regular(NULL, v->payload_path, UINT64_MAX, POUCH_FS_NOFOLLOW,
					    &fd, &size, err);
		if (ret < 0)
			return ret;
		if (size == v->h.payload_size)
			return fd;
		close(fd);
		return pouch_err_set(err, POUCH_E_VERIFY, "the payload '%s' changed after it was "
				     "verified", v->payload_path);
	}
	fd = memfd_create("pouch-payload", MFD_CLOEXEC);
	if (fd < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot hold the payload: %s",
				     strerror(errno));
	if (pouch_fs_write_all(fd, v->env.payload, v->env.payload_len) < 0) {
		int e = errno;
		close(fd);
		return pouch_err_set(err, POUCH_E_IO, "cannot hold the payload: %s", strerror(e));
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The extraction, in a thread fed through a pipe by the decryption as it goes. */
struct extractor {
	pthread_t thread;
	int fd; /* the pipe's read end, closed by the thread */
	const char *dir;
	const struct pouch_header *h;
	char *manifest;
	size_t len;
	int ret;
	struct pouch_err err;
};

static void *extract_thread(void *arg)
{
	struct extractor *x = arg;
	struct pouch_archive_limits lim = { x->h->payload_size, POUCH_MANIFEST_ATTACHMENTS_MAX + 1,
					    POUCH_REPORT_MAX + 64 * 1024 };
	struct pouch_listing l = { x->h, NULL, NULL };
	char sink[4096];

	x->ret = pouch_archive_extract(x->fd, x->dir, &lim, pouch_manifest_list, &l, &x->manifest,
				       &x->len, &x->err);
	pouch_listing_release(&l);
	/* The rest is read and dropped, so that the decryption always runs to its end and
	 * gives its own verdict, which comes before the archive's. */
	for (;;) {
		ssize_t n = read(x->fd, sink, sizeof(sink));
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(x->fd);
	return NULL;
}

static int to_pipe(void *arg, const void *buf, size_t len)
{
	return pouch_fs_write_all(*(const int *)arg, buf, len);
}

/* Decrypts the payload in fd straight into the extraction into tmp/attachments (made 0700
 * here), each attachment hashed as it is written; nothing of it counts until the decryption
 * and its signature were found good, by the key the header names, in time, and only then the
 * archive's verdict. pouch.json is written last, into tmp. */
static int decrypt_into(struct pouch_pgp *pgp, int fd, const char *tmp,
			const struct pouch_header *h, struct pouch_err *err)
{
	struct extractor x = { .fd = -1, .h = h };
	char signer[POUCH_FPR_LEN + 1];
	time_t signed_at = 0;
	char *att = pouch_path_join(tmp, "attachments"), *mpath = pouch_path_join(tmp, "pouch.json");
	int fds[2] = { -1, -1 }, ret;

	x.dir = att;
	if (!att || !mpath) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if (mkdir(att, 0700) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot create '%s': %s", att, strerror(errno));
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot make a pipe: %s", strerror(errno));
		goto out;
	}
	fcntl(fds[1], F_SETPIPE_SZ, POUCH_ARCHIVE_BLOCK);
	x.fd = fds[0];
	if (pthread_create(&x.thread, NULL, extract_thread, &x) != 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot start the extraction thread");
		goto out;
	}
	fds[0] = -1; /* the thread's */
	/* No compression is allowed (pouch_pgp_open refuses it), so the plaintext is never larger
	 * than the payload. */
	ret = pouch_pgp_open_to(pgp, fd, to_pipe, &fds[1], h->payload_size, signer, &signed_at,
				err);
	close(fds[1]);
	fds[1] = -1;
	pthread_join(x.thread, NULL);
	/* The signature's verdict first (OPENPGP.md steps 2 to 7, and the pin), then the
	 * archive's, which rests on plaintext no one vouched for until then. */
	if (!ret && strcmp(signer, h->sender.fpr) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the payload is signed by %s, the header "
				    "by %s", signer, h->sender.fpr);
	if (!ret)
		ret = pouch_signed_in_time(h, signed_at, err);
	if (ret < 0)
		goto out;
	ret = x.ret;
	if (ret < 0 && err)
		*err = x.err;
	if (ret == POUCH_E_REFUSED)
		ret = err ? (err->code = POUCH_E_VERIFY) : POUCH_E_VERIFY;
	if (!ret)
		ret = pouch_fs_write_atomic(mpath, x.manifest, x.len, 0600, 1, err);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(x.manifest);
	free(att);
	free(mpath);
	return ret;
}

/* Records the package as seen (the id check and the record in one step), then moves the
 * extracted directory tmp to final: a package whose id another package holds never gets there.
 * A record made here is undone when the move fails. */
static int place(const struct pouch_home *home, const struct pouch_verified *v,
		 const char *digest, const char *tmp, const char *final, time_t *before,
		 struct pouch_err *err)
{
	int created = 0, ret;

	ret = seen_claim(home, &v->h, digest, before, &created, err);
	if (ret == POUCH_E_REFUSED)
		return ret;
	if (ret < 0)
		return pouch_err_prefix(err, "cannot record package %s as opened", v->h.id), ret;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) < 0) {
		ret = pouch_err_set(err, errno == EEXIST ? POUCH_E_EXISTS : POUCH_E_IO,
				    "cannot create '%s': %s", final, strerror(errno));
		if (created)
			seen_unclaim(home, &v->h);
	}
	return ret;
}

static int decrypt_and_extract(const struct pouch_home *home, const struct pouch_verified *v,
			       const char *passphrase, const struct pouch_progress *progress,
			       const char *digest, const char *final, time_t *before,
			       struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	char *tmp = NULL, *parent = NULL;
	int in = -1, made = 0, lock = -1, ret;

	ret = pouch_home_pgp(home, &pgp, err);
	if (ret < 0)
		return ret;
	if (passphrase)
		pouch_pgp_set_passphrase(pgp, passphrase);
	pouch_pgp_set_progress(pgp, progress);
	in = payload_fd(v, err);
	parent = in < 0 ? NULL : pouch_fs_dir_of(final);
	ret = in < 0 ? in
	      : parent ? pouch_fs_workdir_new(parent, ".pouch-open-", &tmp, &lock, err)
		       : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0)
		goto out;
	made = 1;
	ret = decrypt_into(pgp, in, tmp, &v->h, err);
	if (!ret)
		ret = pouch_origin_write(tmp, v->env.header, v->env.header_len, v->env.sig,
					 v->env.sig_len, err);
	if (!ret)
		ret = pouch_ceiling_check_dir(home, tmp, "the package", err);
	if (!ret)
		ret = place(home, v, digest, tmp, final, before, err);
	if (!ret)
		made = 0;
out:
	if (made)
		pouch_fs_remove_tree(tmp, NULL);
	if (in >= 0)
		close(in);
	if (lock >= 0)
		close(lock);
	free(tmp);
	free(parent);
	pouch_pgp_free(pgp);
	return ret;
}

/* The output directory can be made: a name, in an existing directory. Checked before any
 * decryption, so that a typo costs nothing. */
static int check_target(const char *dir, struct pouch_err *err)
{
	char *copy = strdup(dir);
	struct stat st;
	int ret = 0;

	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!dir[0])
		ret = pouch_err_set(err, POUCH_E_USAGE, "invalid output directory: empty");
	else if (stat(dirname(copy), &st) < 0 || !S_ISDIR(st.st_mode))
		ret = pouch_err_set(err, POUCH_E_IO, "cannot create '%s': its parent is not a "
				    "directory", dir);
	free(copy);
	return ret;
}

char *pouch_opened_json(const struct pouch_opened *res)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "id", res->v.h.id, "sender",
			      res->v.h.sender.agency, "path", res->dir, "seen_before",
			      res->seen_before != 0);
	char *text = j ? pouch_json_text(j, 0) : NULL;

	json_decref(j);
	return text;
}

int pouch_package_open(const struct pouch_home *home, const char *path, const char *out_dir,
		       const char *passphrase, const struct pouch_progress *progress, time_t now,
		       struct pouch_opened *res, struct pouch_err *err)
{
	return pouch_package_open_arrived(home, path, out_dir, passphrase, progress, now, NULL,
					  res, err);
}

int pouch_package_open_arrived(const struct pouch_home *home, const char *path,
			       const char *out_dir, const char *passphrase,
			       const struct pouch_progress *progress, time_t now,
			       const struct pouch_arrival *arrival, struct pouch_opened *res,
			       struct pouch_err *err)
{
	struct pouch_agency self = { 0 };
	struct pouch_sha256 *d = NULL;
	char digest[POUCH_SHA256_HEX];
	int ret;

	memset(res, 0, sizeof(*res));
	ret = pouch_package_verify_arrived(home, path, now, arrival, &res->v, err);
	if (!ret)
		ret = pouch_agency_load(home->agency, &self, err);
	if (!ret)
		ret = addressed_to_us(&res->v.h, &self, err);
	if (!ret)
		ret = pouch_sha256_new(&d, err);
	if (ret < 0)
		goto out;
	pouch_sha256_update(d, res->v.env.header, res->v.env.header_len);
	pouch_sha256_hex(d, digest);
	/* Early, to refuse a conflict before decrypting; seen_claim decides. */
	ret = seen_check(home, &res->v.h, digest, &res->seen_before, err);
	if (ret < 0)
		goto out;
	if (out_dir)
		res->dir = strdup(out_dir);
	else if (asprintf(&res->dir, "%s", res->v.h.id) < 0)
		res->dir = NULL;
	if (!res->dir) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	ret = check_target(res->dir, err);
	if (ret < 0)
		goto out;
	if (pouch_fs_exists(res->dir)) {
		ret = pouch_err_set(err, POUCH_E_EXISTS, "'%s' exists: choose a new directory with "
				    "-o", res->dir);
		goto out;
	}
	ret = decrypt_and_extract(home, &res->v, passphrase, progress, digest, res->dir,
				  &res->seen_before, err);
	if (ret == POUCH_E_VERIFY || ret == POUCH_E_REFUSED)
		pouch_err_prefix(err, "package '%s' does not open", path);
out:
	pouch_sha256_free(d);
	pouch_agency_release(&self);
	if (ret < 0)
		pouch_opened_release(res);
	return ret;
}
