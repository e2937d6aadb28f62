/* Unit tests for pkg/directory/partner.c: partner records (partners/CODE.json) loaded from hand-written
 * files, saved and loaded back, listed, described as JSON, and found by the common name of
 * their client certificates. No keyring is involved. Corrupt records are in
 * test_partner_corrupt.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_PARTNER_RECORD /* the GB-MET record parts and setup_met */
#include "base/json.h"
#include "fixture.h"
#include "directory/partner.h"

/* FPR1, FPR2, T0, T1 and the record parts are in fixture.h. */
#define T2 "2027-06-01T00:00:00Z" /* 1811808000 */
#define TLS_BOTH "\"tls\":{\"ca_file\":\"GB-MET.ca.pem\",\"pin\":\"" PIN "\"},"
#define CLIENT "\"client\":{\"cert\":\"GB-MET.client.pem\",\"key\":\"GB-MET.client.key\"},"
#define CN(cn) "\"client_cn\":" cn ","

/* Writes text to partners/name. */
static void put_partner(struct fixture *f, const char *name, const char *text)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", f->h.partners, name);
	put_text(path, text, 0600);
}

static void put_met(struct fixture *f, const char *text)
{
	put_text(f->path, text, 0600);
}

static void test_partner__valid_record_loads(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	put_met(f, HEAD NAME EP TLS KEYS(KEY(FPR1) "," KEY_R("\"" FPR2 "\"", "\"" T1 "\"",
							       "\"" T2 "\"")) TAIL);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, &err), 0);
	assert_string_equal(p.code, "GB-MET");
	assert_string_equal(p.name, "Metropolitan Police");
	assert_string_equal(p.endpoint, "https://pouch.met.example:8443/in");
	assert_null(p.tls.ca_file);
	assert_string_equal(p.tls.pin, PIN);
	/* Written before "client" and "client_cn" existed: both null. */
	assert_null(p.tls.client_cert);
	assert_null(p.tls.client_key);
	assert_string_equal(p.client_cn, "");
	assert_string_equal(pouch_partner_client_cn(&p), "GB-MET");
	assert_int_equal(p.created, 1767225600);
	assert_int_equal(p.updated, 1780272000);
	assert_int_equal(p.nkeys, 2);
	assert_string_equal(p.keys[0].fpr, FPR1);
	assert_int_equal(p.keys[0].added, 1767225600);
	assert_int_equal(p.keys[0].valid_from, 1767225600);
	assert_int_equal(p.keys[0].valid_until, 0);
	assert_int_equal(p.keys[0].expires, 0);
	assert_int_equal(p.keys[0].revoked, 0);
	assert_string_equal(p.keys[1].fpr, FPR2);
	assert_int_equal(p.keys[1].valid_from, 1780272000);
	assert_int_equal(p.keys[1].valid_until, 1811808000);
	pouch_partner_release(&p);
	assert_null(p.keys);
	pouch_partner_release(&p);
}

static void test_partner__null_name_endpoint_tls_and_ca_file(void **state)
{
	struct fixture *f = *state;
	struct pouch_partner p;

	put_met(f, HEAD "\"name\":null,\"endpoint\":null,\"tls\":null," KEYS(KEY(FPR1)) TAIL);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, NULL), 0);
	assert_string_equal(p.name, "");
	assert_null(p.endpoint);
	assert_null(p.tls.ca_file);
	assert_string_equal(p.tls.pin, "");
	pouch_partner_release(&p);
	put_met(f, HEAD NAME EP "\"tls\":{\"ca_file\":\"GB-MET.ca.pem\"}," KEYS(KEY(FPR1)) TAIL);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, NULL), 0);
	assert_string_equal(p.tls.ca_file, "GB-MET.ca.pem");
	assert_string_equal(p.tls.pin, "");
	pouch_partner_release(&p);
	put_met(f, HEAD NAME EP TLS "\"client\":null,\"client_cn\":null," KEYS(KEY(FPR1)) TAIL);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, NULL), 0);
	assert_null(p.tls.client_cert);
	assert_string_equal(p.client_cn, "");
	pouch_partner_release(&p);
}

