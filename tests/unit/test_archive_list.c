/* Unit tests for holding an extracted archive to the attachments pouch.json lists: exactly
 * those, in that order, each with its size and SHA-256; no more, none fewer, none twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_craft.h"

#define A { .path = "attachments/a.txt", .data = "alpha" }
#define B { .path = "attachments/b.txt", .data = "beta" }
#define SHA_ALPHA "8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8"
#define SHA_BETA "f44e64e75f3948e9f73f8dfa94721c4ce8cbb4f265c4790c702b2d41cfbf2753"

/* Holds the next extraction to the n given attachments. */
static void hold_to(const struct pouch_archive_file *list, size_t n)
{
	size_t i;

	own_list = 1;
	n_files = n;
	for (i = 0; i < n; i++)
		files[i] = list[i];
}

static void test_archive_list__exact_list_extracts(void **state)
{
	const struct ent ents[] = { M, A, B };
	struct fixture *f = *state;
	char *m;

	craft(PAX, ents, 3);
	list_from_tar();
	assert_int_equal(n_files, 2);
	assert_string_equal(files[0].sha256, SHA_ALPHA);
	own_list = 1;
	m = extract_ok(&LIM);
	free(m);
	assert_int_equal(entries(out_dir), 2);
	assert_content(at(f, "out/a.txt"), "alpha");
}

/* The package: a.txt listed twice lets no unlisted file through. */
static void test_archive_list__list_naming_one_file_twice(void **state)
{
	const struct ent ents[] = { M, A, { .path = "attachments/extra.exe", .data = "MZ" } };
	const struct pouch_archive_file twice[] = { { "a.txt", 5, SHA_ALPHA },
						    { "a.txt", 5, SHA_ALPHA } };
	const struct pouch_archive_file folded[] = { { "a.txt", 5, SHA_ALPHA },
						     { "A.TXT", 5, SHA_ALPHA } };
	const struct pouch_archive_file nfd[] = { { "\xc3\xa9.txt", 5, SHA_ALPHA },
						  { "e\xcc\x81.txt", 5, SHA_ALPHA } };

	(void)state;
	craft(PAX, ents, 3);
	hold_to(twice, 2);
	expect_refused(&LIM, "pouch.json lists attachment 'a.txt': the name of attachment 'a.txt' "
			     "differs only in case or not at all from 'a.txt'");
	hold_to(folded, 2);
	expect_refused(&LIM, "pouch.json lists attachment 'A.TXT': the name of attachment");
	hold_to(nfd, 2);
	expect_refused(&LIM, "differs only in case or not at all");
}

static void test_archive_list__list_with_bad_name(void **state)
{
	const struct ent ents[] = { M, A };
	const struct pouch_archive_file bad[] = { { "-rf", 5, SHA_ALPHA } };
	const struct pouch_archive_file bidi[] = { { "a\xe2\x80\xaetxt.exe", 5, SHA_ALPHA } };

	(void)state;
	craft(PAX, ents, 2);
	hold_to(bad, 1);
	expect_refused(&LIM, "pouch.json lists attachment '-rf': invalid attachment name '-rf'");
	hold_to(bidi, 1);
	expect_refused(&LIM, "pouch.json lists attachment 'a\\xe2\\x80\\xaetxt.exe': invalid");
}

static void test_archive_list__more_fewer_repeated(void **state)
{
	const struct ent extra[] = { M, A, B };
	const struct ent fewer[] = { M, A };
	const struct ent repeated[] = { M, A, A };
	const struct ent folded[] = { M, A, { .path = "attachments/A.txt", .data = "alpha" } };
	const struct ent swapped[] = { M, B, A };
	const struct pouch_archive_file one[] = { { "a.txt", 5, SHA_ALPHA } };
	const struct pouch_archive_file two[] = { { "a.txt", 5, SHA_ALPHA },
						  { "b.txt", 4, SHA_BETA } };

	(void)state;
	craft(PAX, extra, 3);
	hold_to(one, 1);
	expect_refused(&LIM, "cannot extract 'attachments/b.txt': pouch.json does not list it");
	craft(PAX, fewer, 2);
	hold_to(two, 2);
	expect_refused(&LIM, "cannot read the archive: it lacks attachment 'b.txt' that "
			     "pouch.json lists");
	craft(PAX, repeated, 3);
	hold_to(one, 1);
	expect_refused(&LIM, "cannot extract 'attachments/a.txt': the name of attachment 'a.txt' "
			     "differs only in case or not at all");
	craft(PAX, folded, 3);
	expect_refused(&LIM, "cannot extract 'attachments/A.txt': the name of attachment 'a.txt'");
	craft(PAX, swapped, 3);
	hold_to(two, 2);
	expect_refused(&LIM, "cannot extract 'attachments/b.txt': out of order: pouch.json lists "
			     "it as attachment 2, not 1");
	/* An empty list and an archive holding a file. */
	craft(PAX, fewer, 2);
	hold_to(one, 0);
	expect_refused(&LIM, "cannot extract 'attachments/a.txt': pouch.json does not list it");
}

static void test_archive_list__size_and_digest(void **state)
{
	const struct ent ents[] = { M, A };
	const struct pouch_archive_file longer[] = { { "a.txt", 6, SHA_ALPHA } };
	const struct pouch_archive_file other[] = { { "a.txt", 5, SHA_BETA } };

	(void)state;
	craft(PAX, ents, 2);
	hold_to(longer, 1);
	expect_refused(&LIM, "cannot extract 'attachments/a.txt': 5 bytes, not the 6 pouch.json "
			     "lists");
	hold_to(other, 1);
	expect_refused(&LIM, "cannot extract 'attachments/a.txt': its SHA-256 is not the one "
			     "pouch.json lists");
}

static int refuse_list(void *ctx, const char *manifest, size_t len,
		       const struct pouch_archive_file **out, size_t *n, struct pouch_err *err)
{
	(void)len;
	*(int *)ctx += strcmp(manifest, "{}") == 0;
	*out = NULL;
	*n = 0;
	return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json is not the one signed");
}

/* The list is asked for once pouch.json is read; its refusal ends extraction, nothing made. */
static void test_archive_list__refusing_list_ends_extraction(void **state)
{
	const struct ent ents[] = { M, A };
	struct pouch_err err = { 0 };
	char *m = (char *)"sentinel";
	int calls = 0, fd;

	(void)state;
	craft(PAX, ents, 2);
	fd = open(in_tar, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pouch_archive_extract(fd, out_dir, &LIM, refuse_list, &calls, &m, NULL,
					       &err),
			 POUCH_E_VERIFY);
	close(fd);
	assert_int_equal(calls, 1);
	assert_string_equal(err.msg, "pouch.json is not the one signed");
	assert_null(m);
	assert_int_equal(entries(out_dir), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_archive, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_archive_list__exact_list_extracts),
		T(test_archive_list__list_naming_one_file_twice),
		T(test_archive_list__list_with_bad_name),
		T(test_archive_list__more_fewer_repeated),
		T(test_archive_list__size_and_digest),
		T(test_archive_list__refusing_list_ends_extraction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
