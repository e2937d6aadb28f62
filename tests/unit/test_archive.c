/* Unit tests for pkg/archive.c: attachment names, the reproducible writer, and extraction of
 * honest and hostile archives (crafted here with libarchive's own writer) into a directory. */
#define _GNU_SOURCE /* memmem */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fixture.h"
#include "pouch/archive.h"

#define MANIFEST_TEXT "{\"format\":\"pouch-content/1\"}"
#define UTF8_NAME "Aussage M\xc3\xbcller \xe2\x80\x93 \xc3\xbc" "bersetzt.txt"
#define BIG 200000 /* bytes: four chunks of the writer */

static char in_tar[64];  /* the archive under test: <dir>/in.tar */
static char out_dir[64]; /* the extraction directory: <dir>/out, made 0700 by setup */

static const struct pouch_archive_limits LIM = { 1 << 20, 16, 4096 };

/* cmocka setup: a fresh directory holding the empty extraction directory out. */
static int setup_archive(void **state)
{
	struct fixture *f;

	if (setup(state) < 0)
		return -1;
	f = *state;
	snprintf(in_tar, sizeof(in_tar), "%s/in.tar", f->dir);
	snprintf(out_dir, sizeof(out_dir), "%s/out", f->dir);
	return mkdir(out_dir, 0700);
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* BIG bytes of a pattern that is not periodic in 512 or 64 KiB. */
static unsigned char *big_content(void)
{
	unsigned char *b = malloc(BIG);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < BIG; i++)
		b[i] = (unsigned char)(i * 7 + (i >> 9) + (i >> 17));
	return b;
}

/* The file at path holds exactly the len bytes at want. */
static void assert_file(const char *path, const void *want, size_t len)
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

static void on_chunk(void *ctx, const void *buf, size_t len)
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
static void craft(enum craft_fmt fmt, const struct ent *e, size_t n)
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

static int extract(const struct pouch_archive_limits *lim, char **m, size_t *len,
		   struct pouch_err *err)
{
	int fd = open(in_tar, O_RDONLY | O_CLOEXEC);
	int ret;

	assert_true(fd >= 0);
	ret = pouch_archive_extract(fd, out_dir, lim, m, len, err);
	close(fd);
	return ret;
}

/* Extracting in_tar is refused (also with err NULL), the message holds want, nothing is
 * returned and out is empty again. */
static void expect_refused(const struct pouch_archive_limits *lim, const char *want)
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

static void refused(enum craft_fmt fmt, const struct ent *e, size_t n,
		    const struct pouch_archive_limits *lim, const char *want)
{
	craft(fmt, e, n);
	expect_refused(lim, want);
}

#define REFUSED(ents, want) refused(PAX, ents, sizeof(ents) / sizeof(ents[0]), &LIM, want)

/* Extraction of in_tar succeeds with the given limits; returns the manifest (caller frees). */
static char *extract_ok(const struct pouch_archive_limits *lim)
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
static void empty_out(void)
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

/* Names */

static void test_archive__name_check_accepts_good_names(void **state)
{
	static const char *const ok[] = {
		"a", "report.pdf", "scan 01 (front).jpg", " leading and trailing space ",
		"a..b", "...", ".hidden", "-dash", UTF8_NAME, "\xe6\x97\xa5\xe6\x9c\xac.txt",
		"emoji \xf0\x9f\x93\x8e.png", "nbsp\xc2\xa0ok", "pouch.json",
	};
	char longest[POUCH_ARCHIVE_NAME_MAX + 1];
	struct pouch_err err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (pouch_archive_name_check(ok[i], &err) != 0)
			fail_msg("name '%s' refused: %s", ok[i], err.msg);
	memset(longest, 'x', POUCH_ARCHIVE_NAME_MAX);
	longest[POUCH_ARCHIVE_NAME_MAX] = '\0';
	assert_int_equal(pouch_archive_name_check(longest, NULL), 0);
}