static void test_partner__ca_and_pin_client_and_client_cn_load(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	put_met(f, HEAD NAME EP TLS_BOTH CLIENT CN("\"met-client ~!\"") KEYS(KEY(FPR1)) TAIL);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, &err), 0);
	assert_string_equal(p.tls.ca_file, "GB-MET.ca.pem");
	assert_string_equal(p.tls.pin, PIN);
	assert_string_equal(p.tls.client_cert, "GB-MET.client.pem");
	assert_string_equal(p.tls.client_key, "GB-MET.client.key");
	assert_string_equal(p.client_cn, "met-client ~!");
	assert_string_equal(pouch_partner_client_cn(&p), "met-client ~!");
	pouch_partner_release(&p);
	assert_null(p.tls.client_cert);
}

static void test_partner__missing_is_notfound(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &p, &err), POUCH_E_NOTFOUND);
	assert_int_equal(err.code, POUCH_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "'GB-MET'"));
	assert_int_equal(pouch_partner_load(&f->h, "../GB-MET", &p, &err), POUCH_E_USAGE);
	assert_int_equal(pouch_partner_load(&f->h, "gb-met", &p, &err), POUCH_E_USAGE);
}

static void fill(struct pouch_partner *p, const char *code)
{
	struct pouch_partner_key k = { .fpr = FPR1, .added = 1767225600,
				       .valid_from = 1767225600, .valid_until = 1811808000,
				       .expires = 1830000000, .revoked = 1790000000 };

	memset(p, 0, sizeof(*p));
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->name, sizeof(p->name), "National Center \xe2\x80\x93 Exploited Children");
	p->endpoint = strdup("https://[2001:db8::1]:8443/pouch");
	snprintf(p->tls.pin, sizeof(p->tls.pin), "%s", PIN);
	p->created = 1767225600;
	p->updated = 1780272000;
	assert_int_equal(pouch_partner_add_key(p, &k, NULL), 0);
	memcpy(k.fpr, FPR2, sizeof(k.fpr));
	k.valid_from = 1811808000 - 86400;
	k.valid_until = k.expires = k.revoked = 0;
	assert_int_equal(pouch_partner_add_key(p, &k, NULL), 0);
}

static void assert_same(const struct pouch_partner *a, const struct pouch_partner *b)
{
	size_t i;

	assert_string_equal(a->code, b->code);
	assert_string_equal(a->name, b->name);
	if (a->endpoint || b->endpoint)
		assert_string_equal(a->endpoint, b->endpoint);
	if (a->tls.ca_file || b->tls.ca_file)
		assert_string_equal(a->tls.ca_file, b->tls.ca_file);
	assert_string_equal(a->tls.pin, b->tls.pin);
	if (a->tls.client_cert || b->tls.client_cert) {
		assert_string_equal(a->tls.client_cert, b->tls.client_cert);
		assert_string_equal(a->tls.client_key, b->tls.client_key);
	}
	assert_string_equal(a->client_cn, b->client_cn);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->updated, b->updated);
	assert_int_equal(a->nkeys, b->nkeys);
	for (i = 0; i < a->nkeys; i++) {
		assert_string_equal(a->keys[i].fpr, b->keys[i].fpr);
		assert_int_equal(a->keys[i].added, b->keys[i].added);
		assert_int_equal(a->keys[i].valid_from, b->keys[i].valid_from);
		assert_int_equal(a->keys[i].valid_until, b->keys[i].valid_until);
		assert_int_equal(a->keys[i].expires, b->keys[i].expires);
		assert_int_equal(a->keys[i].revoked, b->keys[i].revoked);
	}
}

static void test_partner__save_load_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pouch_partner p, q;
	char path[160];

	fill(&p, "US-NCMEC");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, NULL), 0);
	snprintf(path, sizeof(path), "%s/partners/US-NCMEC.json", f->dir);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(pouch_partner_load(&f->h, "US-NCMEC", &q, NULL), 0);
	assert_same(&p, &q);
	pouch_partner_release(&q);
	/* The CA-file form, no name, no endpoint. */
	p.tls.pin[0] = '\0';
	p.name[0] = '\0';
	free(p.endpoint);
	p.endpoint = NULL;
	p.tls.ca_file = strdup("US-NCMEC.ca.pem");
	assert_int_equal(pouch_partner_save(&f->h, &p, 0, NULL), 0);
	assert_int_equal(pouch_partner_load(&f->h, "US-NCMEC", &q, NULL), 0);
	assert_same(&p, &q);
	pouch_partner_release(&q);
	/* A CA file and a pin, a client certificate, a client common name. */
	snprintf(p.tls.pin, sizeof(p.tls.pin), "%s", PIN);
	p.tls.client_cert = strdup("US-NCMEC.client.pem");
	p.tls.client_key = strdup("US-NCMEC.client.key");
	snprintf(p.client_cn, sizeof(p.client_cn), "ncmec.example");
	assert_int_equal(pouch_partner_save(&f->h, &p, 0, NULL), 0);
	assert_int_equal(pouch_partner_load(&f->h, "US-NCMEC", &q, NULL), 0);
	assert_same(&p, &q);
	pouch_partner_release(&q);
	pouch_partner_release(&p);
}

