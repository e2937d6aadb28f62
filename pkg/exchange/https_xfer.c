/* What flows during one HTTPS transfer: the request body read from memory or a file, the
 * response's header fields and its body into memory or a file (capped, resumed where a 206
 * says), progress, and the response's accessors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/fs.h"
#include "exchange/https_internal.h"

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
stop(struct https_xfer *x, enum pouch_https_fault fault, int code, const char *fmt, ...)
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

size_t https_on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct https_xfer *x = arg;
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
int https_on_seek(void *arg, curl_off_t offset, int origin)
{
	struct https_xfer *x = arg;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > x->req->body_len)
		return CURL_SEEKFUNC_FAIL;
	x->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* Stores one part of a header field, with its NUL, in resp->headers. */
static int add_field(struct https_xfer *x, const char *p, size_t n)
{
	struct pouch_https_resp *resp = x->resp;

	if (append(&resp->headers, &resp->headers_len, &x->headers_room, p, n) < 0)
		return -1;
	resp->headers_len++;
	return 0;
}

size_t https_on_header(char *line, size_t size, size_t n, void *arg)
{
	struct https_xfer *x = arg;
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
static int range_ok(struct https_xfer *x)
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
static int too_big(struct https_xfer *x, uint64_t more)
{
	if (x->resp->start + x->resp->received + more <= x->cap)
		return 0;
	return stop(x, POUCH_HTTPS_PEER, POUCH_E_NET,
		    "cannot reach '%s': the response passes %llu bytes", x->req->url,
		    (unsigned long long)x->cap);
}

int https_choose_sink(struct https_xfer *x)
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

size_t https_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct https_xfer *x = arg;
	struct pouch_https_resp *resp = x->resp;
	size_t len = size * n;

	if (x->sink == SINK_NONE && https_choose_sink(x) < 0)
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

int https_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct https_xfer *x = arg;
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
