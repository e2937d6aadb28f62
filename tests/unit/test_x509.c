/* Unit tests for pkg/x509.c: CA bundles and client certificates with their keys, as pouch vets
 * them before copying them into a home, on material made with openssl (tests/unit/certs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "crypto/x509.h"

#define JUNK_CERT "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

/* Writes text to a file of the group's directory and returns its path. */
static const char *put(const char *name, const char *text)
{
	const char *path = cert(name);

	put_text(path, text, 0600);
	return path;
}

static char *slurp(const char *name)
{
	char *text = NULL;
	int ret = pouch_fs_read(cert(name), 1 << 20, &text, NULL, NULL);

	assert_int_equal(ret, 0);
	return text;
}

static void test_x509__ca_bundle_read_as_is(void **state)
{
	char *data = NULL, *want = slurp(CERT_CHAIN);
	size_t len = 0;

	(void)state;
	assert_int_equal(pouch_x509_read_ca(cert(CERT_CHAIN), &data, &len, NULL), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	free(data);
	free(want);
}

static void expect(int ret, int code, const struct pouch_err *err, const char *want)
{
	assert_int_equal(ret, code);
	assert_int_equal(err->code, code);
	if (!strstr(err->msg, want))
		fail_msg("message '%s' lacks '%s'", err->msg, want);
}

static void test_x509__ca_bundle_refusals(void **state)
{
	struct pouch_err err = { 0 };
	char *data = NULL, *key = slurp(CERT_CLIENT_KEY), *crt = slurp(CERT_CA), *big;
	char both[8192];
	size_t len = 0;

	(void)state;
	expect(pouch_x509_read_ca(put("junk.pem", "not pem\n"), &data, &len, &err),
	       POUCH_E_USAGE, &err, "holds no PEM certificate");
	expect(pouch_x509_read_ca(put("bad.pem", JUNK_CERT), &data, &len, &err), POUCH_E_USAGE,
	       &err, "does not parse");
	snprintf(both, sizeof(both), "%s%s", crt, JUNK_CERT);
	expect(pouch_x509_read_ca(put("half.pem", both), &data, &len, &err), POUCH_E_USAGE, &err,
	       "does not parse");
	snprintf(both, sizeof(both), "%s%s", crt, key);
	expect(pouch_x509_read_ca(put("withkey.pem", both), &data, &len, &err), POUCH_E_REFUSED,
	       &err, "holds a private key");
	expect(pouch_x509_read_ca(cert("nothere.pem"), &data, &len, &err), POUCH_E_NOTFOUND, &err,
	       "nothere.pem");
	big = calloc(POUCH_X509_CERT_MAX + 2, 1);
	assert_non_null(big);
	memset(big, ' ', POUCH_X509_CERT_MAX + 1);
	memcpy(big, crt, strlen(crt));
	expect(pouch_x509_read_ca(put("big.pem", big), &data, &len, &err), POUCH_E_REFUSED, &err,
	       "larger than");
	assert_null(data);
	free(big);
	free(crt);
	free(key);
}

static void test_x509__client_pair_accepted(void **state)
{
	static const char *const pairs[][2] = {
		{ CERT_CLIENT, CERT_CLIENT_KEY },
		{ CERT_CLIENT, CERT_CLIENT_EC },
		{ CERT_CHAIN, CERT_CLIENT_KEY },
		{ CERT_RSA, CERT_RSA_KEY },
	};
	struct pouch_x509_client c;
	struct pouch_err err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *crt = slurp(pairs[i][0]), *key = slurp(pairs[i][1]);
		if (pouch_x509_read_client(cert(pairs[i][0]), cert(pairs[i][1]), &c, &err) != 0)
			fail_msg("%s + %s refused: %s", pairs[i][0], pairs[i][1], err.msg);
		assert_string_equal(c.cert, crt);
		assert_int_equal(c.cert_len, strlen(crt));
		assert_string_equal(c.key, key);
		assert_int_equal(c.key_len, strlen(key));
		pouch_x509_client_release(&c);
		assert_null(c.key);
		free(crt);
		free(key);
	}
}

