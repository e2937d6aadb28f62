/* Shared between the parts of the HTTPS server (httpd.c, httpd_conn.c, httpd_req.c): the
 * server and request state, the connection guard that keeps strangers from holding
 * connections, and the TLS settings. */
#ifndef POUCH_HTTPD_INTERNAL_H
#define POUCH_HTTPD_INTERNAL_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "server/httpd.h"
#include "crypto/x509.h"

#define BAD_MAX 128

struct httpd_verdicts;

struct pouch_httpd {
	struct MHD_Daemon *mhd;
	struct pouch_httpd_ops ops;
	struct httpd_guard *guard;
	struct httpd_verdicts *verdicts; /* client certificates found good, by their bytes */
	char *cert, *key, *ca; /* PEM text; MHD keeps pointers to them */
};

struct pouch_http_req {
	struct pouch_httpd *d;
	struct MHD_Connection *conn;
	char *method, *path;
	char *target; /* the raw request target, as it came */
	char bad[BAD_MAX]; /* why the request is malformed, or "" */
	enum pouch_http_client client;
	char cn[POUCH_X509_CN_MAX + 1];
	void *state;
	int discard;
	int began;
	int started;  /* the handler has seen the request */
	int refused;  /* libmicrohttpd answered it itself, before the handler */
	int in_body;   /* the body callback runs */
	char *early;   /* answered during the body: the whole response, sent at once */
	size_t early_len;
	int cut_short; /* so answered, and the rest of the body left unread */
	struct MHD_Response *pending; /* answered during the body: queued at its end */
	unsigned pending_status;
	unsigned status;
	uint64_t received, sent;
};

/* MHD_OPTION_URI_LOG_CALLBACK (cls: the server): the request's state starts here, with the raw
 * target as it came, before libmicrohttpd decodes anything. NULL when out of memory. */
void *httpd_on_uri(void *cls, const char *uri, struct MHD_Connection *conn);

/* The first handler call for r: takes the method, decodes the raw target and checks the
 * headers and query (a malformed request is noted, not refused here), and judges the client
 * certificate. -1 when out of memory. */
int httpd_req_start(struct pouch_http_req *r, struct MHD_Connection *conn, const char *method);

/* The client certificate chains found good lately, with their common names: a request whose
 * connection presents the very same chain (compared byte for byte) takes the verdict without
 * verifying again, until the earliest expiry in the chain or HTTPD_VERDICT_SECONDS after the
 * verification, whichever comes first. Only good verdicts are kept. The client CA is read once
 * when the server starts, so no verdict outlives the trust it was reached under. */
#define HTTPD_VERDICT_SECONDS 60
int httpd_verdicts_new(struct httpd_verdicts **out);
void httpd_verdicts_free(struct httpd_verdicts *v);

/* Frees r and everything it holds. */
void httpd_req_free(struct pouch_http_req *r);

/* TLS 1.3 and 1.2 with AEAD ciphers and ECDHE only (no CBC, no SHA-1 MAC or signature, no
 * static RSA), in the server's order of preference; certificates are verified under the
 * "medium" profile (RSA and DSA keys of 2048 bits or more, no SHA-1 signatures). */
#define HTTPD_PRIORITIES                                                                           \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:"                     \
	"+CHACHA20-POLY1305:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"          \
	"-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:-SIGN-DSA-SHA1:%SERVER_PRECEDENCE:%PROFILE_MEDIUM"

struct httpd_guard;

/* Sets up the guard for the limits in o (see struct pouch_httpd_opts) and starts the thread
 * that closes connections past their deadline. POUCH_E_NOMEM, or POUCH_E_NET when TLS or the
 * thread cannot be set up. */
int httpd_guard_new(const struct pouch_httpd_opts *o, struct httpd_guard **out,
		    struct pouch_err *err);

/* Stops the deadline thread; call before MHD_stop_daemon. NULL is allowed. */
void httpd_guard_stop(struct httpd_guard *g);

/* Frees g; after MHD_stop_daemon (every connection is closed). NULL is allowed. */
void httpd_guard_free(struct httpd_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the guard): a connection starts or ends. */
void httpd_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode code);

/* A request's head is complete: its connection is no longer waiting. */
void httpd_guard_busy(struct MHD_Connection *conn);

/* A request is over: the connection waits for the next head, under a new deadline. */
void httpd_guard_idle(struct MHD_Connection *conn);

/* Sends the complete HTTP response text (len bytes) on conn's TLS session at once, while the
 * request body is still coming, then half-closes and gives the client a moment to read it.
 * The caller then has libmicrohttpd close the connection. Returns 0 when it was sent. */
int httpd_guard_answer_now(struct MHD_Connection *conn, const char *text, size_t len);

/* Whether the client certificate's key is strong enough: RSA of 2048 bits or more, ECDSA on
 * P-256, P-384 or P-521, Ed25519 or Ed448. */
int httpd_client_key_ok(gnutls_session_t s);

/* What the guard did so far, and the connections open now. */
void httpd_guard_stats(struct httpd_guard *g, struct pouch_httpd_stats *st);

#endif
