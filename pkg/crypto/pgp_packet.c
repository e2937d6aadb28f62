/* OpenPGP packet framing (RFC 4880 section 4), read before GnuPG sees a message: the session-key
 * packets ahead of the encrypted data say whether it is for a public key or a passphrase. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "crypto/pgp_internal.h"

enum {
	TAG_PKESK = 1,   /* public-key encrypted session key */
	TAG_SKESK = 3,   /* symmetric-key encrypted session key: a passphrase */
	TAG_SED = 9,     /* encrypted data without integrity protection */
	TAG_MARKER = 10, /* ignored by every implementation */
	TAG_SEIPD = 18,  /* integrity-protected encrypted data */
	TAG_AEAD = 20,   /* AEAD encrypted data (GnuPG's OCB) */
	ESK_MAX = 64,    /* session-key packets before the data: recipients, with room */
	ESK_LEN_MAX = 4096,
};

/* Reads the packet header at *off: its tag to *tag and its body length to *len (-1 for a
 * partial or indeterminate length); *off moves to the body. 0, or -1 when unreadable. */
static int packet_header(int fd, off_t *off, int *tag, long long *len)
{
	unsigned char h[6];
	ssize_t n;
	int hl;

	do
		n = pread(fd, h, sizeof(h), *off);
	while (n < 0 && errno == EINTR);
	if (n < 2 || !(h[0] & 0x80))
		return -1;
	if (h[0] & 0x40) {
		*tag = h[0] & 0x3f;
		if (h[1] < 192) {
			*len = h[1];
			hl = 2;
		} else if (h[1] < 224) {
			*len = ((h[1] - 192) << 8) + h[2] + 192;
			hl = 3;
		} else if (h[1] == 255) {
			*len = ((long long)h[2] << 24) | (h[3] << 16) | (h[4] << 8) | h[5];
			hl = 6;
		} else {
			*len = -1;
			hl = 2;
		}
	} else {
		static const int lens[4] = { 1, 2, 4, 0 };
		int i, ll = lens[h[0] & 3];

		*tag = (h[0] >> 2) & 0x0f;
		*len = ll ? 0 : -1;
		for (i = 0; i < ll; i++)
			*len = (*len << 8) | h[1 + i];
		hl = 1 + ll;
	}
	if (n < hl)
		return -1;
	*off += hl;
	return 0;
}

int pgp_check_esk(int fd, struct pouch_err *err)
{
	long long len;
	off_t off = 0;
	int i, tag, pkesk = 0;

	for (i = 0; i <= ESK_MAX; i++) {
		if (packet_header(fd, &off, &tag, &len) < 0)
			return pouch_err_set(err, POUCH_E_VERIFY, "not an OpenPGP message");
		switch (tag) {
		case TAG_SKESK:
			return pouch_err_set(err, POUCH_E_REFUSED, "the payload is encrypted with "
					     "a passphrase, not to our key: pouch never asks for "
					     "one");
		case TAG_PKESK:
		case TAG_MARKER:
			if (len < 0 || len > ESK_LEN_MAX)
				return pouch_err_set(err, POUCH_E_VERIFY, "a malformed session-key "
						     "packet");
			pkesk += tag == TAG_PKESK;
			off += (off_t)len;
			break;
		case TAG_SEIPD:
		case TAG_AEAD:
			if (!pkesk)
				return pouch_err_set(err, POUCH_E_REFUSED, "the payload holds no "
						     "session key for a public key (encrypted "
						     "with a passphrase?), so not for ours");
			return 0;
		case TAG_SED:
			return pouch_err_set(err, POUCH_E_VERIFY,
					     "not an integrity-protected message");
		default:
			return pouch_err_set(err, POUCH_E_VERIFY, "not an encrypted OpenPGP "
					     "message (packet type %d first)", tag);
		}
	}
	return pouch_err_set(err, POUCH_E_VERIFY, "more than %d session-key packets", ESK_MAX);
}
