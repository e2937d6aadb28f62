/* The HTTPS client's requests: https:// only, malformed requests refused, redirects returned,
 * proxies from the configuration only, error statuses returned, one connection per handle. */
#define _GNU_SOURCE
#include "https_fixture.h"

static void test_https__only_https_urls_are_used(void **state)
{
	static const char *const bad[] = { "http://", "ftp://", "", "//", "https:/", "https:" };
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	long long before = hits("/json");
	char u[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(u, sizeof(u), "%s127.0.0.1:%d/json", bad[i], port);
		assert_int_equal(get(h, u, &resp, &err), POUCH_E_USAGE);
		assert_non_null(strstr(err.msg, "only https:// is allowed"));
		assert_int_equal(resp.status, 0);
		pouch_https_resp_release(&resp);
	}
	assert_int_equal(hits("/json"), before);
	/* The scheme is case-insensitive, as in RFC 3986. */
	snprintf(u, sizeof(u), "HTTPS://127.0.0.1:%d/json", port);
	get_ok(h, u);
	pouch_https_free(h);
}

static void test_https__malformed_requests_are_usage_errors(void **state)
{
	static const char *const crlf[] = { "X-A: 1\r\nX-B: 2", NULL };
	static const char *const nocolon[] = { "X-A 1", NULL };
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	struct pouch_https_req req;

	(void)state;
	pouch_https_req_init(&req, "GET /x HTTP/1.1\r\n", url("/json"));
	assert_int_equal(pouch_https_request(h, &req, &resp, &err), POUCH_E_USAGE);
	pouch_https_req_init(&req, "GET", url("/json"));
	req.body = "x";
	req.body_len = 1;
	assert_int_equal(pouch_https_request(h, &req, &resp, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "with a body"));
	pouch_https_req_init(&req, "PUT", url("/echo"));
	req.body_len = 1;
	assert_int_equal(pouch_https_request(h, &req, &resp, &err), POUCH_E_USAGE);
	pouch_https_req_init(&req, "GET", url("/json"));
	req.headers = crlf;
	assert_int_equal(pouch_https_request(h, &req, &resp, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "malformed header"));
	req.headers = nocolon;
	assert_int_equal(pouch_https_request(h, &req, &resp, &err), POUCH_E_USAGE);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__redirect_is_returned_not_followed(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;

	(void)state;
	assert_int_equal(get(h, url("/redirect"), &resp, NULL), 0);
	assert_int_equal(resp.status, 302);
	assert_string_equal(pouch_https_resp_header(&resp, "Location"), "/target");
	assert_string_equal(resp.body, "{\"moved\": true}");
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
	assert_int_equal(hits("/redirect"), 1);
	assert_int_equal(hits("/target"), 0);
}

static void test_https__proxy_variables_of_the_environment_are_ignored(void **state)
{
	static const char *const vars[] = { "https_proxy", "HTTPS_PROXY", "ALL_PROXY",
					    "all_proxy" };
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		setenv(vars[i], "http://127.0.0.1:9", 1);
	assert_int_equal(get(h, url("/json"), &resp, NULL), 0);
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	assert_int_equal(resp.status, 200);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__configured_proxy_is_used_whatever_no_proxy_says(void **state)
{
	struct pouch_https_opts o = { 0 };
	struct pouch_https *h = NULL;
	struct pouch_https_resp resp;
	long long before = hits("CONNECT");
	char proxy[64];

	(void)state;
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", proxy_port);
	o.ca_file = in_dir("ca.pem");
	o.proxy = proxy;
	assert_int_equal(pouch_https_new(&o, &h, NULL), 0);
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	assert_int_equal(get(h, url("/json"), &resp, NULL), 0);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	assert_int_equal(resp.status, 200);
	assert_int_equal(hits("CONNECT"), before + 1);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

/* GET path with the cap max: the result, resp filled. */

static long long conn_of(struct pouch_https *h)
{
	struct pouch_https_resp resp;
	long long c;

	assert_int_equal(get(h, url("/conn"), &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	c = member(&resp, "conn");
	pouch_https_resp_release(&resp);
	return c;
}

static void test_https__one_handle_keeps_one_connection(void **state)
{
	struct pouch_https *h = client("ca.pem", pin, NULL), *other = client("ca.pem", pin, NULL);
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	long long first = conn_of(h);
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		if (conn_of(h) != first)
			fail_msg("request %d used another connection", i);
	/* Requests of other kinds in between leave it in use. */
	pouch_https_req_init(&req, "PUT", url("/echo"));
	req.body = "abc";
	req.body_len = 3;
	req.timeout_ms = 600000;
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	pouch_https_resp_release(&resp);
	assert_int_equal(get(h, url("/status?code=500"), &resp, NULL), 0);
	pouch_https_resp_release(&resp);
	assert_int_equal(conn_of(h), first);
	assert_true(conn_of(other) != first);
	pouch_https_free(other);
	pouch_https_free(h);
}

static void test_https__error_statuses_are_returned_with_their_headers(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	json_t *j;

	(void)state;
	assert_int_equal(get(h, url("/status?code=500"), &resp, NULL), 0);
	assert_int_equal(resp.status, 500);
	assert_int_equal(resp.fault, POUCH_HTTPS_OK);
	j = json_loads(resp.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			    "status_500");
	json_decref(j);
	assert_null(pouch_https_resp_header(&resp, "Retry-After"));
	pouch_https_resp_release(&resp);

	assert_int_equal(get(h, url("/status?code=429&retry=7"), &resp, NULL), 0);
	assert_int_equal(resp.status, 429);
	assert_string_equal(pouch_https_resp_header(&resp, "retry-after"), "7");
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https__only_https_urls_are_used),
		cmocka_unit_test(test_https__malformed_requests_are_usage_errors),
		cmocka_unit_test(test_https__redirect_is_returned_not_followed),
		cmocka_unit_test(test_https__proxy_variables_of_the_environment_are_ignored),
		cmocka_unit_test(test_https__configured_proxy_is_used_whatever_no_proxy_says),
		cmocka_unit_test(test_https__one_handle_keeps_one_connection),
		cmocka_unit_test(test_https__error_statuses_are_returned_with_their_headers),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
