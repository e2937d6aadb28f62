/* The HTTPS server: libmicrohttpd over GnuTLS with mutual TLS, the only module that includes
 * microhttpd.h and gnutls. It knows nothing of pouch's routes: pouchd gives it callbacks. */
#ifndef POUCH_HTTPD_H
#define POUCH_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

struct pouch_httpd;
struct pouch_http_req;

struct pouch_httpd_opts {
	const char *listen;         /* "ADDRESS:PORT" (IPv4, or [IPv6]); port 0 picks one */
	const char *cert_file;      /* the server certificate chain, PEM */
	const char *key_file;       /* its private key, PEM, unencrypted */
	const char *client_ca_file; /* the CA (PEM) that issues client certificates */
	unsigned max_connections;   /* connections open at once; 0: 1024 */
	unsigned per_address;       /* connections one address (IPv4, IPv6 /64) holds; 0: 64 */
	unsigned head_timeout;      /* seconds from accept, or from the previous answer, to a
				     * complete TLS handshake and request head; 0: 10 */
	unsigned timeout;           /* idle seconds during a request before it is closed; 0: 60 */
};

/* What the server did to keep connections free, and the connections open now. */
struct pouch_httpd_stats {
	uint64_t open;      /* connections open */
	uint64_t waiting;   /* of them, waiting for a TLS handshake or a request head */
	uint64_t timed_out; /* closed: no complete request head by the deadline */
	uint64_t displaced; /* closed: the longest waiting, to make room for a new connection */
	uint64_t refused;   /* closed at once: the address held its limit, all busy */
	uint64_t cut_short; /* answered during the body and closed without reading the rest */
};

/* The callbacks; every one runs on the connection's own thread. */
struct pouch_httpd_ops {
	void *ctx;
	/* A request's headers are in. It may respond at once (the body is then not read) or leave
	 * the response for later and receive the body. */
	void (*begin)(void *ctx, struct pouch_http_req *r);
	/* A piece of the request body; only while no response is queued and no failure recorded. */
	void (*body)(void *ctx, struct pouch_http_req *r, const char *data, size_t len);
	/* The body is complete: respond now (a request left without response gets 500). */
	void (*end)(void *ctx, struct pouch_http_req *r);
	/* The request is over: complete (the response went out) or not (the client went away,
	 * the server stopped). Release per-request state here. It also runs, without begin before
	 * it, for a request libmicrohttpd refused itself (pouch_http_refused). */
	void (*finished)(void *ctx, struct pouch_http_req *r, int complete);
};

/* Where the client certificate stands. */
enum pouch_http_client {
	POUCH_HTTP_CLIENT_NONE,      /* none presented */
	POUCH_HTTP_CLIENT_UNTRUSTED, /* presented but not valid under the client CA for clientAuth */
	POUCH_HTTP_CLIENT_OK,        /* valid; its subject common name is known */
};

/* Starts the server with its own threads (one per connection), TLS 1.2 or newer only, asking
 * every client for a certificate. A connection must bring its TLS handshake and request head
 * within head_timeout of its accept (and each later request head within head_timeout of the
 * previous answer), however slowly bytes trickle in; an address holds at most per_address
 * connections, the one that has waited longest for a request head making room for a new one.
 * Session tickets let a returning client resume its TLS session. The files are read once here.
 * Returns 0, POUCH_E_USAGE for a bad address, POUCH_E_IO for unreadable files, POUCH_E_NET when
 * it cannot listen. */
int pouch_httpd_start(const struct pouch_httpd_opts *o, const struct pouch_httpd_ops *ops,
		      struct pouch_httpd **out, struct pouch_err *err);

/* Fills st (safe from any thread). */
void pouch_httpd_stats(struct pouch_httpd *d, struct pouch_httpd_stats *st);

/* The port the server listens on (useful after asking for port 0). */
unsigned pouch_httpd_port(const struct pouch_httpd *d);

/* Stops accepting, ends every connection (their finished callbacks run) and frees d. NULL is
 * allowed. */
void pouch_httpd_stop(struct pouch_httpd *d);

