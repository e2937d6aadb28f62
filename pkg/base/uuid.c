/* Package ids: random (version 4) UUIDs, lower-case strings. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "base/uuid.h"
#include "base/validate.h"

int pouch_random_bytes(void *buf, size_t len, struct pouch_err *err)
{
	size_t have = 0;

	while (have < len) {
		ssize_t n = getrandom((unsigned char *)buf + have, len - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pouch_err_set(err, POUCH_E_IO, "cannot get random bytes: %s",
					     strerror(errno));
		have += (size_t)n;
	}
	return 0;
}

int pouch_uuid_new(char *out, struct pouch_err *err)
{
	unsigned char b[16];
	int ret = pouch_random_bytes(b, sizeof(b), err);

	if (ret < 0)
		return ret;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, POUCH_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	return 0;
}

int pouch_uuid_check(const char *s, struct pouch_err *err)
{
	static const char shape[] = "xxxxxxxx-xxxx-4xxx-vxxx-xxxxxxxxxxxx";
	char shown[64];
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		goto bad;
	for (i = 0; shape[i]; i++) {
		char c = s[i];
		int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (shape[i] == '-' || shape[i] == '4' ? c != shape[i]
		    : shape[i] == 'v'                  ? !strchr("89ab", c) || !c
						       : !hex)
			goto bad;
	}
	return 0;
bad:
	pouch_escape(s, shown, sizeof(shown));
	return pouch_err_set(err, POUCH_E_USAGE, "invalid package id '%s': expected a lower-case "
			     "version 4 UUID", shown);
}
