/* What the report's codes mean, spelled out for people (spec/report.md and the schemes it
 * names): grades by scheme, handling codes, TLP labels and priority levels. */
#ifndef POUCH_REPORT_MEANING_H
#define POUCH_REPORT_MEANING_H

/* The meaning of grade member ("source", "intelligence" or "accuracy") code in grading scheme
 * ("uk-3x5x2", "uk-5x5x5", "europol-4x4"), such as "untested source": a static string, or NULL
 * when the scheme has no such member or code. */
const char *pouch_grade_meaning(const char *scheme, const char *member, const char *code);

/* The meaning of a handling code in scheme, such as "lawful sharing permitted subject to
 * conditions": static, or NULL. */
const char *pouch_handling_meaning(const char *scheme, const char *code);

/* A scheme's name for people ("UK 3x5x2"): static, or NULL for an unknown scheme. */
const char *pouch_scheme_label(const char *scheme);

/* Who may see a report under a TLP label ("TLP:AMBER"): static, or NULL. */
const char *pouch_tlp_meaning(const char *tlp);

/* What a priority level means ("immediate": a child believed in immediate danger...): static,
 * or NULL. */
const char *pouch_priority_meaning(const char *level);

#endif
