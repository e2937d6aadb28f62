/* Fuzzes the checks on values from users and partners (pkg/base/validate.c, pkg/base/uuid.c): agency
 * codes, fingerprints, names, endpoint URLs, pins, package ids, UTF-8 and escaping. Normalised
 * values must be fixed points and escaped text must be printable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "base/uuid.h"
#include "base/validate.h"

static void escape_checks(const char *s)
{
	char out[256];
	size_t i;

	pouch_escape(s, out, sizeof(out));
	if (strlen(out) >= sizeof(out))
		fuzz_fail("escape wrote past outmax");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			fuzz_fail("escaped text holds a control byte");
	pouch_escape(s, out, 1);
	if (out[0])
		fuzz_fail("escape into one byte is not empty");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char fpr[POUCH_FPR_LEN + 1], fpr2[POUCH_FPR_LEN + 1];
	char pin[POUCH_PIN_LEN + 1], pin2[POUCH_PIN_LEN + 1];
	struct pouch_err err = { 0 };
	size_t i, n;

	pouch_agency_code_check(s, &err);
	pouch_name_check("name", s, &err);
	pouch_endpoint_check(s, &err);
	pouch_uuid_check(s, &err);
	if (pouch_fpr_normalize(s, fpr, &err) == 0 &&
	    (pouch_fpr_normalize(fpr, fpr2, &err) != 0 || strcmp(fpr, fpr2) != 0 ||
	     strlen(fpr) != POUCH_FPR_LEN))
		fuzz_fail("a normalised fingerprint is not a fixed point");
	if (pouch_pin_normalize(s, pin, &err) == 0 &&
	    (pouch_pin_normalize(pin, pin2, &err) != 0 || strcmp(pin, pin2) != 0 ||
	     strlen(pin) != POUCH_PIN_LEN))
		fuzz_fail("a normalised pin is not a fixed point");
	for (i = 0; s[i]; i += n ? n : 1) {
		n = pouch_utf8_seq((const unsigned char *)s + i);
		if (n > 4 || memchr(s + i, '\0', n))
			fuzz_fail("a UTF-8 sequence runs past the string");
		if (n)
			pouch_utf8_is_control((const unsigned char *)s + i, n);
	}
	escape_checks(s);
	free(s);
	return 0;
}
