/* The HTTPS client on libcurl: every request is set up from scratch on one kept easy handle, so
 * the connection is reused while no option from an earlier request can leak into the next. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/base64.h"
#include "base/fs.h"
#include "exchange/https.h"

/* Below this size a body goes without "Expect: 100-continue" (libcurl 7.x asks for every PUT),
 * which would cost a round trip per small request. */
#define EXPECT_THRESHOLD (1024 * 1024)

struct pouch_https {
	CURL *curl;
	char *ca_file, *pin, *client_cert, *client_key, *proxy;
	long connect_timeout_ms, timeout_ms, low_speed_time, low_speed_limit;
	char errbuf[CURL_ERROR_SIZE];
};

enum sink { SINK_NONE, SINK_MEM, SINK_FD };

/* One request in flight: what the callbacks share. */
struct xfer {
	struct pouch_https *h;
	const struct pouch_https_req *req;
	struct pouch_https_resp *resp;
	uint64_t sent;   /* request body bytes handed to libcurl */
	enum sink sink;  /* where the response body goes, chosen at its first byte */
	uint64_t cap;    /* where the body may end at most (a file offset for SINK_FD) */
	size_t body_room, headers_room;
	struct pouch_https_progress last;
	struct pouch_err fail; /* a failure a callback found; it wins over libcurl's code */
	enum pouch_https_fault fail_fault;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int pouch_https_global_init(struct pouch_err *err)
{
	if (pthread_once(&once, global_init_once) != 0 || global_rc != CURLE_OK)
		return pouch_err_set(err, POUCH_E_NOMEM, "cannot initialise libcurl: %s",
				     curl_easy_strerror(global_rc));
	return 0;
}

/* A pin is one or more "sha256//" + the base64 of 32 bytes, joined by ';'. */
static int pin_valid(const char *pin)
{
	unsigned char sum[33];
	char one[64];

	for (;;) {
		const char *end = strchr(pin, ';');
		size_t len = end ? (size_t)(end - pin) : strlen(pin);

		if (len <= 8 || len >= sizeof(one) || strncmp(pin, "sha256//", 8) != 0)
			return 0;
		memcpy(one, pin + 8, len - 8);
		one[len - 8] = '\0';
		if (pouch_base64_decode(one, sum, sizeof(sum)) != 32)
			return 0;
		if (!end)
			return 1;
		pin = end + 1;
	}
}

/* *dst = a copy of src (NULL stays NULL); 0 or -1 when out of memory. */
static int copy_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

int pouch_https_new(const struct pouch_https_opts *opts, struct pouch_https **out,
		    struct pouch_err *err)
{
	struct pouch_https *h = NULL;
	int ret;

	*out = NULL;
	if (opts->pin && !pin_valid(opts->pin))
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot use pin '%s': want sha256//BASE64 of 32 bytes",
				     opts->pin);
	if (!opts->client_cert != !opts->client_key)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot use a client certificate: give both it and its key");
	ret = pouch_https_global_init(err);
	if (ret < 0)
		return ret;
	h = calloc(1, sizeof(*h));
	if (!h || copy_opt(&h->ca_file, opts->ca_file) < 0 || copy_opt(&h->pin, opts->pin) < 0 ||
	    copy_opt(&h->client_cert, opts->client_cert) < 0 ||
	    copy_opt(&h->client_key, opts->client_key) < 0 ||
	    copy_opt(&h->proxy, opts->proxy) < 0 || !(h->curl = curl_easy_init())) {
		pouch_https_free(h);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	h->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
							    : POUCH_HTTPS_CONNECT_TIMEOUT_MS;
	h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : POUCH_HTTPS_TIMEOUT_MS;
	h->low_speed_time = opts->low_speed_time > 0 ? opts->low_speed_time
						     : POUCH_HTTPS_LOW_SPEED_TIME;
	h->low_speed_limit = opts->low_speed_limit > 0 ? opts->low_speed_limit
						       : POUCH_HTTPS_LOW_SPEED_LIMIT;
	*out = h;
	return 0;
}

void pouch_https_free(struct pouch_https *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h->pin);
	free(h->client_cert);
	free(h->client_key);
	free(h->proxy);
	free(h);
}