static void test_archive__name_check_refuses_bad_names(void **state)
{
	static const struct {
		const char *name, *want;
	} bad[] = {
		{ "", "empty" },
		{ ".", "'.' and '..'" },
		{ "..", "'.' and '..'" },
		{ "a/b", "'/' and '\\'" },
		{ "/etc", "'/' and '\\'" },
		{ "../x", "'/' and '\\'" },
		{ "a\\b", "'/' and '\\'" },
		{ "tab\there", "control" },
		{ "nl\n", "control" },
		{ "\x1b[31mred", "control" },
		{ "del\x7f", "control" },
		{ "c1 \xc2\x80", "control" },
		{ "csi \xc2\x9b" "31m", "control" },
		{ "c1 \xc2\x9f", "control" },
		{ "latin1 \xe9", "UTF-8" },
		{ "overlong \xc0\xaf", "UTF-8" },
		{ "surrogate \xed\xa0\x80", "UTF-8" },
		{ "too high \xf4\x90\x80\x80", "UTF-8" },
		{ "cut \xe2\x80", "UTF-8" },
		{ "lone \x80", "UTF-8" },
	};
	char toolong[POUCH_ARCHIVE_NAME_MAX + 2];
	struct pouch_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pouch_err_clear(&err);
		if (pouch_archive_name_check(bad[i].name, &err) != POUCH_E_REFUSED ||
		    err.code != POUCH_E_REFUSED || !strstr(err.msg, "invalid attachment name") ||
		    !strstr(err.msg, bad[i].want))
			fail_msg("name %zu not refused for '%s': '%s'", i, bad[i].want, err.msg);
		assert_int_equal(pouch_archive_name_check(bad[i].name, NULL), POUCH_E_REFUSED);
	}
	memset(toolong, 'x', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = '\0';
	assert_int_equal(pouch_archive_name_check(toolong, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "longer than 255 bytes"));
	/* The message shows the name escaped, never raw control bytes. */
	assert_int_equal(pouch_archive_name_check("\x1b[2Jx", &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "'\\x1b[2Jx'"));
	assert_null(strchr(err.msg, '\x1b'));
}

/* Writing */

static void test_archive__round_trip(void **state)
{
	struct fixture *f = *state;
	struct pouch_archive_writer *w = NULL;
	struct pouch_err err = { 0 };
	struct chunks c = { 0 };
	unsigned char *big = big_content();
	static const char text[] = "Ich habe den Mann gesehen.\n";
	char big_path[256], text_path[256], got[512];
	uint64_t size = 0;
	mode_t old;
	char *m;
	int fd;

	snprintf(big_path, sizeof(big_path), "%s", at(f, "scan.bin"));
	put_bytes(big_path, big, BIG, 0644);
	snprintf(text_path, sizeof(text_path), "%s", at(f, "statement.txt"));
	put_text(text_path, text, 0644);
	fd = open(in_tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, &err), 0);
	assert_int_equal(pouch_archive_add_manifest(w, MANIFEST_TEXT, strlen(MANIFEST_TEXT), &err),
			 0);
	assert_int_equal(pouch_archive_add_file(w, "scan 01.bin", big_path, on_chunk, &c, &size,
						&err),
			 0);
	/* Every byte reached the callback once, in order, in chunks of at most 64 KiB. */
	assert_int_equal(size, BIG);
	assert_int_equal(c.len, BIG);
	assert_memory_equal(c.data, big, BIG);
	assert_int_equal(c.calls, (BIG + POUCH_ARCHIVE_CHUNK - 1) / POUCH_ARCHIVE_CHUNK);
	assert_int_equal(c.largest, POUCH_ARCHIVE_CHUNK);
	/* Neither the callback nor the size is required. */
	assert_int_equal(pouch_archive_add_file(w, UTF8_NAME, text_path, NULL, NULL, NULL, &err),
			 0);
	assert_int_equal(pouch_archive_add_bytes(w, "empty", "", 0, &err), 0);
	assert_int_equal(pouch_archive_writer_finish(w, &err), 0);
	pouch_archive_writer_free(w);
	assert_int_equal(close(fd), 0);
	/* The calling thread's locale is what it was. */
	assert_true(uselocale((locale_t)0) == LC_GLOBAL_LOCALE);

	old = umask(0277);
	m = extract_ok(&LIM);
	umask(old);
	assert_true(uselocale((locale_t)0) == LC_GLOBAL_LOCALE);
	assert_string_equal(m, MANIFEST_TEXT);
	free(m);
	assert_int_equal(entries(out_dir), 3);
	snprintf(got, sizeof(got), "%s/scan 01.bin", out_dir);
	assert_file(got, big, BIG);
	assert_int_equal(mode_of(got), 0600);
	snprintf(got, sizeof(got), "%s/%s", out_dir, UTF8_NAME);
	assert_file(got, text, strlen(text));
	assert_int_equal(mode_of(got), 0600);
	snprintf(got, sizeof(got), "%s/empty", out_dir);
	assert_int_equal(size_of(got), 0);
	assert_int_equal(mode_of(got), 0600);
	free(c.data);
	free(big);
}

