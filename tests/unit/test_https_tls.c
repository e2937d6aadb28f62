/* The HTTPS client's TLS: the server verified by a CA or a pin, the client certificate the
 * mutual-TLS listeners require, and malformed or unusable TLS settings. */
#define _GNU_SOURCE
#include "https_fixture.h"

static void test_https__trusted_ca_gets_the_response_and_its_headers(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;

	(void)state;
	assert_int_equal(get(h, url("/json"), &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.fault, POUCH_HTTPS_OK);
	assert_string_equal(resp.body, "{\"ok\": true}");
	assert_int_equal(resp.body_len, strlen(resp.body));
	assert_string_equal(pouch_https_resp_header(&resp, "content-type"), "application/json");
	assert_string_equal(pouch_https_resp_header(&resp, "Content-Length"), "12");
	assert_null(pouch_https_resp_header(&resp, "Retry-After"));
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__server_from_another_ca_is_untrusted(void **state)
{
	struct pouch_https *h = client("other.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	const char *u = url("/json");
	long long before = hits("/json");

	(void)state;
	assert_net(get(h, u, &resp, &err), &err, &resp, POUCH_HTTPS_UNTRUSTED, u,
		   "server certificate not trusted");
	assert_int_equal(resp.status, 0);
	assert_null(resp.body);
	assert_int_equal(hits("/json"), before);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__server_certificate_for_another_name_is_untrusted(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	char u[64];

	(void)state;
	/* The certificate names IP 127.0.0.1 only; localhost reaches the same server. */
	snprintf(u, sizeof(u), "https://localhost:%d/json", port);
	get_fails(h, u, POUCH_HTTPS_UNTRUSTED, "localhost");
	pouch_https_free(h);
}

static void test_https__system_store_does_not_trust_the_test_ca(void **state)
{
	struct pouch_https *h = client(NULL, NULL, NULL);

	(void)state;
	get_fails(h, url("/json"), POUCH_HTTPS_UNTRUSTED, "not trusted");
	pouch_https_free(h);
}

static void test_https__matching_pin_is_accepted(void **state)
{
	struct pouch_https *h = client("ca.pem", pin, NULL);
	char two[300];

	(void)state;
	get_ok(h, url("/json"));
	pouch_https_free(h);
	/* One matching pin among several is enough. */
	snprintf(two, sizeof(two), "%s;%s", WRONG_PIN, pin);
	h = client("ca.pem", two, NULL);
	get_ok(h, url("/json"));
	pouch_https_free(h);
}

static void test_https__pin_mismatch_fails_as_a_pin_failure(void **state)
{
	struct pouch_https *h = client("ca.pem", WRONG_PIN, NULL);

	(void)state;
	get_fails(h, url("/json"), POUCH_HTTPS_PIN, "server public key does not match the pin");
	pouch_https_free(h);
}

static void test_https__malformed_options_are_usage_errors(void **state)
{
	static const char *const bad[] = {
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"sha256//",
		"sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		"sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8fIA==",
		WRONG_PIN ";",
		"sha1//AAECAwQFBgcICQoLDA0ODxAREhM=",
	};
	struct pouch_https_opts o = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_https *h = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.pin = bad[i];
		assert_int_equal(pouch_https_new(&o, &h, &err), POUCH_E_USAGE);
		assert_null(h);
		assert_non_null(strstr(err.msg, "pin"));
	}
	o.pin = NULL;
	o.client_cert = in_dir("client.pem");
	assert_int_equal(pouch_https_new(&o, &h, &err), POUCH_E_USAGE);
	o.client_cert = NULL;
	o.client_key = in_dir("client.key");
	assert_int_equal(pouch_https_new(&o, &h, &err), POUCH_E_USAGE);
	assert_null(h);
}

/* A GET of /whoami on port p with the client certificate cert (or none) fails at the TLS level,
 * as fault when the refusal is certain to be read (TLS 1.2: it ends the handshake). Under TLS 1.3
 * it comes after the handshake, and the server may close the connection before the client reads
 * its alert: then the failure looks transient. */
static void assert_refused(int p, const char *cert, int tls12)
{
	struct pouch_https *h = client("ca.pem", NULL, cert);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	const char *u = url_at(p, "/whoami");
	int ret = get(h, u, &resp, &err);

	assert_int_equal(resp.status, 0);
	if (tls12)
		assert_net(ret, &err, &resp, POUCH_HTTPS_TLS, u, "alert");
	else if (resp.fault != POUCH_HTTPS_TRANSIENT)
		assert_net(ret, &err, &resp, POUCH_HTTPS_TLS, u, "alert");
	else
		assert_net(ret, &err, &resp, POUCH_HTTPS_TRANSIENT, u, "");
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__client_certificate_required_by_the_mtls_listeners(void **state)
{
	struct pouch_https *h = client("ca.pem", pin, "client");
	struct pouch_https_resp resp;
	char cn[64];

	(void)state;
	assert_refused(mtls_port, NULL, 0);
	assert_refused(mtls_port, "stranger", 0);
	assert_refused(mtls12_port, NULL, 1);
	assert_refused(mtls12_port, "stranger", 1);
	assert_int_equal(get(h, url_at(mtls_port, "/whoami"), &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(member_str(&resp, "cn", cn, sizeof(cn)), "GB-NCA-CEOP");
	pouch_https_resp_release(&resp);
	get_ok(h, url_at(mtls12_port, "/whoami"));
	pouch_https_free(h);
}

static void test_https__unusable_tls_files_are_local_failures(void **state)
{
	struct pouch_https *h = client("missing-ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;

	(void)state;
	assert_int_equal(get(h, url("/json"), &resp, &err), POUCH_E_IO);
	assert_int_equal(resp.fault, POUCH_HTTPS_LOCAL);
	assert_non_null(strstr(err.msg, "cannot use the TLS files"));
	pouch_https_resp_release(&resp);
	pouch_https_free(h);

	h = client("ca.pem", NULL, "missing");
	assert_int_equal(get(h, url("/json"), &resp, &err), POUCH_E_IO);
	assert_int_equal(resp.fault, POUCH_HTTPS_LOCAL);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https__trusted_ca_gets_the_response_and_its_headers),
		cmocka_unit_test(test_https__server_from_another_ca_is_untrusted),
		cmocka_unit_test(test_https__server_certificate_for_another_name_is_untrusted),
		cmocka_unit_test(test_https__system_store_does_not_trust_the_test_ca),
		cmocka_unit_test(test_https__matching_pin_is_accepted),
		cmocka_unit_test(test_https__pin_mismatch_fails_as_a_pin_failure),
		cmocka_unit_test(test_https__malformed_options_are_usage_errors),
		cmocka_unit_test(test_https__client_certificate_required_by_the_mtls_listeners),
		cmocka_unit_test(test_https__unusable_tls_files_are_local_failures),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
