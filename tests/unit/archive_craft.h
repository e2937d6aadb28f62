/* Archive unit tests' shared part (test_archive_write.c, test_archive_extract.c,
 * test_archive_list.c): hostile archives crafted with libarchive's own writer, and extraction of
 * them into a directory, held to a list of attachments. Included once per test file; unused
 * helpers are fine. */
#ifndef POUCH_TEST_ARCHIVE_CRAFT_H
#define POUCH_TEST_ARCHIVE_CRAFT_H

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/sysmacros.h>

#include "fixture.h"
#include "package/archive.h"
#include "crypto/digest.h"

#define MANIFEST_TEXT "{\"format\":\"pouch-content/1\"}"
#define UTF8_NAME "Aussage M\xc3\xbcller \xe2\x80\x93 \xc3\xbc" "bersetzt.txt"
#define BIG 200000 /* bytes: four chunks of the writer */

static char in_tar[64];  /* the archive under test: <dir>/in.tar */
static char out_dir[64]; /* the extraction directory: <dir>/out, made 0700 by setup */

static const struct pouch_archive_limits LIM = { 1 << 20, 16, 4096 };
static int own_list; /* see list_from_tar */

/* cmocka setup: a fresh directory holding the empty extraction directory out. */
FIXTURE_FN int setup_archive(void **state)
{
	struct fixture *f;

	if (setup(state) < 0)
		return -1;
	f = *state;
	own_list = 0;
	snprintf(in_tar, sizeof(in_tar), "%s/in.tar", f->dir);
	snprintf(out_dir, sizeof(out_dir), "%s/out", f->dir);
	return mkdir(out_dir, 0700);
}

FIXTURE_FN off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* BIG bytes of a pattern that is not periodic in 512 or 64 KiB. */
FIXTURE_FN unsigned char *big_content(void)
{
	unsigned char *b = malloc(BIG);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < BIG; i++)
		b[i] = (unsigned char)(i * 7 + (i >> 9) + (i >> 17));
	return b;
}

/* The file at path holds exactly the len bytes at want. */
FIXTURE_FN void assert_file(const char *path, const void *want, size_t len)
{
	char *got = NULL;
	size_t n = 0;

	assert_int_equal(pouch_fs_read(path, len, &got, &n, NULL), 0);
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* Collects what the chunk callback of pouch_archive_add_file sees. */
struct chunks {
	unsigned char *data;
	size_t len, calls, largest;
};

FIXTURE_FN void on_chunk(void *ctx, const void *buf, size_t len)
{
	struct chunks *c = ctx;

	c->data = realloc(c->data, c->len + len);
	assert_non_null(c->data);
	memcpy(c->data + c->len, buf, len);
	c->len += len;
	c->calls++;
	if (len > c->largest)
		c->largest = len;
}

/* An entry of a crafted archive. */
struct ent {
	const char *path;
	const char *data; /* content (a string), or NULL for none */
	mode_t type;      /* AE_IF*; 0 means AE_IFREG */
	const char *link; /* symbolic link target, or with hard set the hard link target */
	int hard;
	size_t zeros;     /* when not 0, the content is this many zero bytes */
	int sparse;       /* a 1 GiB sparse file holding two 512-byte blocks */
};

#define M { .path = "pouch.json", .data = "{}" }
#define OK { .path = "attachments/ok.txt", .data = "fine" }

enum craft_fmt { PAX, USTAR, GNU, PAX_GZIP };

/* Writes the n entries to in_tar with libarchive itself, as a hostile sender could. */
FIXTURE_FN void craft(enum craft_fmt fmt, const struct ent *e, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae;
	static const char zero[4096];
	size_t i, left;

	assert_non_null(a);
	if (fmt == USTAR)
		assert_int_equal(archive_write_set_format_ustar(a), ARCHIVE_OK);
	else if (fmt == GNU)
		assert_int_equal(archive_write_set_format_gnutar(a), ARCHIVE_OK);
	else
		assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	if (fmt == PAX_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, in_tar), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		size_t len = e[i].zeros ? e[i].zeros : e[i].data ? strlen(e[i].data) : 0;
		ae = archive_entry_new();
		assert_non_null(ae);
		archive_entry_set_pathname(ae, e[i].path);
		archive_entry_set_filetype(ae, e[i].type ? e[i].type : AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		if (e[i].link && e[i].hard)
			archive_entry_set_hardlink(ae, e[i].link);
		else if (e[i].link)
			archive_entry_set_symlink(ae, e[i].link);
		if (e[i].type == AE_IFCHR)
			archive_entry_set_rdev(ae, makedev(1, 3));
		if (e[i].sparse) {
			len = 1024;
			archive_entry_set_size(ae, 1 << 30);
			archive_entry_sparse_add_entry(ae, 0, 512);
			archive_entry_sparse_add_entry(ae, (1 << 30) - 512, 512);
		} else {
			archive_entry_set_size(ae, (la_int64_t)len);
		}
		if (archive_write_header(a, ae) != ARCHIVE_OK)
			fail_msg("cannot craft '%s': %s", e[i].path, archive_error_string(a));
		if (e[i].data && !e[i].sparse)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		for (left = e[i].zeros || e[i].sparse ? len : 0; left > 0;) {
			size_t k = left < sizeof(zero) ? left : sizeof(zero);
			assert_int_equal(archive_write_data(a, zero, k), (la_ssize_t)k);
			left -= k;
		}
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* The list extraction is held to. With own_list 0, what in_tar holds: each regular file under
 * attachments/ whose name is valid and not one with an earlier name, with its size and
 * SHA-256, so that a test of a hostile entry reaches the check it is about. With own_list 1,
 * the n_files in files. */
#define LIST_MAX 32
static struct pouch_archive_file files[LIST_MAX];
static size_t n_files;
static char list_names[LIST_MAX][POUCH_ARCHIVE_NAME_MAX + 16];
static char list_hex[LIST_MAX][POUCH_SHA256_HEX];

/* Hashes the data of the current entry of a into hex; returns its size, or -1. */
FIXTURE_FN la_int64_t hash_entry(struct archive *a, char *hex)
{
	struct pouch_sha256 *d = NULL;
	const void *buf;
	size_t len;
	la_int64_t off, total = 0;
	int r;

	assert_int_equal(pouch_sha256_new(&d, NULL), 0);
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		pouch_sha256_update(d, buf, len);
		total += (la_int64_t)len;
	}
	pouch_sha256_hex(d, hex);
	pouch_sha256_free(d);
	return r == ARCHIVE_EOF ? total : -1;
}

FIXTURE_FN void list_from_tar(void)
{
	struct pouch_archive_names seen = { 0 };
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = uselocale(loc);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	const char *path;

	n_files = 0;
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, in_tar, 10240) != ARCHIVE_OK)
		goto out;
	while (n_files < LIST_MAX && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		la_int64_t size;
		path = archive_entry_pathname(e);
		if (!path || strncmp(path, POUCH_ARCHIVE_DIR, strlen(POUCH_ARCHIVE_DIR)) != 0 ||
		    archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
		    archive_entry_sparse_count(e) > 0)
			continue;
		snprintf(list_names[n_files], sizeof(list_names[0]), "%s",
			 path + strlen(POUCH_ARCHIVE_DIR));
		size = hash_entry(a, list_hex[n_files]);
		if (size < 0)
			break;
		if (pouch_archive_name_check(list_names[n_files], NULL) < 0 ||
		    pouch_archive_names_add(&seen, list_names[n_files], NULL, NULL) < 0)
			continue;
		files[n_files] = (struct pouch_archive_file){ list_names[n_files], (uint64_t)size,
							      list_hex[n_files] };
		n_files++;
	}
out:
	archive_read_free(a);
	pouch_archive_names_release(&seen);
	uselocale(old);
	freelocale(loc);
}

