/* Unit tests for pkg/directory/directory.c's pouch_directory_set: a partner's endpoint, TLS trust, client
 * certificate and client common name changed, replaced and removed, its files following the
 * record, and every refusal leaving the home as it was. Records are hand-written (the keyring
 * is not involved); certificates come from tests/unit/certs.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_PARTNER_RECORD /* the GB-MET record parts and setup_met */
#include "certs.h"
#include "directory/directory.h"

#define NOTLS "\"tls\":null,"
#define PIN_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define PIN2 "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static struct pouch_agency self = { .code = "GB-NCA-CEOP" };

/* cmocka setup: a home whose partner GB-MET has an endpoint and no TLS settings, and partner
 * US-NCMEC. */
static int setup_two(void **state)
{
	struct fixture *f;
	char path[128];

	if (setup_met(state) < 0)
		return -1;
	f = *state;
	put_text(f->path, HEAD NAME EP NOTLS KEYS(KEY(FPR1)) TAIL, 0600);
	snprintf(path, sizeof(path), "%s/US-NCMEC.json", f->h.partners);
	put_text(path, "{\"format\":\"pouch-partner/1\",\"code\":\"US-NCMEC\"," NAME EP NOTLS
		 KEYS(KEY(FPR2)) TAIL, 0600);
	return 0;
}

static const char *pfile(struct fixture *f, const char *name)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s/%s", f->h.partners, name);
	return buf;
}

/* Applies c to GB-MET; returns the code and leaves the record in *p (released by the caller). */
static int set(struct fixture *f, struct pouch_partner_change *c, struct pouch_partner *p,
	       struct pouch_err *err)
{
	c->code = "GB-MET";
	return pouch_directory_set(&f->h, &self, c, p, err);
}

/* Partner GB-MET's files in partners/: which exist (c CA, p client certificate, k key). */
static void assert_files(struct fixture *f, int ca, int cert_, int key)
{
	assert_int_equal(pouch_fs_exists(pfile(f, "GB-MET.ca.pem")), ca);
	assert_int_equal(pouch_fs_exists(pfile(f, "GB-MET.client.pem")), cert_);
	assert_int_equal(pouch_fs_exists(pfile(f, "GB-MET.client.key")), key);
	if (key)
		assert_int_equal(mode_of(pfile(f, "GB-MET.client.key")), 0600);
}

static void test_directory__set_replaces_and_removes(void **state)
{
	struct fixture *f = *state;
	struct pouch_partner_change c = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_partner p, q;
	char *want = NULL;

	c.ca_file = cert(CERT_CA);
	c.pin = PIN_HEX;
	assert_int_equal(set(f, &c, &p, &err), 0);
	assert_string_equal(p.tls.ca_file, "GB-MET.ca.pem");
	assert_string_equal(p.tls.pin, PIN);
	assert_true(p.updated > 1780272000);
	assert_int_equal(p.nkeys, 1);
	pouch_partner_release(&p);
	assert_files(f, 1, 0, 0);
	assert_int_equal(mode_of(pfile(f, "GB-MET.ca.pem")), 0600);
	/* A client certificate; the TLS trust stays. */
	memset(&c, 0, sizeof(c));
	c.client_cert = cert(CERT_CHAIN);
	c.client_key = cert(CERT_CLIENT_KEY);
	assert_int_equal(set(f, &c, &p, &err), 0);
	pouch_partner_release(&p);
	assert_int_equal(pouch_fs_read(cert(CERT_CLIENT_KEY), 1 << 20, &want, NULL, NULL), 0);
	assert_content(pfile(f, "GB-MET.client.key"), want);
	free(want);
	assert_files(f, 1, 1, 1);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &q, NULL), 0);
	assert_string_equal(q.tls.ca_file, "GB-MET.ca.pem");
	assert_string_equal(q.tls.client_cert, "GB-MET.client.pem");
	pouch_partner_release(&q);
	/* A pin alone replaces the trust as a whole: the CA file goes. */
	memset(&c, 0, sizeof(c));
	c.pin = PIN2;
	assert_int_equal(set(f, &c, &p, &err), 0);
	assert_null(p.tls.ca_file);
	assert_string_equal(p.tls.pin, PIN2);
	assert_string_equal(p.tls.client_cert, "GB-MET.client.pem");
	pouch_partner_release(&p);
	assert_files(f, 0, 1, 1);
	/* No client certificate, no TLS trust, a new endpoint. */
	memset(&c, 0, sizeof(c));
	c.no_client = c.no_tls = 1;
	c.endpoint = "https://[2001:db8::1]/met";
	assert_int_equal(set(f, &c, &p, &err), 0);
	pouch_partner_release(&p);
	assert_files(f, 0, 0, 0);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &q, NULL), 0);
	assert_string_equal(q.endpoint, "https://[2001:db8::1]/met");
	assert_null(q.tls.client_cert);
	assert_string_equal(q.tls.pin, "");
	pouch_partner_release(&q);
	/* No endpoint takes the TLS settings with it. */
	memset(&c, 0, sizeof(c));
	c.ca_file = cert(CERT_CA);
	c.client_cert = cert(CERT_CLIENT);
	c.client_key = cert(CERT_CLIENT_KEY);
	assert_int_equal(set(f, &c, &p, &err), 0);
	pouch_partner_release(&p);
	assert_files(f, 1, 1, 1);
	memset(&c, 0, sizeof(c));
	c.no_endpoint = 1;
	assert_int_equal(set(f, &c, &p, &err), 0);
	assert_null(p.endpoint);
	assert_null(p.tls.ca_file);
	assert_null(p.tls.client_cert);
	pouch_partner_release(&p);
	assert_files(f, 0, 0, 0);
}

