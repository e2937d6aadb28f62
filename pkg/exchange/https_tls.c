/* The HTTPS client's TLS: the pin's form, and the verification and client-certificate settings
 * repeated on every request. */
#include <string.h>

#include "base/base64.h"
#include "exchange/https_internal.h"

int https_pin_valid(const char *pin)
{
	unsigned char sum[33];
	char one[64];

	for (;;) {
		const char *end = strchr(pin, ';');
		size_t len = end ? (size_t)(end - pin) : strlen(pin);

		if (len <= 8 || len >= sizeof(one) || strncmp(pin, "sha256//", 8) != 0)
			return 0;
		memcpy(one, pin + 8, len - 8);
		one[len - 8] = '\0';
		if (pouch_base64_decode(one, sum, sizeof(sum)) != 32)
			return 0;
		if (!end)
			return 1;
		pin = end + 1;
	}
}

CURLcode https_tls_configure(struct pouch_https *h)
{
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

	HTTPS_SET(CURLOPT_SSL_VERIFYPEER, 1L);
	HTTPS_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	HTTPS_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->ca_file) {
		/* Only this CA: the built-in CA directory would widen the trust. */
		HTTPS_SET(CURLOPT_CAINFO, h->ca_file);
		HTTPS_SET(CURLOPT_CAPATH, NULL);
	}
	if (h->pin)
		HTTPS_SET(CURLOPT_PINNEDPUBLICKEY, h->pin);
	if (h->client_cert) {
		HTTPS_SET(CURLOPT_SSLCERT, h->client_cert);
		HTTPS_SET(CURLOPT_SSLCERTTYPE, "PEM");
		HTTPS_SET(CURLOPT_SSLKEY, h->client_key);
		HTTPS_SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	return rc;
}
