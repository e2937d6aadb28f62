/* Private to pkg/report/: the generic checker the report's member tables drive. */
#ifndef POUCH_REPORT_INTERNAL_H
#define POUCH_REPORT_INTERNAL_H

#include <regex.h>

#include "report/report.h"

enum spec_kind {
	K_TEXT,    /* non-empty string, not a placeholder */
	K_STRING,  /* any string but a placeholder (what values a later rule checks) */
	K_NAME,    /* a string of 1 to 255 characters, not a placeholder */
	K_ENUM,    /* one of values */
	K_PATTERN, /* matches pattern (POSIX ERE, anchored), no newline */
	K_BOOL,
	K_TRUE,    /* true only */
	K_INT,     /* a number without fraction, lo to hi */
	K_OBJECT,  /* members only; at least min of them */
	K_ARRAY,   /* of elem, at least min, distinct with unique */
	K_ANYOBJ,  /* any object (its members checked by a later rule) */
};

struct member;

struct spec {
	enum spec_kind kind;
	const char *what; /* "a TLP label": said in messages */
	const char *const *values;
	const char *pattern;
	const struct member *members;
	const struct spec *elem;
	unsigned min;
	int unique;
	long long lo, hi;
};

struct member {
	const char *name;
	int required;
	const struct spec *spec;
};

#define PATTERNS_MAX 16

struct walk {
	struct pouch_report_errors *out;
	size_t count; /* errors found, kept or not */
	int nomem;
	int final; /* the last line, past the cap */
	char path[1024];
	size_t plen;
	const char *patterns[PATTERNS_MAX];
	regex_t re[PATTERNS_MAX];
	size_t npatterns;
};

/* Checks v against spec at the walk's path, adding an error for each problem. */
void walk_check(struct walk *w, const json_t *v, const struct spec *spec);

/* Adds "PATH: message" (or "report: message" at the root). */
void walk_fail(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends ".name" or "[i]" to the path; returns the length to restore with walk_pop. */
size_t walk_push_name(struct walk *w, const char *name);
size_t walk_push_index(struct walk *w, size_t i);
void walk_pop(struct walk *w, size_t len);

/* v shown in a message: a string quoted and escaped ('X'), else its type ("a number"). */
const char *walk_show(const json_t *v, char *buf, size_t size);

/* "A, B or C" for a NULL-terminated list. */
const char *walk_list(const char *const *values, char *buf, size_t size);

/* Whether v is a string that is one of values. */
int walk_in(const json_t *v, const char *const *values);

/* Whether s is a skeleton's placeholder. */
int walk_is_placeholder(const json_t *v);

void walk_release(struct walk *w);

/* The routing members' rules beyond the tables (report_refs.c, spec/report.md section 13). */
void check_routing(struct walk *w, const json_t *report);

#endif
