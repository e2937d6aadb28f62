/* Validation of the values that enter pouch from users and partners: agency codes,
 * fingerprints, display names, endpoint URLs and TLS public-key pins. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/validate.h"

#define SHOW_MAX 80
#define ESC_MAX 20 /* \xNN for each byte of a 4-byte character, and the NUL */

/* Escaped and shortened copy of s for an error message. */
static const char *shown(const char *s, char *buf)
{
	pouch_escape(s, buf, SHOW_MAX);
	return buf;
}

int pouch_agency_code_check(const char *code, struct pouch_err *err)
{
	char buf[SHOW_MAX];
	size_t i, len = strlen(code);

	if (len < 2 || len > POUCH_CODE_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		char c = code[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			goto bad;
	}
	if (code[0] == '-' || code[len - 1] == '-')
		goto bad;
	return 0;
bad:
	return pouch_err_set(err, POUCH_E_USAGE,
			     "invalid agency code '%s': use 2 to 32 characters A-Z, 0-9 and '-', "
			     "starting and ending with a letter or digit",
			     shown(code, buf));
}

int pouch_fpr_normalize(const char *in, char *out, struct pouch_err *err)
{
	char buf[SHOW_MAX];
	size_t n = 0;
	const char *p;

	for (p = in; *p; p++) {
		if (*p == ' ')
			continue;
		if (!isxdigit((unsigned char)*p) || n == POUCH_FPR_LEN)
			goto bad;
		out[n++] = (char)toupper((unsigned char)*p);
	}
	if (n != POUCH_FPR_LEN)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return pouch_err_set(err, POUCH_E_USAGE,
			     "invalid fingerprint '%s': expected 40 hexadecimal digits",
			     shown(in, buf));
}

size_t pouch_utf8_seq(const unsigned char *s)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int pouch_utf8_is_control(const unsigned char *p, size_t n)
{
	/* U+0080 to U+009F are control characters too (U+009B starts a terminal escape). */
	return (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

unsigned pouch_utf8_cp(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned cp = p[0] & lead_mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

int pouch_unicode_is_hidden(unsigned cp)
{
	static const unsigned ranges[][2] = {
		{ 0x00ad, 0x00ad },   /* soft hyphen */
		{ 0x034f, 0x034f },   /* combining grapheme joiner */
		{ 0x061c, 0x061c },   /* Arabic letter mark */
		{ 0x115f, 0x1160 },   /* Hangul fillers */
		{ 0x17b4, 0x17b5 },   /* Khmer inherent vowels */
		{ 0x180b, 0x180f },   /* Mongolian variation selectors and vowel separator */
		{ 0x200b, 0x200b },   /* zero width space */
		{ 0x200e, 0x200f },   /* left-to-right and right-to-left marks */
		{ 0x2028, 0x202e },   /* line and paragraph separators, embeddings, overrides */
		{ 0x2060, 0x206f },   /* word joiner, invisible operators, isolates, deprecated */
		{ 0x3164, 0x3164 },   /* Hangul filler */
		{ 0xfeff, 0xfeff },   /* zero width no-break space (byte order mark) */
		{ 0xffa0, 0xffa0 },   /* halfwidth Hangul filler */
		{ 0xfff0, 0xfffb },   /* reserved to be ignored, interlinear annotation */
		{ 0xfffe, 0xffff },   /* not characters */
		{ 0x13430, 0x1343f }, /* Egyptian hieroglyph format controls */
		{ 0x1bca0, 0x1bca3 }, /* shorthand format controls */
		{ 0x1d173, 0x1d17a }, /* musical symbol format controls */
		{ 0xe0000, 0xe0fff }, /* tags, and the rest of the block reserved to be ignored */
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

int pouch_name_check(const char *what, const char *name, struct pouch_err *err)
{
	const unsigned char *p = (const unsigned char *)name;
	char buf[SHOW_MAX];
	size_t len = strlen(name);

	if (len == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid %s: empty", what);
	if (len > POUCH_NAME_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid %s '%s': longer than %d bytes",
				     what, shown(name, buf), POUCH_NAME_MAX);
	while (*p) {
		size_t n = pouch_utf8_seq(p);
		if (n == 0 || pouch_utf8_is_control(p, n) || (n == 1 && strchr("<>()", *p)))
			return pouch_err_set(err, POUCH_E_USAGE,
					     "invalid %s '%s': control characters, invalid UTF-8 "
					     "and <>() are not allowed",
					     what, shown(name, buf));
		p += n;
	}
	return 0;
}

static int host_check(const char *host, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return -1;
	if (host[0] == '[') {
		char lit[INET6_ADDRSTRLEN];
		unsigned char addr[sizeof(struct in6_addr)];
		if (host[len - 1] != ']' || len < 4 || len - 2 >= sizeof(lit))
			return -1;
		memcpy(lit, host + 1, len - 2);
		lit[len - 2] = '\0';
		return inet_pton(AF_INET6, lit, addr) == 1 ? 0 : -1;
	}
	for (i = 0; i < len; i++) {
		char c = host[i];
		if (c == '.') {
			if (label == 0 || host[i - 1] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return -1;
		if (c == '-' && label == 0)
			return -1;
		if (++label > 63)
			return -1;
	}
	return label == 0 || host[len - 1] == '-' ? -1 : 0;
}

int pouch_endpoint_check(const char *url, struct pouch_err *err)
{
	char buf[SHOW_MAX];
	const char *host, *end, *port, *p;
	size_t hostlen;

	if (strlen(url) > POUCH_URL_MAX)
		return pouch_err_set(err, POUCH_E_USAGE, "invalid endpoint '%s': longer than %d bytes",
				     shown(url, buf), POUCH_URL_MAX);
	if (strncasecmp(url, "http://", 7) == 0)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "invalid endpoint '%s': not https (pouch talks to partners over "
				     "HTTPS only)",
				     shown(url, buf));
	if (strncmp(url, "https://", 8) != 0)
		goto bad;
	host = url + 8;
	end = host + strcspn(host, "/");
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("?#\\@", *p))
			goto bad;
	port = NULL;
	if (host[0] == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));
		if (!close)
			goto bad;
		if (close + 1 < end) {
			if (close[1] != ':')
				goto bad;
			port = close + 2;
		}
		hostlen = (size_t)(close + 1 - host);
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));
		if (colon)
			port = colon + 1;
		hostlen = (size_t)((colon ? colon : end) - host);
	}
	if (host_check(host, hostlen) < 0)
		goto bad;
	if (port) {
		long n = 0;
		if (port == end)
			goto bad;
		for (p = port; p < end; p++) {
			if (!isdigit((unsigned char)*p) || (n = n * 10 + (*p - '0')) > 65535)
				goto bad;
		}
		if (n < 1)
			goto bad;
	}
	return 0;
bad:
	return pouch_err_set(err, POUCH_E_USAGE,
			     "invalid endpoint '%s': expected https://host[:port][/path]",
			     shown(url, buf));
}

int pouch_pin_normalize(const char *in, char *out, struct pouch_err *err)
{
	unsigned char digest[33];
	char buf[SHOW_MAX];
	char *b64 = NULL;
	const char *p = in;
	size_t i;

	if (strncmp(p, "sha256//", 8) == 0)
		p += 8;
	if (strlen(p) == 64 && strspn(p, "0123456789abcdefABCDEF") == 64) {
		for (i = 0; i < 32; i++) {
			char byte[3] = { p[2 * i], p[2 * i + 1], 0 };
			digest[i] = (unsigned char)strtoul(byte, NULL, 16);
		}
	} else if (pouch_base64_decode(p, digest, sizeof(digest)) != 32) {
		return pouch_err_set(err, POUCH_E_USAGE,
				     "invalid pin '%s': expected the SHA-256 of the public key as "
				     "sha256//BASE64, BASE64 or 64 hex digits",
				     shown(in, buf));
	}
	b64 = pouch_base64_encode(digest, 32);
	if (!b64)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	snprintf(out, POUCH_PIN_LEN + 1, "sha256//%s", b64);
	free(b64);
	return 0;
}

/* The escaped form of the character at p into tmp (ESC_MAX bytes); *n gets its input length. */
static size_t escape_char(const unsigned char *p, char *tmp, size_t *n)
{
	size_t i, tlen = 0;

	*n = pouch_utf8_seq(p);
	if (*n == 0 || pouch_utf8_is_control(p, *n) || *p == '\\' ||
	    pouch_unicode_is_hidden(pouch_utf8_cp(p, *n))) {
		*n = *n ? *n : 1;
		for (i = 0; i < *n; i++)
			tlen += (size_t)snprintf(tmp + tlen, ESC_MAX - tlen, "\\x%02x", p[i]);
		return tlen;
	}
	memcpy(tmp, p, *n);
	return *n;
}

void pouch_escape(const char *s, char *out, size_t outmax)
{
	const unsigned char *p;
	size_t o = 0, total = 0, n, tlen, room;
	char tmp[ESC_MAX];

	if (outmax == 0)
		return;
	for (p = (const unsigned char *)s; *p; p += n)
		total += escape_char(p, tmp, &n);
	/* What does not fit whole is cut, with "..." in the last three places. */
	room = total < outmax ? outmax - 1 : (outmax > 3 ? outmax - 4 : 0);
	for (p = (const unsigned char *)s; *p; p += n) {
		tlen = escape_char(p, tmp, &n);
		if (o + tlen > room)
			break;
		memcpy(out + o, tmp, tlen);
		o += tlen;
	}
	if (total >= outmax && outmax > 3) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