/* Writes the same small archive to path. */
static void write_small(const char *path)
{
	struct pouch_archive_writer *w = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, NULL), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, NULL), 0);
	assert_int_equal(pouch_archive_add_bytes(w, "a.txt", "abcd", 4, NULL), 0);
	assert_int_equal(pouch_archive_add_bytes(w, UTF8_NAME, "x", 1, NULL), 0);
	assert_int_equal(pouch_archive_writer_finish(w, NULL), 0);
	pouch_archive_writer_free(w);
	assert_int_equal(close(fd), 0);
}

static void test_archive__writer_is_reproducible(void **state)
{
	struct fixture *f = *state;
	char a_path[256], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	static const char *const names[] = {
		"pouch.json", "attachments/a.txt", "attachments/" UTF8_NAME,
	};
	locale_t loc, old;
	struct archive *rd;
	struct archive_entry *e;
	int n = 0;

	snprintf(a_path, sizeof(a_path), "%s", at(f, "a.tar"));
	write_small(a_path);
	sleep(1); /* a clock in the output would now differ */
	write_small(at(f, "b.tar"));
	assert_int_equal(pouch_fs_read(a_path, 1 << 20, &a, &alen, NULL), 0);
	assert_int_equal(pouch_fs_read(f->path, 1 << 20, &b, &blen, NULL), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	/* No padding to a 10 KiB record: whole 512-byte blocks and the two end blocks. */
	assert_int_equal(alen % 512, 0);
	assert_true(alen < 10240);
	assert_memory_equal(a + alen - 1024, (char[1024]){ 0 }, 1024);
	/* The UTF-8 name is a plain pax path record, readable by any pax reader. */
	assert_non_null(memmem(a, alen, "path=attachments/" UTF8_NAME "\n",
			       strlen("path=attachments/" UTF8_NAME "\n")));
	assert_null(memmem(a, alen, "hdrcharset", 10));
	free(a);
	free(b);
	/* Every entry: a regular file, 0600, mtime 0, owned by 0:0 without names. */
	loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	assert_true(loc != (locale_t)0);
	old = uselocale(loc);
	rd = archive_read_new();
	assert_non_null(rd);
	archive_read_support_format_tar(rd);
	assert_int_equal(archive_read_open_filename(rd, a_path, 10240), ARCHIVE_OK);
	while (archive_read_next_header(rd, &e) == ARCHIVE_OK && n < 3) {
		assert_int_equal(archive_entry_filetype(e), AE_IFREG);
		assert_int_equal(archive_entry_perm(e), 0600);
		assert_int_equal(archive_entry_mtime(e), 0);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_true(!archive_entry_uname(e) || !*archive_entry_uname(e));
		assert_true(!archive_entry_gname(e) || !*archive_entry_gname(e));
		assert_string_equal(archive_entry_pathname(e), names[n]);
		n++;
	}
	assert_int_equal(n, 3);
	archive_read_free(rd);
	uselocale(old);
	freelocale(loc);
}

static void test_archive__writer_enforces_layout(void **state)
{
	struct fixture *f = *state;
	struct pouch_archive_writer *w = NULL;
	struct pouch_err err = { 0 };
	int fd = open(in_tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	char *m;

	assert_true(fd >= 0);
	pouch_archive_writer_free(NULL);
	assert_int_equal(pouch_archive_writer_new(fd, &w, &err), 0);
	/* pouch.json comes first, and once. */
	assert_int_equal(pouch_archive_add_bytes(w, "a.txt", "a", 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "pouch.json must come first"));
	assert_int_equal(pouch_archive_writer_finish(w, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "pouch.json was not added"));
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, &err), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, &err), POUCH_E_USAGE);
	/* Refused names and files write nothing and leave the writer usable. */
	assert_int_equal(pouch_archive_add_bytes(w, "../x", "a", 1, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "invalid attachment name '../x'"));
	assert_int_equal(pouch_archive_add_bytes(w, "a.txt", "a", 1, &err), 0);
	assert_int_equal(pouch_archive_add_bytes(w, "A.TXT", "b", 1, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "'a.txt' differs only in case"));
	assert_int_equal(pouch_archive_add_file(w, "a.txt", in_tar, NULL, NULL, NULL, &err),
			 POUCH_E_REFUSED);
	assert_int_equal(pouch_archive_add_file(w, "b", at(f, "missing"), NULL, NULL, NULL, &err),
			 POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(pouch_archive_add_file(w, "b", f->dir, NULL, NULL, NULL, &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, "is a directory"));
	/* A name refused for a missing file is free again. */
	put_text(at(f, "b.txt"), "bee", 0600);
	assert_int_equal(pouch_archive_add_file(w, "b", f->path, NULL, NULL, NULL, &err), 0);
	assert_int_equal(pouch_archive_writer_finish(w, &err), 0);
	assert_int_equal(pouch_archive_writer_finish(w, &err), POUCH_E_USAGE);
	assert_int_equal(pouch_archive_add_bytes(w, "c", "c", 1, &err), POUCH_E_USAGE);
	pouch_archive_writer_free(w);
	close(fd);
	m = extract_ok(&LIM);
	free(m);
	assert_int_equal(entries(out_dir), 2);
	assert_content(at(f, "out/a.txt"), "a");
	assert_content(at(f, "out/b"), "bee");
}

