/* A request as it arrives at the HTTPS server: the raw target taken before libmicrohttpd
 * decodes it, the method, target and headers checked, the client certificate judged; and the
 * request's state freed at its end. */
#define _GNU_SOURCE
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "server/httpd_internal.h"
#include "base/json.h"
#include "server/httpd.h"
#include "server/reqparse.h"
#include "base/validate.h"
#include "crypto/x509.h"

#define VERDICTS 64
#define CHAIN_KEY_MAX (16 * 1024)

/* A chain found good: its bytes (each certificate's length, 4 bytes, then its DER), their hash,
 * its common name and until when the verdict holds. */
struct verdict {
	uint64_t hash;
	unsigned char *chain;
	size_t len;
	time_t until;
	char cn[POUCH_X509_CN_MAX + 1];
};

struct httpd_verdicts {
	pthread_mutex_t lock;
	struct verdict v[VERDICTS];
	unsigned next; /* the slot the next verdict takes (oldest first) */
};

int httpd_verdicts_new(struct httpd_verdicts **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -1;
	pthread_mutex_init(&(*out)->lock, NULL);
	return 0;
}

void httpd_verdicts_free(struct httpd_verdicts *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < VERDICTS; i++)
		free(v->v[i].chain);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

/* The chain's bytes into key (0 when it does not fit: such a chain is verified every time). */
static size_t chain_key(const gnutls_datum_t *certs, unsigned n, unsigned char *key,
			uint64_t *hash)
{
	size_t len = 0, i;
	unsigned c;

	for (c = 0; c < n; c++) {
		if (certs[c].size > CHAIN_KEY_MAX - 4 - len)
			return 0;
		key[len++] = (unsigned char)(certs[c].size >> 24);
		key[len++] = (unsigned char)(certs[c].size >> 16);
		key[len++] = (unsigned char)(certs[c].size >> 8);
		key[len++] = (unsigned char)certs[c].size;
		memcpy(key + len, certs[c].data, certs[c].size);
		len += certs[c].size;
	}
	*hash = 14695981039346656037u; /* FNV-1a, to skip the chains that differ */
	for (i = 0; i < len; i++)
		*hash = (*hash ^ key[i]) * 1099511628211u;
	return len;
}

static int verdict_find(struct httpd_verdicts *vs, const unsigned char *key, size_t len,
			uint64_t hash, char *cn)
{
	time_t now = time(NULL);
	size_t i;
	int found = 0;

	pthread_mutex_lock(&vs->lock);
	for (i = 0; i < VERDICTS && !found; i++) {
		struct verdict *v = &vs->v[i];
		if (v->chain && v->hash == hash && v->len == len && now < v->until &&
		    memcmp(v->chain, key, len) == 0) {
			memcpy(cn, v->cn, sizeof(v->cn));
			found = 1;
		}
	}
	pthread_mutex_unlock(&vs->lock);
	return found;
}

/* Until when a verdict on the chain may hold: its earliest expiry, at most
 * HTTPD_VERDICT_SECONDS from now; 0 when a certificate cannot be read. */
static time_t verdict_until(const gnutls_datum_t *certs, unsigned n)
{
	time_t until = time(NULL) + HTTPD_VERDICT_SECONDS, t;
	gnutls_x509_crt_t crt;
	unsigned c;

	for (c = 0; c < n; c++) {
		if (gnutls_x509_crt_init(&crt) < 0)
			return 0;
		t = gnutls_x509_crt_import(crt, &certs[c], GNUTLS_X509_FMT_DER) < 0
			    ? 0
			    : gnutls_x509_crt_get_expiration_time(crt);
		gnutls_x509_crt_deinit(crt);
		if (t == (time_t)-1 || t <= 0)
			return 0;
		if (t < until)
			until = t;
	}
	return until;
}

static void verdict_put(struct httpd_verdicts *vs, const unsigned char *key, size_t len,
			uint64_t hash, time_t until, const char *cn)
{
	unsigned char *copy = malloc(len);
	struct verdict *v;

	if (!copy)
		return;
	memcpy(copy, key, len);
	pthread_mutex_lock(&vs->lock);
	v = &vs->v[vs->next];
	vs->next = (vs->next + 1) % VERDICTS;
	free(v->chain);
	*v = (struct verdict){ .hash = hash, .chain = copy, .len = len, .until = until };
	memcpy(v->cn, cn, sizeof(v->cn));
	pthread_mutex_unlock(&vs->lock);
}

/* The peer's chain verified under the client CA for client authentication, with a key strong
 * enough, and the subject common name of its first certificate into cn. */
static enum pouch_http_client verify_client(gnutls_session_t s, const gnutls_datum_t *cert,
					    char *cn)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	unsigned status = 0;

	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0 || status != 0 ||
	    !httpd_client_key_ok(s))
		return POUCH_HTTP_CLIENT_UNTRUSTED;
	return pouch_x509_subject_cn(cert->data, cert->size, cn, NULL) == 0
		       ? POUCH_HTTP_CLIENT_OK
		       : POUCH_HTTP_CLIENT_UNTRUSTED;
}

/* The client certificate's verdict: remembered for the very same chain (the certificates a
 * connection presents can change within it, by renegotiation, so the bytes are compared on
 * every request), else verified. */
