/* Unit tests for pkg/base/fs.c: atomic and exclusive writes, capped reads, private directories
 * and tree removal, each in a fresh directory under /tmp. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "base/fs.h"
#include "base/spool.h"

static void test_fs__write_atomic_creates_with_mode(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	mode_t old = umask(077);

	assert_int_equal(pouch_fs_write_atomic(at(f, "a.json"), "{}\n", 3, 0640, 1, &err), 0);
	umask(old);
	assert_int_equal(mode_of(f->path), 0640);
	assert_content(f->path, "{}\n");
	assert_int_equal(pouch_fs_write_atomic(at(f, "b.json"), "x", 1, 0600, 0, &err), 0);
	assert_int_equal(mode_of(f->path), 0600);
	assert_int_equal(entries(f->dir), 2);
}

static void test_fs__write_atomic_replaces_when_not_exclusive(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };

	put_text(at(f, "r.json"), "old content that is longer", 0644);
	assert_int_equal(pouch_fs_write_atomic(f->path, "new", 3, 0600, 0, &err), 0);
	assert_content(f->path, "new");
	assert_int_equal(mode_of(f->path), 0600);
	assert_int_equal(entries(f->dir), 1);
}

static void test_fs__write_atomic_exclusive_keeps_existing(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };

	put_text(at(f, "x.json"), "old", 0600);
	assert_int_equal(pouch_fs_write_atomic(f->path, "new", 3, 0600, 1, &err), POUCH_E_EXISTS);
	assert_int_equal(err.code, POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, f->path));
	assert_content(f->path, "old");
	/* No temporary file left behind. */
	assert_int_equal(entries(f->dir), 1);
}

static void test_fs__write_atomic_exclusive_does_not_follow_symlink(void **state)
{
	struct fixture *f = *state;
	char target[256];

	snprintf(target, sizeof(target), "%s/target", f->dir);
	assert_int_equal(symlink(target, at(f, "link")), 0);
	assert_int_equal(pouch_fs_write_atomic(f->path, "new", 3, 0600, 1, NULL), POUCH_E_EXISTS);
	assert_false(pouch_fs_exists(target));
	assert_int_equal(entries(f->dir), 1);
}

static void test_fs__write_atomic_empty_and_binary(void **state)
{
	struct fixture *f = *state;
	const char bin[] = { 'a', '\0', 'b', '\n', '\xff' };
	char *text = NULL;
	size_t len = 99;

	assert_int_equal(pouch_fs_write_atomic(at(f, "empty"), "", 0, 0600, 1, NULL), 0);
	assert_int_equal(pouch_fs_read(f->path, 0, &text, &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(pouch_fs_write_atomic(at(f, "bin"), bin, sizeof(bin), 0600, 1, NULL), 0);
	assert_int_equal(pouch_fs_read(f->path, sizeof(bin), &text, &len, NULL), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(text, bin, sizeof(bin));
	assert_int_equal(text[len], '\0');
	free(text);
	assert_int_equal(entries(f->dir), 2);
}

static void test_fs__write_atomic_missing_directory_is_io(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_fs_write_atomic(at(f, "no/such/x"), "x", 1, 0600, 0, &err),
			 POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(entries(f->dir), 0);
}

static void test_fs__read_size_cap(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *text = NULL;
	size_t len = 0;

	put_text(at(f, "ten"), "0123456789", 0600);
	assert_int_equal(pouch_fs_read(f->path, 10, &text, &len, &err), 0);
	assert_int_equal(len, 10);
	assert_string_equal(text, "0123456789");
	free(text);
	text = (char *)"sentinel";
	assert_int_equal(pouch_fs_read(f->path, 9, &text, &len, &err), POUCH_E_REFUSED);
	assert_int_equal(err.code, POUCH_E_REFUSED);
	assert_null(text);
	assert_non_null(strstr(err.msg, f->path));
	assert_non_null(strstr(err.msg, "larger than 9 bytes"));
	/* len is optional. */
	assert_int_equal(pouch_fs_read(f->path, 10, &text, NULL, NULL), 0);
	free(text);
}

static void test_fs__read_missing_is_notfound(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *text = (char *)"sentinel";

	assert_int_equal(pouch_fs_read(at(f, "missing"), 100, &text, NULL, &err),
			 POUCH_E_NOTFOUND);
	assert_int_equal(err.code, POUCH_E_NOTFOUND);
	assert_null(text);
	assert_non_null(strstr(err.msg, f->path));
}

static void test_fs__read_directory_refused(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *text = (char *)"sentinel";

	assert_int_equal(mkdir(at(f, "d"), 0700), 0);
	assert_int_equal(pouch_fs_read(f->path, 100, &text, NULL, &err), POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_null(text);
	assert_non_null(strstr(err.msg, "is a directory"));
}

static void test_fs__mkdir_private_mode_and_parents(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	mode_t old = umask(022);

	assert_int_equal(pouch_fs_mkdir_private(at(f, "home"), &err), 0);
	assert_int_equal(mode_of(f->path), 0700);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "a/b/c"), &err), 0);
	umask(old);
	assert_int_equal(mode_of(f->path), 0700);
	assert_int_equal(mode_of(at(f, "a/b")), 0700);
	assert_int_equal(mode_of(at(f, "a")), 0700);
	/* An existing directory is fine, with or without a final slash. */
	assert_int_equal(pouch_fs_mkdir_private(at(f, "a/b/c"), &err), 0);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "a/b/"), &err), 0);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "a/x/"), &err), 0);
	assert_int_equal(mode_of(at(f, "a/x")), 0700);
}

