/* The package container, extracting: nothing in the archive is trusted; names, entry types
 * and sizes are checked before anything reaches the file system. */
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
#include "crypto/digest.h"
#include "base/fs.h"
#include "base/validate.h"

struct extract {
	struct archive *a;
	int fd;              /* the archive */
	unsigned char *buf;  /* POUCH_ARCHIVE_BLOCK bytes read from fd */
	uint64_t got;        /* bytes read from fd */
	int read_errno;      /* why reading fd failed, else 0 */
	const char *dir;
	int dirfd;
	const struct pouch_archive_limits *lim;
	uint64_t total;      /* content bytes read so far */
	size_t entries;      /* entries seen so far */
	struct pouch_archive_names made; /* files created in dir, removed again on failure */
	const struct pouch_archive_file *files; /* what pouch.json lists */
	size_t n_files;
	struct pouch_sha256 *d; /* the digest of the entry being streamed */
	char last[SHOW_MAX];    /* the last entry's path, escaped, for messages */
};

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **out)
{
	struct extract *x = ctx;
	ssize_t n;

	do
		n = read(x->fd, x->buf, POUCH_ARCHIVE_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		x->read_errno = errno;
		archive_set_error(a, errno, "%s", strerror(errno));
		return -1;
	}
	x->got += (uint64_t)n;
	*out = x->buf;
	return n;
}

/* Refuses the entry at path (outside input) with the formatted reason. */
static int refuse(struct pouch_err *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct pouch_err *err, const char *path, const char *fmt, ...)
{
	char buf[SHOW_MAX], why[POUCH_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return pouch_err_set(err, POUCH_E_REFUSED, "cannot extract '%s': %s", archive_shown(path, buf),
			     why);
}

/* A libarchive failure while reading: fd failed (POUCH_E_IO), or the archive is malformed. */
static int read_failed(struct extract *x, const char *path, struct pouch_err *err)
{
	char buf[SHOW_MAX];

	if (x->read_errno)
		return pouch_err_set(err, POUCH_E_IO, "cannot read the archive: %s",
				     strerror(x->read_errno));
	if (path)
		return pouch_err_set(err, POUCH_E_REFUSED, "cannot extract '%s': %s",
				     archive_shown(path, buf), archive_message(x->a));
	if (x->entries == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "cannot read the archive: %s",
				     archive_message(x->a));
	return pouch_err_set(err, POUCH_E_REFUSED, "cannot read the archive after '%s': %s",
			     x->last, archive_message(x->a));
}

/* Reads the next header into *e. Returns 1, 0 at the end of the archive, or an error. */
static int next_header(struct extract *x, struct archive_entry **e, struct pouch_err *err)
{
	la_int64_t before = archive_filter_bytes(x->a, 0);
	int r = archive_read_next_header(x->a, e);

	if (r == ARCHIVE_EOF) {
		/* libarchive takes a stream that stops at an entry boundary for a whole archive;
		 * only the end-of-archive block (consumed by this call) shows nothing is cut. */
		if (archive_filter_bytes(x->a, 0) - before < TAR_BLOCK) {
			if (x->entries == 0)
				return pouch_err_set(err, POUCH_E_REFUSED,
						     "cannot read the archive: it is empty");
			return pouch_err_set(err, POUCH_E_REFUSED,
					     "cannot read the archive after '%s': it is truncated "
					     "(no end-of-archive block)",
					     x->last);
		}
		return 0;
	}
	/* ARCHIVE_WARN too: a name that cannot be converted, a damaged header skipped. */
	if (r != ARCHIVE_OK)
		return read_failed(x, NULL, err);
	x->entries++;
	archive_shown(archive_entry_pathname(*e), x->last);
	return 1;
}

/* Why e is not a plain regular file, or NULL when it is one. */
static const char *not_regular(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return "a hard link";
	if (archive_entry_symlink(e))
		return "a symbolic link";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		break;
	case AE_IFDIR:
		return "a directory";
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	default:
		return "not a regular file";
	}
	if (archive_entry_sparse_count(e) > 0)
		return "a sparse file";
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
		return "no valid size";
	return NULL;
}

/* Checks the entry's claimed size against what max_total leaves; the bytes read are counted
 * again in copy_data, whatever the header claims. */
