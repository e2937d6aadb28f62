/* OpenPGP through GPGME, the data objects that carry messages: callbacks over 1 MiB buffers, so
 * that a large message costs a few large reads and writes of ours instead of one per 4 KiB
 * piece GPGME moves, and so that what is written is hashed and counted as it is written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/pgp_internal.h"

static ssize_t source_read(void *handle, void *buf, size_t size)
{
	struct pgp_source *s = handle;
	size_t k;

	while (s->pos == s->len) {
		ssize_t n = s->positional ? pread(s->fd, s->buf, PGP_BUF, s->off)
					  : read(s->fd, s->buf, PGP_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		s->off += n;
		s->pos = 0;
		s->len = (size_t)n;
	}
	k = s->len - s->pos < size ? s->len - s->pos : size;
	memcpy(buf, s->buf + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

int pgp_source_new(struct pgp_source *s, int fd, int positional, gpgme_data_t *out,
		   struct pouch_err *err)
{
	static const struct gpgme_data_cbs cbs = { source_read, NULL, NULL, NULL };
	gpgme_error_t e;

	memset(s, 0, sizeof(*s));
	*out = NULL;
	s->fd = fd;
	s->positional = positional;
	if (positional && (s->off = lseek(fd, 0, SEEK_CUR)) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot read the message: %s",
				     strerror(errno));
	s->buf = malloc(PGP_BUF);
	if (!s->buf)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	/* GPGME keeps the structure's address, not a copy of it. */
	e = gpgme_data_new_from_cbs(out, (struct gpgme_data_cbs *)&cbs, s);
	if (e) {
		pgp_source_release(s);
		return pgp_fail(err, POUCH_E_GPG, "cannot set up GnuPG's input", e);
	}
	return 0;
}

void pgp_source_release(struct pgp_source *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* Hands the buffered bytes on: hashed, then to the sink function or the file. */
static int sink_flush(struct pgp_sink *k)
{
	if (!k->len)
		return 0;
	if (k->d)
		pouch_sha256_update(k->d, k->buf, k->len);
	if (k->fn) {
		if (k->fn(k->arg, k->buf, k->len) < 0)
			return -1;
	} else {
		if (pouch_fs_write_all(k->fd, k->buf, k->len) < 0)
			return -1;
		/* Start writing back what is done, so that the caller's fsync finds little
		 * left to wait for. */
		sync_file_range(k->fd, k->flushed, (off_t)k->len, SYNC_FILE_RANGE_WRITE);
	}
	k->flushed += (off_t)k->len;
	k->len = 0;
	return 0;
}

static ssize_t sink_write(void *handle, const void *buf, size_t size)
{
	struct pgp_sink *k = handle;
	size_t done = 0;

	if (k->failed) {
		errno = k->failed;
		return -1;
	}
	if (size > k->max - k->written) {
		k->over = 1;
		errno = EFBIG;
		return -1;
	}
	while (done < size) {
		size_t n = size - done < PGP_BUF - k->len ? size - done : PGP_BUF - k->len;
		memcpy(k->buf + k->len, (const char *)buf + done, n);
		k->len += n;
		done += n;
		if (k->len == PGP_BUF && sink_flush(k) < 0) {
			k->failed = errno ? errno : EIO;
			return -1;
		}
	}
	k->written += size;
	if (k->progress && k->progress->fn)
		k->progress->fn(k->progress->arg, k->written, k->max);
	return (ssize_t)size;
}

int pgp_sink_new(struct pgp_sink *k, gpgme_data_t *out, struct pouch_err *err)
{
	static const struct gpgme_data_cbs cbs = { NULL, sink_write, NULL, NULL };
	gpgme_error_t e;

	*out = NULL;
	k->buf = malloc(PGP_BUF);
	if (!k->buf)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (k->hash && pouch_sha256_new(&k->d, err) < 0)
		return POUCH_E_NOMEM;
	e = gpgme_data_new_from_cbs(out, (struct gpgme_data_cbs *)&cbs, k);
	return e ? pgp_fail(err, POUCH_E_GPG, "cannot set up GnuPG's output", e) : 0;
}

int pgp_sink_finish(struct pgp_sink *k, struct pouch_err *err)
{
	if (k->failed || sink_flush(k) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot write GnuPG's output: %s",
				     strerror(k->failed ? k->failed : errno));
	return 0;
}

void pgp_sink_release(struct pgp_sink *k)
{
	if (k->buf) {
		explicit_bzero(k->buf, PGP_BUF);
		free(k->buf);
	}
	k->buf = NULL;
	pouch_sha256_free(k->d);
	k->d = NULL;
}
