/* Unit tests for pkg/package/permit.c on real keys: a permission made by a package's originator
 * is accepted by an agency that pins the originator's key, for that package, that grantee and
 * while it is in force; forged, altered, expired, misdirected and malformed ones are refused. */
#include "agencies.h"

#include <time.h>

#include "base/base64.h"
#include "package/permit.h"
#include "package/signed.h"

#define PKG "6f1c1ae4-5a3b-4c2d-9e8f-0a1b2c3d4e5f"

/* O originates packages; F holds one and checks permissions, pinning O and P (another partner);
 * X is a stranger whose key F holds without pinning it. */
static char dir[32];
static struct agency O, F, P, X;
static time_t now;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	agency_make(&O, dir, "GB-ORIG");
	agency_make(&F, dir, "GB-FWD");
	agency_make(&P, dir, "GB-OTH");
	agency_make(&X, dir, "GB-X");
	agency_pin(&O, &F);
	agency_pin(&P, &F);
	agency_share(&X, &F);
	now = time(NULL) + 60;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	agency_drop(&O);
	agency_drop(&F);
	agency_drop(&P);
	agency_drop(&X);
	return pouch_fs_remove_tree(dir, NULL);
}

/* A permission by O for PKG to grantee, made at `when`, valid for `days`. */
static char *make(const char *grantee, time_t when, int days, size_t *len)
{
	char *file = NULL;
	struct pouch_permission p;

	assert_int_equal(pouch_permission_make(&O.h, PKG, grantee, days * 86400LL, NULL, when,
					       &file, len, &p, NULL), 0);
	assert_string_equal(p.originator.agency, "GB-ORIG");
	assert_string_equal(p.originator.fpr, O.fpr);
	return file;
}

/* F's check of file for PKG from GB-ORIG to grantee: want 0, or a refusal whose message holds
 * `why`. */
static void check(const char *file, size_t len, const char *grantee, const char *why)
{
	struct pouch_permission p;
	struct pouch_err err = { 0 };
	int ret = pouch_permission_check(&F.h, file, len, "GB-ORIG", PKG, grantee, now, &p, &err);

	if (!why) {
		if (ret)
			fail_msg("refused: %s", err.msg);
		return;
	}
	assert_int_equal(ret, POUCH_E_REFUSED);
	if (strncmp(err.msg, "the permission is refused: ", 27) != 0 || !strstr(err.msg, why))
		fail_msg("expected '...%s...', got '%s'", why, err.msg);
}

/* The body of a permission file (NUL-terminated; caller frees). */
static char *body_of(const char *file, size_t len, size_t *blen)
{
	char *body = NULL, *sig = NULL;
	size_t slen = 0;

	assert_int_equal(pouch_signed_unwrap(file, len, "permission/1", "permission", &body, blen,
					     &sig, &slen, NULL), 0);
	free(sig);
	return body;
}

/* body signed by signer, as a permission file. */
static char *signed_by(struct agency *signer, const char *body, size_t blen, size_t *len)
{
	char *sig = NULL, *file = NULL;
	size_t slen = 0;

	assert_int_equal(pouch_pgp_sign_detached(signer->pgp, signer->fpr, body, blen, &sig, &slen,
						 NULL), 0);
	assert_int_equal(pouch_signed_wrap("permission/1", "permission", body, blen, sig, slen,
					   &file, len, NULL), 0);
	free(sig);
	return file;
}

static void test_permit__accepted_for_its_package_grantee_and_time(void **state)
{
	struct pouch_permission p;
	size_t len = 0;
	char *file = make("US-NCMEC", now, 7, &len), *json;

	(void)state;
	check(file, len, "US-NCMEC", NULL);
	assert_int_equal(pouch_permission_check(&F.h, file, len, "GB-ORIG", PKG, NULL, now, &p,
						NULL), 0);
	assert_string_equal(p.grantee, "US-NCMEC");
	assert_int_equal(p.expires - p.issued, 7 * 86400);
	json = pouch_permission_json(&p);
	assert_non_null(strstr(json, "\"grantee\":\"US-NCMEC\""));
	assert_null(strstr(json, "\"format\""));
	free(json);
	free(file);
}

