/* The HTTPS client's uploads: a body from a file at an offset or from memory, 100-continue for
 * large bodies, and a PATCH with Upload-Offset resuming an upload. */
#define _GNU_SOURCE
#include "https_fixture.h"

static void assert_echo(const struct pouch_https_resp *resp, const char *method, size_t len,
			const char *sha)
{
	char s[128];

	assert_int_equal(resp->status, 200);
	assert_string_equal(member_str(resp, "method", s, sizeof(s)), method);
	assert_int_equal(member(resp, "length"), (long long)len);
	assert_string_equal(member_str(resp, "sha256", s, sizeof(s)), sha);
	assert_int_equal(strncmp(member_str(resp, "user_agent", s, sizeof(s)), "pouch/", 6), 0);
}

static void test_https__upload_from_a_file_at_an_offset(void **state)
{
	static const char *const headers[] = { "Content-Type: application/octet-stream", NULL };
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	struct seen seen = { 0 };
	char *data = file_bytes(10000);
	char sha[POUCH_SHA256_HEX], s[64];
	int fd;

	(void)state;
	put_bytes(in_dir("up"), data, 10000, 0600);
	fd = open(in_dir("up"), O_RDONLY);
	assert_true(fd >= 0);
	pouch_https_req_init(&req, "PUT", url("/echo"));
	req.headers = headers;
	req.body_fd = fd;
	req.body_offset = 1000;
	req.body_len = 5000;
	req.progress = on_progress;
	req.progress_arg = &seen;
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	sha256_of(data + 1000, 5000, sha);
	assert_echo(&resp, "PUT", 5000, sha);
	assert_string_equal(member_str(&resp, "content_type", s, sizeof(s)),
			    "application/octet-stream");
	assert_string_equal(member_str(&resp, "expect", s, sizeof(s)), "null");
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	assert_true(seen.calls > 0);
	assert_int_equal(seen.last.up_done, 6000);
	assert_int_equal(seen.last.up_total, 6000);
	pouch_https_resp_release(&resp);

	/* A file shorter than announced fails on our side. */
	req.body_len = 9001;
	req.progress = NULL;
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), POUCH_E_IO);
	assert_int_equal(resp.fault, POUCH_HTTPS_LOCAL);
	pouch_https_resp_release(&resp);
	close(fd);
	free(data);
	pouch_https_free(h);
}

static void test_https__upload_from_memory_and_without_a_body(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	char sha[POUCH_SHA256_HEX];
	static const char text[] = "{\"hello\":\"world\"}";

	(void)state;
	pouch_https_req_init(&req, "POST", url("/echo"));
	req.body = text;
	req.body_len = strlen(text);
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	sha256_of(text, strlen(text), sha);
	assert_echo(&resp, "POST", strlen(text), sha);
	pouch_https_resp_release(&resp);

	pouch_https_req_init(&req, "PUT", url("/echo"));
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	sha256_of("", 0, sha);
	assert_echo(&resp, "PUT", 0, sha);
	pouch_https_resp_release(&resp);

	pouch_https_req_init(&req, "DELETE", url("/echo"));
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	assert_echo(&resp, "DELETE", 0, sha);
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
}

static void test_https__large_upload_waits_for_100_continue(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	size_t len = 2 * 1024 * 1024;
	char *data = calloc(1, len);
	struct pouch_https_resp resp;
	struct pouch_https_req req;
	char sha[POUCH_SHA256_HEX], s[64];

	(void)state;
	assert_non_null(data);
	pouch_https_req_init(&req, "PUT", url("/echo"));
	req.body = data;
	req.body_len = len;
	assert_int_equal(pouch_https_request(h, &req, &resp, NULL), 0);
	sha256_of(data, len, sha);
	assert_echo(&resp, "PUT", len, sha);
	assert_string_equal(member_str(&resp, "expect", s, sizeof(s)), "100-continue");
	/* The fields of the 100 Continue are not the final response's. */
	assert_null(pouch_https_resp_header(&resp, "X-Interim"));
	assert_string_equal(pouch_https_resp_header(&resp, "Content-Type"), "application/json");
	pouch_https_resp_release(&resp);
	free(data);
	pouch_https_free(h);
}

/* PATCHes bytes [from, from + len) of data to /uploads/NAME with Upload-Offset: offset. */
static int patch(struct pouch_https *h, const char *data, size_t from, size_t len, size_t offset,
		 struct pouch_https_resp *resp)
{
	char header[64];
	const char *headers[] = { header, "Content-Type: application/octet-stream", NULL };
	struct pouch_https_req req;

	snprintf(header, sizeof(header), "Upload-Offset: %zu", offset);
	pouch_https_req_init(&req, "PATCH", url("/uploads/resumed"));
	req.headers = headers;
	req.body = data + from;
	req.body_len = len;
	return pouch_https_request(h, &req, resp, NULL);
}

static void test_https__patch_with_upload_offset_resumes_an_upload(void **state)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	char *data = file_bytes(8000);
	struct pouch_https_resp resp;
	char sha[POUCH_SHA256_HEX], s[POUCH_SHA256_HEX];

	(void)state;
	assert_int_equal(patch(h, data, 0, 3000, 0, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(pouch_https_resp_header(&resp, "Upload-Offset"), "3000");
	pouch_https_resp_release(&resp);
	/* The wrong offset is refused with the right one. */
	assert_int_equal(patch(h, data, 0, 3000, 0, &resp), 0);
	assert_int_equal(resp.status, 409);
	assert_int_equal(member(&resp, "offset"), 3000);
	pouch_https_resp_release(&resp);
	assert_int_equal(patch(h, data, 3000, 5000, 3000, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(pouch_https_resp_header(&resp, "upload-offset"), "8000");
	pouch_https_resp_release(&resp);
	assert_int_equal(get(h, url("/uploads/resumed"), &resp, NULL), 0);
	sha256_of(data, 8000, sha);
	assert_string_equal(member_str(&resp, "sha256", s, sizeof(s)), sha);
	pouch_https_resp_release(&resp);
	free(data);
	pouch_https_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https__upload_from_a_file_at_an_offset),
		cmocka_unit_test(test_https__upload_from_memory_and_without_a_body),
		cmocka_unit_test(test_https__large_upload_waits_for_100_continue),
		cmocka_unit_test(test_https__patch_with_upload_offset_resumes_an_upload),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