FIXTURE_FN int list_cb(void *ctx, const char *manifest, size_t len,
		       const struct pouch_archive_file **out, size_t *n, struct pouch_err *err)
{
	(void)ctx;
	(void)manifest;
	(void)len;
	(void)err;
	*out = files;
	*n = n_files;
	return 0;
}

FIXTURE_FN int extract(const struct pouch_archive_limits *lim, char **m, size_t *len,
		       struct pouch_err *err)
{
	int fd = open(in_tar, O_RDONLY | O_CLOEXEC);
	int ret;

	assert_true(fd >= 0);
	if (!own_list)
		list_from_tar();
	ret = pouch_archive_extract(fd, out_dir, lim, list_cb, NULL, m, len, err);
	close(fd);
	return ret;
}

/* Extracting in_tar is refused (also with err NULL), the message holds want, nothing is
 * returned and out is empty again. */
FIXTURE_FN void expect_refused(const struct pouch_archive_limits *lim, const char *want)
{
	struct pouch_err err = { 0 };
	char *m = (char *)"sentinel";
	size_t len = 99;
	int ret = extract(lim, &m, &len, &err);

	if (ret != POUCH_E_REFUSED || err.code != POUCH_E_REFUSED || !strstr(err.msg, want))
		fail_msg("extraction gave %d '%s', not a refusal naming '%s'", ret, err.msg, want);
	assert_null(m);
	assert_int_equal(len, 0);
	assert_int_equal(entries(out_dir), 0);
	assert_int_equal(extract(lim, &m, NULL, NULL), POUCH_E_REFUSED);
	assert_int_equal(entries(out_dir), 0);
}

FIXTURE_FN void refused(enum craft_fmt fmt, const struct ent *e, size_t n,
		    const struct pouch_archive_limits *lim, const char *want)
{
	craft(fmt, e, n);
	expect_refused(lim, want);
}

#define REFUSED(ents, want) refused(PAX, ents, sizeof(ents) / sizeof(ents[0]), &LIM, want)

/* Extraction of in_tar succeeds with the given limits; returns the manifest (caller frees). */
FIXTURE_FN char *extract_ok(const struct pouch_archive_limits *lim)
{
	struct pouch_err err = { 0 };
	char *m = NULL;
	size_t len = 0;

	if (extract(lim, &m, &len, &err) != 0)
		fail_msg("extraction failed: %s", err.msg);
	assert_non_null(m);
	assert_int_equal(strlen(m), len);
	return m;
}

/* Removes every file in out_dir. */
FIXTURE_FN void empty_out(void)
{
	DIR *d = opendir(out_dir);
	struct dirent *de;
	char p[512];

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", out_dir, de->d_name);
		assert_int_equal(unlink(p), 0);
	}
	closedir(d);
}

#endif
