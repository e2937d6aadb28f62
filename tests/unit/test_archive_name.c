/* Unit tests for attachment names (pkg/package/archive_name.c): which names pass the one check pack
 * and open share, and which names are one. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "package/archive.h"

#define UTF8_NAME "Aussage M\xc3\xbcller \xe2\x80\x93 \xc3\xbc" "bersetzt.txt"

static void test_archive_name__check_accepts_good_names(void **state)
{
	static const char *const ok[] = {
		"a", "report.pdf", "scan 01 (front).jpg", "inner  spaces.txt", "a..b", ".hidden",
		"dash-inside-", "a-", "x.tar.gz", UTF8_NAME, "\xe6\x97\xa5\xe6\x9c\xac.txt",
		"emoji \xf0\x9f\x93\x8e.png", "nbsp\xc2\xa0ok", "pouch.json",
		/* joiners and selectors inside emoji and scripts are no lie */
		"family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9.png",
		"heart \xe2\x9d\xa4\xef\xb8\x8f.txt", "\xd9\x85\xd9\x8a\xe2\x80\x8c\xd8\xae.txt",
		"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d.txt", /* Hebrew: right to left, no control */
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

static void test_archive_name__check_refuses_bad_names(void **state)
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
		/* names that lie on screen */
		{ "invoice\xe2\x80\xaegpj.exe", "bidirectional" },        /* U+202E RLO */
		{ "a\xe2\x80\xaa" "b.txt", "bidirectional" },                /* U+202A LRE */
		{ "a\xe2\x80\xab" "b.txt", "bidirectional" },                /* U+202B RLE */
		{ "a\xe2\x80\xac" "b.txt", "bidirectional" },                /* U+202C PDF */
		{ "a\xe2\x80\xad" "b.txt", "bidirectional" },                /* U+202D LRO */
		{ "a\xe2\x81\xa6" "b.txt", "bidirectional" },                /* U+2066 LRI */
		{ "a\xe2\x81\xa7" "b.txt", "bidirectional" },                /* U+2067 RLI */
		{ "a\xe2\x81\xa8" "b.txt", "bidirectional" },                /* U+2068 FSI */
		{ "a\xe2\x81\xa9" "b.txt", "bidirectional" },                /* U+2069 PDI */
		{ "a\xe2\x80\x8e" "b.txt", "bidirectional" },                /* U+200E LRM */
		{ "a\xe2\x80\x8f" "b.txt", "bidirectional" },                /* U+200F RLM */
		{ "a\xd8\x9c" "b.txt", "bidirectional" },                     /* U+061C ALM */
		{ "a\xe2\x80\x8b.txt", "invisible" },                     /* U+200B ZWSP */
		{ "a\xc2\xad.txt", "invisible" },                          /* U+00AD soft hyphen */
		{ "a\xe2\x81\xa0.txt", "invisible" },                     /* U+2060 word joiner */
		{ "\xef\xbb\xbf" "a.txt", "invisible" },                  /* U+FEFF */
		{ "a\xe2\x80\xa8" "b", "invisible" },                     /* U+2028 */
		{ "a\xf3\xa0\x80\x81.txt", "invisible" },                /* U+E0001 tag */
		{ "a\xcd\x8f" "b.txt", "invisible" },                     /* U+034F CGJ */
		{ "a\xe1\x9e\xb4" "b.txt", "invisible" },                /* U+17B4 Khmer */
		{ "a\xe1\x9e\xb5" "b.txt", "invisible" },                /* U+17B5 Khmer */
		{ "a\xe1\xa0\x8b" "b.txt", "invisible" },                /* U+180B FVS1 */
		{ "a\xe1\xa0\x8f" "b.txt", "invisible" },                /* U+180F FVS4 */
		{ "a\xef\xbf\xb0" "b.txt", "invisible" },                /* U+FFF0 */
		{ "a\xf0\x93\x90\xb0" "b.txt", "invisible" },           /* U+13430 */
		{ "a\xf3\xa0\x84\x80" "b.txt", "invisible" },           /* U+E0100 */
		{ "a\xf3\xa0\xbf\xbf" "b.txt", "invisible" },           /* U+E0FFF */
		{ "-rf", "start with '-'" },
		{ "--help", "start with '-'" },
		{ "-", "start with '-'" },
		{ " a.txt", "start with a space" },
		{ "\xe3\x80\x80" "a.txt", "start with a space" },         /* U+3000 */
		{ "a.txt.", "end with a dot or a space" },
		{ "a.txt...", "end with a dot or a space" },
		{ "...", "end with a dot or a space" },
		{ "a.txt ", "end with a dot or a space" },
		{ "a.txt\xc2\xa0", "end with a dot or a space" },          /* U+00A0 */
		{ "a.exe\xe2\x80\x83", "end with a dot or a space" },     /* U+2003 */
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
	/* And never a raw bidirectional control: the message would lie as the name does. */
	assert_int_equal(pouch_archive_name_check("x\xe2\x80\xaetxt.exe", &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "'x\\xe2\\x80\\xaetxt.exe'"));
	assert_null(strstr(err.msg, "\xe2\x80\xae"));
}

