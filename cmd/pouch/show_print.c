/* pouch show's view for people: the markings first, then the conditions and the priority, then
 * the rest of the report; every piece of report text is written through show_text. */
#include <ctype.h>
#include <string.h>

#include "show_print.h"
#include "base/validate.h"
#include "report/report_meaning.h"

#define RULE "========================================================================"
#define ALARM "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
#define IND "    "    /* continuation of an entry's lines */
#define IND2 "        " /* continuation of text inside an entry */

void show_text(FILE *f, const char *s, const char *cont)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t n, i;

	for (; *p; p += n) {
		n = pouch_utf8_seq(p);
		if (n == 0) {
			fprintf(f, "\\x%02x", *p);
			n = 1;
			continue;
		}
		cp = pouch_utf8_cp(p, n);
		if (cp == '\n' && cont)
			fprintf(f, "\n%s", cont);
		else if (cp == '\\')
			fputs("\\\\", f);
		else if (cp < 0x80 && pouch_utf8_is_control(p, n))
			fprintf(f, "\\x%02x", cp);
		else if (pouch_utf8_is_control(p, n) || pouch_unicode_is_hidden(cp))
			fprintf(f, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
		else
			for (i = 0; i < n; i++)
				fputc(p[i], f);
	}
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "LABEL  value" on a line of its own, when there is a value; cont as show_text's. */
static void field(FILE *f, const char *indent, const char *label, const char *value,
		  const char *cont)
{
	if (!value)
		return;
	fprintf(f, "%s%-16s", indent, label);
	show_text(f, value, cont);
	fputc('\n', f);
}

/* The texts of array a joined by sep. */
static void join(FILE *f, const json_t *a, const char *sep)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		fputs(i ? sep : "", f);
		show_text(f, json_is_string(v) ? json_string_value(v) : "?", NULL);
	}
}

static void list_field(FILE *f, const char *indent, const char *label, const json_t *a)
{
	if (!json_array_size(a))
		return;
	fprintf(f, "%s%-16s", indent, label);
	join(f, a, "; ");
	fputc('\n', f);
}

/* A code (a role, a risk flag) in upper case, '-' as a space: "ACCESS TO CHILDREN". */
static void upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '-' ? ' ' : toupper((unsigned char)*s), f);
}

void show_classification(FILE *f, const json_t *h)
{
	const json_t *c = json_object_get(h, "classification");
	const char *tier = str(c, "tier");

	show_text(f, tier ? tier : "?", NULL);
	if (json_is_true(json_object_get(c, "sensitive")))
		fputs(tier && strcmp(tier, "OFFICIAL") == 0 ? "-SENSITIVE" : " SENSITIVE", f);
	if (json_array_size(json_object_get(c, "caveats"))) {
		fputs("  ", f);
		join(f, json_object_get(c, "caveats"), "  ");
	}
}

void show_banner(FILE *f, const json_t *h)
{
	const json_t *code;
	const char *scheme = str(h, "scheme"), *tlp = str(h, "tlp");
	size_t i;

	fprintf(f, "%s\n", RULE);
	show_classification(f, h);
	fputc('\n', f);
	show_text(f, tlp ? tlp : "?", NULL);
	fprintf(f, ": %s\n", pouch_tlp_meaning(tlp) ? pouch_tlp_meaning(tlp) : "?");
	json_array_foreach(json_object_get(h, "codes"), i, code) {
		const char *s = json_string_value(code);
		fputs("Handling code ", f);
		show_text(f, s ? s : "?", NULL);
		fprintf(f, " (%s): %s\n",
			pouch_scheme_label(scheme) ? pouch_scheme_label(scheme) : "?",
			pouch_handling_meaning(scheme, s) ? pouch_handling_meaning(scheme, s) : "?");
	}
	fprintf(f, "%s\n", RULE);
}

static void conditions(FILE *f, const json_t *h)
{
	const char *c = str(h, "conditions");

	fputs("CONDITIONS (handling instructions the recipient must keep):\n", f);
	if (c) {
		fputs(IND, f);
		show_text(f, c, IND);
		fputc('\n', f);
	} else {
		fputs(IND "none stated beyond the handling code and TLP above\n", f);
	}
	field(f, "", "Purpose", str(h, "purpose"), IND2 IND2);
	field(f, "", "Legal basis", str(h, "legal_basis"), IND2 IND2);
	list_field(f, "", "Permissions", json_object_get(h, "permissions"));
	field(f, "", "Review date", str(h, "review_date"), NULL);
	field(f, "", "Source ref.", str(h, "source_reference"), NULL);
	fputc('\n', f);
}