void pouch_https_req_init(struct pouch_https_req *req, const char *method, const char *url)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->url = url;
	req->body_fd = -1;
	req->out_fd = -1;
}

void pouch_https_resp_release(struct pouch_https_resp *resp)
{
	if (!resp)
		return;
	free(resp->body);
	free(resp->headers);
	memset(resp, 0, sizeof(*resp));
}

const char *pouch_https_resp_header(const struct pouch_https_resp *resp, const char *name)
{
	size_t at = 0;

	/* The fields are stored as "name\0value\0" pairs. */
	while (at < resp->headers_len) {
		const char *field = resp->headers + at;
		const char *value = field + strlen(field) + 1;

		if (strcasecmp(field, name) == 0)
			return value;
		at = (size_t)(value + strlen(value) + 1 - resp->headers);
	}
	return NULL;
}

/* Records a failure found in a callback, which then makes libcurl stop. Returns -1. */
__attribute__((format(printf, 4, 5))) static int
stop(struct xfer *x, enum pouch_https_fault fault, int code, const char *fmt, ...)
{
	va_list ap;

	x->fail.code = code;
	x->fail_fault = fault;
	va_start(ap, fmt);
	vsnprintf(x->fail.msg, sizeof(x->fail.msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends n bytes at p to the heap buffer *buf (*len used, *room allocated), keeping a NUL after
 * them that *len does not count. 0, or -1 when out of memory. */
static int append(char **buf, size_t *len, size_t *room, const void *p, size_t n)
{
	if (*len + n + 1 > *room) {
		size_t want = *room ? *room : 1024;
		char *grown;

		while (want < *len + n + 1)
			want *= 2;
		grown = realloc(*buf, want);
		if (!grown)
			return -1;
		*buf = grown;
		*room = want;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	const struct pouch_https_req *r = x->req;
	uint64_t left = r->body_len - x->sent;
	size_t want = size * n < left ? size * n : (size_t)left;
	ssize_t got;

	if (want == 0)
		return 0;
	if (r->body_fd < 0) {
		memcpy(buf, (const char *)r->body + x->sent, want);
		x->sent += want;
		return want;
	}
	do
		got = pread(r->body_fd, buf, want, (off_t)(r->body_offset + x->sent));
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		stop(x, POUCH_HTTPS_LOCAL, POUCH_E_IO, "cannot read the body for '%s': %s", r->url,
		     got < 0 ? strerror(errno) : "the file ends early");
		return CURL_READFUNC_ABORT;
	}
	x->sent += (uint64_t)got;
	return (size_t)got;
}

/* libcurl rewinds the body when it must send it again (on a reused connection that closed). */
static int on_seek(void *arg, curl_off_t offset, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > x->req->body_len)
		return CURL_SEEKFUNC_FAIL;
	x->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* Stores one part of a header field, with its NUL, in resp->headers. */
static int add_field(struct xfer *x, const char *p, size_t n)
{
	struct pouch_https_resp *resp = x->resp;

	if (append(&resp->headers, &resp->headers_len, &x->headers_room, p, n) < 0)
		return -1;
	resp->headers_len++;
	return 0;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct pouch_https_resp *resp = x->resp;
	size_t len = size * n, all = len;
	const char *colon, *value;
	size_t vlen;

	/* A status line starts the fields of a new response (after a 100 Continue). */
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		resp->headers_len = 0;
		return all;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	colon = memchr(line, ':', len);
	if (!colon || colon == line || line[0] == ' ' || line[0] == '\t' || memchr(line, 0, len))
		return all;
	value = colon + 1;
	vlen = len - (size_t)(value - line);
	while (vlen > 0 && (*value == ' ' || *value == '\t'))
		value++, vlen--;
	while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		vlen--;
	if (resp->headers_len + len + 2 > POUCH_HTTPS_MAX_HEADERS) {
		stop(x, POUCH_HTTPS_PEER, POUCH_E_NET,
		     "cannot reach '%s': the response headers pass %d bytes", x->req->url,
		     POUCH_HTTPS_MAX_HEADERS);
		return 0;
	}
	if (add_field(x, line, (size_t)(colon - line)) < 0 || add_field(x, value, vlen) < 0) {
		stop(x, POUCH_HTTPS_LOCAL, POUCH_E_NOMEM, "out of memory");
		return 0;
	}
	return all;
}

/* A 206 must answer the Range we sent: "bytes N-M/T" with N where we asked to resume. */
static int range_ok(struct xfer *x)
{
	const char *cr = pouch_https_resp_header(x->resp, "Content-Range");
	unsigned long long from;
	char *end = NULL;

	if (x->req->resume_from == 0)
		return stop(x, POUCH_HTTPS_PEER, POUCH_E_NET,
			    "cannot download '%s': 206 for a request without a Range", x->req->url);
	if (cr && strncmp(cr, "bytes ", 6) == 0 && cr[6] >= '0' && cr[6] <= '9') {
		errno = 0;
		from = strtoull(cr + 6, &end, 10);
		if (errno == 0 && *end == '-' && from == x->req->resume_from)
			return 0;
	}
	return stop(x, POUCH_HTTPS_PEER, POUCH_E_NET,
		    "cannot resume '%s' at byte %llu: the server sent Content-Range '%s'",
		    x->req->url, (unsigned long long)x->req->resume_from, cr ? cr : "(none)");
}

/* Whether more body bytes would pass the cap (then -1, the failure recorded). */
static int too_big(struct xfer *x, uint64_t more)
{
	if (x->resp->start + x->resp->received + more <= x->cap)
		return 0;
	return stop(x, POUCH_HTTPS_PEER, POUCH_E_NET,
		    "cannot reach '%s': the response passes %llu bytes", x->req->url,
		    (unsigned long long)x->cap);
}

/* Chooses where the body goes once the status is known: a 2xx to out_fd (cut to where it
 * starts), anything else to memory so that the caller can read an error body. */
static int choose_sink(struct xfer *x)
{
	const struct pouch_https_req *r = x->req;
	curl_off_t clen = -1;
	long status = 0;

	curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &status);
	x->resp->status = status;
	x->sink = SINK_MEM;
	x->cap = r->max_response ? r->max_response : POUCH_HTTPS_MAX_RESPONSE;
	if (r->out_fd >= 0 && (status < 200 || status > 299)) {
		if (x->cap > POUCH_HTTPS_MAX_ERROR_BODY)
			x->cap = POUCH_HTTPS_MAX_ERROR_BODY;
	} else if (r->out_fd >= 0) {
		if (status == 206 && range_ok(x) < 0)
			return -1;
		x->resp->start = status == 206 ? r->resume_from : 0;
		if (ftruncate(r->out_fd, (off_t)x->resp->start) < 0 ||
		    lseek(r->out_fd, (off_t)x->resp->start, SEEK_SET) < 0)
			return stop(x, POUCH_HTTPS_LOCAL, POUCH_E_IO,
				    "cannot write the response of '%s': %s", r->url,
				    strerror(errno));
		x->sink = SINK_FD;
	}
	/* A body announced too big is refused before its first byte. */
	if (curl_easy_getinfo(x->h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen) == CURLE_OK &&
	    clen >= 0 && too_big(x, (uint64_t)clen) < 0)
		return -1;
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	struct pouch_https_resp *resp = x->resp;
	size_t len = size * n;

	if (x->sink == SINK_NONE && choose_sink(x) < 0)
		return 0;
	/* Chunked responses announce no length: the cap is enforced here, byte by byte. */
	if (too_big(x, len) < 0)
		return 0;
	if (x->sink == SINK_FD && pouch_fs_write_all(x->req->out_fd, p, len) < 0) {
		stop(x, POUCH_HTTPS_LOCAL, POUCH_E_IO, "cannot write the response of '%s': %s",
		     x->req->url, strerror(errno));
		return 0;
	}
	if (x->sink == SINK_MEM &&
	    append(&resp->body, &resp->body_len, &x->body_room, p, len) < 0) {
		stop(x, POUCH_HTTPS_LOCAL, POUCH_E_NOMEM, "out of memory");
		return 0;
	}
	resp->received += len;
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = arg;
	const struct pouch_https_req *r = x->req;
	uint64_t up_base = r->body_fd >= 0 ? r->body_offset : 0;
	struct pouch_https_progress p;

	(void)ultotal;
	p.up_done = up_base + (uint64_t)ulnow;
	p.up_total = r->body || r->body_fd >= 0 ? up_base + r->body_len : 0;
	p.down_done = x->resp->start + (uint64_t)dlnow;
	p.down_total = dltotal > 0 ? x->resp->start + (uint64_t)dltotal : 0;
	if (memcmp(&p, &x->last, sizeof(p)) != 0) {
		x->last = p;
		r->progress(r->progress_arg, &p);
	}
	return 0;
}

/* A method is an upper-case token; anything else could smuggle text into the request line. */
static int method_valid(const char *m)
{
	if (!*m)
		return 0;
	for (; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return 0;
	return 1;
}

/* Checks req and builds its header list (*list, caller frees). */
static int prepare(const struct pouch_https_req *req, const char *method, int upload,
		   struct curl_slist **list, struct pouch_err *err)
{
	const char *const *hp;
	struct curl_slist *l;
	int has_body = req->body || req->body_fd >= 0;

	if (!req->url || strncasecmp(req->url, "https://", 8) != 0)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot use URL '%s': only https:// is allowed",
				     req->url ? req->url : "");
	if (!method_valid(method) || (has_body && !upload))
		return pouch_err_set(err, POUCH_E_USAGE, "cannot send %s '%s'%s", method, req->url,
				     has_body ? " with a body" : "");
	if (req->body_fd < 0 && req->body_len > 0 && !req->body)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot send '%s': a length without a body", req->url);
	for (hp = req->headers; hp && *hp; hp++)
		if (strpbrk(*hp, "\r\n") || !strchr(*hp, ':'))
			return pouch_err_set(err, POUCH_E_USAGE,
					     "cannot send '%s': malformed header line", req->url);
	if (upload && req->body_len < EXPECT_THRESHOLD) {
		l = curl_slist_append(*list, "Expect:");
		if (!l)
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		*list = l;
	}
	for (hp = req->headers; hp && *hp; hp++) {
		l = curl_slist_append(*list, *hp);
		if (!l)
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		*list = l;
	}
	return 0;
}

#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(c, opt, val); \
	} while (0)

/* Sets every option of one request on the freshly reset handle; the security settings are
 * repeated each time. */
static CURLcode configure(struct xfer *x, const char *method, int upload,
			  struct curl_slist *list, const char *range)
{
	const struct pouch_https_req *r = x->req;
	struct pouch_https *h = x->h;
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->ca_file) {
		/* Only this CA: the built-in CA directory would widen the trust. */
		SET(CURLOPT_CAINFO, h->ca_file);
		SET(CURLOPT_CAPATH, NULL);
	}
	if (h->pin)
		SET(CURLOPT_PINNEDPUBLICKEY, h->pin);
	if (h->client_cert) {
		SET(CURLOPT_SSLCERT, h->client_cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY, h->client_key);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	/* "" turns off the proxy variables of the environment; a configured proxy is used for
	 * every host, whatever no_proxy says. */
	SET(CURLOPT_PROXY, h->proxy ? h->proxy : "");
	SET(CURLOPT_NOPROXY, "");
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms
			      : r->timeout_ms < 0 ? 0L : h->timeout_ms);
	SET(CURLOPT_LOW_SPEED_TIME, h->low_speed_time);
	SET(CURLOPT_LOW_SPEED_LIMIT, h->low_speed_limit);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_USERAGENT, "pouch/" POUCH_VERSION);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HTTPHEADER, list);
	if (strcmp(method, "GET") == 0)
		SET(CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		SET(CURLOPT_NOBODY, 1L);
	if (upload) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, x);
		SET(CURLOPT_SEEKFUNCTION, on_seek);
		SET(CURLOPT_SEEKDATA, x);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    !(upload && strcmp(method, "PUT") == 0))
		SET(CURLOPT_CUSTOMREQUEST, method);
	if (range)
		SET(CURLOPT_RANGE, range);
	if (r->progress) {
		SET(CURLOPT_NOPROGRESS, 0L);
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, x);
	}
	return rc;
}