/* Each pair is one name: a set refuses the second after the first. */
static void test_archive_name__one_name(void **state)
{
	static const char *const same[][2] = {
		{ "a.txt", "a.txt" },
		{ "a.txt", "A.TXT" },
		{ "Report.PDF", "report.pdf" },
		{ "\xc3\xa9.txt", "e\xcc\x81.txt" },                 /* NFC and NFD */
		{ "\xc3\x89.txt", "e\xcc\x81.txt" },                 /* and case */
		{ "\xc3\xa9t\xc3\xa9.txt", "ete.txt" },              /* accents aside */
		{ "\xe2\x84\xab.txt", "\xc3\xa5.txt" },             /* U+212B angstrom sign */
		{ "\xce\xa3\xce\xa3.txt", "\xcf\x83\xcf\x82.txt" }, /* Greek sigma forms */
		{ "\xd0\x96.txt", "\xd0\xb6.txt" },                  /* Cyrillic case */
		{ "\xef\xbc\xa1.txt", "a.txt" },                      /* fullwidth A */
		{ "\xea\xb0\x80.txt", "\xe1\x84\x80\xe1\x85\xa1.txt" }, /* Hangul and jamo */
		{ "a\xe2\x80\x8d.txt", "a.txt" },                     /* a joiner aside */
		{ "a\xef\xb8\x8f.txt", "a.txt" },                     /* a selector aside */
	};
	static const char *const distinct[][2] = {
		{ "a.txt", "b.txt" },
		{ "a.txt", "a.txt.gz" },
		{ "\xd0\xb0.txt", "a.txt" }, /* Cyrillic a is not Latin a */
		{ "1.txt", "\xef\xbc\x91\xef\xbc\x8e.txt" },
	};
	struct pouch_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct pouch_archive_names s = { 0 };
		const char *clash = NULL;
		assert_int_equal(pouch_archive_names_add(&s, same[i][0], &clash, &err), 0);
		assert_null(clash);
		pouch_err_clear(&err);
		if (pouch_archive_names_add(&s, same[i][1], &clash, &err) != POUCH_E_REFUSED ||
		    !clash || strcmp(clash, same[i][0]) != 0 ||
		    !strstr(err.msg, "differs only in case or not at all"))
			fail_msg("pair %zu taken for two names: '%s'", i, err.msg);
		assert_int_equal(s.n, 1);
		assert_ptr_equal(pouch_archive_names_find(&s, same[i][1]), s.name[0]);
		pouch_archive_names_release(&s);
		assert_int_equal(s.n, 0);
	}
	for (i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++) {
		struct pouch_archive_names s = { 0 };
		assert_int_equal(pouch_archive_names_add(&s, distinct[i][0], NULL, NULL), 0);
		if (pouch_archive_names_add(&s, distinct[i][1], NULL, &err) != 0)
			fail_msg("pair %zu taken for one name: '%s'", i, err.msg);
		assert_null(pouch_archive_names_find(&s, "zzz"));
		pouch_archive_names_release(&s);
	}
}

/* The key of an ASCII name is the name in lower case: today's names compare as before. */
static void test_archive_name__key_of_ascii(void **state)
{
	char *k = pouch_archive_name_key("Scan 01 (Front).JPG");

	(void)state;
	assert_string_equal(k, "scan 01 (front).jpg");
	free(k);
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_archive_name__check_accepts_good_names),
		T(test_archive_name__check_refuses_bad_names),
		T(test_archive_name__one_name),
		T(test_archive_name__key_of_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
