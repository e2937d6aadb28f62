/* The package container, writing: a reproducible pax tar archive, attachments streamed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/archive_internal.h"
#include "base/json.h"
#include "base/fs.h"
#include "base/validate.h"

enum writer_state { W_EMPTY, W_OPEN, W_DONE, W_FAILED };

struct pouch_archive_writer {
	struct archive *a;
	locale_t loc;
	int fd;
	enum writer_state state;
	int discard;  /* drop output: the archive is being abandoned */
	struct pouch_archive_names names; /* attachment names so far */
	unsigned char *buf; /* POUCH_ARCHIVE_CHUNK bytes of the file being added */
};

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct pouch_archive_writer *w = ctx;

	if (w->discard)
		return (la_ssize_t)len;
	if (pouch_fs_write_all(w->fd, buf, len) < 0) {
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	return (la_ssize_t)len;
}

int pouch_archive_writer_new(int fd, struct pouch_archive_writer **out, struct pouch_err *err)
{
	struct pouch_archive_writer *w = NULL;
	locale_t old = (locale_t)0;
	int ret = POUCH_E_NOMEM;

	*out = NULL;
	if ((ret = archive_lib_load(err)) < 0)
		return ret;
	ret = POUCH_E_NOMEM;
	w = calloc(1, sizeof(*w));
	if (!w)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	w->fd = fd;
	w->buf = malloc(POUCH_ARCHIVE_CHUNK);
	w->a = archive_write_new();
	if (!w->buf || !w->a) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	w->loc = archive_utf8_locale(err);
	if (w->loc == (locale_t)0) {
		ret = POUCH_E_IO;
		goto out;
	}
	old = uselocale(w->loc);
	/* Without padding of the last block, the output does not depend on the kind of fd. */
	if (archive_write_set_format_pax(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, POUCH_ARCHIVE_CHUNK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot start the archive: %s",
				    archive_message(w->a));
		goto out;
	}
	*out = w;
	w = NULL;
	ret = 0;
out:
	if (old != (locale_t)0)
		uselocale(old);
	pouch_archive_writer_free(w);
	return ret;
}

void pouch_archive_writer_free(struct pouch_archive_writer *w)
{
	if (!w)
		return;
	if (w->a) {
		locale_t old = w->loc != (locale_t)0 ? uselocale(w->loc) : (locale_t)0;
		/* An unfinished archive must not be ended cleanly on fd. archive_write_fail would
		 * do that but leaks libarchive's block buffer (libarchive issue 1568, fixed after
		 * 3.6), so it is closed into a write callback that drops everything. */
		if (w->state != W_DONE) {
			w->discard = 1;
			archive_write_close(w->a);
		}
		archive_write_free(w->a);
		if (old != (locale_t)0)
			uselocale(old);
	}
	if (w->loc != (locale_t)0)
		freelocale(w->loc);
	pouch_archive_names_release(&w->names);
	if (w->buf) {
		explicit_bzero(w->buf, POUCH_ARCHIVE_CHUNK);
		free(w->buf);
	}
	free(w);
}

/* Checks that w can take the manifest (manifest set) or an attachment. */
static int writer_ready(const struct pouch_archive_writer *w, int manifest, struct pouch_err *err)
{
	if (w->state == W_FAILED)
		return pouch_err_set(err, POUCH_E_IO,
				     "cannot write the archive: an earlier write failed");
	if (w->state == W_DONE)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot write the archive: it is finished");
	if (manifest && w->state != W_EMPTY)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot add " POUCH_ARCHIVE_MANIFEST ": already added");
	if (!manifest && w->state == W_EMPTY)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot add an attachment: " POUCH_ARCHIVE_MANIFEST
				     " must come first");
	return 0;
}

/* Checks an attachment name for w and makes its entry path. */
static int attachment_path(const struct pouch_archive_writer *w, const char *name,
			   char path[ENTRY_MAX], struct pouch_err *err)
{
	char buf[SHOW_MAX], buf2[SHOW_MAX];
	const char *clash;
	int ret;

	ret = writer_ready(w, 0, err);
	if (ret < 0)
		return ret;
	ret = pouch_archive_name_check(name, err);
	if (ret < 0)
		return ret;
	clash = pouch_archive_names_find(&w->names, name);
	if (clash)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "cannot add attachment '%s': the name of attachment '%s' "
				     "differs only in case or not at all",
				     archive_shown(name, buf), archive_shown(clash, buf2));
	snprintf(path, ENTRY_MAX, POUCH_ARCHIVE_DIR "%s", name);
	return 0;
}

/* Marks w failed after an entry was partly written. */
static int writer_failed(struct pouch_archive_writer *w, const char *path, const char *why,
			 struct pouch_err *err)
{
	char buf[SHOW_MAX];

	w->state = W_FAILED;
	return pouch_err_set(err, POUCH_E_IO, "cannot write archive entry '%s': %s",
			     archive_shown(path, buf), why ? why : archive_message(w->a));
}

/* Writes the header of a regular-file entry; the fixed metadata makes the archive
 * reproducible. */
