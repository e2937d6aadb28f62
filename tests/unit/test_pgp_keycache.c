/* The OpenPGP module's key cache on real keys: what one listing gave is answered again only while
 * the keyring is the one listed. A is the process home (its keys shared by every handle on it),
 * B another home (its keys cached per handle); C's key comes and goes in their keyrings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "directory/home.h"
#include "crypto/pgp.h"

#include "agencies.h"

static char dir[32];
static struct agency A, B, C;
static struct agency *const all[] = { &A, &B, &C };

static int group_setup(void **state)
{
	static const char *const codes[] = { "GB-A", "GB-B", "GB-C" };
	size_t i;

	(void)state;
	strcpy(dir, "/tmp/pk.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* A first: the process home is the first home a process opens. */
	for (i = 0; i < 3; i++)
		agency_make(all[i], dir, codes[i]);
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		agency_drop(all[i]);
	return pouch_fs_remove_tree(dir, NULL);
}

/* Runs gpg on x's keyring, as another process changing it would. */
static void gpg_on(struct agency *x, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "gpg --homedir '%s' --batch --quiet --yes %s 2>/dev/null",
		 x->h.gnupg, args);
	assert_int_equal(system(cmd), 0);
}

static int has_key(struct pouch_pgp *pgp, const char *fpr)
{
	struct pouch_key_info info;
	int ret = pouch_pgp_key(pgp, fpr, 0, &info, NULL);

	assert_true(ret == 0 || ret == POUCH_E_NOTFOUND);
	return ret == 0;
}

/* C's key into and out of x's keyring by another process, x's handle looking it up between. */
static void follows_another_process(struct agency *x)
{
	const char *one[1] = { C.fpr };
	char path[128], args[256], *key = NULL;
	size_t len = 0;

	assert_false(has_key(x->pgp, C.fpr));
	snprintf(path, sizeof(path), "%s/c.asc", dir);
	assert_int_equal(pouch_pgp_export(C.pgp, one, 1, &key, &len, NULL), 0);
	put_bytes(path, key, len, 0600);
	free(key);
	snprintf(args, sizeof(args), "--import '%s'", path);
	gpg_on(x, args);
	assert_true(has_key(x->pgp, C.fpr));
	snprintf(args, sizeof(args), "--delete-keys %s", C.fpr);
	gpg_on(x, args);
	assert_false(has_key(x->pgp, C.fpr));
}

static void test_pgp_keycache__process_home_follows_another_process(void **state)
{
	(void)state;
	follows_another_process(&A);
}

static void test_pgp_keycache__other_home_follows_another_process(void **state)
{
	(void)state;
	follows_another_process(&B);
}

static void test_pgp_keycache__handles_on_one_home_see_each_others_changes(void **state)
{
	struct pouch_pgp *other = NULL;
	const char *one[1] = { C.fpr };
	char *key = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(pouch_home_pgp(&A.h, &other, NULL), 0);
	assert_false(has_key(A.pgp, C.fpr));
	assert_false(has_key(other, C.fpr));
	assert_int_equal(pouch_pgp_export(C.pgp, one, 1, &key, &len, NULL), 0);
	assert_int_equal(pouch_pgp_import_key(other, key, len, C.fpr, NULL), 0);
	assert_true(has_key(A.pgp, C.fpr));
	assert_int_equal(pouch_pgp_delete(A.pgp, C.fpr, 0, NULL), 0);
	assert_false(has_key(other, C.fpr));
	assert_false(has_key(A.pgp, C.fpr));
	free(key);
	pouch_pgp_free(other);
}

static void test_pgp_keycache__a_key_that_expires_meanwhile_is_expired(void **state)
{
	struct pouch_key_info info;
	char fpr[POUCH_FPR_LEN + 1];

	(void)state;
	assert_int_equal(pouch_pgp_generate(B.pgp, "GB-SHORT", 3, 0, fpr, NULL), 0);
	assert_int_equal(pouch_pgp_key(B.pgp, fpr, 0, &info, NULL), 0);
	assert_true(info.expires > 0);
	/* However long that takes: the keyring itself does not change when a key expires. */
	while (time(NULL) <= info.expires)
		sleep(1);
	assert_int_equal(pouch_pgp_key(B.pgp, fpr, 0, &info, NULL), 0);
	assert_true(info.expired);
	assert_int_equal(pouch_pgp_delete(B.pgp, fpr, 1, NULL), 0);
	assert_false(has_key(B.pgp, fpr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgp_keycache__process_home_follows_another_process),
		cmocka_unit_test(test_pgp_keycache__other_home_follows_another_process),
		cmocka_unit_test(test_pgp_keycache__handles_on_one_home_see_each_others_changes),
		cmocka_unit_test(test_pgp_keycache__a_key_that_expires_meanwhile_is_expired),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
