/* The server's connection guard: per-address limits, an absolute deadline for the TLS handshake
 * and each request head, TLS session tickets, and answers sent before a body's end. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <linux/sockios.h>

#include "server/httpd_internal.h"

#define MAX_CONNECTIONS_DEFAULT 1024u
#define PER_ADDRESS_DEFAULT 64u
#define HEAD_TIMEOUT_DEFAULT 10u
#define SEND_MS 5000   /* to write an answer sent during the body */
#define LINGER_MS 15000     /* then, at most, for the client to take it in and close */
#define LINGER_IDLE_MS 5000 /* or for a client that has it to send nothing more */

/* One connection: whether a request is in progress (busy) or the connection waits for its TLS
 * handshake or a request head, due by the deadline. */
struct conn {
	struct conn *prev, *next;
	struct httpd_guard *g;
	unsigned char addr[17]; /* family, then the IPv4 address or the IPv6 /64 */
	int fd;
	int busy;
	int doomed; /* shut down by the guard; libmicrohttpd closes it */
	int64_t deadline_ms;
};

struct httpd_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t sweeper;
	int running, stop;
	struct conn *head, *tail;
	unsigned open, waiting;
	unsigned per_address, max_waiting;
	int64_t head_ms;
	uint64_t timed_out, displaced, refused, cut_short;
	gnutls_datum_t ticket_key;
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Who counts as one address: an IPv4 address (also when mapped into IPv6), or an IPv6 /64,
 * since a single host is handed a whole /64. */
static void address_key(const struct sockaddr *sa, unsigned char *key)
{
	memset(key, 0, 17);
	if (sa && sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = 4;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a->s6_addr, 8);
		}
	}
}

/* Closes c's socket for both directions: its thread in libmicrohttpd sees the end at once and
 * closes the connection (the descriptor stays libmicrohttpd's until its close notification,
 * which takes the lock we hold). */
static void doom(struct httpd_guard *g, struct conn *c, uint64_t *counter)
{
	if (c->doomed)
		return;
	shutdown(c->fd, SHUT_RDWR);
	c->doomed = 1;
	if (!c->busy)
		g->waiting--;
	(*counter)++;
}

static void unlink_conn(struct httpd_guard *g, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	c->prev = c->next = NULL;
}

static void append(struct httpd_guard *g, struct conn *c)
{
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
}

/* A new connection from c's address is admitted: when the address holds its limit, the one of
 * its connections that has waited longest makes room (a stranger that waits cannot keep a
 * partner behind the same address out); when all of them are busy with requests, the new one
 * is refused. When too many connections wait overall, the longest-waiting of all goes. The list
 * is in the order connections began to wait, so the first match has waited longest. */
static void admit(struct httpd_guard *g, struct conn *c)
{
	struct conn *p, *oldest = NULL, *oldest_any = NULL;
	unsigned same = 0;

	for (p = g->head; p; p = p->next) {
		if (p->doomed)
			continue;
		if (!p->busy && !oldest_any)
			oldest_any = p;
		if (memcmp(p->addr, c->addr, sizeof(c->addr)) != 0)
			continue;
		same++;
		if (!p->busy && !oldest)
			oldest = p;
	}
	c->deadline_ms = now_ms() + g->head_ms;
	append(g, c);
	g->open++;
	g->waiting++;
	if (same >= g->per_address) {
		if (oldest)
			doom(g, oldest, &g->displaced);
		else
			doom(g, c, &g->refused);
	}
	if (g->waiting > g->max_waiting && oldest_any && !oldest_any->doomed)
		doom(g, oldest_any, &g->displaced);
}

void httpd_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	struct httpd_guard *g = cls;
	struct conn *c = *socket_context;
	const union MHD_ConnectionInfo *fd, *addr, *tls;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (!c)
			return;
		pthread_mutex_lock(&g->lock);
		unlink_conn(g, c);
		g->open--;
		if (!c->busy && !c->doomed)
			g->waiting--;
		pthread_mutex_unlock(&g->lock);
		free(c);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	tls = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!fd)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		shutdown(fd->connect_fd, SHUT_RDWR);
		return;
	}
	c->g = g;
	c->fd = fd->connect_fd;
	address_key(addr ? addr->client_addr : NULL, c->addr);
	/* Before the handshake, which runs on the connection's own thread once this returns. */
	if (tls && tls->tls_session)
		gnutls_session_ticket_enable_server((gnutls_session_t)tls->tls_session,
						    &g->ticket_key);
	*socket_context = c;
	pthread_mutex_lock(&g->lock);
	admit(g, c);
	pthread_mutex_unlock(&g->lock);
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

void httpd_guard_busy(struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);

	if (!c)
		return;
	pthread_mutex_lock(&c->g->lock);
	if (!c->busy && !c->doomed)
		c->g->waiting--;
	c->busy = 1;
	pthread_mutex_unlock(&c->g->lock);
}