/* What load would refuse is never written. */
static void test_partner__save_refuses_bad_tls_and_client_cn(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	fill(&p, "GB-MET");
	p.tls.client_cert = strdup("GB-MET.client.pem");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "goes with its key"));
	p.tls.client_key = strdup("US-NCMEC.client.key");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "client files are not"));
	free(p.tls.client_key);
	p.tls.client_key = strdup("GB-MET.client.key");
	p.tls.ca_file = strdup("../GB-MET.ca.pem");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "CA file is not 'GB-MET.ca.pem'"));
	free(p.tls.ca_file);
	p.tls.ca_file = NULL;
	snprintf(p.client_cn, sizeof(p.client_cn), "met\tclient");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "invalid client common name 'met\\x09client'"));
	assert_false(pouch_fs_exists(f->path));
	snprintf(p.client_cn, sizeof(p.client_cn), "met client");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), 0);
	pouch_partner_release(&p);
}

static void test_partner__client_cn_check(void **state)
{
	char long_cn[POUCH_CLIENT_CN_MAX + 2];

	(void)state;
	memset(long_cn, 'A', sizeof(long_cn) - 1);
	long_cn[sizeof(long_cn) - 1] = '\0';
	assert_int_equal(pouch_client_cn_check("GB-MET", NULL), 0);
	assert_int_equal(pouch_client_cn_check("a b ~ !", NULL), 0);
	assert_int_equal(pouch_client_cn_check(long_cn + 1, NULL), 0);
	assert_int_equal(pouch_client_cn_check(long_cn, NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("", NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("a\nb", NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("a\x7f", NULL), POUCH_E_USAGE);
	/* Decoded names: DN-special characters and UTF-8 text are plain characters. */
	assert_int_equal(pouch_client_cn_check("caf\xc3\xa9", NULL), 0);
	assert_int_equal(pouch_client_cn_check("Police, Force+1 \"q\" \\x", NULL), 0);
	assert_int_equal(pouch_client_cn_check("caf\xff", NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("a\xc2\x85", NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("a\xe2\x80\xae", NULL), POUCH_E_USAGE);
	assert_int_equal(pouch_client_cn_check("a\xe2\x81\xa6", NULL), POUCH_E_USAGE);
}

/* The limit counts characters, not bytes: 64 two-byte characters pass, 65 do not. */
static void test_partner__client_cn_utf8_length(void **state)
{
	char cn[2 * (POUCH_CLIENT_CN_MAX + 1) + 1];
	size_t i;

	(void)state;
	for (i = 0; i < POUCH_CLIENT_CN_MAX + 1; i++)
		memcpy(cn + 2 * i, "\xc3\xa9", 2);
	cn[2 * (POUCH_CLIENT_CN_MAX + 1)] = '\0';
	assert_int_equal(pouch_client_cn_check(cn, NULL), POUCH_E_USAGE);
	cn[2 * POUCH_CLIENT_CN_MAX] = '\0';
	assert_int_equal(pouch_client_cn_check(cn, NULL), 0);
}

/* pouchd's question: which agency does a client certificate's common name stand for? */
static void test_partner__by_client_cn(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char code[POUCH_CODE_MAX + 1];

	put_text(f->h.agency, "{\"format\":\"pouch-agency/1\",\"code\":\"GB-NCA-CEOP\","
		 "\"name\":\"CEOP\",\"created\":\"" T0 "\",\"keys\":[{\"fingerprint\":\"" FPR2
		 "\",\"created\":\"" T0 "\",\"expires\":null,\"retired\":null,"
		 "\"verify_until\":null}]}", 0600);
	put_met(f, HEAD NAME EP TLS CN("\"met.police.example\"") KEYS(KEY(FPR1)) TAIL);
	put_partner(f, "US-NCMEC.json", "{\"format\":\"pouch-partner/1\",\"code\":\"US-NCMEC\","
		    NAME EP TLS KEYS(KEY(FPR2)) TAIL);
	assert_int_equal(pouch_partner_by_client_cn(&f->h, "GB-NCA-CEOP", code, &err), 0);
	assert_string_equal(code, "GB-NCA-CEOP");
	assert_int_equal(pouch_partner_by_client_cn(&f->h, "met.police.example", code, &err), 0);
	assert_string_equal(code, "GB-MET");
	assert_int_equal(pouch_partner_by_client_cn(&f->h, "US-NCMEC", code, &err), 0);
	assert_string_equal(code, "US-NCMEC");
	/* With a client_cn of its own, a partner's code no longer names it. */
	assert_int_equal(pouch_partner_by_client_cn(&f->h, "GB-MET", code, &err),
			 POUCH_E_NOTFOUND);
	assert_string_equal(code, "");
	assert_non_null(strstr(err.msg, "'GB-MET'"));
	/* One name for two agencies fails closed. */
	put_partner(f, "AU-AFP.json", "{\"format\":\"pouch-partner/1\",\"code\":\"AU-AFP\","
		    NAME EP TLS CN("\"US-NCMEC\"") KEYS(KEY(FPR2)) TAIL);
	assert_int_equal(pouch_partner_by_client_cn(&f->h, "US-NCMEC", code, &err),
			 POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "names both 'AU-AFP' and 'US-NCMEC'"));
	assert_string_equal(code, "");
}

static void test_partner__save_exclusive_keeps_existing(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p, q;
	char *before = NULL, *after = NULL;

	fill(&p, "GB-MET");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, NULL), 0);
	assert_int_equal(pouch_fs_read(f->path, 1 << 20, &before, NULL, NULL), 0);
	snprintf(p.name, sizeof(p.name), "Someone Else");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_EXISTS);
	assert_int_equal(err.code, POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, "'GB-MET'"));
	assert_int_equal(pouch_fs_read(f->path, 1 << 20, &after, NULL, NULL), 0);
	assert_string_equal(before, after);
	/* Not exclusive: replaced. */
	assert_int_equal(pouch_partner_save(&f->h, &p, 0, NULL), 0);
	assert_int_equal(pouch_partner_load(&f->h, "GB-MET", &q, NULL), 0);
	assert_string_equal(q.name, "Someone Else");
	pouch_partner_release(&q);
	pouch_partner_release(&p);
	free(before);
	free(after);
}

