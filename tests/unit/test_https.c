/* The HTTPS client against tests/unit/https_server.py over real TLS on 127.0.0.1, with a test CA,
 * a server certificate for 127.0.0.1, client certificates from that CA and from another one,
 * all made with the openssl command in the group setup. Run from the top of the source tree. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fixture.h"
#include "pouch/digest.h"
#include "pouch/fs.h"
#include "pouch/https.h"

#define SERVER_SCRIPT "tests/unit/https_server.py"
#define WRONG_PIN "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define FILE_SIZE 300000

/* A CA, another CA, a server certificate for IP 127.0.0.1, a client certificate for
 * GB-NCA-CEOP from each CA, and server.pin: the server key's pin as sha256//BASE64. */
static const char certs_script[] =
	"cd \"$1\"\n"
	"key() {\n"
	"  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out \"$1.key\"\n"
	"}\n"
	"ca() {\n"
	"  key \"$1\"\n"
	"  openssl req -x509 -new -key \"$1.key\" -out \"$1.pem\" -days 2 -subj \"/CN=$2\" \\\n"
	"    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign\n"
	"}\n"
	"leaf() {\n"
	"  key \"$1\"\n"
	"  openssl req -new -key \"$1.key\" -out \"$1.csr\" -subj \"/CN=$2\"\n"
	"  printf '%s\\n' \"$4\" >\"$1.ext\"\n"
	"  openssl x509 -req -in \"$1.csr\" -CA \"$3.pem\" -CAkey \"$3.key\" -CAcreateserial \\\n"
	"    -days 2 -out \"$1.pem\" -extfile \"$1.ext\"\n"
	"}\n"
	"ca ca 'pouch test CA'\n"
	"ca other 'pouch other CA'\n"
	"leaf server 127.0.0.1 ca 'subjectAltName=IP:127.0.0.1\n"
	"extendedKeyUsage=serverAuth'\n"
	"leaf client GB-NCA-CEOP ca 'extendedKeyUsage=clientAuth'\n"
	"leaf stranger GB-NCA-CEOP other 'extendedKeyUsage=clientAuth'\n"
	"printf sha256// >server.pin\n"
	"openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der |\n"
	"  openssl dgst -sha256 -binary | openssl base64 -A >>server.pin\n";

static char dir[32];
static pid_t server = -1;
static int server_in = -1; /* the server's standard input: it exits when this closes */
static int port, mtls_port, mtls12_port, proxy_port;
static char pin[128];

/* dir/name; four buffers in turn, enough for one call's arguments. */
static const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* https://127.0.0.1:p + path, likewise. */
static const char *url_at(int p, const char *path)
{
	static char buf[4][256];
	static int next;
	char *u = buf[next++ % 4];

	snprintf(u, sizeof(buf[0]), "https://127.0.0.1:%d%s", p, path);
	return u;
}

static const char *url(const char *path)
{
	return url_at(port, path);
}