static void test_fs__mkdir_private_file_in_the_way(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };

	put_text(at(f, "file"), "x", 0600);
	assert_int_equal(pouch_fs_mkdir_private(f->path, &err), POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->path));
	pouch_err_clear(&err);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "file/sub/dir"), &err), POUCH_E_IO);
	assert_int_equal(err.code, POUCH_E_IO);
	assert_non_null(strstr(err.msg, "file"));
	assert_int_equal(entries(f->dir), 1);
}

static void test_fs__remove_tree(void **state)
{
	struct fixture *f = *state;
	char outside[64], link_target[80];

	/* A symbolic link inside the tree is removed, never followed. */
	snprintf(outside, sizeof(outside), "%s/outside", f->dir);
	assert_int_equal(mkdir(outside, 0700), 0);
	snprintf(link_target, sizeof(link_target), "%s/keep", outside);
	put_text(link_target, "keep", 0600);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "t/a/b"), NULL), 0);
	put_text(at(f, "t/a/b/f1"), "1", 0600);
	put_text(at(f, "t/f2"), "2", 0600);
	assert_int_equal(symlink(outside, at(f, "t/a/link")), 0);
	assert_int_equal(pouch_fs_remove_tree(at(f, "t"), NULL), 0);
	assert_false(pouch_fs_exists(f->path));
	assert_content(link_target, "keep");
	/* A missing tree is not an error; a single file is removed. */
	assert_int_equal(pouch_fs_remove_tree(at(f, "t"), NULL), 0);
	assert_int_equal(pouch_fs_remove_tree(link_target, NULL), 0);
	assert_false(pouch_fs_exists(link_target));
}

static void test_fs__remove_exists_and_join(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char *p;

	put_text(at(f, "gone"), "x", 0600);
	assert_true(pouch_fs_exists(f->path));
	assert_int_equal(pouch_fs_remove(f->path, &err), 0);
	assert_false(pouch_fs_exists(f->path));
	assert_int_equal(pouch_fs_remove(f->path, &err), 0);
	/* A dangling symbolic link exists. */
	assert_int_equal(symlink("/nonexistent/pouch", at(f, "dangling")), 0);
	assert_true(pouch_fs_exists(f->path));
	/* A directory that is not empty is not removed. */
	put_text(at(f, "other"), "x", 0600);
	assert_int_equal(pouch_fs_remove(f->dir, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->dir));
	p = pouch_path_join("/a/b", "c.json");
	assert_string_equal(p, "/a/b/c.json");
	free(p);
}

