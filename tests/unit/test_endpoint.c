/* Unit tests for pkg/directory/endpoint.c: our own endpoint (endpoint.json) set, loaded and refused when
 * corrupt; the TLS files put in place and put back; and the TLS settings with absolute paths
 * for the client side, of our endpoint and of partners'. Certificates from tests/unit/certs.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/tls_conf.h"
#include "certs.h"
#include "directory/endpoint.h"
#include "directory/partner.h"

#define PIN_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define PIN "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define T0 "2026-01-01T00:00:00Z"
#define AGENCY "{\"format\":\"pouch-agency/1\",\"code\":\"GB-NCA-CEOP\",\"name\":\"CEOP\"," \
	"\"created\":\"" T0 "\",\"keys\":[{\"fingerprint\":\"" FPR1 "\",\"created\":\"" T0 "\"," \
	"\"expires\":null,\"retired\":null,\"verify_until\":null}]}"
#define PARTNER(code, endpoint, tls) "{\"format\":\"pouch-partner/1\",\"code\":\"" code "\"," \
	"\"name\":null,\"endpoint\":" endpoint ",\"tls\":" tls ",\"keys\":[{\"fingerprint\":\"" \
	FPR2 "\",\"added\":\"" T0 "\",\"valid_from\":\"" T0 "\",\"valid_until\":null," \
	"\"expires\":null,\"revoked\":null}],\"created\":\"" T0 "\",\"updated\":\"" T0 "\"}"

/* The file dir/name holds exactly what the certificate file holds, mode 0600. */
static void assert_copy(struct fixture *f, const char *name, const char *from)
{
	char *want = NULL;

	assert_int_equal(pouch_fs_read(cert(from), 1 << 20, &want, NULL, NULL), 0);
	assert_content(at(f, name), want);
	assert_int_equal(mode_of(f->path), 0600);
	free(want);
}

static void test_endpoint__none_is_notfound(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_endpoint e;

	assert_int_equal(pouch_endpoint_load(&f->h, &e, &err), POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "pouch endpoint set"));
	assert_null(e.url);
}

static void test_endpoint__set_copies_and_loads(void **state)
{
	struct fixture *f = *state;
	struct pouch_endpoint_req req = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_endpoint e, g;
	char *json;

	req.url = "https://pouch.ceop.example:8443/x";
	req.pin = PIN_HEX;
	req.ca_file = cert(CERT_CA);
	req.client_cert = cert(CERT_CHAIN);
	req.client_key = cert(CERT_CLIENT_KEY);
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), 0);
	assert_string_equal(e.url, req.url);
	assert_string_equal(e.tls.pin, PIN);
	assert_string_equal(e.tls.ca_file, "endpoint.ca.pem");
	assert_string_equal(e.tls.client_cert, "endpoint.client.pem");
	assert_string_equal(e.tls.client_key, "endpoint.client.key");
	assert_true(e.updated > 0);
	assert_copy(f, "endpoint.ca.pem", CERT_CA);
	assert_copy(f, "endpoint.client.pem", CERT_CHAIN);
	assert_copy(f, "endpoint.client.key", CERT_CLIENT_KEY);
	assert_int_equal(mode_of(at(f, "endpoint.json")), 0600);
	assert_int_equal(pouch_endpoint_load(&f->h, &g, &err), 0);
	assert_string_equal(g.url, e.url);
	assert_string_equal(g.tls.ca_file, e.tls.ca_file);
	assert_string_equal(g.tls.pin, e.tls.pin);
	assert_string_equal(g.tls.client_key, e.tls.client_key);
	assert_int_equal(g.updated, e.updated);
	json = pouch_endpoint_json(&g, 0);
	/* What pouch prints is not the record: no format. */
	assert_null(strstr(json, "\"format\""));
	assert_non_null(strstr(json, "\"client\":{\"cert\":\"endpoint.client.pem\","
				     "\"key\":\"endpoint.client.key\"}"));
	free(json);
	pouch_endpoint_release(&g);
	pouch_endpoint_release(&e);
	/* Set again with less: the files no longer named are gone. */
	memset(&req, 0, sizeof(req));
	req.url = "https://pouch.ceop.example";
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), 0);
	assert_null(e.tls.ca_file);
	assert_null(e.tls.client_cert);
	assert_string_equal(e.tls.pin, "");
	assert_false(pouch_fs_exists(at(f, "endpoint.ca.pem")));
	assert_false(pouch_fs_exists(at(f, "endpoint.client.pem")));
	assert_false(pouch_fs_exists(at(f, "endpoint.client.key")));
	pouch_endpoint_release(&e);
}