static void priority(FILE *f, const json_t *p)
{
	const char *level = str(p, "level"), *mark = level && !strcmp(level, "immediate") ? "!! " : "";
	const json_t *sp = json_object_get(p, "source_priority");

	if (*mark)
		fprintf(f, "%s\n", ALARM);
	fprintf(f, "%sPRIORITY: ", mark);
	if (level && (strcmp(level, "immediate") == 0 || strcmp(level, "urgent") == 0)) {
		upper(f, level);
		fprintf(f, " (%s)", pouch_priority_meaning(level));
	} else {
		show_text(f, level ? level : "?", NULL);
	}
	fputc('\n', f);
	if (str(p, "reason")) {
		fprintf(f, "%sREASON:        ", mark);
		show_text(f, str(p, "reason"), *mark ? "!!                " : IND2 IND2);
		fputc('\n', f);
	}
	if (str(p, "respond_by")) {
		fprintf(f, "%sRESPOND BY:    ", mark);
		show_text(f, str(p, "respond_by"), NULL);
		fputc('\n', f);
	}
	if (str(p, "contact_24x7")) {
		fprintf(f, "%s24/7 CONTACT:  ", mark);
		show_text(f, str(p, "contact_24x7"), NULL);
		fputc('\n', f);
	}
	if (sp) {
		fprintf(f, "%sSource's own priority: ", mark);
		show_text(f, str(sp, "scheme") ? str(sp, "scheme") : "?", NULL);
		fputc(' ', f);
		show_text(f, str(sp, "value") ? str(sp, "value") : "?", NULL);
		fputc('\n', f);
	}
	if (*mark)
		fprintf(f, "!! PHONE THE 24/7 CONTACT NOW: pouch is never the only channel for "
			   "immediate danger.\n%s\n", ALARM);
	fputc('\n', f);
}