static void test_fs__first_missing_names_what_mkdir_would_make(void **state)
{
	struct fixture *f = *state;
	char want[sizeof(f->path)];
	char *got;

	/* An existing path: nothing to make. */
	assert_null(pouch_fs_first_missing(f->dir));
	snprintf(want, sizeof(want), "%s", at(f, "a"));
	got = pouch_fs_first_missing(at(f, "a/b/c"));
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(pouch_fs_mkdir_private(at(f, "a"), NULL), 0);
	snprintf(want, sizeof(want), "%s", at(f, "a/b"));
	got = pouch_fs_first_missing(at(f, "a/b/c"));
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_fs__open_regular_refuses_special_files_at_once(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char target[256];
	uint64_t size = 1;
	int fd = 0;

	/* A FIFO with no writer: a blocking open would wait for ever. */
	assert_int_equal(mkfifo(at(f, "fifo"), 0600), 0);
	assert_int_equal(pouch_fs_open_regular("report", f->path, 100, 0, &fd, &size, &err),
			 POUCH_E_IO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "cannot read report '"));
	assert_non_null(strstr(err.msg, "fifo': not a regular file"));
	assert_int_equal(pouch_fs_open_regular(NULL, "/dev/zero", 100, 0, &fd, &size, &err),
			 POUCH_E_IO);
	assert_string_equal(err.msg, "cannot read '/dev/zero': not a regular file");
	/* The size is checked before anything is read, and the descriptor blocks again. */
	put_text(at(f, "r"), "0123456789", 0600);
	snprintf(target, sizeof(target), "%s", f->path);
	assert_int_equal(pouch_fs_open_regular(NULL, target, 9, 0, &fd, &size, &err),
			 POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "larger than 9 bytes"));
	assert_int_equal(pouch_fs_open_regular(NULL, target, 10, 0, &fd, &size, &err), 0);
	assert_int_equal(size, 10);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	/* A final symbolic link is followed unless asked not to. */
	assert_int_equal(symlink(target, at(f, "link")), 0);
	assert_int_equal(pouch_fs_open_regular(NULL, f->path, 10, 0, &fd, NULL, &err), 0);
	close(fd);
	assert_int_equal(pouch_fs_open_regular(NULL, f->path, 10, POUCH_FS_NOFOLLOW, &fd, NULL,
					       &err), POUCH_E_IO);
	assert_int_equal(pouch_fs_open_regular(NULL, at(f, "none"), 10, 0, &fd, NULL, &err),
			 POUCH_E_NOTFOUND);
}

/* A pipe that gives text and then its end, as standard input would. */
static int pipe_of(const char *text)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
	close(fds[1]);
	return fds[0];
}

static void test_spool__private_copy_that_never_has_a_name(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_spool sp;
	struct stat st;
	int fd = pipe_of("from a pipe\n"), again;

	assert_int_equal(pouch_spool(fd, f->dir, 100, &sp, &err), 0);
	close(fd);
	/* Read by its path as often as wanted, each time from the start. */
	assert_content(sp.path, "from a pipe\n");
	assert_content(sp.path, "from a pipe\n");
	assert_int_equal(fstat(sp.fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Nothing in the directory, even while it is open: a kill leaves nothing behind. */
	assert_int_equal(entries(f->dir), 0);
	again = sp.fd;
	pouch_spool_close(&sp);
	assert_int_equal(sp.fd, -1);
	assert_int_equal(fcntl(again, F_GETFD), -1);
	pouch_spool_close(&sp); /* twice does nothing */
}

static void test_spool__over_the_cap_is_refused_and_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_spool sp;
	int fd = pipe_of("0123456789");

	assert_int_equal(pouch_spool(fd, f->dir, 9, &sp, &err), POUCH_E_REFUSED);
	close(fd);
	assert_int_equal(sp.fd, -1);
	assert_string_equal(err.msg, "standard input is larger than 9 bytes");
	assert_int_equal(entries(f->dir), 0);
	fd = pipe_of("012345678");
	assert_int_equal(pouch_spool(fd, f->dir, 9, &sp, &err), 0);
	close(fd);
	assert_content(sp.path, "012345678");
	pouch_spool_close(&sp);
	assert_int_equal(pouch_spool(0, "/nonexistent-dir", 9, &sp, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "/nonexistent-dir"));
	assert_int_equal(sp.fd, -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fs__write_atomic_creates_with_mode),
		T(test_fs__write_atomic_replaces_when_not_exclusive),
		T(test_fs__write_atomic_exclusive_keeps_existing),
		T(test_fs__write_atomic_exclusive_does_not_follow_symlink),
		T(test_fs__write_atomic_empty_and_binary),
		T(test_fs__write_atomic_missing_directory_is_io),
		T(test_fs__read_size_cap),
		T(test_fs__read_missing_is_notfound),
		T(test_fs__read_directory_refused),
		T(test_fs__open_regular_refuses_special_files_at_once),
		T(test_fs__mkdir_private_mode_and_parents),
		T(test_fs__mkdir_private_file_in_the_way),
		T(test_fs__remove_tree),
		T(test_fs__remove_exists_and_join),
		T(test_fs__first_missing_names_what_mkdir_would_make),
		T(test_spool__private_copy_that_never_has_a_name),
		T(test_spool__over_the_cap_is_refused_and_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