static void test_endpoint__set_refused_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct pouch_endpoint_req req = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_endpoint e;
	char *before = NULL;

	req.url = "https://pouch.ceop.example";
	req.ca_file = cert(CERT_CA);
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, NULL), 0);
	pouch_endpoint_release(&e);
	assert_int_equal(pouch_fs_read(at(f, "endpoint.json"), 1 << 20, &before, NULL, NULL), 0);
	req.ca_file = NULL;
	req.client_cert = cert(CERT_CLIENT);
	req.client_key = cert(CERT_OTHER_KEY);
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), POUCH_E_VERIFY);
	req.client_key = cert(CERT_ENC_KEY);
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), POUCH_E_REFUSED);
	req.client_key = NULL;
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), POUCH_E_USAGE);
	req.client_cert = NULL;
	req.url = "http://pouch.ceop.example";
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), POUCH_E_USAGE);
	req.url = "https://pouch.ceop.example";
	req.pin = "sha256//short";
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, &err), POUCH_E_USAGE);
	assert_null(e.url);
	assert_content(at(f, "endpoint.json"), before);
	assert_copy(f, "endpoint.ca.pem", CERT_CA);
	assert_false(pouch_fs_exists(at(f, "endpoint.client.pem")));
	assert_false(pouch_fs_exists(at(f, "endpoint.client.key")));
	free(before);
}

/* What a failed record write leaves: the files as they were before. */
static void test_endpoint__files_put_back(void **state)
{
	struct fixture *f = *state;
	struct pouch_tls_files files = { 0 };
	struct pouch_tls_conf t = { 0 };

	put_text(at(f, "GB-MET.ca.pem"), "old CA\n", 0600);
	assert_int_equal(pouch_tls_files_read(&files, cert(CERT_CA), cert(CERT_CLIENT),
					      cert(CERT_CLIENT_KEY), NULL), 0);
	assert_int_equal(pouch_tls_files_install(&files, f->dir, "GB-MET", &t, NULL), 0);
	assert_string_equal(t.ca_file, "GB-MET.ca.pem");
	assert_string_equal(t.client_key, "GB-MET.client.key");
	assert_copy(f, "GB-MET.ca.pem", CERT_CA);
	assert_copy(f, "GB-MET.client.key", CERT_CLIENT_KEY);
	pouch_tls_files_rollback(&files);
	assert_content(at(f, "GB-MET.ca.pem"), "old CA\n");
	assert_false(pouch_fs_exists(at(f, "GB-MET.client.pem")));
	assert_false(pouch_fs_exists(at(f, "GB-MET.client.key")));
	/* Nothing left over either: no temporary files. */
	assert_int_equal(entries(f->dir), 3); /* gnupg, partners and GB-MET.ca.pem */
	pouch_tls_files_release(&files);
	pouch_tls_conf_release(&t);
}

