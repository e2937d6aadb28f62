/* Inside the HTTPS client only (https.c: the handle and one request's setup and outcome;
 * https_xfer.c: what flows during a transfer; https_tls.c: the TLS settings): the one place that
 * includes libcurl's header. */
#ifndef POUCH_HTTPS_INTERNAL_H
#define POUCH_HTTPS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The calls go through https_lib.h's table, which libcurl's type-checking macros would hide. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "exchange/https.h"
#include "exchange/https_lib.h"

struct pouch_https {
	CURL *curl;
	char *ca_file, *pin, *client_cert, *client_key, *proxy;
	long connect_timeout_ms, timeout_ms, low_speed_time, low_speed_limit;
	char errbuf[CURL_ERROR_SIZE];
};

enum https_sink { SINK_NONE, SINK_MEM, SINK_FD };

/* One request in flight: what the callbacks share. */
struct https_xfer {
	struct pouch_https *h;
	const struct pouch_https_req *req;
	struct pouch_https_resp *resp;
	uint64_t sent;         /* request body bytes handed to libcurl */
	enum https_sink sink;  /* where the response body goes, chosen at its first byte */
	uint64_t cap;          /* where the body may end at most (a file offset for SINK_FD) */
	size_t body_room, headers_room;
	struct pouch_https_progress last;
	struct pouch_err fail; /* a failure a callback found; it wins over libcurl's code */
	enum pouch_https_fault fail_fault;
};

/* Sets option opt of the handle c to val unless an earlier option failed: both c and the
 * CURLcode rc are the caller's variables. */
#define HTTPS_SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(c, opt, val); \
	} while (0)

/* Whether pin is one or more "sha256//" + the base64 of 32 bytes, joined by ';'. */
int https_pin_valid(const char *pin);

/* Sets the TLS options of h on its freshly reset handle: verification of the server (its CA
 * file only, when given), the pin, the client certificate. CURLE_OK or libcurl's failure. */
CURLcode https_tls_configure(struct pouch_https *h);

/* libcurl's callbacks for one transfer; arg is its struct https_xfer. A failure they find is
 * recorded in the xfer (fail, fail_fault) and stops the transfer. */
size_t https_on_read(char *buf, size_t size, size_t n, void *arg);
int https_on_seek(void *arg, curl_off_t offset, int origin);
size_t https_on_header(char *line, size_t size, size_t n, void *arg);
size_t https_on_body(char *p, size_t size, size_t n, void *arg);
int https_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		      curl_off_t ulnow);

/* Chooses where the body goes once the status is known: a 2xx to out_fd (cut to where it
 * starts), anything else to memory so that the caller can read an error body. 0, or -1 with
 * the failure recorded in x. */
int https_choose_sink(struct https_xfer *x);

#endif