static int check_size(struct extract *x, const char *path, struct archive_entry *e,
		      struct pouch_err *err)
{
	if ((uint64_t)archive_entry_size(e) > x->lim->max_total - x->total)
		return refuse(err, path, "the archive holds more than %" PRIu64 " bytes",
			      x->lim->max_total);
	return 0;
}

/* Streams the current entry's data to out (or, when out < 0, into mem of cap bytes), counting
 * it against max_total. *len receives the bytes copied. */
static int copy_data(struct extract *x, const char *path, int out, const char *name, char *mem,
		     size_t cap, uint64_t *len, struct pouch_err *err)
{
	uint64_t done = 0;
	const void *buf;
	size_t n;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(x->a, &buf, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return read_failed(x, path, err);
		if (off < 0 || (uint64_t)off != done)
			return refuse(err, path, "a sparse file");
		if (n == 0)
			continue;
		if (n > x->lim->max_total - x->total)
			return refuse(err, path, "the archive holds more than %" PRIu64 " bytes",
				      x->lim->max_total);
		x->total += n;
		if (x->d)
			pouch_sha256_update(x->d, buf, n);
		if (out < 0) {
			if (n > cap - done)
				return refuse(err, path, "larger than %zu bytes", cap);
			memcpy(mem + done, buf, n);
		} else if (pouch_fs_write_all(out, buf, n) < 0) {
			return pouch_err_set(err, POUCH_E_IO, "cannot write '%s/%s': %s", x->dir,
					     name, strerror(errno));
		}
		done += n;
	}
	*len = done;
	return 0;
}

/* Reads the first entry, pouch.json, into *out (NUL-terminated). */
static int extract_manifest(struct extract *x, char **out, size_t *len, struct pouch_err *err)
{
	struct archive_entry *e;
	const char *path, *why;
	char *mem = NULL;
	size_t cap = 0;
	uint64_t got = 0;
	int ret;

	ret = next_header(x, &e, err);
	if (ret == 0)
		ret = pouch_err_set(err, POUCH_E_REFUSED,
				    "cannot read the archive: it holds no entries");
	if (ret < 0)
		return ret;
	path = archive_entry_pathname(e);
	if (!path || strcmp(path, POUCH_ARCHIVE_MANIFEST) != 0)
		return refuse(err, path, "the first entry must be " POUCH_ARCHIVE_MANIFEST);
	if (x->entries > x->lim->max_entries)
		return refuse(err, path, "more than %zu entries", x->lim->max_entries);
	why = not_regular(e);
	if (why)
		return refuse(err, path, "%s", why);
	if ((uint64_t)archive_entry_size(e) > x->lim->max_manifest)
		return refuse(err, path, "larger than %zu bytes", x->lim->max_manifest);
	ret = check_size(x, path, e, err);
	if (ret < 0)
		return ret;
	cap = (size_t)archive_entry_size(e);
	mem = malloc(cap + 1);
	if (!mem)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	ret = copy_data(x, path, -1, NULL, mem, cap, &got, err);
	if (ret == 0 && got != cap)
		ret = refuse(err, path, "shorter than its header says");
	if (ret < 0) {
		explicit_bzero(mem, cap);
		free(mem);
		return ret;
	}
	mem[got] = '\0';
	*out = mem;
	*len = (size_t)got;
	return 0;
}

/* Checks that the entry at path, named name, is the next attachment pouch.json lists, and
 * its size; gives that attachment in *f. */
static int listed_next(struct extract *x, const char *path, const char *name,
		       struct archive_entry *e, const struct pouch_archive_file **f,
		       struct pouch_err *err)
{
	size_t k = x->made.n, i;

	if (k >= x->n_files || strcmp(x->files[k].name, name) != 0) {
		for (i = k + 1; i < x->n_files; i++)
			if (strcmp(x->files[i].name, name) == 0)
				return refuse(err, path, "out of order: pouch.json lists it as "
					      "attachment %zu, not %zu", i + 1, k + 1);
		return refuse(err, path, "pouch.json does not list it");
	}
	*f = &x->files[k];
	if ((uint64_t)archive_entry_size(e) != (*f)->size)
		return refuse(err, path, "%lld bytes, not the %llu pouch.json lists",
			      (long long)archive_entry_size(e), (unsigned long long)(*f)->size);
	return 0;
}