static void test_archive__writer_failures_stick(void **state)
{
	struct fixture *f = *state;
	struct pouch_archive_writer *w = NULL;
	struct pouch_err err = { 0 };
	unsigned char *big = big_content();
	int fd;

	/* /proc files claim size 0 and then give bytes: archived short, they must fail. */
	fd = open(in_tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, &err), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, &err), 0);
	assert_int_equal(pouch_archive_add_file(w, "status", "/proc/self/status", NULL, NULL,
						NULL, &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, "grew while being read"));
	assert_int_equal(pouch_archive_add_bytes(w, "x", "x", 1, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "an earlier write failed"));
	assert_int_equal(pouch_archive_writer_finish(w, &err), POUCH_E_IO);
	pouch_archive_writer_free(w);
	close(fd);

	/* An fd that cannot be written. */
	put_bytes(at(f, "big.bin"), big, BIG, 0600);
	fd = open(in_tar, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, &err), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, &err), 0);
	assert_int_equal(pouch_archive_add_file(w, "big", f->path, NULL, NULL, NULL, &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot write archive entry 'attachments/big'"));
	assert_int_equal(pouch_archive_writer_finish(w, &err), POUCH_E_IO);
	pouch_archive_writer_free(w);
	close(fd);
	free(big);
}

static void test_archive__writer_free_abandons_unfinished(void **state)
{
	struct fixture *f = *state;
	struct pouch_archive_writer *w = NULL;
	unsigned char *big = big_content();
	int fd;

	/* Freed before finishing, a writer adds nothing to fd, above all no end-of-archive
	 * blocks that would make a whole-looking archive of what was written. */
	fd = open(in_tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, NULL), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, NULL), 0);
	assert_int_equal(pouch_archive_add_bytes(w, "a", "a", 1, NULL), 0);
	pouch_archive_writer_free(w);
	close(fd);
	assert_int_equal(size_of(in_tar), 0);
	expect_refused(&LIM, "it is empty");
	/* Output already flushed stays, cut: a reader refuses it. */
	put_bytes(at(f, "big.bin"), big, BIG, 0600);
	assert_int_equal(unlink(in_tar), 0);
	fd = open(in_tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_writer_new(fd, &w, NULL), 0);
	assert_int_equal(pouch_archive_add_manifest(w, "{}", 2, NULL), 0);
	assert_int_equal(pouch_archive_add_file(w, "big", f->path, NULL, NULL, NULL, NULL), 0);
	pouch_archive_writer_free(w);
	close(fd);
	assert_true(size_of(in_tar) > 0 && size_of(in_tar) < BIG + 1024);
	expect_refused(&LIM, "cannot extract 'attachments/big'");
	free(big);
}