#undef SET

/* TLS refusals carry an alert or an OpenSSL protocol error; resets and timeouts do not. */
static enum pouch_https_fault tls_fault(const char *why)
{
	return strstr(why, "alert") || strstr(why, "SSL routines") ? POUCH_HTTPS_TLS
								    : POUCH_HTTPS_TRANSIENT;
}

/* Turns libcurl's failure into pouch's code, fault and one-line message. */
static int transport_error(struct xfer *x, CURLcode rc, struct pouch_err *err)
{
	const char *why = x->h->errbuf[0] ? x->h->errbuf : curl_easy_strerror(rc);
	const char *url = x->req->url;
	struct pouch_https_resp *resp = x->resp;

	switch (rc) {
	case CURLE_OUT_OF_MEMORY:
		resp->fault = POUCH_HTTPS_LOCAL;
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		resp->fault = POUCH_HTTPS_LOCAL;
		return pouch_err_set(err, POUCH_E_USAGE, "cannot use URL '%s': %s", url, why);
	case CURLE_PEER_FAILED_VERIFICATION:
		resp->fault = POUCH_HTTPS_UNTRUSTED;
		return pouch_err_set(err, POUCH_E_NET,
				     "cannot reach '%s': server certificate not trusted: %s", url,
				     why);
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		resp->fault = POUCH_HTTPS_PIN;
		return pouch_err_set(err, POUCH_E_NET,
				     "cannot reach '%s': server public key does not match the pin: "
				     "%s",
				     url, why);
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		resp->fault = POUCH_HTTPS_LOCAL;
		return pouch_err_set(err, POUCH_E_IO, "cannot use the TLS files for '%s': %s", url,
				     why);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		resp->fault = tls_fault(why);
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		resp->fault = POUCH_HTTPS_PEER;
		break;
	default:
		resp->fault = POUCH_HTTPS_TRANSIENT;
		break;
	}
	return pouch_err_set(err, POUCH_E_NET, "cannot reach '%s': %s", url, why);
}

