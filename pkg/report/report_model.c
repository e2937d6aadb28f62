/* The report's members as tables (spec/report.md sections 2 to 11), one spec per JSON Schema
 * definition of spec/report.schema.json; report.c adds the rules that depend on other members. */
#include "report/report_model.h"

#define VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define S_MAX 9007199254740991LL

/* Patterns: spec/report.schema.json's, in POSIX ERE (which refuses a final newline itself). */
#define DATE_RE "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
#define TIME_RE DATE_RE "T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)([.][0-9]+)?" \
		"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
#define MTYPE_RE "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"

const struct spec report_text = {.kind = K_TEXT, .what = "text"};
static const struct spec texts = {.kind = K_ARRAY, .what = "an array of text",
				  .elem = &report_text};
static const struct spec time_ = {.kind = K_PATTERN, .pattern = "^" TIME_RE "$",
				  .what = "an RFC 3339 time (2026-11-23T10:21:00Z)"};
static const struct spec date = {.kind = K_PATTERN, .pattern = "^" DATE_RE "$",
				 .what = "a date (YYYY-MM-DD)"};
const struct spec report_agency = {.kind = K_PATTERN,
				   .pattern = "^[A-Z0-9][A-Z0-9-]{0,30}[A-Z0-9]$",
				   .what = "an agency code (2 to 32 of A-Z, 0-9 and '-')"};
static const struct spec phone = {.kind = K_PATTERN, .pattern = "^[+][1-9][0-9]{1,14}$",
				  .what = "an E.164 phone number (+441632960000)"};
static const struct spec email = {.kind = K_PATTERN, .pattern = "^[^@ \t\r\n]+@[^@ \t\r\n]+$",
				  .what = "an e-mail address"};
const struct spec report_country = {.kind = K_PATTERN, .pattern = "^[A-Z]{2}$",
				    .what = "an ISO 3166-1 alpha-2 country code (GB)"};
static const struct spec url = {.kind = K_PATTERN, .pattern = "^https?://[^ \t\r\n]+$",
				.what = "an http:// or https:// URL"};
static const struct spec ip = {
	.kind = K_PATTERN,
	.pattern = "^([0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}|"
		   "[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$",
	.what = "an IPv4 or IPv6 address"};
static const struct spec md5 = {.kind = K_PATTERN, .pattern = "^[0-9a-f]{32}$",
				.what = "an MD5 digest (32 lower-case hex digits)"};
static const struct spec sha1 = {.kind = K_PATTERN, .pattern = "^[0-9a-f]{40}$",
				 .what = "a SHA-1 digest (40 lower-case hex digits)"};
static const struct spec sha256 = {.kind = K_PATTERN, .pattern = "^[0-9a-f]{64}$",
				   .what = "a SHA-256 digest (64 lower-case hex digits)"};
static const struct spec media_type = {.kind = K_PATTERN,
				       .pattern = "^" MTYPE_RE "/" MTYPE_RE "$",
				       .what = "a media type (type/subtype)"};
static const struct spec size = {.kind = K_INT, .what = "a size in bytes", .lo = 0, .hi = S_MAX};
static const struct spec boolean = {.kind = K_BOOL, .what = "true or false"};
static const struct spec any_string = {.kind = K_STRING, .what = "a string"};

/* Routing (section 13): a person's id, the ids an element is about, or shared context. */
#define PERSON_ID_RE "[A-Za-z0-9][A-Za-z0-9._-]{0,31}"
static const struct spec person_id = {
	.kind = K_PATTERN, .pattern = "^" PERSON_ID_RE "$",
	.what = "a person id (1 to 32 of A-Z, a-z, 0-9, '.', '_', '-', first a letter or digit)"};
static const struct spec about = {.kind = K_ARRAY, .what = "an array of person ids",
				  .elem = &person_id, .min = 1, .unique = 1};
static const struct spec shared = {.kind = K_TRUE,
				   .what = "true (left out when the element is not shared)"};
#define ROUTED {"about", 0, &about}, {"shared", 0, &shared}