/* The request line and headers. The path is decoded from the raw request target without its
 * query string ("" when the target is malformed); query and header return NULL when absent.
 * The method is "-" for a request libmicrohttpd refused before the handler. */
const char *pouch_http_method(const struct pouch_http_req *r);
const char *pouch_http_path(const struct pouch_http_req *r);
const char *pouch_http_query(const struct pouch_http_req *r, const char *name);
const char *pouch_http_header(const struct pouch_http_req *r, const char *name);

/* The raw request target as it came on the request line (not decoded: escape it before it is
 * shown anywhere). */
const char *pouch_http_target(const struct pouch_http_req *r);

/* Why the request cannot be taken as it is, or NULL when it can: a method that is not a token,
 * a target pouch_req_target_decode refuses, a header holding a control byte but the tab, a
 * repeated Content-Length, Content-Type, Host, Range, Transfer-Encoding or Upload-Offset, a
 * Content-Length that is not a plain decimal number, a Transfer-Encoding other than "chunked"
 * alone, or a query parameter that is repeated or has no value. The begin callback answers
 * such a request with a 400. (libmicrohttpd cuts a header value at a NUL before pouchd sees
 * it: that part of a value cannot be checked.) */
const char *pouch_http_malformed(const struct pouch_http_req *r);

/* Whether libmicrohttpd refused the request itself before the handler saw it (the finished
 * callback then runs without begin; the state pointer is NULL). Its answer is its own HTML
 * page: a malformed Content-Length (a sign, a non-digit, a value past 2^64), a header line
 * without a colon, a request line without a version, a request head over its buffer. */
int pouch_http_refused(const struct pouch_http_req *r);

/* The client certificate's state and, when POUCH_HTTP_CLIENT_OK, its subject common name
 * (decoded UTF-8 text, 1 to 64 characters without controls; the subject holds exactly one CN)
 * in cn. */
enum pouch_http_client pouch_http_client(const struct pouch_http_req *r, const char **cn);

/* The request's state pointer, owned by the callbacks. */
void **pouch_http_state(struct pouch_http_req *r);

/* Queues a response from memory (copied). headers: NULL or name, value, ..., NULL. Only once
 * per request: at begin (the body is then not read), from the body callback (the answer goes
 * out at once and the connection is closed without reading the rest of the body) or at end.
 * Returns 0 or POUCH_E_NET. */
int pouch_http_respond(struct pouch_http_req *r, unsigned status, const char *content_type,
		       const char *body, size_t len, const char *const *headers);

/* Queues len bytes of the open file fd from offset off as the response; takes ownership of fd
 * (closed when sent or on failure). Not from the body callback. */
int pouch_http_respond_fd(struct pouch_http_req *r, unsigned status, const char *content_type,
			  int fd, uint64_t off, uint64_t len, const char *const *headers);

/* Queues a response whose body read produces as the client takes it, on the connection's
 * thread, sent chunked (HTTP/1.1): read fills buf with up to max more bytes and returns how
 * many (above 0), 0 at the end, or -1 to break the connection off (the status went out
 * already: the client sees a cut body). Takes ownership of ctx: release(ctx) runs once when
 * the response is done with, or at once when it cannot be queued. */
int pouch_http_respond_stream(struct pouch_http_req *r, unsigned status,
			      const char *content_type,
			      ssize_t (*read)(void *ctx, char *buf, size_t max),
			      void (*release)(void *ctx), void *ctx, const char *const *headers);

/* After a response: its status (0: none yet) and the body bytes received and sent. */
unsigned pouch_http_status(const struct pouch_http_req *r);
uint64_t pouch_http_received(const struct pouch_http_req *r);
uint64_t pouch_http_sent(const struct pouch_http_req *r);

/* Whether the request announces a body (a Transfer-Encoding, or a Content-Length other than 0). */
int pouch_http_has_body(const struct pouch_http_req *r);

/* Declares the request body unwanted from now on (after a failure was answered or recorded):
 * the rest is read and discarded, the body callback no longer called. */
void pouch_http_discard(struct pouch_http_req *r);

/* The version of the libmicrohttpd library in use (static string). */
const char *pouch_httpd_version(void);

#endif