static void test_permit__refused_for_another_grantee_or_package(void **state)
{
	struct pouch_permission p;
	struct pouch_err err = { 0 };
	size_t len = 0;
	char *file = make("US-NCMEC", now, 7, &len);

	(void)state;
	check(file, len, "DE-BKA", "it grants US-NCMEC, not DE-BKA");
	assert_int_equal(pouch_permission_check(&F.h, file, len, "GB-ORIG",
						"00000000-0000-4000-8000-000000000000", NULL, now,
						&p, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "it is for package " PKG " from GB-ORIG"));
	assert_int_equal(pouch_permission_check(&F.h, file, len, "GB-OTH", PKG, NULL, now, &p,
						NULL), POUCH_E_REFUSED);
	free(file);
}

static void test_permit__refused_once_expired(void **state)
{
	size_t len = 0;
	char *file = make("US-NCMEC", now - 10 * 86400, 1, &len);

	(void)state;
	check(file, len, "US-NCMEC", "it expired on 20");
	free(file);
}

static void test_permit__refused_when_issued_in_the_future(void **state)
{
	size_t len = 0;
	char *file = make("US-NCMEC", now + 3600, 7, &len);

	(void)state;
	check(file, len, "US-NCMEC", "issued in the future");
	free(file);
}

static void test_permit__forged_by_another_pinned_partner_is_refused(void **state)
{
	size_t len = 0, blen = 0, flen = 0;
	char *file = make("US-NCMEC", now, 7, &len), *body = body_of(file, len, &blen);
	char *forged = signed_by(&P, body, blen, &flen);

	(void)state;
	check(forged, flen, "US-NCMEC", "is signed by key");
	free(forged);
	free(body);
	free(file);
}

static void test_permit__signed_by_an_unpinned_key_is_refused(void **state)
{
	size_t len = 0, blen = 0, flen = 0;
	char *file = make("US-NCMEC", now, 7, &len), *body = body_of(file, len, &blen);
	char *forged = signed_by(&X, body, blen, &flen);

	(void)state;
	check(forged, flen, "US-NCMEC", "which no partner in the directory pins");
	free(forged);
	free(body);
	free(file);
}

static void test_permit__an_altered_body_is_refused(void **state)
{
	size_t len = 0, blen = 0;
	char *file = make("US-NCMEC", now, 7, &len), *body = body_of(file, len, &blen);
	char *sig = NULL, *out = NULL, *grant;
	size_t slen = 0, olen = 0;

	(void)state;
	free(body);
	assert_int_equal(pouch_signed_unwrap(file, len, "permission/1", "permission", &body, &blen,
					     &sig, &slen, NULL), 0);
	grant = strstr(body, "US-NCMEC");
	assert_non_null(grant);
	memcpy(grant, "US-NCMEX", 8);
	assert_int_equal(pouch_signed_wrap("permission/1", "permission", body, blen, sig, slen,
					   &out, &olen, NULL), 0);
	check(out, olen, "US-NCMEX", "does not verify");
	free(out);
	free(sig);
	free(body);
	free(file);
}

static void test_permit__malformed_files_are_refused(void **state)
{
	static const char *const files[] = {
		"", "[]", "{\"pouch\":\"receipt/1\",\"permission\":\"\",\"signature\":\"\"}",
		"{\"pouch\":\"permission/1\",\"permission\":\"!!\",\"signature\":\"\"}",
		"{\"pouch\":\"permission/1\",\"permission\":\"e30=\",\"signature\":\"\","
		"\"x\":1}",
		"{\"pouch\":\"permission/1\",\"permission\":\"e30=\",\"signature\":\"e30=\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		check(files[i], strlen(files[i]), "US-NCMEC", "");
}

static void test_permit__make_refuses_what_says_nothing(void **state)
{
	char *file = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(pouch_permission_make(&O.h, "not-a-uuid", "US-NCMEC", 86400, NULL, now,
					       &file, &len, NULL, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_permission_make(&O.h, PKG, "GB-ORIG", 86400, NULL, now, &file,
					       &len, NULL, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_permission_make(&O.h, PKG, "US-NCMEC", 0, NULL, now, &file, &len,
					       NULL, NULL), POUCH_E_USAGE);
	assert_null(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permit__accepted_for_its_package_grantee_and_time),
		cmocka_unit_test(test_permit__refused_for_another_grantee_or_package),
		cmocka_unit_test(test_permit__refused_once_expired),
		cmocka_unit_test(test_permit__refused_when_issued_in_the_future),
		cmocka_unit_test(test_permit__forged_by_another_pinned_partner_is_refused),
		cmocka_unit_test(test_permit__signed_by_an_unpinned_key_is_refused),
		cmocka_unit_test(test_permit__an_altered_body_is_refused),
		cmocka_unit_test(test_permit__malformed_files_are_refused),
		cmocka_unit_test(test_permit__make_refuses_what_says_nothing),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
