/* Unit tests for pkg/package/opened.c, what pouch show reads: an opened package's directory
 * loaded and held to its pouch.json (report valid, markings equal, every attachment matching,
 * nothing extra, no links), and a package found by its id through open's records. */
#include "fixture.h"

#include "base/json.h"
#include "crypto/digest.h"
#include "package/opened.h"

#define ID "6717d936-a2d4-4a4d-a6d7-a07aadb96a02"
#define CONTENT "hello\n"

/* dir/NAME: an opened package as open leaves it, with report_tlp in the report and tlp in
 * pouch.json, and attachments/a.txt. */
static void make_package(struct fixture *f, const char *name, const char *report_tlp,
			 const char *tlp)
{
	char hex[POUCH_SHA256_HEX], path[512];
	json_t *report, *m;
	char *text;

	assert_int_equal(pouch_sha256_buf(CONTENT, strlen(CONTENT), hex, NULL), 0);
	report = json_pack(
		"{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}, s:{s:{s:s, s:b, s:[]}, s:s, "
		"s:s, s:[s], s:s, s:s}, s:{s:s}, s:[{s:i, s:s, s:{s:s, s:s}}], "
		"s:[{s:s, s:i, s:s, s:s}]}",
		"format", "pouch-report/1", "header", "reference", "R-1", "title", "t", "created", T0,
		"originator", "agency", "GB-CEOP", "unit", "u", "officer", "o", "contact_24x7",
		"+441632960000", "handling", "classification", "tier", "OFFICIAL", "sensitive", 1,
		"caveats", "tlp", report_tlp, "scheme", "uk-3x5x2", "codes", "P", "purpose", "p",
		"legal_basis", "l", "priority", "level", "routine", "items", "n", 1, "text", "x",
		"grade", "source", "2", "intelligence", "B", "attachments", "name", "a.txt", "size",
		(int)strlen(CONTENT), "sha256", hex, "media_type", "text/plain");
	m = json_pack("{s:s, s:s, s:{s:s, s:s}, s:[{s:s, s:s}], s:s, s:s, s:s, s:s, s:s, s:o, "
		      "s:[{s:s, s:i, s:s}]}",
		      "format", "pouch-content/1", "id", ID, "sender", "agency", "GB-CEOP",
		      "fingerprint", FPR1, "recipients", "agency", "GB-MET", "fingerprint", FPR2,
		      "created", T0, "expires", T1, "priority", "routine", "classification",
		      "OFFICIAL", "tlp", tlp, "report", report, "attachments", "name", "a.txt",
		      "size", (int)strlen(CONTENT), "sha256", hex);
	assert_non_null(m);
	text = pouch_json_text(m, 0);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/attachments", f->dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/attachments/a.txt", f->dir, name);
	put_text(path, CONTENT, 0600);
	snprintf(path, sizeof(path), "%s/%s/pouch.json", f->dir, name);
	put_text(path, text, 0600);
	free(text);
	json_decref(m);
}

/* Loading f->dir/name fails with code, the message holding want. */
static void assert_refused(struct fixture *f, const char *name, int code, const char *want)
{
	struct pouch_opened_dir p;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_opened_dir_load(at(f, name), &p, &err), code);
	assert_non_null(strstr(err.msg, want));
	assert_null(p.manifest);
}

static void test_show_opened__loads_directory_and_pouch_json(void **state)
{
	struct fixture *f = *state;
	struct pouch_opened_dir p;

	make_package(f, "pk", "TLP:AMBER", "TLP:AMBER");
	assert_int_equal(pouch_opened_dir_load(at(f, "pk"), &p, NULL), 0);
	assert_string_equal(p.id, ID);
	assert_string_equal(p.sender, "GB-CEOP");
	assert_string_equal(p.dir, at(f, "pk"));
	assert_string_equal(json_string_value(json_object_get(p.report, "format")),
			    "pouch-report/1");
	pouch_opened_dir_release(&p);
	assert_int_equal(pouch_opened_dir_load(at(f, "pk/pouch.json"), &p, NULL), 0);
	assert_string_equal(p.dir, at(f, "pk"));
	pouch_opened_dir_release(&p);
	pouch_opened_dir_release(&p); /* released twice: harmless */
}

