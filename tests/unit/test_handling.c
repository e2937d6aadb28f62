/* Unit tests for pkg/package/handling.c and ceiling.c: each onward-dissemination rule refuses
 * with its name and message and has its permitted path; the strictest rule is the one named;
 * the classification ceiling and its settings file. */
#include "fixture.h"

#include "package/handling.h"

static const char *const named[] = { "GB-MET", "GB-KENT" };

/* A report with the given markings, NULL members left out. */
static json_t *report(const char *scheme, const char *codes, const char *tlp,
		      const char *caveats, const char *tier)
{
	char text[1024];
	json_t *j = NULL;

	snprintf(text, sizeof(text),
		 "{\"header\":{\"originator\":{\"agency\":\"GB-CEOP\"}},\"handling\":{"
		 "\"classification\":{\"tier\":\"%s\",\"caveats\":[%s]},"
		 "%s%s%s\"scheme\":\"%s\",\"codes\":[%s]}}",
		 tier ? tier : "OFFICIAL", caveats ? caveats : "", tlp ? "\"tlp\":\"" : "",
		 tlp ? tlp : "", tlp ? "\"," : "", scheme, codes);
	assert_int_equal(pouch_json_parse("t", text, strlen(text), &j, NULL), 0);
	return j;
}

/* Checks forwarding r from GB-MET (which holds a package GB-CEOP sent to named) to `to`,
 * with a permission for grantee (or none): want 0, or a refusal by rule. */
static void check(json_t *r, const char *to, const char *grantee, const char *rule)
{
	struct pouch_forward_ctx c = { r, "GB-MET", "GB-NCA", named, 2, grantee };
	struct pouch_err err = { 0 };
	char want[128];
	int ret = pouch_handling_forward_check(&c, to, &err);

	if (!rule) {
		if (ret)
			fail_msg("refused: %s", err.msg);
		return;
	}
	assert_int_equal(ret, POUCH_E_REFUSED);
	snprintf(want, sizeof(want), "forwarding to '%s' is refused by rule %s: ", to, rule);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("expected '%s...', got '%s'", want, err.msg);
}

static void test_handling__3x5x2_p_goes_anywhere(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", "TLP:GREEN", NULL, NULL);

	(void)state;
	check(r, "US-NCMEC", NULL, NULL);
	check(r, "INT-EUROPOL", NULL, NULL);
	json_decref(r);
}

static void test_handling__3x5x2_c_needs_permission(void **state)
{
	json_t *r = report("uk-3x5x2", "\"C\"", NULL, NULL, NULL);
	struct pouch_forward_ctx c = { r, "GB-MET", "GB-NCA", named, 2, NULL };
	struct pouch_err err = { 0 };

	(void)state;
	assert_int_equal(pouch_handling_forward_check(&c, "US-NCMEC", &err), POUCH_E_REFUSED);
	assert_string_equal(err.msg, "forwarding to 'US-NCMEC' is refused by rule 3x5x2-C: "
			    "handling code C allows sharing only on the originator's conditions: "
			    "forwarding needs its permission");
	check(r, "US-NCMEC", "US-NCMEC", NULL);
	/* A permission for another agency permits nothing here. */
	check(r, "US-NCMEC", "GB-KENT", "3x5x2-C");
	json_decref(r);
}

static void test_handling__europol_h2_needs_permission(void **state)
{
	json_t *r = report("europol-4x4", "\"H0\",\"H2\"", NULL, NULL, NULL);
	json_t *ok = report("europol-4x4", "\"H0\",\"H1\"", NULL, NULL, NULL);

	(void)state;
	check(r, "DE-BKA", NULL, "europol-H2");
	check(r, "DE-BKA", "DE-BKA", NULL);
	check(ok, "DE-BKA", NULL, NULL);
	json_decref(r);
	json_decref(ok);
}

static void test_handling__5x5x5_5_needs_permission(void **state)
{
	json_t *r = report("uk-5x5x5", "\"5\"", NULL, NULL, NULL);

	(void)state;
	check(r, "GB-KENT", NULL, "5x5x5-5");
	check(r, "GB-KENT", "GB-KENT", NULL);
	json_decref(r);
}

static void test_handling__5x5x5_4_never_leaves_the_originator(void **state)
{
	json_t *r = report("uk-5x5x5", "\"4\"", NULL, NULL, NULL);

	(void)state;
	check(r, "GB-KENT", NULL, "5x5x5-4");
	/* Not even with a permission. */
	check(r, "GB-KENT", "GB-KENT", "5x5x5-4");
	/* Back to the originator (the first sender, or the report's originator agency). */
	check(r, "GB-NCA", NULL, NULL);
	check(r, "GB-CEOP", NULL, NULL);
	json_decref(r);
}

static void test_handling__5x5x5_1_goes(void **state)
{
	json_t *r = report("uk-5x5x5", "\"1\"", NULL, NULL, NULL);

	(void)state;
	check(r, "GB-KENT", NULL, NULL);
	json_decref(r);
}