int pouch_https_request(struct pouch_https *h, const struct pouch_https_req *req,
			struct pouch_https_resp *resp, struct pouch_err *err)
{
	const char *method = req->method ? req->method : "GET";
	struct xfer x = { .h = h, .req = req, .resp = resp };
	struct curl_slist *list = NULL;
	char range[32];
	int upload, ret;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	/* PUT, POST and PATCH always carry a body, if empty; other methods when given one. */
	upload = strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0 ||
		 strcmp(method, "PATCH") == 0 ||
		 ((req->body || req->body_fd >= 0) && strcmp(method, "GET") != 0 &&
		  strcmp(method, "HEAD") != 0);
	ret = prepare(req, method, upload, &list, err);
	if (ret < 0)
		goto out;
	snprintf(range, sizeof(range), "%llu-", (unsigned long long)req->resume_from);
	curl_easy_reset(h->curl);
	h->errbuf[0] = '\0';
	rc = configure(&x, method, upload, list, req->resume_from ? range : NULL);
	if (rc != CURLE_OK) {
		resp->fault = POUCH_HTTPS_LOCAL;
		ret = pouch_err_set(err, rc == CURLE_OUT_OF_MEMORY ? POUCH_E_NOMEM : POUCH_E_USAGE,
				    "cannot set up the request for '%s': %s", req->url,
				    curl_easy_strerror(rc));
		goto out;
	}
	rc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	/* An empty body never reaches on_body: a 2xx still cuts out_fd to where it starts. */
	if (rc == CURLE_OK && x.sink == SINK_NONE && req->out_fd >= 0 && resp->status >= 200 &&
	    resp->status <= 299 && strcmp(method, "HEAD") != 0)
		choose_sink(&x);
	if (x.fail.code != 0) {
		resp->fault = x.fail_fault;
		ret = pouch_err_set(err, x.fail.code, "%s", x.fail.msg);
		goto out;
	}
	if (rc != CURLE_OK) {
		ret = transport_error(&x, rc, err);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(list);
	/* The handle keeps pointers to this call's list and callbacks until the next reset. */
	curl_easy_reset(h->curl);
	return ret;
}

const char *pouch_https_version(void)
{
	static char v[128];
	const curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);

	snprintf(v, sizeof(v), "%s%s%s%s", d->version, d->ssl_version ? " (" : "",
		 d->ssl_version ? d->ssl_version : "", d->ssl_version ? ")" : "");
	return v;
}