#define ENUM(name, text, ...) \
	static const struct spec name = {.kind = K_ENUM, .what = text, .values = VALUES(__VA_ARGS__)}

ENUM(format, "the report format", POUCH_REPORT_FORMAT);
ENUM(referral_source, "a referral source", "ncmec-cybertip", "industry",
     "international-partner", "public", "internal", "other");
ENUM(ref_scheme, "a reference scheme", "ncmec", "siena", "interpol", "icse", "caid", "force",
     "other");
const char *const pouch_report_tiers[] = {"OFFICIAL", "SECRET", "TOP SECRET", NULL};
const char *const pouch_report_tlps[] = {"TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN",
					 "TLP:CLEAR", NULL};
static const struct spec tier = {.kind = K_ENUM, .what = "a classification tier",
				 .values = pouch_report_tiers};
static const struct spec tlp = {.kind = K_ENUM, .what = "a TLP label",
				.values = pouch_report_tlps};
ENUM(scheme, "a grading scheme", "uk-3x5x2", "uk-5x5x5", "europol-4x4");
ENUM(level, "a priority level", "immediate", "urgent", "routine", "information");
ENUM(offence_type, "an offence type", "csam-possession", "csam-manufacture",
     "csam-distribution", "child-sex-trafficking", "child-sex-tourism",
     "child-sexual-molestation", "misleading-domain-name", "misleading-words-or-images",
     "online-enticement", "unsolicited-obscene-material", "other");
ENUM(item_kind, "an item kind", "intelligence", "provenance");
ENUM(role, "a person's role", "suspect", "victim", "intended-recipient", "reporter", "witness",
     "associate");
ENUM(risk_flag, "a risk flag", "access-to-children", "access-to-firearms",
     "registered-sex-offender");
ENUM(ip_event_kind, "an IP event", "login", "registration", "purchase", "upload", "other",
     "unknown");
ENUM(device_type, "a device id type", "imei", "iccid", "imsi", "meid", "mac", "advertising-id",
     "other");
ENUM(category_scheme, "a category scheme", "uk-sentencing", "uk-legacy", "project-vic", "other");
ENUM(media_flag, "a media flag", "publicly-available", "victim-identified", "self-generated",
     "interpol-baseline");
ENUM(action_kind, "an action", "safeguarding-visit", "data-preservation", "subscriber-check",
     "victim-identification", "arrest", "search", "deconfliction", "intelligence-development",
     "other");

#define ARRAY(name, text, of) \
	static const struct spec name = {.kind = K_ARRAY, .what = text, .elem = &of}
#define OBJECT(name, text, ...) \
	static const struct spec name = {.kind = K_OBJECT, .what = text, \
					 .members = (const struct member[]){__VA_ARGS__, {0}}}

OBJECT(originator, "the originator: agency, unit, officer, contact_24x7",
       {"agency", 1, &report_agency}, {"unit", 1, &report_text}, {"officer", 1, &report_text},
       {"contact_24x7", 1, &report_text});
OBJECT(ext_ref, "an external reference: scheme, value",
       {"scheme", 1, &ref_scheme}, {"value", 1, &report_text});
ARRAY(ext_refs, "an array of external references", ext_ref);
static const struct spec version = {.kind = K_INT, .what = "a version", .lo = 1, .hi = S_MAX};
OBJECT(header, "the header: reference, title, created, originator",
       {"reference", 1, &report_text}, {"version", 0, &version}, {"title", 1, &report_text},
       {"created", 1, &time_}, {"originator", 1, &originator},
       {"referral_source", 0, &referral_source}, {"external_references", 0, &ext_refs});

static const struct spec caveats = {.kind = K_ARRAY, .what = "an array of caveats",
				    .elem = &report_text, .unique = 1};
OBJECT(classification, "the classification: tier, sensitive, caveats",
       {"tier", 1, &tier}, {"sensitive", 1, &boolean}, {"caveats", 1, &caveats});
