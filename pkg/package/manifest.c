/* pouch.json checked against the verified header: the binding members, the salt, the SHA-256
 * the header signs, the attachment list and the report (spec/envelope.md sections 3 and 6). */
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/timefmt.h"
#include "crypto/digest.h"
#include "package/manifest.h"
#include "report/report.h"

static int same_str(const json_t *j, const char *key, const char *want)
{
	const char *s = NULL;

	return pouch_json_str(j, key, 0, &s, NULL) == 0 && strcmp(s, want) == 0;
}

static int same_party(const json_t *j, const struct pouch_party *p)
{
	return json_is_object(j) && json_object_size(j) == 2 && same_str(j, "agency", p->agency) &&
	       same_str(j, "fingerprint", p->fpr);
}

/* pouch.json must bind exactly what the header says (OPENPGP.md step 8). */
static int check_binding(const json_t *m, const struct pouch_header *h, struct pouch_err *err)
{
	static const char *const fields[] = { "format", "id", "sender", "recipients", "created",
					      "expires", "priority", "classification", "tlp", "salt",
					      "report", "attachments", "provenance", NULL };
	char created[POUCH_TIME_LEN], expires[POUCH_TIME_LEN];
	const json_t *rcpt = json_object_get(m, "recipients");
	size_t i;

	if (pouch_json_only_keys(m, fields, err) < 0 || !same_str(m, "format", "pouch-content/1"))
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json is malformed");
	if (!same_str(m, "id", h->id) || !same_party(json_object_get(m, "sender"), &h->sender) ||
	    !same_str(m, "created", pouch_time_format(h->created, created)) ||
	    !same_str(m, "expires", pouch_time_format(h->expires, expires)) ||
	    !same_str(m, "priority", h->priority) ||
	    !same_str(m, "classification", h->classification) || !same_str(m, "tlp", h->tlp) ||
	    !json_is_array(rcpt) ||
	    json_array_size(rcpt) != h->nrecipients)
		return pouch_err_set(err, POUCH_E_VERIFY, "the signed content does not match the "
				     "header (forwarded or altered)");
	for (i = 0; i < h->nrecipients; i++)
		if (!same_party(json_array_get(rcpt, i), &h->recipients[i]))
			return pouch_err_set(err, POUCH_E_VERIFY, "the signed content names other "
					     "recipients than the header (forwarded or altered)");
	if (!json_is_object(json_object_get(m, "report")))
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json holds no report");
	if (json_object_get(m, "provenance") && !json_is_object(json_object_get(m, "provenance")))
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json's provenance is malformed");
	return 0;
}

/* A fresh salt (spec/envelope.md section 3) makes the content digest in the header reveal
 * nothing about a report one could guess; the bytes must be what the header's digest says. */
static int check_content(const json_t *m, const char *manifest, size_t len,
			 const struct pouch_header *h, struct pouch_err *err)
{
	const json_t *salt = json_object_get(m, "salt");
	char hex[POUCH_SHA256_HEX];
	int ret;

	if (!salt)
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json has no salt");
	if (!json_is_string(salt) || !pouch_is_hex256(json_string_value(salt)))
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json's salt is not 64 lower-case hex "
				     "digits");
	ret = pouch_sha256_buf(manifest, len, hex, err);
	if (!ret && strcmp(hex, h->content_sha256) != 0)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "pouch.json's SHA-256 is not the one the "
				    "header signs (altered)");
	return ret;
}

/* The attachments pouch.json lists, well-formed; names and their uniqueness are checked by the
 * extraction, which holds the archive to exactly this list. */
