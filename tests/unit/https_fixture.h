/* The HTTPS client's tests against tests/unit/https_server.py over real TLS on 127.0.0.1: a test
 * CA, a server certificate for 127.0.0.1, client certificates from that CA and from another one,
 * all made with the openssl command in the group setup, and the helpers the tests share. Run
 * from the top of the source tree. Define _GNU_SOURCE before including this. */
#ifndef POUCH_TEST_HTTPS_FIXTURE_H
#define POUCH_TEST_HTTPS_FIXTURE_H

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
#include "crypto/digest.h"
#include "base/fs.h"
#include "exchange/https.h"

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
FIXTURE_FN const char *in_dir(const char *name)
{
	static char buf[4][256];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* https://127.0.0.1:p + path, likewise. */
FIXTURE_FN const char *url_at(int p, const char *path)
{
	static char buf[4][256];
	static int next;
	char *u = buf[next++ % 4];

	snprintf(u, sizeof(buf[0]), "https://127.0.0.1:%d%s", p, path);
	return u;
}

FIXTURE_FN const char *url(const char *path)
{
	return url_at(port, path);
}

/* Starts argv with stdin from in (or /dev/null), stdout to out and stderr to the file log. */
FIXTURE_FN pid_t spawn(const char *const argv[], int in, int out, const char *log)
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

FIXTURE_FN int make_certs(void)
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
FIXTURE_FN int start_server(void)
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

FIXTURE_FN int group_setup(void **state)
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

FIXTURE_FN int group_teardown(void **state)
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
FIXTURE_FN struct pouch_https *client(const char *ca, const char *with_pin, const char *cert)
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

FIXTURE_FN int get(struct pouch_https *h, const char *u, struct pouch_https_resp *resp,
		   struct pouch_err *err)
{
	struct pouch_https_req req;

	pouch_https_req_init(&req, NULL, u);
	return pouch_https_request(h, &req, resp, err);
}

/* The response body's JSON member key, as an integer. */
FIXTURE_FN long long member(const struct pouch_https_resp *resp, const char *key)
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
FIXTURE_FN const char *member_str(const struct pouch_https_resp *resp, const char *key, char *out,
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
FIXTURE_FN long long hits(const char *path)
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
FIXTURE_FN void assert_net(int ret, const struct pouch_err *err,
			   const struct pouch_https_resp *resp, enum pouch_https_fault fault,
			   const char *u, const char *want)
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
FIXTURE_FN void get_ok(struct pouch_https *h, const char *u)
{
	struct pouch_https_resp resp;

	assert_int_equal(get(h, u, &resp, NULL), 0);
	assert_int_equal(resp.status, 200);
	pouch_https_resp_release(&resp);
}

/* A GET of u on h fails as a transport failure of kind fault, the message naming want. */
FIXTURE_FN void get_fails(struct pouch_https *h, const char *u, enum pouch_https_fault fault,
			  const char *want)
{
	struct pouch_err err = { 0 };
	struct pouch_https_resp resp;

	assert_net(get(h, u, &resp, &err), &err, &resp, fault, u, want);
	pouch_https_resp_release(&resp);
}

FIXTURE_FN double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

FIXTURE_FN unsigned char file_byte(size_t i)
{
	return (unsigned char)((7 * i + i / 251) & 0xFF);
}

FIXTURE_FN char *file_bytes(size_t n)
{
	char *p = malloc(n);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (char)file_byte(i);
	return p;
}

/* The file at path holds exactly FILE_SIZE bytes of the server's download. */
FIXTURE_FN void assert_download(const char *path)
{
	char *want = file_bytes(FILE_SIZE), *got = NULL;
	size_t len = 0;

	assert_int_equal(pouch_fs_read(path, 2 * FILE_SIZE, &got, &len, NULL), 0);
	assert_int_equal(len, FILE_SIZE);
	assert_memory_equal(got, want, FILE_SIZE);
	free(got);
	free(want);
}

FIXTURE_FN void sha256_of(const void *p, size_t len, char *hex)
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

FIXTURE_FN void on_progress(void *arg, const struct pouch_https_progress *p)
{
	struct seen *s = arg;

	s->calls++;
	s->last = *p;
}

#endif
