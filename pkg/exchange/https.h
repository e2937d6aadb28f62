/* The HTTPS client (the only module that includes curl.h): verified TLS only, no redirects, no
 * proxy from the environment, bounded time and size, bodies streamed from and to files, and one
 * kept connection per handle. HTTP statuses go back to the caller; only transport fails. */
#ifndef POUCH_HTTPS_H
#define POUCH_HTTPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define POUCH_HTTPS_CONNECT_TIMEOUT_MS 10000L /* TCP connect and TLS handshake */
#define POUCH_HTTPS_TIMEOUT_MS 60000L         /* a whole request, unless it says otherwise */
#define POUCH_HTTPS_LOW_SPEED_TIME 30L        /* seconds below the low-speed limit end a transfer */
#define POUCH_HTTPS_LOW_SPEED_LIMIT 1L        /* bytes per second */
#define POUCH_HTTPS_MAX_RESPONSE (1024 * 1024) /* response body cap when a request sets none */
#define POUCH_HTTPS_MAX_ERROR_BODY (64 * 1024) /* cap on a non-2xx body of a download to a file */
#define POUCH_HTTPS_MAX_HEADERS (64 * 1024)    /* cap on the response's header fields together */

/* What went wrong with a request, beyond the return code. Only POUCH_HTTPS_TRANSIENT is worth
 * retrying as it is; the others need a change of configuration or a fixed peer. */
enum pouch_https_fault {
	POUCH_HTTPS_OK = 0,
	POUCH_HTTPS_TRANSIENT, /* refused, unreachable, timed out, reset, closed early */
	POUCH_HTTPS_UNTRUSTED, /* the server's certificate failed verification (chain, name) */
	POUCH_HTTPS_PIN,       /* the server's public key does not match the configured pin */
	POUCH_HTTPS_TLS,       /* TLS refused otherwise: a TLS alert (e.g. our client certificate
				* missing or not accepted) or a protocol failure. Under TLS 1.3 a
				* server refusing our certificate may close the connection before
				* its alert is read: that looks TRANSIENT */
	POUCH_HTTPS_PEER,      /* the server broke the rules: response over the cap, headers too
				* large, a 206 whose Content-Range does not start where asked */
	POUCH_HTTPS_LOCAL,     /* our side: CA file or client certificate unusable, reading the body
				* or writing the output failed, out of memory */
};

/* How a handle connects; the strings are copied by pouch_https_new. */
struct pouch_https_opts {
	const char *ca_file;     /* PEM bundle trusted instead of the system store, or NULL */
	const char *pin;         /* "sha256//BASE64" (several joined by ';'), checked in addition to
				  * the certificate verification, or NULL */
	const char *client_cert; /* our client certificate (PEM) with its key, or both NULL */
	const char *client_key;  /* unencrypted PEM private key */
	const char *proxy;       /* proxy URL, or NULL: no proxy whatever the environment says */
	long connect_timeout_ms; /* 0: POUCH_HTTPS_CONNECT_TIMEOUT_MS */
	long timeout_ms;         /* a request's default overall cap; 0: POUCH_HTTPS_TIMEOUT_MS */
	long low_speed_time;     /* 0: POUCH_HTTPS_LOW_SPEED_TIME */
	long low_speed_limit;    /* 0: POUCH_HTTPS_LOW_SPEED_LIMIT */
};

/* Where a transfer stands, for a progress bar. For an upload from a file at an offset and a
 * resumed download, the counts include the part done before (done starts at the offset). A total
 * of 0 is unknown. */
struct pouch_https_progress {
	uint64_t up_done, up_total;
	uint64_t down_done, down_total;
};