static void test_endpoint__tls_paths(void **state)
{
	struct fixture *f = *state;
	struct pouch_endpoint_req req = { 0 };
	struct pouch_tls_paths t;
	struct pouch_err err = { 0 };
	struct pouch_endpoint e;
	char want[160];

	put_text(f->h.agency, AGENCY, 0600);
	/* Ours: not set yet. */
	assert_int_equal(pouch_endpoint_tls(&f->h, NULL, &t, &err), POUCH_E_NOTFOUND);
	assert_null(t.url);
	req.url = "https://pouch.ceop.example";
	req.pin = PIN;
	req.client_cert = cert(CERT_CLIENT);
	req.client_key = cert(CERT_CLIENT_KEY);
	assert_int_equal(pouch_endpoint_set(&f->h, &req, &e, NULL), 0);
	pouch_endpoint_release(&e);
	assert_int_equal(pouch_endpoint_tls(&f->h, NULL, &t, &err), 0);
	assert_string_equal(t.url, "https://pouch.ceop.example");
	assert_null(t.ca_file);
	assert_string_equal(t.pin, PIN);
	snprintf(want, sizeof(want), "%s/endpoint.client.pem", f->dir);
	assert_string_equal(t.client_cert, want);
	snprintf(want, sizeof(want), "%s/endpoint.client.key", f->dir);
	assert_string_equal(t.client_key, want);
	pouch_tls_paths_release(&t);
	/* Our own code is our own endpoint too. */
	assert_int_equal(pouch_endpoint_tls(&f->h, "GB-NCA-CEOP", &t, &err), 0);
	assert_string_equal(t.url, "https://pouch.ceop.example");
	pouch_tls_paths_release(&t);
	/* A partner's, from its record, its files in partners/. */
	put_text(at(f, "partners/GB-MET.json"), PARTNER("GB-MET", "\"https://met.example/p\"",
							"{\"ca_file\":\"GB-MET.ca.pem\"}"), 0600);
	put_text(at(f, "partners/GB-MET.ca.pem"), "CA\n", 0600);
	assert_int_equal(pouch_endpoint_tls(&f->h, "GB-MET", &t, &err), 0);
	assert_string_equal(t.url, "https://met.example/p");
	snprintf(want, sizeof(want), "%s/partners/GB-MET.ca.pem", f->dir);
	assert_string_equal(t.ca_file, want);
	assert_null(t.pin);
	assert_null(t.client_cert);
	assert_null(t.client_key);
	pouch_tls_paths_release(&t);
	/* Its CA file gone: the record is not usable. */
	unlink(want);
	assert_int_equal(pouch_endpoint_tls(&f->h, "GB-MET", &t, &err), POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "which is missing"));
	assert_null(t.url);
	/* A partner without an endpoint, a partner not in the directory, a bad code. */
	put_text(at(f, "partners/US-NCMEC.json"), PARTNER("US-NCMEC", "null", "null"), 0600);
	assert_int_equal(pouch_endpoint_tls(&f->h, "US-NCMEC", &t, &err), POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "partner 'US-NCMEC' has no endpoint"));
	assert_int_equal(pouch_endpoint_tls(&f->h, "AU-AFP", &t, &err), POUCH_E_NOTFOUND);
	assert_int_equal(pouch_endpoint_tls(&f->h, "../x", &t, &err), POUCH_E_USAGE);
}

static void test_endpoint__corrupt(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_endpoint e;
	int ret;

	put_case(at(f, "endpoint.json"), f->c);
	ret = pouch_endpoint_load(&f->h, &e, &err);
	if (ret == 0)
		pouch_endpoint_release(&e);
	assert_corrupt(ret, &err, f->path, f->c);
	assert_null(e.url);
	assert_null(e.tls.ca_file);
}

#define HEAD "{\"format\":\"pouch-endpoint/1\",\"endpoint\":\"https://pouch.ceop.example\","
#define NOTLS "\"tls\":null,"
#define NOCLIENT "\"client\":null,"
#define UPDATED "\"updated\":\"" T0 "\"}"
#define T(name) cmocka_unit_test_setup_teardown(name, setup_home, teardown)
#define C(label, text, want) CASE(test_endpoint__corrupt, setup_home, label, text, want, 0)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_endpoint__none_is_notfound),
		T(test_endpoint__set_copies_and_loads),
		T(test_endpoint__set_refused_changes_nothing),
		T(test_endpoint__files_put_back),
		T(test_endpoint__tls_paths),
		C("not_json", "endpoint", "not valid JSON"),
		C("unknown_format", "{\"format\":\"pouch-endpoint/2\",\"endpoint\":\"https://a\","
		  NOTLS NOCLIENT UPDATED, "unknown format"),
		C("unknown_field", HEAD NOTLS NOCLIENT "\"insecure\":true," UPDATED,
		  "unknown field 'insecure'"),
		C("endpoint_http", "{\"format\":\"pouch-endpoint/1\",\"endpoint\":\"http://a\","
		  NOTLS NOCLIENT UPDATED, "invalid 'endpoint'"),
		C("endpoint_null", "{\"format\":\"pouch-endpoint/1\",\"endpoint\":null," NOTLS
		  NOCLIENT UPDATED, "field 'endpoint' is not a string"),
		C("client_missing", HEAD NOTLS UPDATED, "field 'client' is missing"),
		C("tls_missing", HEAD NOCLIENT UPDATED, "field 'tls' is missing"),
		C("updated_missing", HEAD NOTLS "\"client\":null}", "field 'updated' is missing"),
		C("ca_file_elsewhere", HEAD "\"tls\":{\"ca_file\":\"/etc/ssl/ca.pem\"}," NOCLIENT
		  UPDATED, "invalid 'ca_file'"),
		C("client_partner_files", HEAD NOTLS "\"client\":{\"cert\":\"GB-MET.client.pem\","
		  "\"key\":\"GB-MET.client.key\"}," UPDATED, "invalid 'client'"),
		C("pin_bad", HEAD "\"tls\":{\"pin\":\"" PIN_HEX "\"}," NOCLIENT UPDATED,
		  "invalid 'pin'"),
	};

	return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
