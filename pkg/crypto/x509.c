/* X.509 material for TLS, checked with GnuTLS before pouch copies it into its home: CA bundles,
 * and our client certificate with the private key that must belong to it. */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "base/fs.h"
#include "base/validate.h"
#include "crypto/x509.h"

#define PEM_CERT "-----BEGIN CERTIFICATE-----"
#define CN_CHARS 64
#define TAG_UTF8STRING 12
#define TAG_PRINTABLESTRING 19

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void free_certs(gnutls_x509_crt_t *certs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (certs[i])
			gnutls_x509_crt_deinit(certs[i]);
	gnutls_free(certs);
}

/* Checks that the file (what names it) holds PEM certificates only, all parsing. With first
 * set, *first receives the first certificate (caller deinits). */
static int check_certs(const char *what, const char *path, const char *data, size_t len,
		       gnutls_x509_crt_t *first, struct pouch_err *err)
{
	gnutls_datum_t d = { (unsigned char *)data, (unsigned)len };
	gnutls_x509_crt_t *certs = NULL;
	unsigned n = 0;
	int r;

	if (strlen(data) != len || !strstr(data, PEM_CERT))
		return pouch_err_set(err, POUCH_E_USAGE, "%s '%s' holds no PEM certificate", what,
				     path);
	if (strstr(data, "PRIVATE KEY-----"))
		return pouch_err_set(err, POUCH_E_REFUSED, "%s '%s' holds a private key: give "
				     "certificates only", what, path);
	r = gnutls_x509_crt_list_import2(&certs, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (r < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "%s '%s' does not parse: %s", what, path,
				     gnutls_strerror(r));
	if (n != count(data, PEM_CERT)) {
		free_certs(certs, n);
		return pouch_err_set(err, POUCH_E_USAGE, "%s '%s' does not parse: a certificate "
				     "block is malformed", what, path);
	}
	if (first) {
		*first = certs[0];
		certs[0] = NULL;
	}
	free_certs(certs, n);
	return 0;
}

int pouch_x509_read_ca(const char *path, char **data, size_t *len, struct pouch_err *err)
{
	int ret = pouch_fs_read(path, POUCH_X509_CERT_MAX, data, len, err);

	if (ret < 0)
		return ret;
	ret = check_certs("CA file", path, *data, *len, NULL, err);
	if (ret < 0) {
		free(*data);
		*data = NULL;
	}
	return ret;
}

void pouch_x509_client_release(struct pouch_x509_client *c)
{
	if (c->key)
		explicit_bzero(c->key, c->key_len);
	free(c->key);
	free(c->cert);
	memset(c, 0, sizeof(*c));
}

/* The key file must hold exactly one unencrypted PEM private key of a kind curl reads. */
static int check_key_text(const char *path, const char *data, size_t len, struct pouch_err *err)
{
	size_t n;

	if (strstr(data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
	    strstr(data, "Proc-Type: 4,ENCRYPTED"))
		return pouch_err_set(err, POUCH_E_REFUSED, "client key '%s' is encrypted: give the "
				     "private key without a passphrase", path);
	n = count(data, "-----BEGIN PRIVATE KEY-----") +
	    count(data, "-----BEGIN RSA PRIVATE KEY-----") +
	    count(data, "-----BEGIN EC PRIVATE KEY-----");
	if (strlen(data) != len || n == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "client key '%s' holds no PEM private key "
				     "(PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", path);
	if (n > 1)
		return pouch_err_set(err, POUCH_E_USAGE, "client key '%s' holds %zu private keys: "
				     "give one", path, n);
	return 0;
}

/* The key must be the certificate's: the same public key, compared by SHA-256 key id. */
static int check_match(const char *cert_file, const char *key_file, gnutls_x509_crt_t crt,
		       const struct pouch_x509_client *c, struct pouch_err *err)
{
	gnutls_datum_t d = { (unsigned char *)c->key, (unsigned)c->key_len };
	gnutls_x509_privkey_t key = NULL;
	unsigned char a[64], b[64];
	size_t alen = sizeof(a), blen = sizeof(b);
	int r, ret;

	r = gnutls_x509_privkey_init(&key);
	if (r < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	r = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
	if (r < 0) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "client key '%s' does not parse: %s",
				    key_file, gnutls_strerror(r));
		goto out;
	}
	r = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &alen);
	if (r >= 0)
		r = gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b, &blen);
	if (r < 0) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "cannot read the public key of '%s' or "
				    "'%s': %s", cert_file, key_file, gnutls_strerror(r));
		goto out;
	}
	ret = 0;
	if (alen != blen || memcmp(a, b, alen) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "client key '%s' does not belong to the "
				    "certificate in '%s'", key_file, cert_file);
