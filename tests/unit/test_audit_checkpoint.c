/* The audit trail's checkpoints: the head signed once, a forged signature, a head that does not
 * match, a rechained edit, a cut tail, a key not ours, a rotated key, and a key that needs a
 * passphrase never asked for one. */
#include "audit_fixture.h"

static void stop_agent(struct fixture *f)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "gpgconf --homedir '%s' --kill all", f->h.gnupg);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not stop the agent of %s\n", f->h.gnupg);
}

/* The home with an identity the tests start from, made once (its key generation is the slow
 * part) and copied into each test's own directory; removed when the tests are done. */
static struct fixture *identity;

static int make_identity(void)
{
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	struct pouch_agency a;
	void *state = NULL;

	if (setup_home(&state) < 0)
		return -1;
	identity = state;
	if (pouch_identity_create(&identity->h, "GB-NCA-CEOP", "CEOP", &ko, 0, &a, NULL) < 0)
		return -1;
	pouch_agency_release(&a);
	stop_agent(identity);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return identity ? fixture_free(identity, 1) : 0;
}

/* cmocka setup: a home with an identity whose key has no passphrase. */
static int setup_identity(void **state)
{
	if (setup_home(state) < 0)
		return -1;
	if (!identity && make_identity() < 0)
		return -1;
	return fixture_copy(identity->dir, ((struct fixture *)*state)->dir);
}

static int teardown_identity(void **state)
{
	stop_agent(*state);
	return teardown(state);
}

static void checkpoint(struct fixture *f)
{
	struct pouch_err err = { 0 };

	if (pouch_audit_checkpoint(&f->h, NULL, NOW, &err) != 0)
		fail_msg("checkpoint: %s", err.msg);
}

static void test_audit__checkpoints_sign_the_head_once(void **state)
{
	struct fixture *f = *state;
	char hex[POUCH_SHA256_HEX], want[512];
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	checkpoint(f); /* the log ends in a checkpoint: nothing more to sign */
	read_lines(f, &l);
	assert_int_equal(l.n, 3);
	sha256_of(l.line[1], hex);
	snprintf(want, sizeof(want), "\"event\":\"checkpoint\",\"prev\":\"%s\",\"head_seq\":2,"
		 "\"head\":\"%s\",\"signer\":\"", hex, hex);
	assert_non_null(strstr(l.line[2], want));
	sha256_of(l.line[2], hex);
	snprintf(want, sizeof(want), "\"seq\": 3,\n  \"sha256\": \"%s\"", hex);
	free(l.text);
	assert_int_equal(mode_of(at(f, "audit.head")), 0600);
	assert_int_equal(pouch_fs_read(at(f, "audit.head"), 4096, &l.text, NULL, NULL), 0);
	assert_non_null(strstr(l.text, want));
	free(l.text);
	assert_intact(f, 3, 1, 0);
	append_n(f, 2);
	assert_intact(f, 5, 1, 2);
}

static void test_audit__a_forged_checkpoint_signature_is_named(void **state)
{
	struct fixture *f = *state;
	unsigned char sig[512];
	char *p, *end, *b64;
	struct lines l;
	long n;

	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	p = strstr(l.line[2], "\"signature\":\"") + 13;
	end = strchr(p, '"');
	*end = '\0';
	n = pouch_base64_decode(p, sig, sizeof(sig));
	assert_true(n > 64);
	sig[n - 10] ^= 0x20; /* in the signature value itself */
	b64 = pouch_base64_encode(sig, (size_t)n);
	memcpy(p, b64, strlen(b64));
	*end = '"';
	free(b64);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 3, "bad checkpoint signature");
}

static void test_audit__a_checkpoint_head_that_does_not_match_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	set_hash(l.line[2], "head", ZEROS);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 3, "checkpoint head does not match entry 2");
}

/* Rewriting the whole chain after an edit gets past the hashes, not past the signature. */
static void test_audit__a_rechained_edit_fails_the_checkpoint_signature(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 3);
	checkpoint(f);
	append_n(f, 1);
	read_lines(f, &l);
	edit(l.line[1], "\"good\"", "\"badd\"");
	rechain(l.line, l.n, 2);
	write_lines(f, l.line, l.n);
	free(l.text);
	assert_broken(f, 4, "bad checkpoint signature");
}

