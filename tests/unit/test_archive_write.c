/* Unit tests for the container module's writer (pkg/package/archive_write.c): a round trip, a
 * reproducible archive, the layout enforced, failures that stick, an unfinished archive
 * abandoned. Extraction: test_archive_extract.c. */
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
#include "package/archive.h"

#include "archive_craft.h"

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

#define T(name) cmocka_unit_test_setup_teardown(name, setup_archive, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_archive__round_trip),
		T(test_archive__writer_is_reproducible),
		T(test_archive__writer_enforces_layout),
		T(test_archive__writer_failures_stick),
		T(test_archive__writer_free_abandons_unfinished),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