/* The second line of a PEM file: key material that no message may quote. */
static void assert_no_key_in(const char *msg, const char *keyfile)
{
	char *key = slurp(keyfile), line[17];
	const char *nl = strchr(key, '\n');

	assert_non_null(nl);
	snprintf(line, sizeof(line), "%s", nl + 1);
	if (strstr(msg, line))
		fail_msg("message '%s' quotes the key", msg);
	free(key);
}

static void test_x509__client_refusals(void **state)
{
	struct pouch_x509_client c;
	struct pouch_err err = { 0 };
	char *crt = slurp(CERT_CLIENT), *key = slurp(CERT_CLIENT_KEY);
	char *other = slurp(CERT_OTHER_KEY);
	char both[8192];

	(void)state;
	expect(pouch_x509_read_client(cert(CERT_CLIENT), cert(CERT_OTHER_KEY), &c, &err),
	       POUCH_E_VERIFY, &err, "does not belong to the certificate");
	assert_null(c.key);
	assert_null(c.cert);
	assert_no_key_in(err.msg, CERT_OTHER_KEY);
	expect(pouch_x509_read_client(cert(CERT_RSA), cert(CERT_CLIENT_KEY), &c, &err),
	       POUCH_E_VERIFY, &err, "does not belong to the certificate");
	expect(pouch_x509_read_client(cert(CERT_CLIENT), cert(CERT_ENC_KEY), &c, &err),
	       POUCH_E_REFUSED, &err, "is encrypted");
	expect(pouch_x509_read_client(cert(CERT_RSA), cert(CERT_RSA_ENC_KEY), &c, &err),
	       POUCH_E_REFUSED, &err, "is encrypted");
	expect(pouch_x509_read_client(cert(CERT_CLIENT), cert(CERT_CLIENT), &c, &err),
	       POUCH_E_USAGE, &err, "holds no PEM private key");
	expect(pouch_x509_read_client(cert(CERT_CLIENT), put("junk.key", "not a key\n"), &c, &err),
	       POUCH_E_USAGE, &err, "holds no PEM private key");
	snprintf(both, sizeof(both), "%s%s", key, other);
	expect(pouch_x509_read_client(cert(CERT_CLIENT), put("two.key", both), &c, &err),
	       POUCH_E_USAGE, &err, "holds 2 private keys");
	assert_no_key_in(err.msg, CERT_CLIENT_KEY);
	snprintf(both, sizeof(both), "%s%s", crt, key);
	expect(pouch_x509_read_client(put("certkey.pem", both), cert(CERT_CLIENT_KEY), &c, &err),
	       POUCH_E_REFUSED, &err, "holds a private key");
	snprintf(both, sizeof(both), "-----BEGIN PRIVATE KEY-----\nMIIB\n"
		 "-----END PRIVATE KEY-----\n");
	expect(pouch_x509_read_client(cert(CERT_CLIENT), put("broken.key", both), &c, &err),
	       POUCH_E_USAGE, &err, "does not parse");
	expect(pouch_x509_read_client(cert(CERT_CLIENT), cert("missing.key"), &c, &err),
	       POUCH_E_NOTFOUND, &err, "missing.key");
	expect(pouch_x509_read_client(put("junk.pem", JUNK_CERT), cert(CERT_CLIENT_KEY), &c, &err),
	       POUCH_E_USAGE, &err, "does not parse");
	assert_null(c.key);
	free(crt);
	free(key);
	free(other);
}

static void test_x509__key_size_capped(void **state)
{
	struct pouch_x509_client c;
	struct pouch_err err = { 0 };
	char *big = calloc(POUCH_X509_KEY_MAX + 2, 1);

	(void)state;
	assert_non_null(big);
	memset(big, '\n', POUCH_X509_KEY_MAX + 1);
	expect(pouch_x509_read_client(cert(CERT_CLIENT), put("big.key", big), &c, &err),
	       POUCH_E_REFUSED, &err, "larger than");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x509__ca_bundle_read_as_is),
		cmocka_unit_test(test_x509__ca_bundle_refusals),
		cmocka_unit_test(test_x509__client_pair_accepted),
		cmocka_unit_test(test_x509__client_refusals),
		cmocka_unit_test(test_x509__key_size_capped),
	};

	return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