/* Extracting */

static void test_archive__extract_accepts_ustar_and_gnu(void **state)
{
	const struct ent ents[] = {
		{ .path = "pouch.json", .data = MANIFEST_TEXT }, OK,
		{ .path = "attachments/two", .data = "2" },
	};
	enum craft_fmt fmts[] = { PAX, USTAR, GNU };
	struct fixture *f = *state;
	size_t i;
	char *m;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		craft(fmts[i], ents, 3);
		m = extract_ok(&LIM);
		assert_string_equal(m, MANIFEST_TEXT);
		free(m);
		assert_int_equal(entries(out_dir), 2);
		assert_content(at(f, "out/ok.txt"), "fine");
		/* The archive said 0644; extraction makes 0600. */
		assert_int_equal(mode_of(f->path), 0600);
		empty_out();
	}
}

static void test_archive__extract_refuses_first_entry_not_manifest(void **state)
{
	const struct ent att_first[] = { OK, M };
	const struct ent dot_slash[] = { { .path = "./pouch.json", .data = "{}" }, OK };
	const struct ent upper[] = { { .path = "POUCH.JSON", .data = "{}" } };

	(void)state;
	REFUSED(att_first, "cannot extract 'attachments/ok.txt': the first entry must be "
			   "pouch.json");
	REFUSED(dot_slash, "'./pouch.json': the first entry must be pouch.json");
	REFUSED(upper, "'POUCH.JSON'");
}

static void test_archive__extract_refuses_big_manifest(void **state)
{
	const struct ent ents[] = { { .path = "pouch.json", .data = MANIFEST_TEXT }, OK };
	struct pouch_archive_limits lim = LIM;
	char *m;

	(void)state;
	craft(PAX, ents, 2);
	lim.max_manifest = strlen(MANIFEST_TEXT);
	m = extract_ok(&lim);
	free(m);
	empty_out();
	lim.max_manifest--;
	expect_refused(&lim, "cannot extract 'pouch.json': larger than 27 bytes");
}

static void test_archive__extract_refuses_entries_outside_attachments(void **state)
{
	const struct ent top[] = { M, OK, { .path = "notes.txt", .data = "x" } };
	const struct ent again[] = { M, OK, { .path = "pouch.json", .data = "{}" } };
	const struct ent prefix[] = { M, OK, { .path = "attachmentsX/a", .data = "x" } };

	(void)state;
	REFUSED(top, "cannot extract 'notes.txt': not under attachments/");
	REFUSED(again, "cannot extract 'pouch.json': not under attachments/");
	REFUSED(prefix, "'attachmentsX/a': not under attachments/");
}

