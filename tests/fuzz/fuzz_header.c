/* Fuzzes the signed header decoder (pkg/package/envelope.c, pouch_header_decode). A header that decodes
 * must encode to a header that decodes to the same fields (the strict form is a fixed point). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "package/envelope.h"

static int same(const struct pouch_header *a, const struct pouch_header *b)
{
	size_t i;

	if (strcmp(a->id, b->id) || strcmp(a->sender.agency, b->sender.agency) ||
	    strcmp(a->sender.fpr, b->sender.fpr) || a->nrecipients != b->nrecipients ||
	    a->created != b->created || a->expires != b->expires ||
	    strcmp(a->priority, b->priority) || strcmp(a->content_sha256, b->content_sha256) ||
	    a->payload_size != b->payload_size ||
	    strcmp(a->payload_sha256, b->payload_sha256))
		return 0;
	for (i = 0; i < a->nrecipients; i++)
		if (strcmp(a->recipients[i].agency, b->recipients[i].agency) ||
		    strcmp(a->recipients[i].fpr, b->recipients[i].fpr))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pouch_header h, back;
	struct pouch_err err = { 0 };
	char *text = NULL;
	size_t len = 0;

	if (pouch_header_decode((const char *)data, size, &h, &err) != 0)
		return 0;
	if (pouch_header_encode(&h, &text, &len, &err) != 0)
		fuzz_fail("a decoded header does not encode");
	if (pouch_header_decode(text, len, &back, &err) != 0 || !same(&h, &back))
		fuzz_fail("an encoded header does not decode to the same fields");
	free(text);
	return 0;
}