/* Starts argv with stdin from in (or /dev/null), stdout to out and stderr to the file log. */
static pid_t spawn(const char *const argv[], int in, int out, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int null = open("/dev/null", O_RDONLY);

		if (err < 0 || null < 0 || dup2(in >= 0 ? in : null, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static int make_certs(void)
{
	const char *argv[] = { "sh", "-ec", certs_script, "sh", dir, NULL };
	int log = open(in_dir("setup.log"), O_WRONLY | O_CREAT | O_APPEND, 0600);
	int status = -1;
	pid_t pid;

	if (log < 0)
		return -1;
	pid = spawn(argv, -1, log, in_dir("setup.log"));
	close(log);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "# making the certificates failed: see %s/setup.log\n", dir);
		return -1;
	}
	return 0;
}

/* Starts the server and reads its ports from the line it prints. */
static int start_server(void)
{
	const char *argv[] = { "python3", SERVER_SCRIPT, dir, NULL };
	int in[2], out[2];
	char line[128] = "";
	size_t have = 0;
	struct pollfd pfd;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	server = spawn(argv, in[0], out[1], in_dir("server.log"));
	close(in[0]);
	close(out[1]);
	server_in = in[1];
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (server > 0 && !memchr(line, '\n', have) && have < sizeof(line) - 1 &&
	       poll(&pfd, 1, 10000) == 1) {
		ssize_t n = read(out[0], line + have, sizeof(line) - 1 - have);

		if (n <= 0)
			break;
		have += (size_t)n;
		line[have] = '\0';
	}
	close(out[0]);
	if (sscanf(line, "%d %d %d %d", &port, &mtls_port, &mtls12_port, &proxy_port) != 4) {
		fprintf(stderr, "# the test server did not start: see %s/server.log\n", dir);
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	char *text = NULL;
	size_t len = 0;

	(void)state;
	/* A failed write to a closed connection must be an error, not the end of the test. */
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/ph.XXXXXX");
	if (!mkdtemp(dir) || make_certs() < 0 || start_server() < 0)
		return -1;
	if (pouch_fs_read(in_dir("server.pin"), sizeof(pin) - 1, &text, &len, NULL) < 0)
		return -1;
	snprintf(pin, sizeof(pin), "%s", text);
	free(text);
	return pouch_https_global_init(NULL);
}

static int group_teardown(void **state)
{
	(void)state;
	if (server_in >= 0)
		close(server_in);
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	return pouch_fs_remove_tree(dir, NULL);
}

/* A handle trusting ca (a file in dir, or NULL for the system store), with pin and the client
 * certificate name.pem / name.key when given. */
static struct pouch_https *client(const char *ca, const char *with_pin, const char *cert)
{
	struct pouch_https_opts o = { 0 };
	struct pouch_https *h = NULL;
	char c[64], k[64];

	o.ca_file = ca ? in_dir(ca) : NULL;
	o.pin = with_pin;
	if (cert) {
		snprintf(c, sizeof(c), "%s.pem", cert);
		snprintf(k, sizeof(k), "%s.key", cert);
		o.client_cert = in_dir(c);
		o.client_key = in_dir(k);
	}
	assert_int_equal(pouch_https_new(&o, &h, NULL), 0);
	return h;
}

static int get(struct pouch_https *h, const char *u, struct pouch_https_resp *resp,
	       struct pouch_err *err)
{
	struct pouch_https_req req;

	pouch_https_req_init(&req, NULL, u);
	return pouch_https_request(h, &req, resp, err);
}

/* The response body's JSON member key, as an integer. */
static long long member(const struct pouch_https_resp *resp, const char *key)
{
	json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
	long long v;

	assert_non_null(j);
	assert_true(json_is_integer(json_object_get(j, key)));
	v = json_integer_value(json_object_get(j, key));
	json_decref(j);
	return v;
}

/* The response body's JSON member key, as a string ("null" for null), copied to out. */
static const char *member_str(const struct pouch_https_resp *resp, const char *key, char *out,
			      size_t size)
{
	json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
	json_t *v;

	assert_non_null(j);
	v = json_object_get(j, key);
	assert_non_null(v);
	snprintf(out, size, "%s", json_is_null(v) ? "null" : json_string_value(v));
	json_decref(j);
	return out;
}

/* How many requests the server has had for path ("CONNECT": proxy tunnels). */
static long long hits(const char *path)
{
	struct pouch_https *h = client("ca.pem", NULL, NULL);
	struct pouch_https_resp resp;
	char u[128];
	long long n;

	snprintf(u, sizeof(u), "/hits?path=%s", path);
	assert_int_equal(get(h, url(u), &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	n = member(&resp, "hits");
	pouch_https_resp_release(&resp);
	pouch_https_free(h);
	return n;
}

/* The request failed as a transport failure of kind fault, the message naming the URL and want. */
static void assert_net(int ret, const struct pouch_err *err, const struct pouch_https_resp *resp,
		       enum pouch_https_fault fault, const char *u, const char *want)
{
	char head[300];

	assert_int_equal(ret, POUCH_E_NET);
	assert_int_equal(err->code, POUCH_E_NET);
	snprintf(head, sizeof(head), "cannot reach '%s': ", u);
	if (strncmp(err->msg, head, strlen(head)) != 0 || !strstr(err->msg, want))
		fail_msg("message '%s' lacks '%s' or '%s'", err->msg, head, want);
	assert_int_equal(resp->fault, fault);
}

/* A GET of u on h answers 200. */
static void get_ok(struct pouch_https *h, const char *u)
{
	struct pouch_https_resp resp;

	assert_int_equal(get(h, u, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	pouch_https_resp_release(&resp);
}

/* A GET of u on h fails as a transport failure of kind fault, the message naming want. */
static void get_fails(struct pouch_https *h, const char *u, enum pouch_https_fault fault,
		      const char *want)
{
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;

	assert_net(get(h, u, &resp, &err), &err, &resp, fault, u, want);
	pouch_https_resp_release(&resp);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char file_byte(size_t i)
{
	return (unsigned char)((7 * i + i / 251) & 0xFF);
}

static char *file_bytes(size_t n)
{
	char *p = malloc(n);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (char)file_byte(i);
	return p;
}

/* The file at path holds exactly FILE_SIZE bytes of the server's download. */
static void assert_download(const char *path)
{
	char *want = file_bytes(FILE_SIZE), *got = NULL;
	size_t len = 0;

	assert_int_equal(pouch_fs_read(path, 2 * FILE_SIZE, &got, &len, NULL), 0);
	assert_int_equal(len, FILE_SIZE);
	assert_memory_equal(got, want, FILE_SIZE);
	free(got);
	free(want);
}

static void sha256_of(const void *p, size_t len, char *hex)
{
	struct pouch_sha256 *d = NULL;

	assert_int_equal(pouch_sha256_new(&d, NULL), 0);
	pouch_sha256_update(d, p, len);
	pouch_sha256_hex(d, hex);
	pouch_sha256_free(d);
}

/* Progress reports seen: how many and the last one. */
struct seen {
	int calls;
	struct pouch_https_progress last;
};

static void on_progress(void *arg, const struct pouch_https_progress *p)
{
	struct seen *s = arg;

	s->calls++;
	s->last = *p;
}

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
		cmocka_unit_test(test_https__trusted_ca_gets_the_response_and_its_headers),
		cmocka_unit_test(test_https__server_from_another_ca_is_untrusted),
		cmocka_unit_test(test_https__server_certificate_for_another_name_is_untrusted),
		cmocka_unit_test(test_https__system_store_does_not_trust_the_test_ca),
		cmocka_unit_test(test_https__matching_pin_is_accepted),
		cmocka_unit_test(test_https__pin_mismatch_fails_as_a_pin_failure),
		cmocka_unit_test(test_https__malformed_options_are_usage_errors),
		cmocka_unit_test(test_https__client_certificate_required_by_the_mtls_listeners),
		cmocka_unit_test(test_https__unusable_tls_files_are_local_failures),
		cmocka_unit_test(test_https__only_https_urls_are_used),
		cmocka_unit_test(test_https__malformed_requests_are_usage_errors),
		cmocka_unit_test(test_https__redirect_is_returned_not_followed),
		cmocka_unit_test(test_https__proxy_variables_of_the_environment_are_ignored),
		cmocka_unit_test(test_https__configured_proxy_is_used_whatever_no_proxy_says),
		cmocka_unit_test(test_https__chunked_response_over_the_cap_is_aborted),
		cmocka_unit_test(test_https__announced_length_over_the_cap_is_refused_early),
		cmocka_unit_test(test_https__oversized_response_headers_are_aborted),
		cmocka_unit_test(test_https__download_to_a_file_resumes_with_a_range),
		cmocka_unit_test(test_https__download_restarts_when_the_range_is_ignored),
		cmocka_unit_test(test_https__download_refuses_a_range_from_elsewhere),
		cmocka_unit_test(test_https__download_error_body_goes_to_memory),
		cmocka_unit_test(test_https__upload_from_a_file_at_an_offset),
		cmocka_unit_test(test_https__upload_from_memory_and_without_a_body),
		cmocka_unit_test(test_https__large_upload_waits_for_100_continue),
		cmocka_unit_test(test_https__patch_with_upload_offset_resumes_an_upload),
		cmocka_unit_test(test_https__overall_timeout_ends_a_slow_request),
		cmocka_unit_test(test_https__stalled_transfer_is_ended_by_the_low_speed_limit),
		cmocka_unit_test(test_https__connect_timeout_covers_the_handshake),
		cmocka_unit_test(test_https__refused_connection_is_transient),
		cmocka_unit_test(test_https__one_handle_keeps_one_connection),
		cmocka_unit_test(test_https__error_statuses_are_returned_with_their_headers),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
