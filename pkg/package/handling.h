/* Handling rules a tool can enforce (spec/forward.md): whether a report may be forwarded from us
 * to another agency, and the installation's classification ceiling. */
#ifndef POUCH_HANDLING_H
#define POUCH_HANDLING_H

#include <stddef.h>

#include "base/err.h"
#include "base/json.h"
#include "directory/home.h"

/* Classification tiers, in order; 0 is "none" (no ceiling set, or no tier given). */
enum pouch_tier { POUCH_TIER_NONE, POUCH_TIER_OFFICIAL, POUCH_TIER_SECRET, POUCH_TIER_TOP_SECRET };

/* Who takes part in a forward, for pouch_handling_forward_check. Strings are borrowed. */
struct pouch_forward_ctx {
	const json_t *report;          /* the report (pouch.json's "report") */
	const char *self;              /* our agency code: the forwarder */
	const char *originator;        /* the agency the intelligence came from (first sender) */
	const char *const *named;      /* the recipients the package we hold was addressed to */
	size_t nnamed;
	const char *grantee;           /* the agency a checked permission names, or NULL */
};

/* Decides whether c's report may go to agency to. Returns 0 when it may, POUCH_E_REFUSED with
 * a message "forwarding to 'TO' is refused by rule RULE: WHY" otherwise, the rule being the
 * strictest one that refuses (a caveat first, then 5x5x5 4, TLP, the handling codes). The
 * originator itself is never refused: returning intelligence to its source is no onward
 * dissemination. A report without valid handling markings is refused (rule "unmarked"). */
int pouch_handling_forward_check(const struct pouch_forward_ctx *c, const char *to,
				 struct pouch_err *err);

/* As pouch_handling_forward_check for each of the n agencies in to: the first refusal. */
int pouch_handling_forward_check_all(const struct pouch_forward_ctx *c, const char *const *to,
				     size_t n, struct pouch_err *err);

/* Decides whether report (pouch.json's "report") may be sent at all, first sending included,
 * to each of the n agencies in to: its nationality caveats (rule "caveat"; "unmarked" for
 * caveats it cannot read). The rules of onward dissemination are pouch_handling_forward_check's.
 * Returns 0 when it may go to every one, else POUCH_E_REFUSED for the first refused: "sending
 * to 'TO' is refused by rule RULE: WHY". The report's originator (header.originator.agency) is
 * never refused. */
int pouch_handling_send_check(const json_t *report, const char *const *to, size_t n,
			      struct pouch_err *err);

/* The tier named s ("OFFICIAL", "SECRET", "TOP SECRET", any case) in *tier. POUCH_E_USAGE for
 * anything else. */
int pouch_tier_parse(const char *s, enum pouch_tier *tier, struct pouch_err *err);

/* The tier's name ("OFFICIAL", ...); NULL for POUCH_TIER_NONE. */
const char *pouch_tier_name(enum pouch_tier tier);

/* The installation's classification ceiling, kept in the home's handling.json
 * ({"ceiling": TIER}); POUCH_TIER_NONE when none is set. A malformed file is POUCH_E_CORRUPT
 * (fail closed). */
int pouch_ceiling_load(const struct pouch_home *home, enum pouch_tier *tier,
		       struct pouch_err *err);

/* Sets the ceiling (POUCH_TIER_NONE: removes it), atomically. */
int pouch_ceiling_save(const struct pouch_home *home, enum pouch_tier tier,
		       struct pouch_err *err);

/* Refuses (POUCH_E_REFUSED) what is classified above the home's ceiling: tier is the
 * classification a package or report carries (NULL: not known, nothing to check; a value that
 * is no tier is refused when a ceiling is set, failing closed). what names the subject. */
int pouch_ceiling_check(const struct pouch_home *home, const char *tier, const char *what,
			struct pouch_err *err);

/* pouch_ceiling_check on a report's handling.classification.tier (absent: not known). */
int pouch_ceiling_check_report(const struct pouch_home *home, const json_t *report,
			       const char *what, struct pouch_err *err);

/* pouch_ceiling_check on a verified envelope header's len bytes: its member "classification"
 * (a tier, or an object whose "tier" is one); a header without it is not known. For pull, which
 * holds no plaintext. */
int pouch_ceiling_check_header(const struct pouch_home *home, const char *header, size_t len,
			       const char *what, struct pouch_err *err);

struct pouch_verified;

/* pouch_ceiling_check_header on a verified package's header ("the package"). */
int pouch_ceiling_check_verified(const struct pouch_home *home, const struct pouch_verified *v,
				 struct pouch_err *err);

/* pouch_ceiling_check_report on the report in DIR/pouch.json, an opened package's directory. */
int pouch_ceiling_check_dir(const struct pouch_home *home, const char *dir, const char *what,
			    struct pouch_err *err);

#endif
