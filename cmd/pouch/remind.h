/* The reminder that goes with an immediate package: pouch is never the only channel, so the
 * officer also phones the other agency's 24/7 contact. One line on stderr (a warning: -q does
 * not silence it) and, with --json, a "reminder" member in the command's output. */
#ifndef POUCH_REMIND_H
#define POUCH_REMIND_H

/* Whether priority (may be NULL) is immediate. */
int remind_needed(const char *priority);

/* Warns that package id is immediate and that the 24/7 contact of who (one or more agency
 * codes), in its role ("recipient" or "sender"), must be phoned as well; returns the text (a
 * static buffer, valid until the next call). */
const char *remind(const char *id, const char *who, const char *role);

/* json, one compact JSON object (taken over), with the member "reminder": text added at its
 * end; NULL when out of memory. */
char *remind_json(char *json, const char *text);

/* The priority the header of the envelope at path names, into priority (16 bytes; "" when the
 * envelope cannot be read). */
void remind_envelope_priority(const char *path, char *priority);

#endif