static void test_archive__extract_refuses_bad_paths(void **state)
{
	static const struct {
		const char *path, *want;
	} bad[] = {
		{ "attachments/../x", "cannot extract 'attachments/../x': invalid attachment" },
		{ "/etc/x", "cannot extract '/etc/x': not under attachments/" },
		{ "attachments/a/b", "cannot extract 'attachments/a/b': invalid attachment name" },
		{ "attachments/..", "'attachments/..': invalid attachment name '..'" },
		{ "attachments/.", "'attachments/.': invalid attachment name '.'" },
		/* A final '/' makes a directory of any tar entry. */
		{ "attachments/", "'attachments/': a directory" },
		{ "attachments/\n", "invalid attachment name '\\x0a': control" },
		{ "attachments//x", "invalid attachment name '/x'" },
		{ "attachments/a\\b", "invalid attachment name 'a\\x5cb'" },
		{ "attachments/a\x01" "b", "invalid attachment name 'a\\x01b': control" },
		{ "attachments/bad \xff", "invalid attachment name 'bad \\xff': not valid UTF-8" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct ent ents[] = { M, OK, { .path = bad[i].path, .data = "x" } };
		/* ustar keeps the bytes as they are; the pax writer would convert them. */
		refused(USTAR, ents, 3, &LIM, bad[i].want);
	}
}

static void test_archive__extract_refuses_long_name(void **state)
{
	char path[sizeof(POUCH_ARCHIVE_DIR) + POUCH_ARCHIVE_NAME_MAX + 1];
	const struct ent ents[] = { M, OK, { .path = path, .data = "x" } };
	char *m;

	(void)state;
	/* 255 bytes pass (pax carries the long path), 256 do not. */
	memset(path, 'n', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, POUCH_ARCHIVE_DIR, strlen(POUCH_ARCHIVE_DIR));
	REFUSED(ents, "longer than 255 bytes");
	path[sizeof(path) - 2] = '\0';
	craft(PAX, ents, 3);
	m = extract_ok(&LIM);
	free(m);
	assert_int_equal(entries(out_dir), 2);
}

static void test_archive__extract_refuses_symlink(void **state)
{
	const struct ent ents[] = {
		M, OK, { .path = "attachments/link", .type = AE_IFLNK, .link = "/etc/passwd" }
	};
	const struct ent manifest[] = {
		{ .path = "pouch.json", .type = AE_IFLNK, .link = "/etc/passwd" }
	};

	(void)state;
	REFUSED(ents, "cannot extract 'attachments/link': a symbolic link");
	REFUSED(manifest, "cannot extract 'pouch.json': a symbolic link");
}

static void test_archive__extract_refuses_hardlink(void **state)
{
	const struct ent ents[] = {
		M, OK, { .path = "attachments/hard", .link = "attachments/ok.txt", .hard = 1 }
	};
	const struct ent outside[] = {
		M, OK, { .path = "attachments/hard", .link = "/etc/shadow", .hard = 1 }
	};

	(void)state;
	REFUSED(ents, "cannot extract 'attachments/hard': a hard link");
	REFUSED(outside, "cannot extract 'attachments/hard': a hard link");
}

static void test_archive__extract_refuses_directory(void **state)
{
	const struct ent ents[] = { M, OK, { .path = "attachments/d", .type = AE_IFDIR } };
	const struct ent dir[] = { M, OK, { .path = "attachments", .type = AE_IFDIR } };

	(void)state;
	REFUSED(ents, "cannot extract 'attachments/d/': a directory");
	REFUSED(dir, "a directory");
}

static void test_archive__extract_refuses_devices_and_fifos(void **state)
{
	const struct ent chr[] = { M, OK, { .path = "attachments/null", .type = AE_IFCHR } };
	const struct ent blk[] = { M, OK, { .path = "attachments/sda", .type = AE_IFBLK } };
	const struct ent fifo[] = { M, OK, { .path = "attachments/fifo", .type = AE_IFIFO } };

	(void)state;
	REFUSED(chr, "cannot extract 'attachments/null': a device");
	REFUSED(blk, "cannot extract 'attachments/sda': a device");
	REFUSED(fifo, "cannot extract 'attachments/fifo': a FIFO");
}

static void test_archive__extract_refuses_sparse(void **state)
{
	const struct ent ents[] = { M, OK, { .path = "attachments/holes", .sparse = 1 } };

	(void)state;
	REFUSED(ents, "cannot extract 'attachments/holes': a sparse file");
}

static void test_archive__extract_refuses_duplicates(void **state)
{
	const struct ent same[] = { M, OK, { .path = "attachments/ok.txt", .data = "again" } };
	const struct ent folded[] = { M, OK, { .path = "attachments/OK.TXT", .data = "x" } };
	const struct ent mixed[] = {
		M, { .path = "attachments/Report.PDF", .data = "1" },
		{ .path = "attachments/report.pdf", .data = "2" },
	};

	(void)state;
	REFUSED(same, "cannot extract 'attachments/ok.txt': the name of attachment 'ok.txt' "
		      "differs only in case or not at all");
	REFUSED(folded, "'attachments/OK.TXT': the name of attachment 'ok.txt' differs");
	REFUSED(mixed, "'attachments/report.pdf': the name of attachment 'Report.PDF'");
}

static void test_archive__extract_limits_entries(void **state)
{
	const struct ent ents[] = {
		M, OK, { .path = "attachments/2", .data = "2" }, { .path = "attachments/3" },
	};
	struct pouch_archive_limits lim = LIM;
	char *m;

	(void)state;
	craft(PAX, ents, 4);
	lim.max_entries = 4; /* pouch.json counts */
	m = extract_ok(&lim);
	free(m);
	assert_int_equal(entries(out_dir), 3);
	empty_out();
	lim.max_entries = 3;
	expect_refused(&lim, "cannot extract 'attachments/3': more than 3 entries");
	lim.max_entries = 0;
	expect_refused(&lim, "cannot extract 'pouch.json': more than 0 entries");
}

static void test_archive__extract_limits_total_size(void **state)
{
	const struct ent ents[] = { M, OK };
	const struct ent bomb[] = { M, OK, { .path = "attachments/zeros", .zeros = 8 << 20 } };
	struct pouch_archive_limits lim = LIM;
	char *m;

	(void)state;
	/* 2 bytes of pouch.json and 4 of ok.txt: the limit is inclusive. */
	craft(PAX, ents, 2);
	lim.max_total = 6;
	m = extract_ok(&lim);
	free(m);
	empty_out();
	lim.max_total = 5;
	expect_refused(&lim, "cannot extract 'attachments/ok.txt': the archive holds more than 5 "
			     "bytes");
	lim.max_total = 1;
	expect_refused(&lim, "cannot extract 'pouch.json': the archive holds more than 1 bytes");
	/* 8 MiB of zeros against a 1 MiB limit. */
	REFUSED(bomb, "cannot extract 'attachments/zeros': the archive holds more than 1048576 "
		      "bytes");
}

static void test_archive__extract_refuses_truncated(void **state)
{
	const struct ent ents[] = { M, OK, { .path = "attachments/zeros", .zeros = 100000 } };

	(void)state;
	craft(PAX, ents, 3);
	/* Cut inside the data of the last entry. */
	assert_int_equal(truncate(in_tar, 2048 + 512 + 50000), 0);
	expect_refused(&LIM, "cannot extract 'attachments/zeros': ");
	/* Cut inside a header. */
	assert_int_equal(truncate(in_tar, 2048 + 100), 0);
	expect_refused(&LIM, "cannot read the archive after 'attachments/ok.txt'");
	/* Cut exactly after an entry: no end-of-archive block. */
	assert_int_equal(truncate(in_tar, 2048), 0);
	expect_refused(&LIM, "after 'attachments/ok.txt': it is truncated (no end-of-archive "
			     "block)");
	assert_int_equal(truncate(in_tar, 1024), 0);
	expect_refused(&LIM, "after 'pouch.json': it is truncated");
	/* With the end-of-archive blocks after ok.txt it is whole. */
	craft(PAX, ents, 2);
	assert_int_equal(size_of(in_tar), 2048 + 1024);
	free(extract_ok(&LIM));
}

static void test_archive__extract_refuses_empty_input(void **state)
{
	(void)state;
	put_bytes(in_tar, "", 0, 0600);
	expect_refused(&LIM, "cannot read the archive: it is empty");
	/* Only the end-of-archive blocks: no pouch.json. */
	put_bytes(in_tar, (char[1024]){ 0 }, 1024, 0600);
	expect_refused(&LIM, "cannot read the archive");
}

static void test_archive__extract_refuses_not_tar(void **state)
{
	char junk[3000];
	size_t i;

	(void)state;
	put_text(in_tar, "{\"format\":\"pouch-content/1\"} is JSON, not a tar archive\n", 0600);
	expect_refused(&LIM, "cannot read the archive: ");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 17);
	put_bytes(in_tar, junk, sizeof(junk), 0600);
	expect_refused(&LIM, "cannot read the archive: ");
}