out:
	gnutls_x509_privkey_deinit(key);
	return ret;
}

int pouch_x509_read_client(const char *cert_file, const char *key_file,
			   struct pouch_x509_client *c, struct pouch_err *err)
{
	gnutls_x509_crt_t crt = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = pouch_fs_read(cert_file, POUCH_X509_CERT_MAX, &c->cert, &c->cert_len, err);
	if (!ret)
		ret = check_certs("client certificate", cert_file, c->cert, c->cert_len, &crt,
				  err);
	if (!ret)
		ret = pouch_fs_read(key_file, POUCH_X509_KEY_MAX, &c->key, &c->key_len, err);
	if (!ret)
		ret = check_key_text(key_file, c->key, c->key_len, err);
	if (!ret)
		ret = check_match(cert_file, key_file, crt, c, err);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (ret < 0)
		pouch_x509_client_release(c);
	return ret;
}

/* Whether the n bytes at v are 1 to CN_CHARS characters of UTF-8 text without controls. */
static int cn_text(const unsigned char *v, size_t n)
{
	size_t i = 0, chars = 0, k;

	while (i < n) {
		k = pouch_utf8_seq(v + i);
		if (k == 0 || i + k > n || pouch_utf8_is_control(v + i, k))
			return 0;
		i += k;
		chars++;
	}
	return chars >= 1 && chars <= CN_CHARS && n <= POUCH_X509_CN_MAX;
}

static int is_cn(const gnutls_datum_t *oid)
{
	const char *want = GNUTLS_OID_X520_COMMON_NAME;

	return strnlen((const char *)oid->data, oid->size) == strlen(want) &&
	       strncmp((const char *)oid->data, want, strlen(want)) == 0;
}

/* Walks every attribute of every RDN: the CN must be there once, as text. */
static int find_cn(gnutls_x509_dn_t dn, char *cn)
{
	gnutls_x509_ava_st ava;
	int i, j, found = 0;

	for (i = 0; gnutls_x509_dn_get_rdn_ava(dn, i, 0, &ava) >= 0; i++)
		for (j = 0; gnutls_x509_dn_get_rdn_ava(dn, i, j, &ava) >= 0; j++) {
			if (!is_cn(&ava.oid))
				continue;
			if (found++ || (ava.value_tag != TAG_UTF8STRING &&
					ava.value_tag != TAG_PRINTABLESTRING) ||
			    !cn_text(ava.value.data, ava.value.size))
				return -1;
			memcpy(cn, ava.value.data, ava.value.size);
			cn[ava.value.size] = '\0';
		}
	return found == 1 ? 0 : -1;
}

int pouch_x509_subject_cn(const void *der, size_t len, char *cn, struct pouch_err *err)
{
	gnutls_datum_t d = { (unsigned char *)der, (unsigned)len };
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_dn_t dn;
	int ret;

	cn[0] = '\0';
	if (len > POUCH_X509_CERT_MAX || gnutls_x509_crt_init(&crt) < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot read the certificate");
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_subject(crt, &dn) < 0)
		ret = pouch_err_set(err, POUCH_E_USAGE, "the certificate does not parse");
	else if (find_cn(dn, cn) < 0)
		ret = pouch_err_set(err, POUCH_E_USAGE, "the certificate's subject has no single "
				    "common name of 1 to %d characters of text", CN_CHARS);
	else
		ret = 0;
	if (ret < 0)
		cn[0] = '\0';
	gnutls_x509_crt_deinit(crt);
	return ret;
}

const char *pouch_x509_version(void)
{
	return gnutls_check_version(NULL);
}