static void test_show_opened__attachments_held_to_their_files(void **state)
{
	struct fixture *f = *state;

	make_package(f, "pk", "TLP:AMBER", "TLP:AMBER");
	put_text(at(f, "pk/attachments/a.txt"), "hellO\n", 0600);
	assert_refused(f, "pk", POUCH_E_VERIFY, "its SHA-256 differs");
	put_text(at(f, "pk/attachments/a.txt"), "hello!\n", 0600);
	assert_refused(f, "pk", POUCH_E_VERIFY, "7 bytes, the package lists 6");
	unlink(at(f, "pk/attachments/a.txt"));
	assert_refused(f, "pk", POUCH_E_VERIFY, "attachment 'a.txt' is missing");
	put_text(at(f, "elsewhere"), CONTENT, 0600);
	assert_int_equal(symlink("../../elsewhere", at(f, "pk/attachments/a.txt")), 0);
	assert_refused(f, "pk", POUCH_E_VERIFY, "cannot be read as a regular file");
	unlink(at(f, "pk/attachments/a.txt"));
	put_text(at(f, "pk/attachments/a.txt"), CONTENT, 0600);
	put_text(at(f, "pk/attachments/b.txt"), CONTENT, 0600);
	assert_refused(f, "pk", POUCH_E_VERIFY, "holds 'b.txt', which the package does not list");
}

static void test_show_opened__report_and_pouch_json_checked(void **state)
{
	struct fixture *f = *state;

	make_package(f, "pk1", "TLP:PURPLE", "TLP:PURPLE");
	assert_refused(f, "pk1", POUCH_E_REFUSED, "is not valid: handling.tlp");
	make_package(f, "pk2", "TLP:AMBER", "TLP:RED");
	assert_refused(f, "pk2", POUCH_E_REFUSED, "does not show the priority, classification");
	assert_int_equal(mkdir(at(f, "empty"), 0700), 0);
	assert_refused(f, "empty", POUCH_E_REFUSED, "it holds no pouch.json");
	put_text(at(f, "other.json"), "{\"format\":\"pouch-report/1\"}", 0600);
	assert_refused(f, "other.json", POUCH_E_REFUSED, "is not the pouch.json of an opened");
	put_text(at(f, "broken.json"), "{\"a\":1,\"a\":2}", 0600);
	assert_refused(f, "broken.json", POUCH_E_REFUSED, "is not the pouch.json of an opened");
	assert_refused(f, "nothing", POUCH_E_NOTFOUND, "cannot show");
}

static void test_show_opened__found_by_id_through_open_records(void **state)
{
	struct fixture *f = *state;
	char cwd[512], *dir = NULL;
	struct pouch_err err = { 0 };

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(pouch_opened_find(&f->h, ID, NULL, &dir, &err), POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "no package '" ID "' was opened in this home"));
	assert_int_equal(mkdir(at(f, "seen"), 0700), 0);
	put_text(at(f, "seen/GB-CEOP." ID), "0\n", 0600);
	assert_int_equal(pouch_opened_find(&f->h, ID, NULL, &dir, &err), POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "was opened, but not into ./" ID));
	make_package(f, ID, "TLP:AMBER", "TLP:AMBER");
	assert_int_equal(pouch_opened_find(&f->h, ID, NULL, &dir, NULL), 0);
	assert_string_equal(dir, ID);
	free(dir);
	assert_int_equal(pouch_opened_find(&f->h, ID, "GB-CEOP", &dir, NULL), 0);
	free(dir);
	assert_int_equal(pouch_opened_find(&f->h, ID, "GB-MET", &dir, NULL), POUCH_E_NOTFOUND);
	assert_null(dir);
	assert_int_equal(pouch_opened_find(&f->h, "../" ID, NULL, &dir, NULL), POUCH_E_NOTFOUND);
	/* A record made before records were per sender counts for any sender. */
	unlink(at(f, "seen/GB-CEOP." ID));
	put_text(at(f, "seen/" ID), "0\n", 0600);
	assert_int_equal(pouch_opened_find(&f->h, ID, "GB-MET", &dir, NULL), 0);
	free(dir);
	assert_int_equal(chdir(cwd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_show_opened__loads_directory_and_pouch_json,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_opened__attachments_held_to_their_files,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_opened__report_and_pouch_json_checked,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_opened__found_by_id_through_open_records,
						setup_home, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
