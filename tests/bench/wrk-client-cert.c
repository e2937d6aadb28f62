/* Bench material only: lets wrk present a TLS client certificate, which it has no option for, so
 * the same wrk can load routes behind mutual TLS (pouchd's, and nginx's as the baseline).
 * Preloaded into wrk (LD_PRELOAD), it wraps OpenSSL's SSL_CTX_new and loads the PEM files named
 * by WRK_CLIENT_CERT and WRK_CLIENT_KEY into the context wrk makes for its connections. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>

typedef SSL_CTX *ctx_new_fn(const SSL_METHOD *method);

/* OpenSSL's own SSL_CTX_new, then the certificate chain and key; any failure ends wrk with a
 * message, as a benchmark that silently ran without the certificate would measure refusals. */
SSL_CTX *SSL_CTX_new(const SSL_METHOD *method)
{
	const char *cert = getenv("WRK_CLIENT_CERT"), *key = getenv("WRK_CLIENT_KEY");
	ctx_new_fn *next;
	void *sym = dlsym(RTLD_NEXT, "SSL_CTX_new");
	SSL_CTX *ctx;

	if (!sym) {
		fprintf(stderr, "wrk-client-cert: no SSL_CTX_new to wrap\n");
		exit(1);
	}
	*(void **)&next = sym;
	ctx = next(method);
	if (!ctx || !cert || !key)
		return ctx;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "wrk-client-cert: cannot use '%s' with '%s'\n", cert, key);
		ERR_print_errors_fp(stderr);
		exit(1);
	}
	return ctx;
}