static const struct spec codes = {.kind = K_ARRAY, .what = "an array of handling codes",
				  .elem = &any_string, .min = 1, .unique = 1};
OBJECT(handling, "the handling: classification, tlp, scheme, codes, purpose, legal_basis",
       {"classification", 1, &classification}, {"tlp", 1, &tlp}, {"scheme", 1, &scheme},
       {"codes", 1, &codes}, {"conditions", 0, &report_text}, {"purpose", 1, &report_text},
       {"legal_basis", 1, &report_text}, {"permissions", 0, &texts},
       {"review_date", 0, &date}, {"source_reference", 0, &report_text});

OBJECT(source_priority, "the source's priority: scheme, value",
       {"scheme", 1, &report_text}, {"value", 1, &report_text});
OBJECT(priority, "the priority: level",
       {"level", 1, &level}, {"reason", 0, &report_text}, {"respond_by", 0, &time_},
       {"contact_24x7", 0, &report_text}, {"source_priority", 0, &source_priority});

OBJECT(offence, "an offence: type", {"type", 1, &offence_type}, {"annotations", 0, &texts},
       {"details", 0, &report_text}, ROUTED);
ARRAY(offences, "an array of offences", offence);

static const struct spec item_n = {.kind = K_INT, .what = "an item number", .lo = 1,
				   .hi = S_MAX};
static const struct spec any_object = {.kind = K_ANYOBJ, .what = "a grade (an object)"};
OBJECT(item, "an item: n, text, grade", {"n", 1, &item_n}, {"kind", 0, &item_kind},
       {"text", 1, &report_text}, {"grade", 1, &any_object}, ROUTED);
static const struct spec items = {.kind = K_ARRAY, .what = "an array of graded items",
				  .elem = &item, .min = 1};

ARRAY(phones, "an array of phone numbers", phone);
ARRAY(emails, "an array of e-mail addresses", email);
ARRAY(urls, "an array of URLs", url);
OBJECT(account, "an online account: service", {"service", 1, &report_text},
       {"user_id", 0, &report_text}, {"screen_names", 0, &texts}, {"profile_urls", 0, &urls});
ARRAY(accounts, "an array of online accounts", account);
static const struct spec port = {.kind = K_INT, .what = "a port", .lo = 0, .hi = 65535};
OBJECT(ip_event, "an IP event: address, event, time", {"address", 1, &ip},
       {"port", 0, &port}, {"event", 1, &ip_event_kind}, {"time", 1, &time_});
ARRAY(ip_events, "an array of IP events", ip_event);
OBJECT(device_id, "a device id: type, value", {"type", 1, &device_type},
       {"value", 1, &report_text});
ARRAY(device_ids, "an array of device ids", device_id);
static const struct spec risk_flags = {.kind = K_ARRAY, .what = "an array of risk flags",
				       .elem = &risk_flag, .unique = 1};
OBJECT(victim, "a victim's status: identified", {"identified", 1, &boolean},
       {"safeguarding", 0, &report_text});
static const struct spec age = {.kind = K_INT, .what = "an age", .lo = 0, .hi = 130};
OBJECT(location, "a location: country, region, postcode", {"country", 1, &report_country},
       {"region", 0, &report_text}, {"postcode", 0, &report_text});
OBJECT(person, "a person: role", {"role", 1, &role}, {"id", 0, &person_id},
       {"names", 0, &texts}, {"dob", 0, &date},
       {"approx_age", 0, &age}, {"addresses", 0, &texts}, {"phones", 0, &phones},
       {"emails", 0, &emails}, {"accounts", 0, &accounts}, {"ip_events", 0, &ip_events},
       {"device_ids", 0, &device_ids}, {"country", 0, &report_country},
       {"location", 0, &location}, {"risk_flags", 0, &risk_flags}, {"victim", 0, &victim});
ARRAY(persons, "an array of persons", person);

static const struct spec hashes = {
	.kind = K_OBJECT, .what = "at least one of md5, sha1, sha256", .min = 1,
	.members = (const struct member[]){{"md5", 0, &md5}, {"sha1", 0, &sha1},
					   {"sha256", 0, &sha256}, {0}}};
