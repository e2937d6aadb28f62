/* Parsing what a pouchd client sends: paths, decimal numbers, ranges. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	char *end;
	unsigned long long n;

	*out = 0;
	/* strtoull alone skips blanks and takes a sign: " -5" would be 2^64 - 5. */
	if (!s || s[0] < '0' || s[0] > '9')
		return pouch_err_set(err, POUCH_E_USAGE, "not a decimal number");
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || end == s)
		return pouch_err_set(err, POUCH_E_USAGE, "not a decimal number");
	*out = n;
	return 0;
}

int64_t pouch_req_range(const char *range)
{
	char *end;
	unsigned long long n;

	if (!range)
		return -1;
	if (strncmp(range, "bytes=", 6) != 0 || range[6] < '0' || range[6] > '9')
		return -2;
	errno = 0;
	n = strtoull(range + 6, &end, 10);
	if (errno || strcmp(end, "-") != 0 || n > INT64_MAX)
		return -2;
	return (int64_t)n;
}