static void test_handling__tlp_red_stays_with_named_recipients(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", "TLP:RED", NULL, NULL);

	(void)state;
	check(r, "GB-SUSSEX", NULL, "tlp-red");
	check(r, "GB-KENT", NULL, NULL); /* named on the package */
	check(r, "GB-SUSSEX", "GB-SUSSEX", NULL);
	json_decref(r);
}

static void test_handling__tlp_amber_strict_stays_in_our_organisation(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", "TLP:AMBER+STRICT", NULL, NULL);
	json_t *amber = report("uk-3x5x2", "\"P\"", "TLP:AMBER", NULL, NULL);

	(void)state;
	check(r, "GB-KENT", NULL, "tlp-amber-strict");
	check(r, "GB-MET", NULL, NULL);
	check(r, "GB-KENT", "GB-KENT", NULL);
	check(amber, "GB-KENT", NULL, NULL);
	json_decref(r);
	json_decref(amber);
}

static void test_handling__uk_eyes_only_goes_to_gb_agencies_only(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", NULL, "\"UK EYES ONLY\"", NULL);
	struct pouch_forward_ctx c = { r, "GB-MET", "GB-NCA", named, 2, "US-NCMEC" };
	struct pouch_err err = { 0 };

	(void)state;
	check(r, "GB-KENT", NULL, NULL);
	check(r, "US-NCMEC", NULL, "caveat");
	/* A permission does not lift a nationality caveat. */
	assert_int_equal(pouch_handling_forward_check(&c, "US-NCMEC", &err), POUCH_E_REFUSED);
	assert_string_equal(err.msg, "forwarding to 'US-NCMEC' is refused by rule caveat: caveat "
			    "'UK EYES ONLY' allows agencies of GB only, and 'US-NCMEC' is of "
			    "another country");
	/* No country prefix (an international body, an old code): fail closed. */
	check(r, "INT-EUROPOL", NULL, "caveat");
	check(r, "NCA", NULL, "caveat");
	json_decref(r);
}

static void test_handling__five_eyes_caveat_and_unknown_caveats(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", NULL, "\"AUS/CAN/NZ/UK/US EYES ONLY\"", NULL);
	json_t *odd = report("uk-3x5x2", "\"P\"", NULL, "\"REL TO ATLANTIS\"", NULL);

	(void)state;
	check(r, "US-NCMEC", NULL, NULL);
	check(r, "CA-RCMP", NULL, NULL);
	check(r, "DE-BKA", NULL, "caveat");
	check(odd, "GB-KENT", NULL, "caveat");
	json_decref(r);
	json_decref(odd);
}

static void test_handling__the_strictest_rule_is_named(void **state)
{
	/* Caveat over everything; 5x5x5 4 over TLP; TLP over the handling code. */
	json_t *a = report("uk-5x5x5", "\"4\"", "TLP:RED", "\"UK EYES ONLY\"", NULL);
	json_t *b = report("uk-5x5x5", "\"4\"", "TLP:RED", NULL, NULL);
	json_t *d = report("uk-3x5x2", "\"C\"", "TLP:RED", NULL, NULL);

	(void)state;
	check(a, "US-NCMEC", NULL, "caveat");
	check(b, "US-NCMEC", NULL, "5x5x5-4");
	check(d, "US-NCMEC", NULL, "tlp-red");
	json_decref(a);
	json_decref(b);
	json_decref(d);
}

static void test_handling__unmarked_reports_are_refused(void **state)
{
	static const char *const texts[] = {
		"{}", "{\"handling\":{}}",
		"{\"handling\":{\"classification\":{},\"scheme\":\"9x9x9\",\"codes\":[\"P\"]}}",
		"{\"handling\":{\"classification\":{},\"scheme\":\"uk-3x5x2\",\"codes\":[]}}",
		"{\"handling\":{\"classification\":{},\"scheme\":\"uk-3x5x2\",\"codes\":[\"P\"],"
		"\"tlp\":\"PURPLE\"}}",
		"{\"handling\":{\"classification\":{\"caveats\":\"UK EYES ONLY\"},"
		"\"scheme\":\"uk-3x5x2\",\"codes\":[\"P\"]}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *r = NULL;
		assert_int_equal(pouch_json_parse("t", texts[i], strlen(texts[i]), &r, NULL), 0);
		check(r, "GB-KENT", NULL, "unmarked");
		json_decref(r);
	}
}

static void test_handling__every_recipient_is_checked(void **state)
{
	json_t *r = report("uk-3x5x2", "\"P\"", NULL, "\"UK EYES ONLY\"", NULL);
	struct pouch_forward_ctx c = { r, "GB-MET", "GB-NCA", named, 2, NULL };
	const char *to[] = { "GB-KENT", "US-NCMEC" };
	struct pouch_err err = { 0 };

	(void)state;
	assert_int_equal(pouch_handling_forward_check_all(&c, to, 1, &err), 0);
	assert_int_equal(pouch_handling_forward_check_all(&c, to, 2, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "'US-NCMEC'"));
	json_decref(r);
}

