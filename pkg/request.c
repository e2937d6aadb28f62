/* Parsing what a pouchd client sends: paths, decimal numbers, ranges. */
#include <string.h>

#include "pouch/reqparse.h"
#include "pouch/request.h"

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

int pouch_req_uint(const char *s, uint64_t *out, struct pouch_err *err)
{
	uint64_t v;

	*out = 0;
	/* The one strict parser: strtoull alone skips blanks and takes a sign (" -5" would be
	 * 2^64 - 5). */
	if (!s || pouch_decimal_parse(s, UINT64_MAX, &v) < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "not a decimal number");
	*out = v;
	return 0;
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