/* One request; start from pouch_https_req_init. Everything is borrowed for the call. */
struct pouch_https_req {
	const char *method;          /* "GET" (the default), "HEAD", "PUT", "POST", "PATCH", ... */
	const char *url;             /* must start with https:// */
	const char *const *headers;  /* extra "Name: value" lines, NULL-terminated, or NULL */
	/* The request body: body_len bytes at body, or body_len bytes of body_fd from offset
	 * body_offset (read with pread: the fd's position is left alone). Neither: no body. */
	const void *body;
	int body_fd;                 /* -1: none */
	uint64_t body_offset;
	uint64_t body_len;
	/* The response body goes to memory (resp->body), or with out_fd >= 0 a 2xx body goes to
	 * out_fd (a regular file, not O_APPEND). With resume_from > 0 the request carries
	 * "Range: bytes=N-": a 206 must have a Content-Range starting at N and the body is written
	 * from N (the file is cut to N first); a 200 cuts the file to 0 and writes from 0. */
	int out_fd;                  /* -1: memory */
	uint64_t resume_from;
	uint64_t max_response;       /* cap on the body (for out_fd: on where it ends in the file);
				      * 0: POUCH_HTTPS_MAX_RESPONSE */
	long timeout_ms;             /* overall cap: 0 the handle's, < 0 none (big transfers, where
				      * the low-speed limit still ends a stall) */
	void (*progress)(void *arg, const struct pouch_https_progress *p); /* or NULL */
	void *progress_arg;
};

/* What came back. Owned by the caller: release it after every pouch_https_request. */
struct pouch_https_resp {
	long status;                 /* the final HTTP status; 0 when none arrived */
	enum pouch_https_fault fault;
	/* The body in memory (NUL-terminated, NULL when empty): the whole body without out_fd; with
	 * out_fd, a non-2xx body (capped at POUCH_HTTPS_MAX_ERROR_BODY), e.g. a JSON error. */
	char *body;
	size_t body_len;
	uint64_t start;              /* with out_fd and a 2xx: the file offset the body went from */
	uint64_t received;           /* body bytes received */
	char *headers;               /* private: read them with pouch_https_resp_header */
	size_t headers_len;
};

struct pouch_https;

/* Initialises libcurl once for the process (pthread_once). pouch_https_new calls it too, but a
 * program with threads should call it from main before starting them. Returns 0 or
 * POUCH_E_NOMEM. libcurl stays initialised until the process ends. */
int pouch_https_global_init(struct pouch_err *err);

/* Makes a handle for requests to one endpoint: it keeps the connection between requests. One
 * handle serves one thread at a time. A malformed pin, or a client certificate without a key or
 * the other way round, is POUCH_E_USAGE; POUCH_E_NOMEM. Files are read only on connecting. */
int pouch_https_new(const struct pouch_https_opts *opts, struct pouch_https **out,
		    struct pouch_err *err);

/* Releases h (NULL allowed) and closes its connection. */
void pouch_https_free(struct pouch_https *h);

/* Zeroes req, then sets method, url and no body file (-1), memory output (-1). */
void pouch_https_req_init(struct pouch_https_req *req, const char *method, const char *url);

/* Performs req on h and fills resp (initialised here; release it in every case). Returns 0 when
 * a response arrived, whatever its status (3xx included: redirects are never followed), else:
 * POUCH_E_USAGE for a URL that is not https:// (refused before any connection) or a bad request;
 * POUCH_E_NET for the transport: "cannot reach 'URL': ..." with libcurl's words, resp->fault
 * saying which kind (UNTRUSTED and PIN are named in the message too); POUCH_E_IO when the CA
 * file, the client certificate, the body file or out_fd fails (fault LOCAL); POUCH_E_NOMEM.
 * Bodies never appear in messages. */
int pouch_https_request(struct pouch_https *h, const struct pouch_https_req *req,
			struct pouch_https_resp *resp, struct pouch_err *err);

/* The value of the response's header field name (case-insensitive; the first when repeated),
 * without surrounding spaces, valid until resp is released; NULL when absent. */
const char *pouch_https_resp_header(const struct pouch_https_resp *resp, const char *name);

/* Frees what resp holds and zeroes it (NULL allowed). */
void pouch_https_resp_release(struct pouch_https_resp *resp);

/* The version of the libcurl library in use and its TLS library, e.g. "7.88.1 (OpenSSL/3.0.11)"
 * (static string). */
const char *pouch_https_version(void);

#endif