OBJECT(category, "a category: scheme, code", {"scheme", 1, &category_scheme},
       {"code", 1, &report_text});
ARRAY(categories, "an array of categories", category);
static const struct spec media_flags = {.kind = K_ARRAY, .what = "an array of media flags",
					.elem = &media_flag, .unique = 1};
OBJECT(medium, "a media file: hashes, viewed_by_provider", {"hashes", 1, &hashes},
       {"name", 0, &report_text}, {"size", 0, &size}, {"media_type", 0, &media_type},
       {"categories", 0, &categories}, {"graded_by", 0, &report_text},
       {"grade_trusted", 0, &boolean}, {"viewed_by_provider", 1, &boolean},
       {"flags", 0, &media_flags}, ROUTED);
ARRAY(media, "an array of media", medium);

OBJECT(action, "an action: action, due", {"action", 1, &action_kind},
       {"details", 0, &report_text}, {"due", 1, &time_}, ROUTED);
ARRAY(actions, "an array of actions", action);

static const struct spec att_name = {.kind = K_NAME, .what = "a file name (1 to 255 characters)"};
OBJECT(attachment, "an attachment: name", {"name", 1, &att_name}, {"size", 0, &size},
       {"sha256", 0, &sha256}, {"media_type", 0, &media_type}, ROUTED);
ARRAY(attachments, "an array of attachments", attachment);

const struct spec report_spec = {
	.kind = K_OBJECT,
	.what = "a JSON object",
	.members = (const struct member[]){
		{"format", 1, &format}, {"header", 1, &header}, {"handling", 1, &handling},
		{"priority", 1, &priority}, {"offences", 0, &offences}, {"items", 1, &items},
		{"persons", 0, &persons}, {"media", 0, &media}, {"actions", 0, &actions},
		{"attachments", 0, &attachments}, {0}}};

/* Grades and handling codes by scheme (section 4 and 7). */
ENUM(src_3x5x2, "a 3x5x2 source evaluation", "1", "2", "3");
ENUM(int_3x5x2, "a 3x5x2 intelligence assessment", "A", "B", "C", "D", "E");
ENUM(src_5x5x5, "a 5x5x5 source evaluation", "A", "B", "C", "D", "E");
ENUM(int_5x5x5, "a 5x5x5 intelligence evaluation", "1", "2", "3", "4", "5");
ENUM(src_4x4, "a Europol source reliability", "A", "B", "C", "X");
ENUM(acc_4x4, "a Europol information accuracy", "1", "2", "3", "4");
OBJECT(grade_3x5x2, "a 3x5x2 grade: source, intelligence", {"source", 1, &src_3x5x2},
       {"intelligence", 1, &int_3x5x2});
OBJECT(grade_5x5x5, "a 5x5x5 grade: source, intelligence", {"source", 1, &src_5x5x5},
       {"intelligence", 1, &int_5x5x5});
OBJECT(grade_4x4, "a Europol 4x4 grade: source, accuracy", {"source", 1, &src_4x4},
       {"accuracy", 1, &acc_4x4});

const struct scheme report_schemes[] = {
	{"uk-3x5x2", "3x5x2", VALUES("P", "C"), 1, VALUES("C"), &grade_3x5x2},
	{"uk-5x5x5", "5x5x5", VALUES("1", "2", "3", "4", "5"), 1, VALUES("2", "3", "5"),
	 &grade_5x5x5},
	{"europol-4x4", "Europol", VALUES("H0", "H1", "H2", "H3"), 0, VALUES("H3"), &grade_4x4},
	{0},
};

/* Category codes by category scheme (section 9); the others take any text. */
const struct category_scheme report_categories[] = {
	{"uk-sentencing", "UK Sentencing Council category", VALUES("A", "B", "C")},
	{"uk-legacy", "UK legacy level", VALUES("1", "2", "3", "4", "5")},
	{0},
};
