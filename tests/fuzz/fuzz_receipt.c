/* Fuzzes the receipt parser (pkg/package/receipt.c, the half of pouch_receipt_verify before the
 * signature check): receipts come from partners and through pouchd. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "package/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_receipt r;
	struct pouch_err err = { 0 };
	char *json;

	if (pouch_receipt_parse((const char *)data, size, &r, &err) != 0)
		return 0;
	if (r.accepted ? r.reason[0] != '\0' : r.reason[0] == '\0')
		fuzz_fail("the verdict and the reason disagree");
	json = pouch_receipt_json(&r);
	if (!json)
		fuzz_fail("a parsed receipt does not print");
	free(json);
	return 0;
}