static void test_ceiling__tiers_parse_and_name(void **state)
{
	enum pouch_tier t;

	(void)state;
	assert_int_equal(pouch_tier_parse("top secret", &t, NULL), 0);
	assert_int_equal(t, POUCH_TIER_TOP_SECRET);
	assert_string_equal(pouch_tier_name(t), "TOP SECRET");
	assert_int_equal(pouch_tier_parse("OFFICIAL-SENSITIVE", &t, NULL), POUCH_E_USAGE);
	assert_null(pouch_tier_name(POUCH_TIER_NONE));
}

static void test_ceiling__refuses_above_and_allows_at_or_below(void **state)
{
	struct fixture *f = *state;
	struct pouch_err err = { 0 };
	enum pouch_tier t;

	assert_int_equal(pouch_ceiling_check(&f->h, "TOP SECRET", "the package", NULL), 0);
	assert_int_equal(pouch_ceiling_save(&f->h, POUCH_TIER_SECRET, NULL), 0);
	assert_int_equal(pouch_ceiling_load(&f->h, &t, NULL), 0);
	assert_int_equal(t, POUCH_TIER_SECRET);
	assert_int_equal(pouch_ceiling_check(&f->h, "OFFICIAL", "the package", NULL), 0);
	assert_int_equal(pouch_ceiling_check(&f->h, "SECRET", "the package", NULL), 0);
	assert_int_equal(pouch_ceiling_check(&f->h, NULL, "the package", NULL), 0);
	assert_int_equal(pouch_ceiling_check(&f->h, "TOP SECRET", "the package", &err),
			 POUCH_E_REFUSED);
	assert_string_equal(err.msg, "the package is refused: it is classified TOP SECRET, above "
			    "this installation's ceiling SECRET");
	/* What is no tier fails closed under a ceiling. */
	assert_int_equal(pouch_ceiling_check(&f->h, "secret", "x", NULL), POUCH_E_REFUSED);
	assert_int_equal(pouch_ceiling_check(&f->h, "COSMIC", "x", NULL), POUCH_E_REFUSED);
	assert_int_equal(pouch_ceiling_save(&f->h, POUCH_TIER_NONE, NULL), 0);
	assert_int_equal(pouch_ceiling_check(&f->h, "COSMIC", "x", NULL), 0);
}

static void test_ceiling__report_and_header(void **state)
{
	struct fixture *f = *state;
	json_t *ts = report("uk-3x5x2", "\"P\"", NULL, NULL, "TOP SECRET");
	const char *h1 = "{\"classification\":\"TOP SECRET\"}", *h2 = "{\"id\":\"x\"}";
	const char *h3 = "{\"classification\":{\"tier\":\"TOP SECRET\"}}";

	assert_int_equal(pouch_ceiling_save(&f->h, POUCH_TIER_OFFICIAL, NULL), 0);
	assert_int_equal(pouch_ceiling_check_report(&f->h, ts, "r", NULL), POUCH_E_REFUSED);
	assert_int_equal(pouch_ceiling_check_header(&f->h, h1, strlen(h1), "p", NULL),
			 POUCH_E_REFUSED);
	assert_int_equal(pouch_ceiling_check_header(&f->h, h3, strlen(h3), "p", NULL),
			 POUCH_E_REFUSED);
	assert_int_equal(pouch_ceiling_check_header(&f->h, h2, strlen(h2), "p", NULL), 0);
	json_decref(ts);
}

static void test_ceiling__a_corrupt_setting_fails_closed(void **state)
{
	struct fixture *f = *state;
	enum pouch_tier t;

	put_text(at(f, "handling.json"), "{\"ceiling\":\"secret\"}", 0600);
	assert_int_equal(pouch_ceiling_load(&f->h, &t, NULL), POUCH_E_CORRUPT);
	assert_int_equal(pouch_ceiling_check(&f->h, "OFFICIAL", "x", NULL), POUCH_E_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handling__3x5x2_p_goes_anywhere),
		cmocka_unit_test(test_handling__3x5x2_c_needs_permission),
		cmocka_unit_test(test_handling__europol_h2_needs_permission),
		cmocka_unit_test(test_handling__5x5x5_5_needs_permission),
		cmocka_unit_test(test_handling__5x5x5_4_never_leaves_the_originator),
		cmocka_unit_test(test_handling__5x5x5_1_goes),
		cmocka_unit_test(test_handling__tlp_red_stays_with_named_recipients),
		cmocka_unit_test(test_handling__tlp_amber_strict_stays_in_our_organisation),
		cmocka_unit_test(test_handling__uk_eyes_only_goes_to_gb_agencies_only),
		cmocka_unit_test(test_handling__five_eyes_caveat_and_unknown_caveats),
		cmocka_unit_test(test_handling__the_strictest_rule_is_named),
		cmocka_unit_test(test_handling__unmarked_reports_are_refused),
		cmocka_unit_test(test_handling__every_recipient_is_checked),
		cmocka_unit_test(test_ceiling__tiers_parse_and_name),
		cmocka_unit_test_setup_teardown(test_ceiling__refuses_above_and_allows_at_or_below,
						setup_home, teardown),
		cmocka_unit_test_setup_teardown(test_ceiling__report_and_header, setup_home,
						teardown),
		cmocka_unit_test_setup_teardown(test_ceiling__a_corrupt_setting_fails_closed,
						setup_home, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