/* Checks the current entry e and streams it into dir/NAME. */
static int extract_attachment(struct extract *x, struct archive_entry *e, struct pouch_err *err)
{
	const char *path = archive_entry_pathname(e), *name, *why, *clash;
	const struct pouch_archive_file *f = NULL;
	char buf[SHOW_MAX], hex[POUCH_SHA256_HEX];
	uint64_t got = 0;
	int fd = -1;
	int ret;

	if (!path)
		return refuse(err, path, "no name");
	if (x->entries > x->lim->max_entries)
		return refuse(err, path, "more than %zu entries", x->lim->max_entries);
	if (strncmp(path, POUCH_ARCHIVE_DIR, strlen(POUCH_ARCHIVE_DIR)) != 0)
		return refuse(err, path, "not under " POUCH_ARCHIVE_DIR);
	why = not_regular(e);
	if (why)
		return refuse(err, path, "%s", why);
	name = path + strlen(POUCH_ARCHIVE_DIR);
	ret = pouch_archive_name_check(name, err);
	if (ret < 0) {
		pouch_err_prefix(err, "cannot extract '%s'", archive_shown(path, buf));
		return ret;
	}
	clash = pouch_archive_names_find(&x->made, name);
	if (clash)
		return refuse(err, path, "the name of attachment '%s' differs only in case or "
			      "not at all", archive_shown(clash, buf));
	ret = listed_next(x, path, name, e, &f, err);
	if (ret == 0)
		ret = check_size(x, path, e, err);
	if (ret < 0)
		return ret;
	/* name is a checked base name, so the file lands in dir and nowhere else. */
	fd = openat(x->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* An earlier name the file system takes for the same: the dir was empty when we
		 * started, and the names are unique by their keys. */
		if (errno == EEXIST)
			return refuse(err, path, "clashes with an earlier entry in '%s'", x->dir);
		return pouch_err_set(err, POUCH_E_IO, "cannot create '%s/%s': %s", x->dir, name,
				     strerror(errno));
	}
	ret = pouch_archive_names_add(&x->made, name, NULL, err);
	if (ret < 0) {
		unlinkat(x->dirfd, name, 0);
		goto out;
	}
	/* Exactly 0600, whatever the umask. */
	if (fchmod(fd, 0600) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s/%s': %s", x->dir, name,
				    strerror(errno));
		goto out;
	}
	ret = pouch_sha256_new(&x->d, err);
	if (ret == 0)
		ret = copy_data(x, path, fd, name, NULL, 0, &got, err);
	if (ret == 0 && got != f->size)
		ret = refuse(err, path, "shorter than its header says");
	if (ret == 0) {
		pouch_sha256_hex(x->d, hex);
		if (strcmp(hex, f->sha256) != 0)
			ret = refuse(err, path, "its SHA-256 is not the one pouch.json lists");
	}
out:
	pouch_sha256_free(x->d);
	x->d = NULL;
	if (close(fd) < 0 && ret == 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s/%s': %s", x->dir, name,
				    strerror(errno));
	return ret;
}

/* Checks the list the caller gives: names valid, unique by key, no more than the entries. */
static int check_list(struct extract *x, struct pouch_err *err)
{
	struct pouch_archive_names seen = { 0 };
	char buf[SHOW_MAX];
	size_t i;
	int ret = 0;

	if (x->n_files >= x->lim->max_entries)
		return pouch_err_set(err, POUCH_E_REFUSED, POUCH_ARCHIVE_MANIFEST " lists more than "
				     "%zu attachments", x->lim->max_entries - 1);
	for (i = 0; ret == 0 && i < x->n_files; i++) {
		const char *name = x->files[i].name;
		ret = pouch_archive_name_check(name, err);
		if (ret == 0)
			ret = pouch_archive_names_add(&seen, name, NULL, err);
		if (ret == POUCH_E_REFUSED)
			pouch_err_prefix(err, POUCH_ARCHIVE_MANIFEST " lists attachment '%s'",
					 archive_shown(name, buf));
	}
	pouch_archive_names_release(&seen);
	return ret;
}

