/* Fuzzes base64 decoding (pkg/base64.c): envelopes and receipts carry base64 from outside. Only
 * canonical padded base64 may decode, so whatever decodes must encode back to the same text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str(data, size), *back;
	size_t room = strlen(in) / 4 * 3;
	unsigned char *out = malloc(room + 1);
	long n;

	if (!out)
		abort();
	n = pouch_base64_decode(in, out, room);
	if (n >= 0) {
		if ((size_t)n > room)
			fuzz_fail("decoded past the room given");
		back = pouch_base64_encode(out, (size_t)n);
		if (!back || strcmp(back, in) != 0)
			fuzz_fail("decoded text does not encode back to itself (not canonical)");
		free(back);
	}
	/* A buffer one byte short must never be overrun (ASan sees it). */
	if (room > 0) {
		unsigned char *tight = malloc(room - 1 ? room - 1 : 1);
		if (!tight)
			abort();
		if (pouch_base64_decode(in, tight, room - 1) > (long)room - 1)
			fuzz_fail("decoded more than outmax");
		free(tight);
	}
	free(out);
	free(in);
	return 0;
}
