/* The HTTPS server on libmicrohttpd and GnuTLS: TLS 1.2+, a client certificate checked against
 * the client CA for client authentication, callbacks per request. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server/httpd_internal.h"
#include "base/json.h"
#include "base/fs.h"
#include "server/httpd.h"

#define PEM_MAX (1024 * 1024)
#define HTTPD_SMALL_FILE (64 * 1024) /* sent from memory */
static enum MHD_Result queue(struct pouch_http_req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);

	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		r->status = status;
	return ret;
}

static enum MHD_Result fallback(struct pouch_http_req *r)
{
	static const char body[] = "{\"error\":{\"code\":\"internal\",\"message\":\"no response\"}}";

	return pouch_http_respond(r, 500, "application/json", body, sizeof(body) - 1, NULL) == 0
		       ? MHD_YES
		       : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct pouch_httpd *d = cls;
	struct pouch_http_req *r = *con_cls;

	(void)version;
	(void)url; /* decoded by libmicrohttpd: the handler decodes the raw target itself */
	if (!r || !r->started) {
		httpd_guard_busy(conn);
		if (!r || httpd_req_start(r, conn, method) < 0)
			return MHD_NO;
		r->began = 1;
		d->ops.begin(d->ops.ctx, r);
		r->began = 0;
		return MHD_YES;
	}
	if (*data_size > 0) {
		r->received += *data_size;
		if (!r->discard && !r->pending && !r->status) {
			r->in_body = 1;
			d->ops.body(d->ops.ctx, r, data, *data_size);
			r->in_body = 0;
		}
		*data_size = 0;
		if (!r->early)
			return MHD_YES;
		/* libmicrohttpd (0.9.75) queues a response only before the body or after its end:
		 * the answer goes out here, and MHD_NO has libmicrohttpd close the connection. */
		r->cut_short = httpd_guard_answer_now(conn, r->early, r->early_len) == 0;
		return MHD_NO;
	}
	if (r->status)
		return MHD_YES;
	if (r->pending) {
		struct MHD_Response *p = r->pending;
		r->pending = NULL;
		return queue(r, r->pending_status, p);
	}
	d->ops.end(d->ops.ctx, r);
	if (r->pending) {
		struct MHD_Response *p = r->pending;
		r->pending = NULL;
		return queue(r, r->pending_status, p);
	}
	return r->status ? MHD_YES : fallback(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct pouch_httpd *d = cls;
	struct pouch_http_req *r = *con_cls;

	httpd_guard_idle(conn);
	if (!r)
		return;
	/* Not started: libmicrohttpd answered a request it could not parse (with its own error
	 * page: there is no hook to replace it), or the client went before the headers. */
	r->refused = !r->started && toe == MHD_REQUEST_TERMINATED_WITH_ERROR;
	if (r->started || r->refused)
		d->ops.finished(d->ops.ctx, r,
				toe == MHD_REQUEST_TERMINATED_COMPLETED_OK || r->cut_short);
	httpd_req_free(r);
	*con_cls = NULL;
}

static int add_headers(struct MHD_Response *resp, const char *content_type,
		       const char *const *headers)
{
	size_t i;

	if (content_type &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
		return -1;
	if (MHD_add_response_header(resp, "Cache-Control", "no-store") != MHD_YES)
		return -1;
	for (i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		if (MHD_add_response_header(resp, headers[i], headers[i + 1]) != MHD_YES)
			return -1;
	return 0;
}

/* Queues resp now when MHD allows it (at begin or end), else keeps it for the body's end. A
 * client without a trusted certificate gets one answer per connection: it cannot hold a
 * connection open from one request to the next. */
static int respond(struct pouch_http_req *r, unsigned status, struct MHD_Response *resp,
		   const char *content_type, const char *const *headers)
{
	if (r->status || r->pending || add_headers(resp, content_type, headers) < 0 ||
	    (r->client != POUCH_HTTP_CLIENT_OK &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") != MHD_YES)) {
		MHD_destroy_response(resp);
		return POUCH_E_NET;
	}
	r->discard = 1;
	if (r->began) {
		r->began = 0;
		return queue(r, status, resp) == MHD_YES ? 0 : POUCH_E_NET;
	}
	r->pending = resp;
	r->pending_status = status;
	return 0;
}

/* The whole response as text, for an answer during the body, with "Connection: close". */
static int early_answer(struct pouch_http_req *r, unsigned status, const char *content_type,
			const char *body, size_t len, const char *const *headers)
{
	char date[64], *head = NULL, *text;
	size_t hlen = 0, i;
	FILE *f;
	time_t now = time(NULL);
	struct tm tm;

	if (r->status || r->pending || r->early)
		return POUCH_E_NET;
	f = open_memstream(&head, &hlen);
	if (!f)
		return POUCH_E_NOMEM;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
	fprintf(f, "HTTP/1.1 %u %s\r\nDate: %s\r\nConnection: close\r\nCache-Control: no-store\r\n",
		status, MHD_get_reason_phrase_for(status), date);
	if (content_type)
		fprintf(f, "Content-Type: %s\r\n", content_type);
	for (i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		if (!strpbrk(headers[i], "\r\n:") && !strpbrk(headers[i + 1], "\r\n"))
			fprintf(f, "%s: %s\r\n", headers[i], headers[i + 1]);
	fprintf(f, "Content-Length: %zu\r\n\r\n", len);
	if (fclose(f) != 0 || !(text = malloc(hlen + len + 1))) {
		free(head);
		return POUCH_E_NOMEM;
	}
	memcpy(text, head, hlen);
	memcpy(text + hlen, body, len);
	free(head);
	r->early = text;
	r->early_len = hlen + len;
	r->pending_status = status;
	r->sent = len;
	r->discard = 1;
	return 0;
}

int pouch_http_respond(struct pouch_http_req *r, unsigned status, const char *content_type,
		       const char *body, size_t len, const char *const *headers)
{
	struct MHD_Response *resp;

	if (r->in_body)
		return early_answer(r, status, content_type, body, len, headers);
	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return POUCH_E_NOMEM;
	r->sent = len;
	return respond(r, status, resp, content_type, headers);
}

/* A small file's bytes in memory (NULL when they cannot all be read): libmicrohttpd sends a
 * file over TLS in 4 KiB reads, one TLS record and one system call each, but a buffer in
 * records as large as TLS allows. */
static struct MHD_Response *small_file(int fd, uint64_t off, uint64_t len)
{
	struct MHD_Response *resp;
	char *buf = malloc(len ? len : 1);
	size_t got = 0;

	while (buf && got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		got += n > 0 ? (size_t)n : 0;
	}
	if (!buf || got < len) {
		free(buf);
		return NULL;
	}
	resp = MHD_create_response_from_buffer_with_free_callback(len, buf, free);
	if (!resp)
		free(buf);
	return resp;
}

int pouch_http_respond_fd(struct pouch_http_req *r, unsigned status, const char *content_type,
			  int fd, uint64_t off, uint64_t len, const char *const *headers)
{
	struct MHD_Response *resp = NULL;

	if (!r->in_body && len <= HTTPD_SMALL_FILE) {
		resp = small_file(fd, off, len);
		if (resp)
			close(fd);
	}
	if (!r->in_body && !resp)
		resp = MHD_create_response_from_fd_at_offset64(len, fd, off);
	if (!resp) {
		close(fd);
		return POUCH_E_NOMEM;
	}
	r->sent = len;
	return respond(r, status, resp, content_type, headers);
}

/* A streamed body: the caller's reader, and the request whose sent bytes it counts (reads
 * happen only while the request lives; the release may come after). */
struct stream {
	struct pouch_http_req *r;
	ssize_t (*read)(void *ctx, char *buf, size_t max);
	void (*release)(void *ctx);
	void *ctx;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	ssize_t n;

	(void)pos;
	n = st->read(st->ctx, buf, max);
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	st->r->sent += (uint64_t)n;
	return n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;

	st->release(st->ctx);
	free(st);
}

int pouch_http_respond_stream(struct pouch_http_req *r, unsigned status,
			      const char *content_type,
			      ssize_t (*read)(void *ctx, char *buf, size_t max),
			      void (*release)(void *ctx), void *ctx, const char *const *headers)
{
	struct MHD_Response *resp = NULL;
	struct stream *st = malloc(sizeof(*st));

	if (st) {
		*st = (struct stream){ .r = r, .read = read, .release = release, .ctx = ctx };
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read,
							 st, stream_free);
	}
	if (!resp) {
		free(st);
		release(ctx);
		return POUCH_E_NOMEM;
	}
	r->sent = 0;
	return respond(r, status, resp, content_type, headers);
}

const char *pouch_http_method(const struct pouch_http_req *r)
{
	return r->method ? r->method : "-";
}

const char *pouch_http_path(const struct pouch_http_req *r)
{
	return r->path ? r->path : "";
}

const char *pouch_http_target(const struct pouch_http_req *r)
{
	return r->target;
}

const char *pouch_http_malformed(const struct pouch_http_req *r)
{
	return r->bad[0] ? r->bad : NULL;
}

int pouch_http_refused(const struct pouch_http_req *r)
{
	return r->refused;
}

void **pouch_http_state(struct pouch_http_req *r)
{
	return &r->state;
}

unsigned pouch_http_status(const struct pouch_http_req *r)
{
	return r->status ? r->status : r->pending_status;
}

uint64_t pouch_http_received(const struct pouch_http_req *r)
{
	return r->received;
}

uint64_t pouch_http_sent(const struct pouch_http_req *r)
{
	return r->sent;
}

void pouch_http_discard(struct pouch_http_req *r)
{
	r->discard = 1;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, struct pouch_err *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	unsigned long port;
	size_t hlen;

	if (!colon || colon == listen)
		return pouch_err_set(err, POUCH_E_USAGE, "bad listen address '%s': want HOST:PORT",
				     listen);
	hlen = (size_t)(colon - listen);
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535 || errno || hlen >= sizeof(host))
		return pouch_err_set(err, POUCH_E_USAGE, "bad listen address '%s'", listen);
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[hlen - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1)
			return 0;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) == 1)
			return 0;
	}
	return pouch_err_set(err, POUCH_E_USAGE, "bad listen address '%s': want an IP address",
			     listen);
}

