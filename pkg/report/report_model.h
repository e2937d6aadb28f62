/* Private to pkg/report/: the report's member tables (report_model.c). */
#ifndef POUCH_REPORT_MODEL_H
#define POUCH_REPORT_MODEL_H

#include "report/report_internal.h"

/* A grading scheme: its handling codes (exactly one when single, else a set), the codes that
 * need conditions, and an item's grade. */
struct scheme {
	const char *name, *label;
	const char *const *codes;
	int single;
	const char *const *conditional;
	const struct spec *grade;
};

struct category_scheme {
	const char *name, *what;
	const char *const *codes;
};

extern const struct spec report_spec, report_text, report_agency, report_country;
extern const struct scheme report_schemes[];
extern const struct category_scheme report_categories[];

#endif