static int attachment_list(struct pouch_listing *l, size_t *n, struct pouch_err *err)
{
	static const char *const fields[] = { "name", "size", "sha256", NULL };
	const json_t *list = json_object_get(l->m, "attachments"), *a;
	size_t i;

	if (!json_is_array(list))
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json lists no attachments");
	if (json_array_size(list) > POUCH_MANIFEST_ATTACHMENTS_MAX)
		return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json lists more than %d "
				     "attachments", POUCH_MANIFEST_ATTACHMENTS_MAX);
	l->files = calloc(json_array_size(list) + 1, sizeof(*l->files));
	if (!l->files)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	json_array_foreach(list, i, a) {
		const json_t *size = json_object_get(a, "size");
		struct pouch_archive_file *f = &l->files[i];
		if (pouch_json_only_keys(a, fields, NULL) < 0 ||
		    pouch_json_str(a, "name", 0, &f->name, NULL) < 0 ||
		    pouch_json_str(a, "sha256", 0, &f->sha256, NULL) < 0 ||
		    !pouch_is_hex256(f->sha256) || !json_is_integer(size) ||
		    json_integer_value(size) < 0)
			return pouch_err_set(err, POUCH_E_VERIFY, "pouch.json lists a malformed "
					     "attachment");
		f->size = (uint64_t)json_integer_value(size);
	}
	*n = json_array_size(list);
	return 0;
}

/* The report inside is valid, shows the header's markings and lists exactly the attachments
 * (spec/report.md sections 11 and 12). */
static int check_report(const struct pouch_listing *l, size_t n, struct pouch_err *err)
{
	const json_t *report = json_object_get(l->m, "report");
	struct pouch_report_errors e = { 0 };
	struct pouch_report_marks marks;
	struct pouch_report_file *files = calloc(n + 1, sizeof(*files));
	size_t i;
	int ret = files ? pouch_report_validate(report, &e, err)
			: pouch_err_set(err, POUCH_E_NOMEM, "out of memory");

	if (ret == POUCH_E_REFUSED)
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the package's report is not valid: %s%s",
				    e.n ? e.msg[0] : "", e.count > 1 ? " (and more)" : "");
	if (!ret)
		ret = pouch_report_marks(report, &marks, err);
	if (!ret && (strcmp(marks.priority, l->h->priority) ||
		     strcmp(marks.tier, l->h->classification) || strcmp(marks.tlp, l->h->tlp)))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "the report's classification, TLP or "
				    "priority does not match the header's (altered)");
	for (i = 0; !ret && i < n; i++)
		files[i] = (struct pouch_report_file){ l->files[i].name, l->files[i].size,
						       l->files[i].sha256 };
	if (!ret)
		ret = pouch_report_attached(report, files, n, err);
	free(files);
	pouch_report_errors_release(&e);
	if (ret < 0 && ret != POUCH_E_NOMEM) {
		if (err)
			err->code = POUCH_E_VERIFY;
		ret = POUCH_E_VERIFY;
	}
	return ret;
}

/* Called by the extraction once pouch.json is read, before any attachment is: pouch.json must
 * bind what the header says, and gives the attachments the archive must hold. */
int pouch_manifest_list(void *ctx, const char *manifest, size_t len,
			const struct pouch_archive_file **files, size_t *n, struct pouch_err *err)
{
	struct pouch_listing *l = ctx;
	int ret = pouch_json_parse("pouch.json", manifest, len, &l->m, err);

	if (ret == POUCH_E_CORRUPT)
		ret = err ? (err->code = POUCH_E_VERIFY) : POUCH_E_VERIFY;
	if (!ret && !json_is_object(l->m))
		ret = pouch_err_set(err, POUCH_E_VERIFY, "pouch.json is not an object");
	if (!ret)
		ret = check_binding(l->m, l->h, err);
	if (!ret)
		ret = check_content(l->m, manifest, len, l->h, err);
	if (!ret)
		ret = attachment_list(l, n, err);
	if (!ret)
		ret = check_report(l, *n, err);
	*files = l->files;
	return ret;
}

int pouch_manifest_check(const char *manifest, size_t len, const struct pouch_header *h,
			 struct pouch_err *err)
{
	struct pouch_listing l = { h, NULL, NULL };
	const struct pouch_archive_file *files = NULL;
	size_t n = 0;
	int ret = pouch_manifest_list(&l, manifest, len, &files, &n, err);

	pouch_listing_release(&l);
	return ret;
}

void pouch_listing_release(struct pouch_listing *l)
{
	free(l->files);
	json_decref(l->m);
	l->files = NULL;
	l->m = NULL;
}