static void test_directory__set_client_cn(void **state)
{
	struct fixture *f = *state;
	struct pouch_partner_change c = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	c.client_cn = "met.police.example";
	assert_int_equal(set(f, &c, &p, &err), 0);
	assert_string_equal(p.client_cn, "met.police.example");
	pouch_partner_release(&p);
	/* Names that our agency or another partner goes by are taken. */
	c.client_cn = "US-NCMEC";
	assert_int_equal(set(f, &c, &p, &err), POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, "already partner 'US-NCMEC''s"));
	c.client_cn = "GB-NCA-CEOP";
	assert_int_equal(set(f, &c, &p, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "our own agency's"));
	c.client_cn = NULL;
	c.code = "US-NCMEC";
	c.client_cn = "met.police.example";
	assert_int_equal(pouch_directory_set(&f->h, &self, &c, &p, &err), POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, "already partner 'GB-MET''s"));
	memset(&c, 0, sizeof(c));
	c.no_client_cn = 1;
	assert_int_equal(set(f, &c, &p, &err), 0);
	assert_string_equal(p.client_cn, "");
	pouch_partner_release(&p);
}

/* Every refusal leaves the record and the files as they were. */
static void test_directory__set_refusals_change_nothing(void **state)
{
	static const struct {
		struct pouch_partner_change c;
		int code;
		const char *want;
	} cases[] = {
		{ { 0 }, POUCH_E_USAGE, "nothing to change" },
		{ { .endpoint = "https://a", .no_endpoint = 1 }, POUCH_E_USAGE, "not both" },
		{ { .no_endpoint = 1, .pin = PIN2 }, POUCH_E_USAGE, "give no TLS option" },
		{ { .no_endpoint = 1, .no_client = 1 }, POUCH_E_USAGE, "give no TLS option" },
		{ { .pin = PIN2, .no_tls = 1 }, POUCH_E_USAGE, "or --no-tls, not both" },
		{ { .client_cert = "x.pem" }, POUCH_E_USAGE, "together" },
		{ { .client_key = "x.key", .no_client = 1 }, POUCH_E_USAGE,
		  "--no-client, not both" },
		{ { .client_cn = "a", .no_client_cn = 1 }, POUCH_E_USAGE, "not both" },
		{ { .endpoint = "http://a" }, POUCH_E_USAGE, "invalid endpoint" },
		{ { .pin = "abc" }, POUCH_E_USAGE, "invalid pin" },
		{ { .client_cn = "a\nb" }, POUCH_E_USAGE, "invalid client common name" },
		{ { .ca_file = "/nonexistent/ca.pem" }, POUCH_E_NOTFOUND, "ca.pem" },
	};
	struct fixture *f = *state;
	struct pouch_partner_change c = { 0 };
	struct pouch_err err = { 0 };
	struct pouch_partner p;
	char *before = NULL;
	size_t i;

	c.ca_file = cert(CERT_CA);
	assert_int_equal(set(f, &c, &p, &err), 0);
	pouch_partner_release(&p);
	assert_int_equal(pouch_fs_read(f->path, 1 << 20, &before, NULL, NULL), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = cases[i].c;
		if (set(f, &c, &p, &err) != cases[i].code || !strstr(err.msg, cases[i].want))
			fail_msg("case %zu: %d '%s'", i, err.code, err.msg);
		assert_null(p.keys);
	}
	/* A client key that is not the certificate's, an encrypted one. */
	memset(&c, 0, sizeof(c));
	c.client_cert = cert(CERT_CLIENT);
	c.client_key = cert(CERT_OTHER_KEY);
	assert_int_equal(set(f, &c, &p, &err), POUCH_E_VERIFY);
	c.client_key = cert(CERT_ENC_KEY);
	assert_int_equal(set(f, &c, &p, &err), POUCH_E_REFUSED);
	/* Unknown partner; TLS settings for a partner without an endpoint. */
	memset(&c, 0, sizeof(c));
	c.code = "AU-AFP";
	c.pin = PIN2;
	assert_int_equal(pouch_directory_set(&f->h, &self, &c, &p, &err), POUCH_E_NOTFOUND);
	assert_content(f->path, before);
	assert_files(f, 1, 0, 0);
	memset(&c, 0, sizeof(c));
	c.no_endpoint = 1;
	assert_int_equal(set(f, &c, &p, &err), 0);
	pouch_partner_release(&p);
	free(before);
	assert_int_equal(pouch_fs_read(f->path, 1 << 20, &before, NULL, NULL), 0);
	memset(&c, 0, sizeof(c));
	c.pin = PIN2;
	assert_int_equal(set(f, &c, &p, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "has no endpoint"));
	assert_content(f->path, before);
	free(before);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_two, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_directory__set_replaces_and_removes),
		T(test_directory__set_client_cn),
		T(test_directory__set_refusals_change_nothing),
	};

	return cmocka_run_group_tests(tests, certs_setup, certs_teardown);
}
