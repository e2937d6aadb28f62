/* The package container: writes and extracts the pax tar archive of spec/envelope.md section 3
 * through libarchive, the only file that includes it. Extraction trusts nothing in the archive:
 * names, entry types and sizes are checked before anything reaches the file system. */
#include <archive.h>
#include <archive_entry.h>
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

#include "internal.h"
#include "pouch/archive.h"
#include "pouch/fs.h"
#include "pouch/validate.h"

#define SHOW_MAX 120
#define TAR_BLOCK 512
#define ENTRY_MAX (sizeof(POUCH_ARCHIVE_DIR) + POUCH_ARCHIVE_NAME_MAX)

/* libarchive converts names between UTF-8 (in pax headers) and the locale's character set. The C
 * locale pouch runs in cannot hold a non-ASCII name: reading gives no name at all, and
 * libarchive 3.6's pax writer crashes on one. So every libarchive call runs in C.UTF-8, set for
 * the calling thread only (uselocale) and restored before returning. */
static locale_t utf8_locale(struct pouch_err *err)
{
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);

	if (loc == (locale_t)0)
		pouch_err_set(err, POUCH_E_IO, "cannot load the C.UTF-8 locale: %s",
			      strerror(errno));
	return loc;
}

/* Escaped and shortened copy of s (outside input) for an error message. */
static const char *shown(const char *s, char *buf)
{
	pouch_escape(s ? s : "", buf, SHOW_MAX);
	return buf;
}

static const char *archive_msg(struct archive *a)
{
	const char *msg = archive_error_string(a);

	return msg ? msg : "unknown libarchive error";
}

int pouch_archive_name_check(const char *name, struct pouch_err *err)
{
	const unsigned char *p = (const unsigned char *)name;
	const char *why = NULL;
	char buf[SHOW_MAX];
	size_t n, len = strlen(name);

	if (len == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "invalid attachment name: empty");
	if (len > POUCH_ARCHIVE_NAME_MAX)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "invalid attachment name '%s': longer than %d bytes",
				     shown(name, buf), POUCH_ARCHIVE_NAME_MAX);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		why = "'.' and '..' are not file names";
	else if (strpbrk(name, "/\\"))
		why = "'/' and '\\' are not allowed";
	for (; !why && *p; p += n) {
		n = pouch_utf8_seq(p);
		if (n == 0)
			why = "not valid UTF-8";
		else if (pouch_utf8_is_control(p, n))
			why = "control characters are not allowed";
	}
	if (why)
		return pouch_err_set(err, POUCH_E_REFUSED, "invalid attachment name '%s': %s",
				     shown(name, buf), why);
	return 0;
}

/* Names are unique also when compared ASCII case-folded (a.txt and A.TXT are one file on a
 * case-insensitive file system). Returns the name in v[0..n) clashing with name, or NULL. */
static const char *name_clash(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = v[i], *b = name;
		while (*a && *b) {
			char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
			char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
			if (ca != cb)
				break;
			a++;
			b++;
		}
		if (*a == '\0' && *b == '\0')
			return v[i];
	}
	return NULL;
}

/* Appends a copy of name to the heap array *v of *n names. Returns 0 or POUCH_E_NOMEM. */
static int name_push(char ***v, size_t *n, const char *name, struct pouch_err *err)
{
	char *copy = strdup(name);

	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (pouch_array_push(v, n, sizeof(copy), &copy, err) < 0) {
		free(copy);
		return POUCH_E_NOMEM;
	}
	return 0;
}

static void names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}


/* Writing */

enum writer_state { W_EMPTY, W_OPEN, W_DONE, W_FAILED };

struct pouch_archive_writer {
	struct archive *a;
	locale_t loc;
	int fd;
	enum writer_state state;
	int discard;  /* drop output: the archive is being abandoned */
	char **names; /* attachment names so far */
	size_t n_names;
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
	w->loc = utf8_locale(err);
	if (w->loc == (locale_t)0) {
		ret = POUCH_E_IO;
		goto out;
	}
	old = uselocale(w->loc);
	/* Without padding of the last block, the output does not depend on the kind of fd. */
	if (archive_write_set_format_pax(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot start the archive: %s",
				    archive_msg(w->a));
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
	names_free(w->names, w->n_names);
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
	clash = name_clash(w->names, w->n_names, name);
	if (clash)
		return pouch_err_set(err, POUCH_E_REFUSED,
				     "cannot add attachment '%s': the name of attachment '%s' "
				     "differs only in case or not at all",
				     shown(name, buf), shown(clash, buf2));
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
			     shown(path, buf), why ? why : archive_msg(w->a));
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
	ret = name_push(&w->names, &w->n_names, name, err);
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
	struct stat st;
	uint64_t done = 0, total;
	ssize_t n;
	int fd = -1;
	int ret;