static int write_header(struct pouch_archive_writer *w, const char *path, uint64_t size,
			struct pouch_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	archive_entry_set_pathname_utf8(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : writer_failed(w, path, NULL, err);
}

static int write_data(struct pouch_archive_writer *w, const char *path, const void *buf,
		      size_t len, struct pouch_err *err)
{
	const char *p = buf;

	while (len > 0) {
		la_ssize_t n = archive_write_data(w->a, p, len);
		if (n <= 0)
			return writer_failed(w, path, NULL, err);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes a whole entry from memory. */
static int write_entry(struct pouch_archive_writer *w, const char *path, const void *buf,
		       size_t len, struct pouch_err *err)
{
	locale_t old = uselocale(w->loc);
	int ret;

	ret = write_header(w, path, len, err);
	if (ret == 0)
		ret = write_data(w, path, buf, len, err);
	if (ret == 0 && archive_write_finish_entry(w->a) != ARCHIVE_OK)
		ret = writer_failed(w, path, NULL, err);
	uselocale(old);
	return ret;
}

int pouch_archive_add_manifest(struct pouch_archive_writer *w, const void *buf, size_t len,
			       struct pouch_err *err)
{
	int ret = writer_ready(w, 1, err);

	if (ret < 0)
		return ret;
	ret = write_entry(w, POUCH_ARCHIVE_MANIFEST, buf, len, err);
	if (ret < 0)
		return ret;
	w->state = W_OPEN;
	return 0;
}

int pouch_archive_add_bytes(struct pouch_archive_writer *w, const char *name, const void *buf,
			    size_t len, struct pouch_err *err)
{
	char path[ENTRY_MAX];
	int ret;

	ret = attachment_path(w, name, path, err);
	if (ret < 0)
		return ret;
	ret = pouch_archive_names_add(&w->names, name, NULL, err);
	if (ret < 0)
		return ret;
	return write_entry(w, path, buf, len, err);
}

int pouch_archive_add_file(struct pouch_archive_writer *w, const char *name, const char *path,
			   void (*chunk)(void *ctx, const void *buf, size_t len), void *ctx,
			   uint64_t *size, struct pouch_err *err)
{
	char entry[ENTRY_MAX];
	locale_t old = (locale_t)0;
	uint64_t done = 0, total = 0;
	ssize_t n;
	int fd = -1;
	int ret;

	if (size)
		*size = 0;
	ret = attachment_path(w, name, entry, err);
	if (ret < 0)
		return ret;
	ret = pouch_fs_open_regular(NULL, path, UINT64_MAX, 0, &fd, &total, err);
	if (ret < 0)
		return ret;
	ret = pouch_archive_names_add(&w->names, name, NULL, err);
	if (ret < 0)
		goto out;
	old = uselocale(w->loc);
	ret = write_header(w, entry, total, err);
	if (ret < 0)
		goto out;
	/* The header holds the size, so the file must give exactly that many bytes: libarchive
	 * would pad a short entry with zeros, and a longer one would be cut unnoticed. */
	while (done < total) {
		size_t want = total - done < POUCH_ARCHIVE_CHUNK ? (size_t)(total - done)
								 : POUCH_ARCHIVE_CHUNK;
		n = read(fd, w->buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char why[256];
			snprintf(why, sizeof(why), "cannot read '%s': %s", path,
				 n < 0 ? strerror(errno) : "it shrank while being read");
			ret = writer_failed(w, entry, why, err);
			goto out;
		}
		ret = write_data(w, entry, w->buf, (size_t)n, err);
		if (ret < 0)
			goto out;
		if (chunk)
			chunk(ctx, w->buf, (size_t)n);
		done += (uint64_t)n;
	}
	do
		n = read(fd, w->buf, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0) {
		char why[256];
		snprintf(why, sizeof(why), "cannot read '%s': %s", path,
			 n < 0 ? strerror(errno) : "it grew while being read");
		ret = writer_failed(w, entry, why, err);
		goto out;
	}
	if (archive_write_finish_entry(w->a) != ARCHIVE_OK) {
		ret = writer_failed(w, entry, NULL, err);
		goto out;
	}
	if (size)
		*size = done;
	ret = 0;
out:
	if (old != (locale_t)0)
		uselocale(old);
	explicit_bzero(w->buf, POUCH_ARCHIVE_CHUNK);
	close(fd);
	return ret;
}

int pouch_archive_writer_finish(struct pouch_archive_writer *w, struct pouch_err *err)
{
	locale_t old;
	int r, ret = writer_ready(w, 0, err);

	if (ret < 0) {
		if (w->state == W_EMPTY)
			return pouch_err_set(err, POUCH_E_USAGE,
					     "cannot finish the archive: " POUCH_ARCHIVE_MANIFEST
					     " was not added");
		return ret;
	}
	old = uselocale(w->loc);
	r = archive_write_close(w->a);
	uselocale(old);
	if (r != ARCHIVE_OK) {
		w->state = W_FAILED;
		return pouch_err_set(err, POUCH_E_IO, "cannot finish the archive: %s",
				     archive_message(w->a));
	}
	w->state = W_DONE;
	return 0;
}