static void test_partner__save_without_keys_refused(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	struct pouch_partner p;

	memset(&p, 0, sizeof(p));
	snprintf(p.code, sizeof(p.code), "GB-MET");
	assert_int_equal(pouch_partner_save(&f->h, &p, 1, &err), POUCH_E_USAGE);
	assert_non_null(strstr(err.msg, "no key"));
	assert_false(pouch_fs_exists(f->path));
}

/* REPORTED BUG: partner.h says save "Validates and writes p", but it validates nothing; a
 * code like "../ESCAPE" writes outside partners/. */
static void test_partner__save_refuses_invalid_code(void **state)
{
	struct fixture *f = *state;
	struct pouch_partner p;
	char escaped[96];
	int ret;

	fill(&p, "../ESCAPE");
	ret = pouch_partner_save(&f->h, &p, 1, NULL);
	pouch_partner_release(&p);
	snprintf(escaped, sizeof(escaped), "%s/ESCAPE.json", f->dir);
	assert_false(pouch_fs_exists(escaped));
	assert_int_equal(ret, POUCH_E_USAGE);
}

static void test_partner__codes_sorted_and_filtered(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = { "US-NCMEC.json", "GB-MET.json", "AU-AFP.json",
					      "x.json.tmp.abc", "GB-MET.json.tmp.Ab12Cd",
					      "GB-MET.ca.pem", "lowercase.json", ".hidden",
					      ".json", "A.json", "-X.json", "GB_MET.json",
					      "GB-MET.JSON", "README" };
	char **codes = NULL;
	size_t i, n = 99;

	assert_int_equal(pouch_partner_codes(&f->h, &codes, &n, NULL), 0);
	assert_int_equal(n, 0);
	pouch_partner_codes_free(codes, n);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put_partner(f, names[i], "{}");
	assert_int_equal(pouch_partner_codes(&f->h, &codes, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(codes[0], "AU-AFP");
	assert_string_equal(codes[1], "GB-MET");
	assert_string_equal(codes[2], "US-NCMEC");
	pouch_partner_codes_free(codes, n);
	pouch_partner_codes_free(NULL, 0);
}

static void test_partner__codes_without_directory_is_io(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	char **codes = NULL;
	size_t n = 0;

	assert_int_equal(pouch_fs_remove_tree(f->h.partners, NULL), 0);
	assert_int_equal(pouch_partner_codes(&f->h, &codes, &n, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->h.partners));
	assert_null(codes);
}

static void test_partner__json_state_only_when_given(void **state)
{
	const enum pouch_key_state states[] = { POUCH_KEY_ENDED, POUCH_KEY_VALID };
	struct pouch_partner p;
	json_t *j = NULL, *k;
	char *text;

	(void)state;
	fill(&p, "US-NCMEC");
	text = pouch_partner_json(&p, NULL, 0);
	assert_non_null(text);
	assert_null(strstr(text, "\"state\""));
	assert_null(strchr(text, '\n'));
	assert_int_equal(pouch_json_parse("output", text, strlen(text), &j, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(j, "code")), "US-NCMEC");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "tls"), "pin")),
			    PIN);
	assert_true(json_is_null(json_object_get(j, "client")));
	assert_true(json_is_null(json_object_get(j, "client_cn")));
	k = json_array_get(json_object_get(j, "keys"), 0);
	assert_string_equal(json_string_value(json_object_get(k, "fingerprint")), FPR1);
	assert_string_equal(json_string_value(json_object_get(k, "valid_until")), T2);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "keys"), 1),
						 "revoked")));
	json_decref(j);
	free(text);
	text = pouch_partner_json(&p, states, 1);
	assert_non_null(text);
	assert_non_null(strchr(text, '\n'));
	assert_int_equal(pouch_json_parse("output", text, strlen(text), &j, NULL), 0);
	k = json_object_get(j, "keys");
	assert_string_equal(json_string_value(json_object_get(json_array_get(k, 0), "state")),
			    "ended");
	assert_string_equal(json_string_value(json_object_get(json_array_get(k, 1), "state")),
			    "valid");
	json_decref(j);
	free(text);
	pouch_partner_release(&p);
}

