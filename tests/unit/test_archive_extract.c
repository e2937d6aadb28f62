/* Unit tests for the container module's extraction (pkg/package/archive_read.c) of honest and
 * hostile archives (crafted with libarchive's own writer, archive_craft.h) into a directory.
 * Names: test_archive_name.c; holding the archive to pouch.json's list: test_archive_list.c. */
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
	expect_refused(&lim, "pouch.json lists more than 2 attachments");
	/* An archive that holds more than its list is refused at the limit all the same. */
	list_from_tar();
	own_list = 1;
	n_files = 2;
	expect_refused(&lim, "cannot extract 'attachments/3': more than 3 entries");
	own_list = 0;
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
	assert_int_equal(pouch_archive_extract(fd, at(f, "nodir"), &LIM, list_cb, NULL, &m, NULL,
					       &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(symlink(out_dir, at(f, "link")), 0);
	assert_int_equal(pouch_archive_extract(fd, f->path, &LIM, list_cb, NULL, &m, NULL, &err),
			 POUCH_E_IO);
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
	assert_int_equal(pouch_archive_extract(fd, out_dir, &LIM, list_cb, NULL, &m, NULL, &err),
			 POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot read the archive"));
	close(fd);
	assert_null(m);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_archive, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
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
