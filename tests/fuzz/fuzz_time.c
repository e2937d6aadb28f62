/* Fuzzes time and duration parsing (pkg/base/timefmt.c): every record and header carries times from
 * outside. A parsed time formats back to exactly the input; a duration stays within 100 years. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[POUCH_TIME_LEN];
	struct pouch_err err = { 0 };
	long long secs = -1;
	time_t t = 0;

	if (pouch_time_parse(s, &t, &err) == 0 && strcmp(pouch_time_format(t, buf), s) != 0)
		fuzz_fail("a parsed time does not format back to its input");
	if (pouch_duration_parse("--expires", s, &secs, &err) == 0 &&
	    (secs <= 0 || secs > 100LL * 365 * 86400))
		fuzz_fail("a parsed duration is outside 1 second to 100 years");
	free(s);
	return 0;
}
