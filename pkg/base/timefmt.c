/* Times as pouch writes them (RFC 3339, UTC, whole seconds) and durations as users type them. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/validate.h"

char *pouch_time_format(time_t t, char *buf)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, POUCH_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, POUCH_TIME_LEN, "invalid-time");
	return buf;
}

int pouch_time_parse(const char *s, time_t *out, struct pouch_err *err)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm = { 0 };
	char back[POUCH_TIME_LEN], shown[64];
	time_t t;
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		goto bad;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			goto bad;
	}
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	t = timegm(&tm);
	/* timegm normalises 31 February to 3 March; a round trip catches it. */
	if (t == (time_t)-1 || strcmp(pouch_time_format(t, back), s) != 0)
		goto bad;
	*out = t;
	return 0;
bad:
	pouch_escape(s, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE,
			     "invalid time '%s': expected YYYY-MM-DDTHH:MM:SSZ (UTC)", shown);
}

int pouch_duration_parse(const char *what, const char *s, long long *seconds,
			 struct pouch_err *err)
{
	const long long max = 100LL * 365 * 86400;
	long long unit, n;
	char *end = NULL, shown[64];

	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || n < 1 || end[0] == '\0' || end[1] != '\0')
		goto bad;
	switch (end[0]) {
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	case 'y':
		unit = 365 * 86400;
		break;
	default:
		goto bad;
	}
	if (n > max / unit) {
		pouch_escape(s, shown, sizeof(shown));
		return pouch_err_set(err, POUCH_E_USAGE, "invalid %s '%s': longer than 100 years",
				     what, shown);
	}
	*seconds = n * unit;
	return 0;
bad:
	pouch_escape(s, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE,
			     "invalid %s '%s': expected a number and a unit h, d, w or y (e.g. 2y)",
			     what, shown);
}