	if (size)
		*size = 0;
	ret = attachment_path(w, name, entry, err);
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pouch_err_set(err, errno == ENOENT ? POUCH_E_NOTFOUND : POUCH_E_IO,
				     "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", path,
				    S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		goto out;
	}
	total = (uint64_t)st.st_size;
	ret = name_push(&w->names, &w->n_names, name, err);
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
				     archive_msg(w->a));
	}
	w->state = W_DONE;
	return 0;
}

/* Extracting */

struct extract {
	struct archive *a;
	int fd;              /* the archive */
	unsigned char *buf;  /* POUCH_ARCHIVE_CHUNK bytes read from fd */
	uint64_t got;        /* bytes read from fd */
	int read_errno;      /* why reading fd failed, else 0 */
	const char *dir;
	int dirfd;
	const struct pouch_archive_limits *lim;
	uint64_t total;      /* content bytes read so far */
	size_t entries;      /* entries seen so far */
	char **names;        /* files created in dir, removed again on failure */
	size_t n_names;
	char last[SHOW_MAX]; /* the last entry's path, escaped, for messages */
};

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **out)
{
	struct extract *x = ctx;
	ssize_t n;

	do
		n = read(x->fd, x->buf, POUCH_ARCHIVE_CHUNK);
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
	return pouch_err_set(err, POUCH_E_REFUSED, "cannot extract '%s': %s", shown(path, buf),
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
				     shown(path, buf), archive_msg(x->a));
	if (x->entries == 0)
		return pouch_err_set(err, POUCH_E_REFUSED, "cannot read the archive: %s",
				     archive_msg(x->a));
	return pouch_err_set(err, POUCH_E_REFUSED, "cannot read the archive after '%s': %s",
			     x->last, archive_msg(x->a));
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
	shown(archive_entry_pathname(*e), x->last);
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

/* Checks the current entry e and streams it into dir/NAME. */
static int extract_attachment(struct extract *x, struct archive_entry *e, struct pouch_err *err)
{
	const char *path = archive_entry_pathname(e), *name, *why, *clash;
	char buf[SHOW_MAX];
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
		pouch_err_prefix(err, "cannot extract '%s'", shown(path, buf));
		return ret;
	}
	clash = name_clash(x->names, x->n_names, name);
	if (clash)
		return refuse(err, path,
			      "the name of attachment '%s' differs only in case or not at all",
			      clash);
	ret = check_size(x, path, e, err);
	if (ret < 0)
		return ret;
	/* name is a checked base name, so the file lands in dir and nowhere else. */
	fd = openat(x->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* An earlier name the file system takes for the same (Unicode case or
		 * normalisation): the dir was empty when we started. */
		if (errno == EEXIST)
			return refuse(err, path, "clashes with an earlier entry in '%s'", x->dir);
		return pouch_err_set(err, POUCH_E_IO, "cannot create '%s/%s': %s", x->dir, name,
				     strerror(errno));
	}
	ret = name_push(&x->names, &x->n_names, name, err);
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
	ret = copy_data(x, path, fd, name, NULL, 0, &got, err);
	if (ret == 0 && got != (uint64_t)archive_entry_size(e))
		ret = refuse(err, path, "shorter than its header says");
out:
	if (close(fd) < 0 && ret == 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s/%s': %s", x->dir, name,
				    strerror(errno));
	return ret;
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
			  char **manifest, size_t *manifest_len, struct pouch_err *err)
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
	x.buf = malloc(POUCH_ARCHIVE_CHUNK);
	x.a = archive_read_new();
	if (!x.buf || !x.a) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	loc = utf8_locale(err);
	if (loc == (locale_t)0) {
		ret = POUCH_E_IO;
		goto out;
	}
	old = uselocale(loc);
	/* Tar only: no other format, and no decompression filter (a bomb's favourite). */
	if (archive_read_support_format_tar(x.a) != ARCHIVE_OK) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read the archive: %s",
				    archive_msg(x.a));
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
	if (ret < 0)
		goto out;
	*manifest = mem;
	mem = NULL;
	if (manifest_len)
		*manifest_len = len;
	ret = 0;
out:
	if (ret < 0 && x.dirfd >= 0)
		for (i = 0; i < x.n_names; i++)
			unlinkat(x.dirfd, x.names[i], 0);
	names_free(x.names, x.n_names);
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
		explicit_bzero(x.buf, POUCH_ARCHIVE_CHUNK);
		free(x.buf);
	}
	if (x.dirfd >= 0)
		close(x.dirfd);
	return ret;
}
