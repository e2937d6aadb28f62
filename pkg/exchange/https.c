/* The HTTPS client on libcurl: every request is set up from scratch on one kept easy handle, so
 * the connection is reused while no option from an earlier request can leak into the next. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange/https_internal.h"

/* Below this size a body goes without "Expect: 100-continue" (libcurl 7.x asks for every PUT),
 * which would cost a round trip per small request. */
#define EXPECT_THRESHOLD (1024 * 1024)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int pouch_https_global_init(struct pouch_err *err)
{
	int ret = https_lib_load(err);

	if (ret < 0)
		return ret;
	if (pthread_once(&once, global_init_once) != 0 || global_rc != CURLE_OK)
		return pouch_err_set(err, POUCH_E_NOMEM, "cannot initialise libcurl: %s",
				     curl_easy_strerror(global_rc));
	return 0;
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
	if (opts->pin && !https_pin_valid(opts->pin))
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

/* Sets every option of one request on the freshly reset handle; the security settings are
 * repeated each time (the TLS ones in https_tls.c). */
static CURLcode configure(struct https_xfer *x, const char *method, int upload,
			  struct curl_slist *list, const char *range)
{
	const struct pouch_https_req *r = x->req;
	struct pouch_https *h = x->h;
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

	HTTPS_SET(CURLOPT_URL, r->url);
	HTTPS_SET(CURLOPT_PROTOCOLS_STR, "https");
	HTTPS_SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	HTTPS_SET(CURLOPT_FOLLOWLOCATION, 0L);
	if (rc == CURLE_OK)
		rc = https_tls_configure(h);
	/* "" turns off the proxy variables of the environment; a configured proxy is used for
	 * every host, whatever no_proxy says. */
	HTTPS_SET(CURLOPT_PROXY, h->proxy ? h->proxy : "");
	HTTPS_SET(CURLOPT_NOPROXY, "");
	HTTPS_SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	HTTPS_SET(CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms
				    : r->timeout_ms < 0 ? 0L : h->timeout_ms);
	HTTPS_SET(CURLOPT_LOW_SPEED_TIME, h->low_speed_time);
	HTTPS_SET(CURLOPT_LOW_SPEED_LIMIT, h->low_speed_limit);
	HTTPS_SET(CURLOPT_NOSIGNAL, 1L);
	HTTPS_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	HTTPS_SET(CURLOPT_USERAGENT, "pouch/" POUCH_VERSION);
	HTTPS_SET(CURLOPT_ERRORBUFFER, h->errbuf);
	HTTPS_SET(CURLOPT_HEADERFUNCTION, https_on_header);
	HTTPS_SET(CURLOPT_HEADERDATA, x);
	HTTPS_SET(CURLOPT_WRITEFUNCTION, https_on_body);
	HTTPS_SET(CURLOPT_WRITEDATA, x);
	HTTPS_SET(CURLOPT_HTTPHEADER, list);
	if (strcmp(method, "GET") == 0)
		HTTPS_SET(CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		HTTPS_SET(CURLOPT_NOBODY, 1L);
	if (upload) {
		HTTPS_SET(CURLOPT_UPLOAD, 1L);
		HTTPS_SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len);
		HTTPS_SET(CURLOPT_READFUNCTION, https_on_read);
		HTTPS_SET(CURLOPT_READDATA, x);
		HTTPS_SET(CURLOPT_SEEKFUNCTION, https_on_seek);
		HTTPS_SET(CURLOPT_SEEKDATA, x);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    !(upload && strcmp(method, "PUT") == 0))
		HTTPS_SET(CURLOPT_CUSTOMREQUEST, method);
	if (range)
		HTTPS_SET(CURLOPT_RANGE, range);
	if (r->progress) {
		HTTPS_SET(CURLOPT_NOPROGRESS, 0L);
		HTTPS_SET(CURLOPT_XFERINFOFUNCTION, https_on_progress);
		HTTPS_SET(CURLOPT_XFERINFODATA, x);
	}
	return rc;
}

/* TLS refusals carry an alert or an OpenSSL protocol error; resets and timeouts do not. */
static enum pouch_https_fault tls_fault(const char *why)
{
	return strstr(why, "alert") || strstr(why, "SSL routines") ? POUCH_HTTPS_TLS
								    : POUCH_HTTPS_TRANSIENT;
}

/* Turns libcurl's failure into pouch's code, fault and one-line message. */
static int transport_error(struct https_xfer *x, CURLcode rc, struct pouch_err *err)
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
	struct https_xfer x = { .h = h, .req = req, .resp = resp };
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
		https_choose_sink(&x);
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
	const curl_version_info_data *d;

	if (https_lib_load(NULL) < 0)
		return "(cannot be loaded)";
	d = curl_version_info(CURLVERSION_NOW);

	snprintf(v, sizeof(v), "%s%s%s%s", d->version, d->ssl_version ? " (" : "",
		 d->ssl_version ? d->ssl_version : "", d->ssl_version ? ")" : "");
	return v;
}
