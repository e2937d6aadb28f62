/* The OpenPGP module on real keys: detached signatures over exact bytes, and sealed messages
 * opened with every check of ../shared/OPENPGP.md. Three agencies share one group fixture:
 * A and B know each other's keys, C is a stranger whose key B also holds but never pinned. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "directory/home.h"
#include "directory/identity.h"
#include "crypto/pgp.h"

#include "agencies.h"

static char dir[32];
static struct agency A, B, C;

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	agency_make(&A, dir, "GB-A");
	agency_make(&B, dir, "GB-B");
	agency_make(&C, dir, "GB-C");
	agency_share(&A, &B);
	agency_share(&B, &A);
	agency_share(&C, &B);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	agency_drop(&A);
	agency_drop(&B);
	agency_drop(&C);
	return pouch_fs_remove_tree(dir, NULL);
}

static const char text[] = "{\"format\":\"pouch-header/1\",\"id\":\"x\"}";

static void test_pgp__detached_signature_verifies_and_names_the_signer(void **state)
{
	char signer[POUCH_FPR_LEN + 1];
	char *sig = NULL;
	size_t siglen = 0;

	(void)state;
	assert_int_equal(pouch_pgp_sign_detached(A.pgp, A.fpr, text, strlen(text), &sig, &siglen,
						 NULL), 0);
	assert_true(siglen > 0);
	assert_int_equal(pouch_pgp_verify_detached(B.pgp, text, strlen(text), sig, siglen, signer,
						   NULL), 0);
	assert_string_equal(signer, A.fpr);
	free(sig);
}

static void test_pgp__detached_signature_refuses_changed_bytes(void **state)
{
	struct pouch_err err = { 0 };
	char signer[POUCH_FPR_LEN + 1], changed[sizeof(text)];
	char *sig = NULL;
	size_t siglen = 0, i;

	(void)state;
	assert_int_equal(pouch_pgp_sign_detached(A.pgp, A.fpr, text, strlen(text), &sig, &siglen,
						 NULL), 0);
	memcpy(changed, text, sizeof(text));
	changed[5] ^= 1;
	assert_int_equal(pouch_pgp_verify_detached(B.pgp, changed, strlen(text), sig, siglen,
						   signer, &err), POUCH_E_VERIFY);
	assert_string_equal(signer, "");
	/* The signature values themselves (the packet's last 64 bytes, ed25519's r and s). The
	 * unhashed subpacket area is not covered by the signature: OpenPGP lets it change. */
	for (i = siglen - 64; i < siglen; i += 5) {
		sig[i] ^= 0x20;
		assert_int_equal(pouch_pgp_verify_detached(B.pgp, text, strlen(text), sig, siglen,
							   signer, NULL), POUCH_E_VERIFY);
		sig[i] ^= 0x20;
	}
	free(sig);
}

static void test_pgp__detached_signature_by_an_unknown_key_is_refused(void **state)
{
	struct pouch_err err = { 0 };
	char signer[POUCH_FPR_LEN + 1];
	char *sig = NULL;
	size_t siglen = 0;

	(void)state;
	/* A never received C's key. */
	assert_int_equal(pouch_pgp_sign_detached(C.pgp, C.fpr, text, strlen(text), &sig, &siglen,
						 NULL), 0);
	assert_int_equal(pouch_pgp_verify_detached(A.pgp, text, strlen(text), sig, siglen, signer,
						   &err), POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "which is not in the keyring"));
	free(sig);
}

/* The hash algorithm octet of the binary v4 signature packet at sig. */
static int sig_hash_algo(const unsigned char *sig, size_t len)
{
	size_t hl = (sig[0] & 0x40) ? (sig[1] < 192 ? 2 : sig[1] < 224 ? 3 : 6)
				    : 1 + ((sig[0] & 3) == 0 ? 1 : (sig[0] & 3) == 1 ? 2 : 4);

	assert_true(len > hl + 4);
	assert_int_equal(sig[hl], 4);
	return sig[hl + 3];
}

static void test_pgp__own_signatures_use_sha512(void **state)
{
	char *sig = NULL;
	size_t siglen = 0;

	(void)state;
	assert_int_equal(pouch_pgp_sign_detached(A.pgp, A.fpr, text, strlen(text), &sig, &siglen,
						 NULL), 0);
	assert_int_equal(sig_hash_algo((unsigned char *)sig, siglen), 10);
	free(sig);
}

/* Receipts, checkpoints and headers all go through pouch_pgp_verify_detached. */
static void test_pgp__weak_digest_signatures_are_refused(void **state)
{
	static const char *const weak[] = { "MD5", "SHA1", "RIPEMD160", "SHA224" };
	char path[128], cmd[512], signer[POUCH_FPR_LEN + 1], *sig = NULL;
	size_t i, siglen = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/text", dir);
	put_text(path, text, 0600);
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		struct pouch_err err = { 0 };

		snprintf(cmd, sizeof(cmd), "gpg --homedir %s --batch --quiet --pinentry-mode loopback "
			 "--passphrase '' --digest-algo %s --local-user %s --detach-sign -o %s.sig "
			 "%s 2>/dev/null", A.h.gnupg, weak[i], A.fpr, path, path);
		assert_int_equal(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s.sig", path);
		assert_int_equal(pouch_fs_read(cmd, 4096, &sig, &siglen, NULL), 0);
		assert_int_equal(unlink(cmd), 0);
		assert_int_equal(pouch_pgp_verify_detached(B.pgp, text, strlen(text), sig, siglen,
							   signer, &err), POUCH_E_VERIFY);
		assert_non_null(strstr(err.msg, weak[i]));
		assert_non_null(strstr(err.msg, "weaker than SHA-256"));
		free(sig);
		sig = NULL;
	}
}