void httpd_guard_idle(struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);
	struct httpd_guard *g;

	if (!c)
		return;
	g = c->g;
	pthread_mutex_lock(&g->lock);
	if (c->busy && !c->doomed) {
		c->busy = 0;
		g->waiting++;
		c->deadline_ms = now_ms() + g->head_ms;
		unlink_conn(g, c);
		append(g, c);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Closes every waiting connection whose deadline has passed, once a second: bytes trickling
 * in do not move a deadline, only a complete request head does. */
static void *sweep(void *arg)
{
	struct httpd_guard *g = arg;
	struct timespec at;
	struct conn *c;
	int64_t now;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += 1;
		pthread_cond_timedwait(&g->wake, &g->lock, &at);
		now = now_ms();
		for (c = g->head; c; c = c->next)
			if (!c->busy && !c->doomed && now >= c->deadline_ms)
				doom(g, c, &g->timed_out);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int httpd_guard_new(const struct pouch_httpd_opts *o, struct httpd_guard **out,
		    struct pouch_err *err)
{
	struct httpd_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;
	unsigned max = o->max_connections ? o->max_connections : MAX_CONNECTIONS_DEFAULT;

	*out = NULL;
	if (!g)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &attr);
	pthread_condattr_destroy(&attr);
	g->per_address = o->per_address ? o->per_address : PER_ADDRESS_DEFAULT;
	/* Half the connections stay for requests in progress, whatever waits. */
	g->max_waiting = max / 2 ? max / 2 : 1;
	g->head_ms = (int64_t)(o->head_timeout ? o->head_timeout : HEAD_TIMEOUT_DEFAULT) * 1000;
	*out = g;
	if (gnutls_session_ticket_key_generate(&g->ticket_key) < 0)
		return pouch_err_set(err, POUCH_E_NET, "cannot make a TLS session ticket key");
	if (pthread_create(&g->sweeper, NULL, sweep, g) != 0)
		return pouch_err_set(err, POUCH_E_NET, "cannot start a thread");
	g->running = 1;
	return 0;
}

void httpd_guard_stop(struct httpd_guard *g)
{
	if (!g || !g->running)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->sweeper, NULL);
	g->running = 0;
}

void httpd_guard_free(struct httpd_guard *g)
{
	if (!g)
		return;
	httpd_guard_stop(g);
	if (g->ticket_key.data) {
		gnutls_memset(g->ticket_key.data, 0, g->ticket_key.size);
		gnutls_free(g->ticket_key.data);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void httpd_guard_stats(struct httpd_guard *g, struct pouch_httpd_stats *st)
{
	pthread_mutex_lock(&g->lock);
	st->open = g->open;
	st->waiting = g->waiting;
	st->timed_out = g->timed_out;
	st->displaced = g->displaced;
	st->refused = g->refused;
	st->cut_short = g->cut_short;
	pthread_mutex_unlock(&g->lock);
}

/* Waits for fd to be ready for events until the monotonic deadline; 0 when it is. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left = deadline - now_ms();

	if (left <= 0)
		return -1;
	return poll(&p, 1, (int)left) > 0 ? 0 : -1;
}

int httpd_guard_answer_now(struct MHD_Connection *conn, const char *text, size_t len)
{
	const union MHD_ConnectionInfo *tls =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const union MHD_ConnectionInfo *fdi =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct conn *c = conn_of(conn);
	gnutls_session_t s;
	int64_t deadline = now_ms() + SEND_MS;
	size_t off = 0;
	char sink[16384];
	int fd, queued = 1;

	if (!tls || !tls->tls_session || !fdi)
		return -1;
	s = (gnutls_session_t)tls->tls_session;
	fd = fdi->connect_fd;
	while (off < len) {
		ssize_t n = gnutls_record_send(s, text + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if ((n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED) ||
			 wait_fd(fd, POLLOUT, deadline) < 0)
			return -1;
	}
	if (c) {
		pthread_mutex_lock(&c->g->lock);
		c->g->cut_short++;
		pthread_mutex_unlock(&c->g->lock);
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
	shutdown(fd, SHUT_WR);
	/* Closing with unread body bytes makes the kernel reset the connection, and a reset can
	 * destroy the answer in the client's buffer before the client reads it: a client still
	 * sending its body then meets a broken pipe instead of the answer. So the rest is read and
	 * dropped until the client closes (having read the answer, it stops sending), or nothing
	 * has come for LINGER_IDLE_MS after the answer was acknowledged, or LINGER_MS pass. */
	deadline = now_ms() + LINGER_MS;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)(left < LINGER_IDLE_MS ? left : LINGER_IDLE_MS)) == 0) {
			if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued == 0)
				break;
			continue;
		}
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	return 0;
}

int httpd_client_key_ok(gnutls_session_t s)
{
	const gnutls_datum_t *certs;
	unsigned n = 0, bits = 0;
	gnutls_pubkey_t key = NULL;
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	int alg, ok = 0;

	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || n == 0 || gnutls_pubkey_init(&key) < 0)
		return 0;
	if (gnutls_pubkey_import_x509_raw(key, &certs[0], GNUTLS_X509_FMT_DER, 0) < 0)
		goto out;
	alg = gnutls_pubkey_get_pk_algorithm(key, &bits);
	if (alg == GNUTLS_PK_RSA || alg == GNUTLS_PK_RSA_PSS)
		ok = bits >= 2048;
	else if (alg == GNUTLS_PK_ECDSA)
		ok = gnutls_pubkey_export_ecc_raw(key, &curve, &x, &y) >= 0 &&
		     (curve == GNUTLS_ECC_CURVE_SECP256R1 || curve == GNUTLS_ECC_CURVE_SECP384R1 ||
		      curve == GNUTLS_ECC_CURVE_SECP521R1);
	else
		ok = alg == GNUTLS_PK_EDDSA_ED25519 || alg == GNUTLS_PK_EDDSA_ED448;
out:
	gnutls_free(x.data);
	gnutls_free(y.data);
	gnutls_pubkey_deinit(key);
	return ok;
}