static void test_audit__a_tail_cut_below_the_head_is_named(void **state)
{
	struct fixture *f = *state;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	append_n(f, 2);
	read_lines(f, &l);
	/* Entries after the last checkpoint can go unnoticed (the README says so)... */
	write_lines(f, l.line, 4);
	assert_intact(f, 4, 1, 1);
	/* ...not the checkpoint audit.head names, nor anything before it. */
	write_lines(f, l.line, 2);
	assert_broken(f, 3, "the log ends at entry 2 but audit.head names checkpoint 3 "
			    "(entries removed)");
	/* Nor the checkpoint replaced by new entries written over the cut. */
	append_n(f, 3);
	assert_broken(f, 3, "it is not the checkpoint that audit.head names");
	free(l.text);
	unlink(at(f, "audit.log"));
	assert_broken(f, 1, "the log is missing or empty but audit.head names checkpoint 3");
}

static void test_audit__a_checkpoint_by_a_key_not_ours_is_named(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	struct pouch_agency a;

	append_n(f, 2);
	checkpoint(f);
	/* A new identity: the old key stays in the keyring, valid, but is no agency key. */
	assert_int_equal(pouch_identity_create(&f->h, "GB-NCA-CEOP", "CEOP", &ko, 1, &a, NULL), 0);
	pouch_agency_release(&a);
	assert_broken(f, 3, "which is not one of our agency keys");
}

static void test_audit__checkpoints_of_a_rotated_key_still_verify(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 0, NULL };
	char old[POUCH_FPR_LEN + 1], fpr[POUCH_FPR_LEN + 1];
	struct pouch_agency a;
	struct lines l;

	append_n(f, 2);
	checkpoint(f);
	assert_int_equal(pouch_identity_load(&f->h, &a, NULL), 0);
	snprintf(old, sizeof(old), "%s", a.keys[0].fpr);
	assert_int_equal(pouch_identity_rotate(&f->h, &a, &ko, 3600, fpr, NULL), 0);
	pouch_agency_release(&a);
	append_n(f, 2);
	checkpoint(f);
	read_lines(f, &l);
	assert_int_equal(l.n, 6);
	assert_non_null(strstr(l.line[2], old));
	assert_non_null(strstr(l.line[5], fpr));
	free(l.text);
	assert_intact(f, 6, 2, 0);
}

static void test_audit__a_key_that_needs_a_passphrase_is_never_asked(void **state)
{
	struct fixture *f = *state;
	struct pouch_key_opts ko = { 365LL * 86400, 1, "right" };
	struct pouch_agency a;

	assert_int_equal(pouch_identity_create(&f->h, "GB-LOCK", "L", &ko, 0, &a, NULL), 0);
	pouch_agency_release(&a);
	stop_agent(f); /* forget any cached passphrase */
	append_n(f, 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, NULL, NOW, NULL), 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, "wrong", NOW, NULL), 1);
	assert_false(pouch_fs_exists(at(f, "audit.head")));
	assert_intact(f, 1, 0, 1);
	assert_int_equal(pouch_audit_checkpoint(&f->h, "right", NOW, NULL), 0);
	assert_intact(f, 2, 1, 0);
}

#define K(fn) cmocka_unit_test_setup_teardown(fn, setup_identity, teardown_identity)

int main(void)
{
	const struct CMUnitTest tests[] = {
		K(test_audit__checkpoints_sign_the_head_once),
		K(test_audit__a_forged_checkpoint_signature_is_named),
		K(test_audit__a_checkpoint_head_that_does_not_match_is_named),
		K(test_audit__a_rechained_edit_fails_the_checkpoint_signature),
		K(test_audit__a_tail_cut_below_the_head_is_named),
		K(test_audit__a_checkpoint_by_a_key_not_ours_is_named),
		K(test_audit__checkpoints_of_a_rotated_key_still_verify),
		cmocka_unit_test_setup_teardown(
			test_audit__a_key_that_needs_a_passphrase_is_never_asked, setup_home,
			teardown_identity),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