static int read_pem(const char *path, const char *what, char **out, struct pouch_err *err)
{
	size_t len;
	int ret = pouch_fs_read(path, PEM_MAX, out, &len, err);

	if (ret < 0)
		return pouch_err_prefix(err, "cannot read the %s", what);
	if (strlen(*out) != len) {
		free(*out);
		*out = NULL;
		return pouch_err_set(err, POUCH_E_USAGE, "the %s '%s' is not PEM text", what, path);
	}
	return 0;
}

static void httpd_free(struct pouch_httpd *d)
{
	if (!d)
		return;
	httpd_guard_free(d->guard);
	httpd_verdicts_free(d->verdicts);
	if (d->key)
		explicit_bzero(d->key, strlen(d->key));
	free(d->key);
	free(d->cert);
	free(d->ca);
	free(d);
}

int pouch_httpd_start(const struct pouch_httpd_opts *o, const struct pouch_httpd_ops *ops,
		      struct pouch_httpd **out, struct pouch_err *err)
{
	struct sockaddr_storage ss;
	struct pouch_httpd *d = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_TLS | MHD_USE_POLL | MHD_USE_ITC;
	int ret;

	*out = NULL;
	ret = parse_listen(o->listen, &ss, err);
	if (ret < 0)
		return ret;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = calloc(1, sizeof(*d));
	if (!d)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	d->ops = *ops;
	ret = read_pem(o->cert_file, "server certificate", &d->cert, err);
	if (!ret)
		ret = read_pem(o->key_file, "server key", &d->key, err);
	if (!ret)
		ret = read_pem(o->client_ca_file, "client CA", &d->ca, err);
	if (!ret)
		ret = httpd_guard_new(o, &d->guard, err);
	if (!ret && httpd_verdicts_new(&d->verdicts) < 0)
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0)
		goto fail;
	/* One thread per connection: handlers block (verification, fsync, the index), and the
	 * guard keeps waiting connections, which cost a thread each, few and short-lived. */
	d->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_HTTPS_MEM_CERT, d->cert, MHD_OPTION_HTTPS_MEM_KEY, d->key,
		MHD_OPTION_HTTPS_MEM_TRUST, d->ca, MHD_OPTION_HTTPS_PRIORITIES, HTTPD_PRIORITIES,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, d, MHD_OPTION_URI_LOG_CALLBACK, httpd_on_uri, d,
		MHD_OPTION_NOTIFY_CONNECTION, httpd_guard_notify, d->guard,
		MHD_OPTION_CONNECTION_LIMIT, o->max_connections ? o->max_connections : 1024u,
		MHD_OPTION_CONNECTION_TIMEOUT,
		o->timeout ? o->timeout : 60u, MHD_OPTION_END);
	if (!d->mhd) {
		ret = pouch_err_set(err, POUCH_E_NET, "cannot listen on '%s' with TLS: %s (is the "
				    "port free, and do the certificate and key match?)",
				    o->listen, errno ? strerror(errno) : "refused");
		goto fail;
	}
	*out = d;
	return 0;
fail:
	httpd_free(d);
	return ret;
}

unsigned pouch_httpd_port(const struct pouch_httpd *d)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

void pouch_httpd_stats(struct pouch_httpd *d, struct pouch_httpd_stats *st)
{
	httpd_guard_stats(d->guard, st);
}

void pouch_httpd_stop(struct pouch_httpd *d)
{
	if (!d)
		return;
	httpd_guard_stop(d->guard);
	if (d->mhd)
		MHD_stop_daemon(d->mhd);
	httpd_free(d);
}

const char *pouch_httpd_version(void)
{
	return MHD_get_version();
}
