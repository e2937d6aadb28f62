/* Fuzzes the envelope file parser (pkg/package/envelope.c): the first bytes pouch reads from a
 * stranger, before any signature is checked. Whatever parses holds a header and a signature
 * within their caps and exactly one of an inline or a detached payload. */
#include <string.h>

#include "fuzz.h"
#include "package/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_envelope e;
	struct pouch_err err = { 0 };
	struct pouch_header h;

	if (pouch_envelope_parse((const char *)data, size, &e, &err) == 0) {
		if (!e.header || !e.sig || e.header_len > POUCH_HEADER_MAX ||
		    strlen(e.header) > e.header_len || !e.payload == !e.detached)
			fuzz_fail("a parsed envelope breaks its own limits");
		/* What pouch does next with the header bytes (the signature aside). */
		pouch_header_decode(e.header, e.header_len, &h, &err);
		pouch_envelope_release(&e);
	} else if (e.header || e.sig || e.payload || e.detached) {
		fuzz_fail("a refused envelope left memory behind");
	}
	return 0;
}
