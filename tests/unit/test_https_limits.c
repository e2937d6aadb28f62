/* The HTTPS client's limits: response bodies and headers capped, the overall, low-speed and
 * connect timeouts, and a refused connection reported as transient. */
#define _GNU_SOURCE
#include "https_fixture.h"

static int get_capped(struct pouch_https *h, const char *u, uint64_t max,
		      struct pouch_https_resp *resp, struct pouch_err *err)
{
	struct pouch_https_req req;

	pouch_https_req_init(&req, NULL, u);
	req.max_response = max;
	return pouch_https_request(h, &req, resp, err);
}

static void test_https__chunked_response_over_the_cap_is_aborted(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	const char *u = url("/big?n=300000&chunked=1");

	(void)state;
	assert_net(get_capped(h, u, 100000, &resp, &err), &err, &resp, POUCH_HTTPS_PEER, u,
		   "the response passes 100000 bytes");
	assert_int_equal(resp.status, 200);
	assert_true(resp.received <= 100000);
	pouch_https_resp_release(&resp);
	/* The default cap applies without one. */
	u = url("/big?n=1048577&chunked=1");
	assert_net(get_capped(h, u, 0, &resp, &err), &err, &resp, POUCH_HTTPS_PEER, u,
		   "passes 1048576 bytes");
	pouch_https_resp_release(&resp);
	/* Up to the cap is fine. */
	assert_int_equal(get_capped(h, url("/big?n=100000&chunked=1"), 100000, &resp, &err), 0);
	assert_int_equal(resp.body_len, 100000);
	assert_int_equal(resp.received, 100000);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__announced_length_over_the_cap_is_refused_early(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	const char *u = url("/big?n=300000&chunked=0");

	(void)state;
	assert_net(get_capped(h, u, 100000, &resp, &err), &err, &resp, POUCH_HTTPS_PEER, u,
		   "passes 100000 bytes");
	assert_int_equal(resp.received, 0);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__oversized_response_headers_are_aborted(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);

	(void)state;
	get_fails(h, url("/bigheaders"), POUCH_HTTPS_PEER, "the response headers pass 65536 bytes");
	pouch_https_free(h);
}

/* Downloads path to the file at dir/name from offset from; returns the result. */

static void test_https__overall_timeout_ends_a_slow_request(void **state)
{
	struct pouch_https_opts o = { 0 };
	struct pouch_https *h = NULL;
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	double t0;

	(void)state;
	o.ca_file = in_dir("ca.pem");
	o.timeout_ms = 500;
	assert_int_equal(pouch_https_new(&o, &h, NULL), 0);
	/* Ended long before the server's answer would have come, however busy the machine. */
	t0 = now();
	get_fails(h, url("/sleep?ms=120000"), POUCH_HTTPS_TRANSIENT, "timed out");
	assert_true(now() - t0 < 110);
	/* A request's own cap wins over the handle's. */
	pouch_https_req_init(&req, NULL, url("/sleep?ms=700"));
	req.timeout_ms = 600000;
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__stalled_transfer_is_ended_by_the_low_speed_limit(void **state)
{
	struct pouch_https_opts o = { 0 };
	struct pouch_https *h = NULL;
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	const char *u = url("/stall");
	double t0;

	(void)state;
	o.ca_file = in_dir("ca.pem");
	/* The 10 bytes the server sends are below 1000 bytes/s from the start. */
	o.low_speed_time = 1;
	o.low_speed_limit = 1000;
	assert_int_equal(pouch_https_new(&o, &h, NULL), 0);
	pouch_https_req_init(&req, NULL, u);
	req.timeout_ms = -1;
	/* Ended long before the server sends the rest (after two minutes). */
	t0 = now();
	assert_net(pouch_https_request(h, &req, &resp, &err), &err, &resp, POUCH_HTTPS_TRANSIENT,
		   u, "too slow");
	assert_true(now() - t0 < 110);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.received, 10);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

/* A listening socket on 127.0.0.1 that never accepts: its port. */
static int silent_listener(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(*fd, 4), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static void test_https__connect_timeout_covers_the_handshake(void **state)
{
	struct pouch_https_opts o = { 0 };
	struct pouch_https *h = NULL;
	int fd, p = silent_listener(&fd);
	double t0;

	(void)state;
	o.ca_file = in_dir("ca.pem");
	o.connect_timeout_ms = 300;
	assert_int_equal(pouch_https_new(&o, &h, NULL), 0);
	t0 = now();
	get_fails(h, url_at(p, "/json"), POUCH_HTTPS_TRANSIENT, "timeout");
	/* Not the whole request's default minute: the handshake's own 300 ms. */
	assert_true(now() - t0 < 50);
	pouch_https_free(h);
	close(fd);
}

static void test_https__refused_connection_is_transient(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	int fd, p = silent_listener(&fd);

	(void)state;
	close(fd);
	get_fails(h, url_at(p, "/v1/health"), POUCH_HTTPS_TRANSIENT, "Couldn't connect to server");
	pouch_https_free(h);
}

/* The server's number for the connection a GET /conn on h used. */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https__chunked_response_over_the_cap_is_aborted),
		cmocka_unit_test(test_https__announced_length_over_the_cap_is_refused_early),
		cmocka_unit_test(test_https__oversized_response_headers_are_aborted),
		cmocka_unit_test(test_https__overall_timeout_ends_a_slow_request),
		cmocka_unit_test(test_https__stalled_transfer_is_ended_by_the_low_speed_limit),
		cmocka_unit_test(test_https__connect_timeout_covers_the_handshake),
		cmocka_unit_test(test_https__refused_connection_is_transient),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
