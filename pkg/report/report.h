/* The report model (spec/report.md): checking a report against it, every error at once, and
 * the values of a report the envelope shows. */
#ifndef POUCH_REPORT_H
#define POUCH_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/err.h"
#include "base/json.h"

#define POUCH_REPORT_FORMAT "pouch-report/1"
#define POUCH_REPORT_PLACEHOLDER "FILL IN:" /* a skeleton's placeholders start so */
#define POUCH_REPORT_ERRORS_MAX 200 /* messages kept; one more line says how many were left */
#define POUCH_REPORT_MAX (16 * 1024 * 1024) /* largest report file */

/* The errors found in a report, each "PATH: what is wrong (what is expected)". */
struct pouch_report_errors {
	char **msg;
	size_t n;     /* messages kept (at most POUCH_REPORT_ERRORS_MAX + 1) */
	size_t count; /* errors found */
};

/* Checks report (borrowed; any JSON value) against spec/report.md and appends every error
 * found to errors (caller-initialised to zeros, released with pouch_report_errors_release).
 * Returns 0 when the report is valid, POUCH_E_REFUSED when not ("the report is not valid: N
 * errors" in err, the messages in errors), POUCH_E_NOMEM. */
int pouch_report_validate(const json_t *report, struct pouch_report_errors *errors,
			  struct pouch_err *err);

/* Frees the messages in errors (which may be NULL) and zeroes it. */
void pouch_report_errors_release(struct pouch_report_errors *errors);

/* The markings the envelope shows (report.md section 12), borrowed from a valid report:
 * classification tier, TLP label and priority level. Returns 0 or POUCH_E_CORRUPT when one is
 * missing (a report that did not pass pouch_report_validate). */
struct pouch_report_marks {
	const char *tier, *tlp, *priority;
};
int pouch_report_marks(const json_t *report, struct pouch_report_marks *out,
		       struct pouch_err *err);

/* The classification tiers (OFFICIAL, SECRET, TOP SECRET) and TLP labels, NULL-terminated. */
extern const char *const pouch_report_tiers[];
extern const char *const pouch_report_tlps[];

/* Returns 0 when value is one of the NULL-terminated list, else POUCH_E_USAGE naming what
 * ("classification", "TLP label") and the value. */
int pouch_marking_check(const char *what, const char *const *list, const char *value,
			struct pouch_err *err);

/* Reads the report file at path (at most POUCH_REPORT_MAX bytes) strictly (pouch_json_parse)
 * into *out (a new reference): a missing, unreadable, oversized or malformed file, or one that
 * is not a JSON object, is POUCH_E_USAGE naming the file. Says nothing of the model. */
int pouch_report_load(const char *path, json_t **out, struct pouch_err *err);

/* A file attached to a report: its name in the package, size and SHA-256 (hex). */
struct pouch_report_file {
	const char *name;
	uint64_t size;
	const char *sha256;
};

/* Makes the report's attachments list (report.md section 11) complete for the n files given,
 * in their order: absent, it is made from the files (media types guessed from the names);
 * present, it must list exactly these names, each once, with any size or SHA-256 stated equal
 * to the file's (else POUCH_E_REFUSED naming the first difference), and is completed. report is
 * changed in place. Returns 0, POUCH_E_REFUSED or POUCH_E_NOMEM. */
int pouch_report_attach(json_t *report, const struct pouch_report_file *files, size_t n,
			struct pouch_err *err);

/* Checks a packed report's attachments list is complete and lists the n files, in order, with
 * their sizes and digests (report.md section 11). Returns 0 or POUCH_E_VERIFY. */
int pouch_report_attached(const json_t *report, const struct pouch_report_file *files,
			  size_t n, struct pouch_err *err);

/* A skeleton report (pouch report new) into *out (a new reference): scheme uk-3x5x2 (NULL),
 * uk-5x5x5 or europol-4x4; template dissemination (NULL), referral or immediate; created set
 * to now, every other value to write a "FILL IN: ..." placeholder saying what goes there.
 * Returns 0, POUCH_E_USAGE for an unknown scheme or template, POUCH_E_NOMEM. */
int pouch_report_skeleton(const char *scheme, const char *template, time_t now, json_t **out,
			  struct pouch_err *err);

/* The media type for a file name, from its extension (application/octet-stream when unknown):
 * a static string. */
const char *pouch_media_type_guess(const char *name);

#endif