static enum pouch_http_client check_client(struct pouch_httpd *d, struct MHD_Connection *conn,
					   char *cn)
{
	const union MHD_ConnectionInfo *info;
	const gnutls_datum_t *certs;
	gnutls_session_t s;
	enum pouch_http_client verdict;
	unsigned char *key = NULL;
	unsigned n = 0;
	uint64_t hash = 0;
	size_t len = 0;
	time_t until;

	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!info || !info->tls_session)
		return POUCH_HTTP_CLIENT_NONE;
	s = (gnutls_session_t)info->tls_session;
	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || n == 0)
		return POUCH_HTTP_CLIENT_NONE;
	key = malloc(CHAIN_KEY_MAX);
	if (key)
		len = chain_key(certs, n, key, &hash);
	if (len && verdict_find(d->verdicts, key, len, hash, cn)) {
		free(key);
		return POUCH_HTTP_CLIENT_OK;
	}
	verdict = verify_client(s, &certs[0], cn);
	if (verdict == POUCH_HTTP_CLIENT_OK && len && (until = verdict_until(certs, n)) > 0)
		verdict_put(d->verdicts, key, len, hash, until, cn);
	free(key);
	return verdict;
}

/* Called by libmicrohttpd with the raw request target as soon as the request line is in, before
 * it decodes anything: the request's state starts here. */
void *httpd_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct pouch_http_req *r = calloc(1, sizeof(*r));

	(void)conn;
	if (!r)
		return NULL;
	r->d = cls;
	r->target = strndup(uri, POUCH_REQ_TARGET_MAX + 1);
	if (!r->target) {
		free(r);
		return NULL;
	}
	return r;
}

static void bad(struct pouch_http_req *r, const char *why)
{
	size_t n = strnlen(why, sizeof(r->bad) - 1);

	if (!r->bad[0]) {
		memcpy(r->bad, why, n);
		r->bad[n] = '\0';
	}
}

struct header_count {
	const char *name;
	unsigned n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct header_count *c = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, c->name) == 0)
		c->n++;
	return MHD_YES;
}

/* Query parameters must come once each, with a value. */
static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct pouch_http_req *r = cls;
	struct header_count c = { key, 0 };

	if (!value)
		bad(r, "a query parameter has no value");
	MHD_get_connection_values(r->conn, kind, count_header, &c);
	if (c.n > 1)
		bad(r, "a query parameter is repeated");
	return MHD_YES;
}

/* Header names and values are text: a NUL (which would cut the value short) or another control
 * byte but the tab is refused. */
static enum MHD_Result check_text(void *cls, enum MHD_ValueKind kind, const char *key,
				  size_t key_size, const char *value, size_t value_size)
{
	struct pouch_http_req *r = cls;
	size_t i;

	(void)kind;
	for (i = 0; i < value_size; i++)
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') || value[i] == 0x7f)
			break;
	if (strlen(key) != key_size || (value && i < value_size))
		bad(r, "a header holds a control byte");
	return MHD_YES;
}

/* Headers the request must not repeat and how their values must read: anything another reader
 * (a proxy, libmicrohttpd) could take in another way is refused. */
static void check_headers(struct pouch_http_req *r)
{
	static const char *const once[] = { "Content-Length", "Content-Type", "Host", "Range",
					    "Transfer-Encoding", "Upload-Offset" };
	const char *cl = pouch_http_header(r, "Content-Length");
	const char *te = pouch_http_header(r, "Transfer-Encoding");
	size_t i;

	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		struct header_count c = { once[i], 0 };
		MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &c);
		if (c.n > 1)
			bad(r, "a header that may come once is repeated");
	}
	if (cl && pouch_decimal_parse(cl, INT64_MAX, NULL) < 0)
		bad(r, "the Content-Length is not a plain decimal number");
	if (te && (cl || strcasecmp(te, "chunked") != 0))
		bad(r, "the Transfer-Encoding is not chunked alone");
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, r);
	MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, check_text, r);
}

/* The first call for a request: takes the method, decodes the raw target and checks what the
 * handler will rely on. */
int httpd_req_start(struct pouch_http_req *r, struct MHD_Connection *conn, const char *method)
{
	struct pouch_err err = { 0 };
	size_t max = strlen(r->target) + 1;

	r->conn = conn;
	r->started = 1;
	r->method = strdup(method);
	r->path = malloc(max);
	if (!r->method || !r->path)
		return -1;
	r->path[0] = '\0';
	if (pouch_req_method_check(method, &err) < 0 ||
	    pouch_req_target_decode(r->target, r->path, max, &err) < 0) {
		bad(r, err.msg);
		r->path[0] = '\0';
	}
	check_headers(r);
	r->client = check_client(r->d, conn, r->cn);
	return 0;
}

void httpd_req_free(struct pouch_http_req *r)
{
	if (r->pending)
		MHD_destroy_response(r->pending);
	free(r->early);
	free(r->method);
	free(r->path);
	free(r->target);
	free(r);
}

const char *pouch_http_query(const struct pouch_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *pouch_http_header(const struct pouch_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

enum pouch_http_client pouch_http_client(const struct pouch_http_req *r, const char **cn)
{
	if (cn)
		*cn = r->client == POUCH_HTTP_CLIENT_OK ? r->cn : NULL;
	return r->client;
}

int pouch_http_has_body(const struct pouch_http_req *r)
{
	const char *len = pouch_http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return pouch_http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
	       (len && strcmp(len, "0") != 0);
}