static void test_partner__key_state_names(void **state)
{
	(void)state;
	assert_string_equal(pouch_key_state_name(POUCH_KEY_VALID), "valid");
	assert_string_equal(pouch_key_state_name(POUCH_KEY_NOT_YET), "not-yet-valid");
	assert_string_equal(pouch_key_state_name(POUCH_KEY_ENDED), "ended");
	assert_string_equal(pouch_key_state_name(POUCH_KEY_EXPIRED), "expired");
	assert_string_equal(pouch_key_state_name(POUCH_KEY_REVOKED), "revoked");
	assert_string_equal(pouch_key_state_name(POUCH_KEY_MISSING), "missing");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_met, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_partner__valid_record_loads),
		T(test_partner__null_name_endpoint_tls_and_ca_file),
		T(test_partner__ca_and_pin_client_and_client_cn_load),
		T(test_partner__missing_is_notfound),
		T(test_partner__save_load_round_trip),
		T(test_partner__save_exclusive_keeps_existing),
		T(test_partner__save_without_keys_refused),
		T(test_partner__save_refuses_invalid_code),
		T(test_partner__save_refuses_bad_tls_and_client_cn),
		T(test_partner__by_client_cn),
		cmocka_unit_test(test_partner__client_cn_check),
		cmocka_unit_test(test_partner__client_cn_utf8_length),
		T(test_partner__codes_sorted_and_filtered),
		T(test_partner__codes_without_directory_is_io),
		cmocka_unit_test(test_partner__json_state_only_when_given),
		cmocka_unit_test(test_partner__key_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
