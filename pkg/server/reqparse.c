/* Strict parsing of request methods, raw request targets and decimal numbers: anything that is
 * not in the one canonical form is refused rather than read generously. */
#include <string.h>

#include "server/reqparse.h"
#include "base/uuid.h"
#include "base/validate.h"

int pouch_decimal_parse(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!s || !s[0] || (s[0] == '0' && s[1]))
		return POUCH_E_USAGE;
	for (i = 0; s[i]; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return POUCH_E_USAGE;
		v = v * 10 + d;
	}
	if (v > max)
		return POUCH_E_USAGE;
	if (out)
		*out = v;
	return 0;
}

int pouch_req_method_check(const char *method, struct pouch_err *err)
{
	size_t n = strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789!#$%&'*+-.^_`|~");

	if (n == 0 || n > 16 || method[n])
		return pouch_err_set(err, POUCH_E_USAGE, "the method is not an HTTP token");
	return 0;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Letters, digits and "-._~": never encoded in the canonical form. */
static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~", c));
}

/* RFC 3986 pchar without '%' (taken apart by the caller), and '/' and '?' besides. */
static int plain(unsigned char c)
{
	return unreserved(c) || (c && strchr("!$&'()*+,;=:@/?", c));
}

/* The byte of the escape at s ("%XX") or -1 when it is malformed or not canonical. */
static int escape(const char *s)
{
	int hi = hex(s[1]), lo = hi < 0 ? -1 : hex(s[2]);
	int c = lo < 0 ? -1 : hi * 16 + lo;

	if (c < 0 || c < 0x20 || c == 0x7f || c == '/' || unreserved((unsigned char)c))
		return -1;
	return c;
}

/* Empty, "." and ".." segments name the same resource as another path: not canonical. */
static int segments_ok(const char *path)
{
	const char *seg = path + 1, *end;
	size_t n;

	if (strcmp(path, "/") == 0)
		return 1;
	for (;; seg = end + 1) {
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && strncmp(seg, "..", 2) == 0))
			return 0;
		if (!end)
			return 1;
	}
}

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n) {
		n = pouch_utf8_seq(p);
		if (n == 0 || pouch_utf8_is_control(p, n))
			return 0;
	}
	return 1;
}

int pouch_req_target_decode(const char *raw, char *out, size_t outmax, struct pouch_err *err)
{
	size_t i, o = 0, len = strlen(raw);
	int query = 0, c;

	if (raw[0] != '/')
		return pouch_err_set(err, POUCH_E_USAGE, "the request target is not a path");
	if (len > POUCH_REQ_TARGET_MAX || outmax == 0)
		return pouch_err_set(err, POUCH_E_USAGE, "the request target is too long");
	for (i = 0; raw[i]; i++) {
		c = (unsigned char)raw[i];
		if (c == '%') {
			c = escape(raw + i);
			if (c < 0)
				return pouch_err_set(err, POUCH_E_USAGE, "the request target has a "
						     "malformed or needless percent-encoding");
			i += 2;
		} else if (!plain((unsigned char)c)) {
			return pouch_err_set(err, POUCH_E_USAGE, "the request target has a byte "
					     "that must be percent-encoded");
		} else if (c == '?') {
			query = 1;
		}
		if (query)
			continue;
		if (o + 1 >= outmax)
			return pouch_err_set(err, POUCH_E_USAGE, "the request path is too long");
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!utf8_ok(out))
		return pouch_err_set(err, POUCH_E_USAGE, "the request path is not UTF-8 text");
	if (!segments_ok(out))
		return pouch_err_set(err, POUCH_E_USAGE, "the request path has an empty, '.' or "
				     "'..' segment");
	return 0;
}

int pouch_req_match(const char *pattern, const char *path, char *id)
{
	const char *slot = strstr(pattern, "{id}");
	size_t head;

	if (!slot)
		return strcmp(pattern, path) == 0;
	head = (size_t)(slot - pattern);
	if (strncmp(pattern, path, head) != 0 || strlen(path) < head + POUCH_UUID_LEN - 1)
		return 0;
	if (strcmp(path + head + POUCH_UUID_LEN - 1, slot + 4) != 0)
		return 0;
	memcpy(id, path + head, POUCH_UUID_LEN - 1);
	id[POUCH_UUID_LEN - 1] = '\0';
	return pouch_uuid_check(id, NULL) == 0;
}

int64_t pouch_req_range(const char *range)
{
	char num[24];
	size_t n;
	uint64_t v;

	if (!range)
		return -1;
	if (strncmp(range, "bytes=", 6) != 0)
		return -2;
	n = strlen(range + 6);
	if (n < 2 || n > sizeof(num) || range[6 + n - 1] != '-')
		return -2;
	memcpy(num, range + 6, n - 1);
	num[n - 1] = '\0';
	if (pouch_decimal_parse(num, INT64_MAX, &v) < 0)
		return -2;
	return (int64_t)v;
}