static void header(FILE *f, const struct pouch_opened_dir *pk, const json_t *h)
{
	const json_t *o = json_object_get(h, "originator"), *r, *v = json_object_get(h, "version");
	size_t i;

	fprintf(f, "%-16s%s from %s, in ", "Package", pk->id, pk->sender);
	show_text(f, pk->dir, NULL);
	fputc('\n', f);
	field(f, "", "Reference", str(h, "reference"), NULL);
	if (json_is_integer(v))
		fprintf(f, "%-16s%lld\n", "Version", (long long)json_integer_value(v));
	field(f, "", "Title", str(h, "title"), NULL);
	field(f, "", "Created", str(h, "created"), NULL);
	field(f, "", "Originator", str(o, "agency"), NULL);
	field(f, IND, "unit", str(o, "unit"), NULL);
	field(f, IND, "officer", str(o, "officer"), NULL);
	field(f, IND, "24/7 contact", str(o, "contact_24x7"), NULL);
	field(f, "", "Referral source", str(h, "referral_source"), NULL);
	json_array_foreach(json_object_get(h, "external_references"), i, r) {
		fprintf(f, "%-16s", i ? "" : "External refs");
		show_text(f, str(r, "scheme") ? str(r, "scheme") : "?", NULL);
		fputs(": ", f);
		show_text(f, str(r, "value") ? str(r, "value") : "?", NULL);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void offences(FILE *f, const json_t *a)
{
	const json_t *o;
	size_t i;

	if (!json_array_size(a))
		return;
	fputs("OFFENCES\n", f);
	json_array_foreach(a, i, o) {
		fputs("  - ", f);
		show_text(f, str(o, "type") ? str(o, "type") : "?", NULL);
		if (json_array_size(json_object_get(o, "annotations"))) {
			fputs(" (", f);
			join(f, json_object_get(o, "annotations"), ", ");
			fputc(')', f);
		}
		fputc('\n', f);
		field(f, IND, "details", str(o, "details"), IND2 IND2);
	}
	fputc('\n', f);
}

/* An item's grade spelled out: "2B: 2 untested source / B known indirectly, corroborated". */
static void show_grade(FILE *f, const char *scheme, const json_t *grade)
{
	const char *second = scheme && !strcmp(scheme, "europol-4x4") ? "accuracy" : "intelligence";
	const char *s = str(grade, "source"), *t = str(grade, second);
	const char *ms = pouch_grade_meaning(scheme, "source", s);
	const char *mt = pouch_grade_meaning(scheme, second, t);

	s = s ? s : "?";
	t = t ? t : "?";
	show_text(f, s, NULL);
	show_text(f, t, NULL);
	fprintf(f, " (%s): ", pouch_scheme_label(scheme) ? pouch_scheme_label(scheme) : "?");
	show_text(f, s, NULL);
	fprintf(f, " %s / ", ms ? ms : "?");
	show_text(f, t, NULL);
	fprintf(f, " %s", mt ? mt : "?");
}

static void items(FILE *f, const json_t *r)
{
	const char *scheme = str(json_object_get(r, "handling"), "scheme");
	const json_t *it, *n;
	size_t i;

	fputs("INTELLIGENCE ITEMS\n", f);
	json_array_foreach(json_object_get(r, "items"), i, it) {
		n = json_object_get(it, "n");
		fprintf(f, "  %lld. ", json_is_integer(n) ? (long long)json_integer_value(n) : 0LL);
		if (str(it, "kind") && strcmp(str(it, "kind"), "provenance") == 0)
			fputs("[provenance] ", f);
		fputs("grade ", f);
		show_grade(f, scheme, json_object_get(it, "grade"));
		if (json_array_size(json_object_get(it, "about"))) {
			fputs("; about ", f);
			join(f, json_object_get(it, "about"), ", ");
		}
		fputs("\n" IND, f);
		show_text(f, str(it, "text") ? str(it, "text") : "?", IND);
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void accounts(FILE *f, const json_t *a)
{
	const json_t *acc;
	size_t i;

	json_array_foreach(a, i, acc) {
		fprintf(f, IND "%-16s", "account");
		show_text(f, str(acc, "service") ? str(acc, "service") : "?", NULL);
		if (str(acc, "user_id")) {
			fputs(", user id ", f);
			show_text(f, str(acc, "user_id"), NULL);
		}
		fputc('\n', f);
		list_field(f, IND2, "screen names", json_object_get(acc, "screen_names"));
		list_field(f, IND2, "profiles", json_object_get(acc, "profile_urls"));
	}
}

static void ip_events(FILE *f, const json_t *a)
{
	const json_t *e, *port;
	size_t i;

	json_array_foreach(a, i, e) {
		port = json_object_get(e, "port");
		fprintf(f, IND "%-16s", "IP event");
		show_text(f, str(e, "event") ? str(e, "event") : "?", NULL);
		fputc(' ', f);
		show_text(f, str(e, "address") ? str(e, "address") : "?", NULL);
		if (json_is_integer(port))
			fprintf(f, " port %lld", (long long)json_integer_value(port));
		fputs(" at ", f);
		show_text(f, str(e, "time") ? str(e, "time") : "?", NULL);
		fputc('\n', f);
	}
}

static void person(FILE *f, size_t i, const json_t *p)
{
	const json_t *v = json_object_get(p, "victim"), *d, *age = json_object_get(p, "approx_age");
	const json_t *flags = json_object_get(p, "risk_flags");
	size_t k;

	fprintf(f, "  [%zu] ", i + 1);
	upper(f, str(p, "role") ? str(p, "role") : "?");
	fputc('\n', f);
	list_field(f, IND, "names", json_object_get(p, "names"));
	field(f, IND, "date of birth", str(p, "dob"), NULL);
	if (json_is_integer(age))
		fprintf(f, IND "%-16sabout %lld\n", "age", (long long)json_integer_value(age));
	list_field(f, IND, "addresses", json_object_get(p, "addresses"));
	list_field(f, IND, "phones", json_object_get(p, "phones"));
	list_field(f, IND, "e-mails", json_object_get(p, "emails"));
	field(f, IND, "id", str(p, "id"), NULL);
	field(f, IND, "country (est.)", str(p, "country"), NULL);
	if ((d = json_object_get(p, "location"))) {
		field(f, IND, "country (est.)", str(d, "country"), NULL);
		field(f, IND, "region", str(d, "region"), NULL);
		field(f, IND, "postcode", str(d, "postcode"), NULL);
	}
	accounts(f, json_object_get(p, "accounts"));
	ip_events(f, json_object_get(p, "ip_events"));
	json_array_foreach(json_object_get(p, "device_ids"), k, d) {
		fprintf(f, IND "%-16s", "device");
		show_text(f, str(d, "type") ? str(d, "type") : "?", NULL);
		fputc(' ', f);
		show_text(f, str(d, "value") ? str(d, "value") : "?", NULL);
		fputc('\n', f);
	}
	if (json_array_size(flags)) {
		fprintf(f, IND "%-16s", "RISK");
		json_array_foreach(flags, k, d) {
			fputs(k ? ", " : "", f);
			upper(f, json_is_string(d) ? json_string_value(d) : "?");
		}
		fputc('\n', f);
	}
	if (v) {
		fprintf(f, IND "%-16s%s\n", "victim",
			json_is_true(json_object_get(v, "identified")) ? "identified"
								       : "NOT identified");
		field(f, IND, "safeguarding", str(v, "safeguarding"), IND2 IND2 "    ");
	}
}

static void media_hashes(FILE *f, const json_t *h)
{
	static const char *const names[] = { "sha256", "sha1", "md5", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		field(f, IND, names[i], str(h, names[i]), NULL);
}

static void medium(FILE *f, size_t i, const json_t *m)
{
	const json_t *size = json_object_get(m, "size"), *c;
	const json_t *trusted = json_object_get(m, "grade_trusted");
	size_t k;

	fprintf(f, "  [%zu] ", i + 1);
	show_text(f, str(m, "name") ? str(m, "name") : "(no name)", NULL);
	if (json_is_integer(size))
		fprintf(f, ", %lld bytes", (long long)json_integer_value(size));
	if (str(m, "media_type")) {
		fputs(", ", f);
		show_text(f, str(m, "media_type"), NULL);
	}
	fputc('\n', f);
	if (!json_is_true(json_object_get(m, "viewed_by_provider")))
		fputs(IND "NEVER VIEWED BY THE PROVIDER: legal authority may be needed before "
			  "viewing it\n", f);
	media_hashes(f, json_object_get(m, "hashes"));
	if (json_array_size(json_object_get(m, "categories"))) {
		fprintf(f, IND "%-16s", "categories");
		json_array_foreach(json_object_get(m, "categories"), k, c) {
			fputs(k ? ", " : "", f);
			show_text(f, str(c, "scheme") ? str(c, "scheme") : "?", NULL);
			fputc(':', f);
			show_text(f, str(c, "code") ? str(c, "code") : "?", NULL);
		}
		fputc('\n', f);
	}
	field(f, IND, "graded by", str(m, "graded_by"), NULL);
	if (json_is_boolean(trusted))
		fprintf(f, IND "%-16s%s\n", "grade", json_is_true(trusted) ? "trusted"
									     : "NOT trusted");
	list_field(f, IND, "flags", json_object_get(m, "flags"));
}

static void actions(FILE *f, const json_t *a)
{
	const json_t *x;
	size_t i;

	if (!json_array_size(a))
		return;
	fputs("REQUESTED ACTIONS\n", f);
	json_array_foreach(a, i, x) {
		fputs("  - ", f);
		show_text(f, str(x, "action") ? str(x, "action") : "?", NULL);
		fputs(", due ", f);
		show_text(f, str(x, "due") ? str(x, "due") : "?", NULL);
		fputc('\n', f);
		field(f, IND, "details", str(x, "details"), IND2 IND2);
	}
	fputc('\n', f);
}

static void attachments(FILE *f, const json_t *a)
{
	const json_t *x, *size;
	size_t i;

	fprintf(f, "ATTACHMENTS (%zu; each file in attachments/ matches its size and SHA-256)\n",
		json_array_size(a));
	json_array_foreach(a, i, x) {
		size = json_object_get(x, "size");
		fputs("  - ", f);
		show_text(f, str(x, "name") ? str(x, "name") : "?", NULL);
		fprintf(f, ", %lld bytes, ",
			json_is_integer(size) ? (long long)json_integer_value(size) : -1LL);
		show_text(f, str(x, "media_type") ? str(x, "media_type") : "?", NULL);
		fputc('\n', f);
		field(f, IND, "sha256", str(x, "sha256"), NULL);
	}
}

int show_body(FILE *f, const struct pouch_opened_dir *pk)
{
	const json_t *r = pk->report, *h = json_object_get(r, "handling"), *x;
	size_t i;

	conditions(f, h);
	priority(f, json_object_get(r, "priority"));
	header(f, pk, json_object_get(r, "header"));
	offences(f, json_object_get(r, "offences"));
	items(f, r);
	if (json_array_size(json_object_get(r, "persons")))
		fputs("PERSONS\n", f);
	json_array_foreach(json_object_get(r, "persons"), i, x)
		person(f, i, x);
	if (json_array_size(json_object_get(r, "media")))
		fputs(json_array_size(json_object_get(r, "persons")) ? "\nMEDIA (metadata)\n"
								      : "MEDIA (metadata)\n", f);
	json_array_foreach(json_object_get(r, "media"), i, x)
		medium(f, i, x);
	if (json_array_size(json_object_get(r, "persons")) ||
	    json_array_size(json_object_get(r, "media")))
		fputc('\n', f);
	actions(f, json_object_get(r, "actions"));
	attachments(f, json_object_get(r, "attachments"));
	return ferror(f) ? -1 : 0;
}

int show_print(FILE *f, const struct pouch_opened_dir *pk)
{
	show_banner(f, json_object_get(pk->report, "handling"));
	fputc('\n', f);
	return show_body(f, pk);
}
