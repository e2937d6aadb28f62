/* Standard base64 (RFC 4648 section 4, with padding); decoding accepts only canonical input. */
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *pouch_base64_encode(const unsigned char *in, size_t len)
{
	size_t i, o = 0;
	char *out = malloc((len + 2) / 3 * 4 + 1);

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int value_of(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

long pouch_base64_decode(const char *in, unsigned char *out, size_t outmax)
{
	size_t len = strlen(in), i, o = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i += 4) {
		int a = value_of(in[i]), b = value_of(in[i + 1]);
		int last = i + 4 == len;
		int pad2 = last && in[i + 2] == '=' && in[i + 3] == '=';
		int pad1 = last && !pad2 && in[i + 3] == '=';
		int c = pad2 ? 0 : value_of(in[i + 2]);
		int d = pad1 || pad2 ? 0 : value_of(in[i + 3]);
		size_t n = pad2 ? 1 : pad1 ? 2 : 3;

		if (a < 0 || b < 0 || c < 0 || d < 0 || o + n > outmax)
			return -1;
		/* Canonical form: bits beyond the last byte must be zero. */
		if ((pad2 && (b & 15)) || (pad1 && (c & 3)))
			return -1;
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		out[o++] = (unsigned char)(v >> 16);
		if (n > 1)
			out[o++] = (unsigned char)(v >> 8);
		if (n > 2)
			out[o++] = (unsigned char)v;
	}
	return (long)o;
}