/* After the end of the archive: every listed attachment was there. */
static int check_all_there(struct extract *x, struct pouch_err *err)
{
	char buf[SHOW_MAX];

	if (x->made.n < x->n_files)
		return pouch_err_set(err, POUCH_E_REFUSED, "cannot read the archive: it lacks "
				     "attachment '%s' that " POUCH_ARCHIVE_MANIFEST " lists",
				     archive_shown(x->files[x->made.n].name, buf));
	return 0;
}

/* Returns 1 when the directory open at dirfd holds no entry, 0 when it does, -1 on error. */
static int dir_empty(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

int pouch_archive_extract(int fd, const char *dir, const struct pouch_archive_limits *lim,
			  int (*list)(void *ctx, const char *manifest, size_t len,
				      const struct pouch_archive_file **files, size_t *n,
				      struct pouch_err *err),
			  void *ctx, char **manifest, size_t *manifest_len, struct pouch_err *err)
{
	struct extract x = { .fd = fd, .dir = dir, .dirfd = -1, .lim = lim };
	struct archive_entry *e;
	locale_t loc = (locale_t)0, old = (locale_t)0;
	char *mem = NULL;
	size_t len = 0, i;
	int ret = POUCH_E_IO;

	*manifest = NULL;
	if (manifest_len)
		*manifest_len = 0;
	if ((ret = archive_lib_load(err)) < 0)
		return ret;
	ret = POUCH_E_IO;
	x.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x.dirfd < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot open directory '%s': %s", dir,
				    strerror(errno));
		goto out;
	}
	switch (dir_empty(x.dirfd)) {
	case 1:
		break;
	case 0:
		ret = pouch_err_set(err, POUCH_E_USAGE, "cannot extract into '%s': not empty",
				    dir);
		goto out;
	default:
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read directory '%s': %s", dir,
				    strerror(errno));
		goto out;
	}
	x.buf = malloc(POUCH_ARCHIVE_BLOCK);
	x.a = archive_read_new();
	if (!x.buf || !x.a) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	loc = archive_utf8_locale(err);
	if (loc == (locale_t)0) {
		ret = POUCH_E_IO;
		goto out;
	}
	old = uselocale(loc);
	/* Tar only: no other format, and no decompression filter (a bomb's favourite). */
	if (archive_read_support_format_tar(x.a) != ARCHIVE_OK) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read the archive: %s",
				    archive_message(x.a));
		goto out;
	}
	if (archive_read_open(x.a, &x, NULL, read_cb, NULL) != ARCHIVE_OK) {
		if (x.got == 0 && !x.read_errno)
			ret = pouch_err_set(err, POUCH_E_REFUSED,
					    "cannot read the archive: it is empty");
		else
			ret = read_failed(&x, NULL, err);
		goto out;
	}
	ret = extract_manifest(&x, &mem, &len, err);
	if (ret == 0)
		ret = list(ctx, mem, len, &x.files, &x.n_files, err);
	if (ret == 0)
		ret = check_list(&x, err);
	if (ret < 0)
		goto out;
	for (;;) {
		ret = next_header(&x, &e, err);
		if (ret <= 0)
			break;
		ret = extract_attachment(&x, e, err);
		if (ret < 0)
			break;
	}
	if (ret == 0)
		ret = check_all_there(&x, err);
	if (ret < 0)
		goto out;
	*manifest = mem;
	mem = NULL;
	if (manifest_len)
		*manifest_len = len;
	ret = 0;
out:
	if (ret < 0 && x.dirfd >= 0)
		for (i = 0; i < x.made.n; i++)
			unlinkat(x.dirfd, x.made.name[i], 0);
	pouch_archive_names_release(&x.made);
	if (x.a)
		archive_read_free(x.a);
	if (old != (locale_t)0)
		uselocale(old);
	if (loc != (locale_t)0)
		freelocale(loc);
	if (mem) {
		explicit_bzero(mem, len);
		free(mem);
	}
	if (x.buf) {
		explicit_bzero(x.buf, POUCH_ARCHIVE_BLOCK);
		free(x.buf);
	}
	if (x.dirfd >= 0)
		close(x.dirfd);
	return ret;
}
