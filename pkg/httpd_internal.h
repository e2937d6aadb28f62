/* Shared between the parts of the HTTPS server (httpd.c, httpd_conn.c): the connection guard
 * that keeps strangers from holding connections, and the TLS settings. */
#ifndef POUCH_HTTPD_INTERNAL_H
#define POUCH_HTTPD_INTERNAL_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "pouch/httpd.h"

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
