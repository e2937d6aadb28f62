/* Times as pouch writes them (RFC 3339, UTC, whole seconds) and durations as users type them. */
#ifndef POUCH_TIMEFMT_H
#define POUCH_TIMEFMT_H

#include <time.h>

#include "base/err.h"

#define POUCH_TIME_LEN 21 /* "2026-11-23T10:21:00Z" and the NUL */

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least POUCH_TIME_LEN bytes); returns buf. */
char *pouch_time_format(time_t t, char *buf);

/* Parses exactly the form pouch_time_format writes. Returns 0 or POUCH_E_USAGE. */
int pouch_time_parse(const char *s, time_t *out, struct pouch_err *err);

/* Parses a duration "N" followed by h (hours), d (days), w (weeks) or y (365 days), N from 1,
 * at most 100 years in all, into seconds. Returns 0 or POUCH_E_USAGE naming what (e.g.
 * "--expires"). */
int pouch_duration_parse(const char *what, const char *s, long long *seconds,
			 struct pouch_err *err);

#endif