static void test_archive__extract_refuses_compressed(void **state)
{
	const struct ent ents[] = { M, OK };

	(void)state;
	/* A valid tar inside gzip: no decompression is allowed. */
	refused(PAX_GZIP, ents, 2, &LIM, "cannot read the archive: ");
}

static void test_archive__extract_removes_files_on_failure(void **state)
{
	const struct ent ents[] = {
		M, OK, { .path = "attachments/big", .zeros = 300000 },
		{ .path = "attachments/z", .data = "z" }, { .path = "attachments/../escape" },
	};

	struct fixture *f = *state;

	/* Three files are written before the bad entry; none survives, and nothing escapes. */
	REFUSED(ents, "'attachments/../escape'");
	assert_false(pouch_fs_exists(at(f, "escape")));
	assert_int_equal(entries(f->dir), 2);
}

static void test_archive__extract_dir_must_be_empty_and_real(void **state)
{
	const struct ent ents[] = { M, OK };
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *m = NULL;
	int fd;

	craft(PAX, ents, 2);
	put_text(at(f, "out/ok.txt"), "mine", 0600);
	assert_int_equal(extract(&LIM, &m, NULL, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "not empty"));
	assert_null(m);
	assert_content(f->path, "mine");
	assert_int_equal(unlink(f->path), 0);
	/* A missing directory, and a symbolic link to the real one. */
	fd = open(in_tar, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_extract(fd, at(f, "nodir"), &LIM, &m, NULL, &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(symlink(out_dir, at(f, "link")), 0);
	assert_int_equal(pouch_archive_extract(fd, f->path, &LIM, &m, NULL, &err), POUCH_E_IO);
	close(fd);
	assert_null(m);
	assert_int_equal(entries(out_dir), 0);
}

static void test_archive__extract_read_error_is_io(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *m = NULL;
	int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_extract(fd, out_dir, &LIM, &m, NULL, &err), POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot read the archive"));
	close(fd);
	assert_null(m);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_archive, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_archive__name_check_accepts_good_names),
		T(test_archive__name_check_refuses_bad_names),
		T(test_archive__round_trip),
		T(test_archive__writer_is_reproducible),
		T(test_archive__writer_enforces_layout),
		T(test_archive__writer_failures_stick),
		T(test_archive__writer_free_abandons_unfinished),
		T(test_archive__extract_accepts_ustar_and_gnu),
		T(test_archive__extract_refuses_first_entry_not_manifest),
		T(test_archive__extract_refuses_big_manifest),
		T(test_archive__extract_refuses_entries_outside_attachments),
		T(test_archive__extract_refuses_bad_paths),
		T(test_archive__extract_refuses_long_name),
		T(test_archive__extract_refuses_symlink),
		T(test_archive__extract_refuses_hardlink),
		T(test_archive__extract_refuses_directory),
		T(test_archive__extract_refuses_devices_and_fifos),
		T(test_archive__extract_refuses_sparse),
		T(test_archive__extract_refuses_duplicates),
		T(test_archive__extract_limits_entries),
		T(test_archive__extract_limits_total_size),
		T(test_archive__extract_refuses_truncated),
		T(test_archive__extract_refuses_empty_input),
		T(test_archive__extract_refuses_not_tar),
		T(test_archive__extract_refuses_compressed),
		T(test_archive__extract_removes_files_on_failure),
		T(test_archive__extract_dir_must_be_empty_and_real),
		T(test_archive__extract_read_error_is_io),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
