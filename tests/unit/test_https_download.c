/* The HTTPS client's downloads to a file: resumed with a Range, restarted when the server
 * ignores it, refused when the Content-Range is not where asked; error bodies go to memory. */
#define _GNU_SOURCE
#include "https_fixture.h"

static int download(struct pouch_https *h, const char *path, const char *name, uint64_t from,
		    struct seen *seen, struct pouch_https_resp *resp, struct pouch_err *err)
{
	struct pouch_https_req req;
	int fd = open(in_dir(name), O_RDWR);
	int ret;

	assert_true(fd >= 0);
	pouch_https_req_init(&req, "GET", url(path));
	req.out_fd = fd;
	req.resume_from = from;
	req.max_response = FILE_SIZE;
	req.timeout_ms = -1;
	req.progress = seen ? on_progress : NULL;
	req.progress_arg = seen;
	ret = pouch_https_request(h, &req, resp, err);
	assert_int_equal(close(fd), 0);
	return ret;
}

/* dir/name holds the first keep bytes of the download, then junk. */
static void partial_file(const char *name, size_t keep)
{
	char *p = file_bytes(keep + 50);

	memset(p + keep, '#', 50);
	put_bytes(in_dir(name), p, keep + 50, 0600);
	free(p);
}

static void test_https__download_to_a_file_resumes_with_a_range(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	struct seen seen = { 0 };
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/file?n=%d", FILE_SIZE);
	partial_file("dl", 0);
	assert_int_equal(download(h, path, "dl", 0, NULL, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.start, 0);
	assert_int_equal(resp.received, FILE_SIZE);
	assert_null(resp.body);
	assert_download(in_dir("dl"));
	pouch_https_resp_release(&resp);

	partial_file("dl", 100000);
	assert_int_equal(download(h, path, "dl", 100000, &seen, &resp, NULL), 0);
	assert_int_equal(resp.status, 206);
	assert_int_equal(resp.start, 100000);
	assert_int_equal(resp.received, FILE_SIZE - 100000);
	assert_string_equal(pouch_https_resp_header(&resp, "Content-Range"),
			    "bytes 100000-299999/300000");
	assert_download(in_dir("dl"));
	assert_true(seen.calls > 0);
	assert_int_equal(seen.last.down_done, FILE_SIZE);
	assert_int_equal(seen.last.down_total, FILE_SIZE);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__download_restarts_when_the_range_is_ignored(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	char path[64], *junk;

	(void)state;
	snprintf(path, sizeof(path), "/file?n=%d&mode=norange", FILE_SIZE);
	/* What is there is wrong, and longer than the download: only a restart from 0 on a cut
	 * file can make it right. */
	junk = malloc(FILE_SIZE + 1000);
	assert_non_null(junk);
	memset(junk, '#', FILE_SIZE + 1000);
	put_bytes(in_dir("dl"), junk, FILE_SIZE + 1000, 0600);
	free(junk);
	assert_int_equal(download(h, path, "dl", 100000, NULL, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.start, 0);
	assert_download(in_dir("dl"));
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__download_refuses_a_range_from_elsewhere(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "/file?n=%d&mode=badrange", FILE_SIZE);
	partial_file("dl", 100000);
	assert_int_equal(download(h, path, "dl", 100000, NULL, &resp, &err), POUCH_E_NET);
	assert_int_equal(resp.fault, POUCH_HTTPS_PEER);
	assert_non_null(strstr(err.msg, "cannot resume"));
	assert_non_null(strstr(err.msg, "Content-Range 'bytes 100001-"));
	assert_int_equal(resp.received, 0);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__download_error_body_goes_to_memory(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;

	(void)state;
	put_text(in_dir("dl"), "kept", 0600);
	assert_int_equal(download(h, "/status?code=404", "dl", 0, NULL, &resp, NULL), 0);
	assert_int_equal(resp.status, 404);
	assert_non_null(strstr(resp.body, "status_404"));
	assert_content(in_dir("dl"), "kept");
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

/* The echo server's answer to a body: its length, SHA-256 and headers. */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https__download_to_a_file_resumes_with_a_range),
		cmocka_unit_test(test_https__download_restarts_when_the_range_is_ignored),
		cmocka_unit_test(test_https__download_refuses_a_range_from_elsewhere),
		cmocka_unit_test(test_https__download_error_body_goes_to_memory),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