static void test_pgp__garbage_signature_is_refused(void **state)
{
	char signer[POUCH_FPR_LEN + 1];

	(void)state;
	assert_int_equal(pouch_pgp_verify_detached(B.pgp, text, strlen(text), "junk", 4, signer,
						   NULL), POUCH_E_VERIFY);
	assert_int_equal(pouch_pgp_verify_detached(B.pgp, text, strlen(text), "", 0, signer, NULL),
			 POUCH_E_VERIFY);
}

/* A file of dir holding len bytes of a repeated pattern; returns an fd at its start. */
static int plain_file(const char *name, size_t len)
{
	unsigned long long x = 88172645463325252ULL;
	char path[64];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	/* "pouch" then bytes that do not compress, so the message is as large as the text. */
	for (i = 0; i < len; i++) {
		unsigned char c;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		c = i < 5 ? (unsigned char)"pouch"[i] : (unsigned char)x;
		assert_int_equal(write(fd, &c, 1), 1);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int temp_file(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	return fd;
}

/* Seals a 5000-byte plaintext from A to B (and A) into a rewound fd. */
static int sealed(void)
{
	const char *to[2] = { B.fpr, A.fpr };
	int in = plain_file("plain", 5000), out = temp_file("sealed");

	assert_int_equal(pouch_pgp_seal(A.pgp, A.fpr, to, 2, in, out, NULL, NULL, NULL), 0);
	close(in);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	return out;
}

static void test_pgp__sealed_message_opens_for_each_recipient(void **state)
{
	char signer[POUCH_FPR_LEN + 1], buf[5001];
	struct agency *who[2] = { &B, &A };
	time_t when = 0, before = time(NULL);
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		int in = sealed(), out = temp_file("opened");
		assert_int_equal(pouch_pgp_open(who[i]->pgp, in, out, 1 << 20, signer, &when,
						NULL), 0);
		assert_string_equal(signer, A.fpr);
		assert_true(when >= before - 1 && when <= time(NULL));
		assert_int_equal(lseek(out, 0, SEEK_SET), 0);
		assert_int_equal(read(out, buf, sizeof(buf)), 5000);
		assert_memory_equal(buf, "pouch", 5);
		close(in);
		close(out);
	}
}

static void test_pgp__sealed_message_over_the_cap_is_refused(void **state)
{
	struct pouch_err err = { 0 };
	char signer[POUCH_FPR_LEN + 1];
	int in = sealed(), out = temp_file("opened");
	time_t when;

	(void)state;
	assert_int_equal(pouch_pgp_open(B.pgp, in, out, 4999, signer, &when, &err),
			 POUCH_E_VERIFY);
	assert_non_null(strstr(err.msg, "larger than 4999 bytes"));
	assert_string_equal(signer, "");
	close(in);
	close(out);
}

static void test_pgp__tampered_message_is_refused(void **state)
{
	char signer[POUCH_FPR_LEN + 1];
	off_t size, at;
	time_t when;

	(void)state;
	/* Bytes of the encrypted data packet, which ends the message; the session-key packets
	 * before it are one per recipient, and a change in another's is not this one's concern. */
	for (at = 1; at < 4000; at *= 3) {
		int in = sealed(), out = temp_file("opened");
		unsigned char c;
		size = lseek(in, 0, SEEK_END);
		assert_true(at < size - 300);
		assert_int_equal(pread(in, &c, 1, size - at), 1);
		c ^= 0x01;
		assert_int_equal(pwrite(in, &c, 1, size - at), 1);
		assert_int_equal(lseek(in, 0, SEEK_SET), 0);
		assert_int_equal(pouch_pgp_open(B.pgp, in, out, 1 << 20, signer, &when, NULL),
				 POUCH_E_VERIFY);
		close(in);
		close(out);
	}
}

static void test_pgp__not_a_recipient_is_refused(void **state)
{
	struct pouch_err err = { 0 };
	char signer[POUCH_FPR_LEN + 1];
	int in = sealed(), out = temp_file("opened");
	time_t when;

	(void)state;
	assert_int_equal(pouch_pgp_open(C.pgp, in, out, 1 << 20, signer, &when, &err),
			 POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "cannot decrypt"));
	close(in);
	close(out);
}

static void test_pgp__seal_to_an_unknown_recipient_fails(void **state)
{
	const char *to[1] = { "0123456789ABCDEF0123456789ABCDEF01234567" };
	int in = plain_file("plain", 10), out = temp_file("sealed");

	(void)state;
	assert_int_equal(pouch_pgp_seal(A.pgp, A.fpr, to, 1, in, out, NULL, NULL, NULL), POUCH_E_NOTFOUND);
	close(in);
	close(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgp__detached_signature_verifies_and_names_the_signer),
		cmocka_unit_test(test_pgp__detached_signature_refuses_changed_bytes),
		cmocka_unit_test(test_pgp__detached_signature_by_an_unknown_key_is_refused),
		cmocka_unit_test(test_pgp__garbage_signature_is_refused),
		cmocka_unit_test(test_pgp__own_signatures_use_sha512),
		cmocka_unit_test(test_pgp__weak_digest_signatures_are_refused),
		cmocka_unit_test(test_pgp__sealed_message_opens_for_each_recipient),
		cmocka_unit_test(test_pgp__sealed_message_over_the_cap_is_refused),
		cmocka_unit_test(test_pgp__tampered_message_is_refused),
		cmocka_unit_test(test_pgp__not_a_recipient_is_refused),
		cmocka_unit_test(test_pgp__seal_to_an_unknown_recipient_fails),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
