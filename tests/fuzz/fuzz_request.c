/* Fuzzes what pouchd parses from a request before any handler runs (pkg/server/reqparse.c,
 * pkg/server/protocol.c): the method, the raw request target and its decoding, the
 * decoded path against every route pattern, decimal header and parameter values
 * (Content-Length, Upload-Offset, limit), the Range header and list cursors. The input is one
 * value, tried as each of them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/protocol.h"
#include "server/reqparse.h"

/* pouchd's route patterns (cmd/pouchd/routes.c). */
static const char *const patterns[] = {
	"/v1/health",		     "/v1/metrics",		 "/v1/packages",
	"/v1/packages/{id}",	     "/v1/packages/{id}/payload", "/v1/packages/{id}/receipt",
	"/v1/receipts",		     "/v1/uploads/{id}",
};

static void routes(const char *path)
{
	char id[POUCH_UUID_LEN];
	size_t i, hits = 0;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		memset(id, 0, sizeof(id));
		if (!pouch_req_match(patterns[i], path, id))
			continue;
		hits++;
		if (strchr(patterns[i], '{') && pouch_uuid_check(id, NULL) != 0)
			fuzz_fail("a route matched with a bad package id");
		if (!strchr(patterns[i], '{') && strcmp(patterns[i], path) != 0)
			fuzz_fail("a fixed route matched another path");
	}
	if (hits > 1)
		fuzz_fail("a path matched two routes");
}

/* A decoded target is a path of text: no control byte, no empty, "." or ".." segment. */
static void target(const char *raw, size_t size)
{
	char *path = malloc(size + 1);
	struct pouch_err err = { 0 };
	const char *seg;
	size_t i;

	if (!path)
		fuzz_fail("out of memory");
	if (pouch_req_target_decode(raw, path, size + 1, &err) == 0) {
		for (i = 0; path[i]; i++)
			if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
				fuzz_fail("a decoded path holds a control byte");
		if (path[0] != '/')
			fuzz_fail("a decoded path does not start with '/'");
		for (seg = path; seg; seg = strchr(seg + 1, '/'))
			if (seg[1] == '/' || !strncmp(seg, "/./", 3) || !strcmp(seg, "/.") ||
			    !strncmp(seg, "/../", 4) || !strcmp(seg, "/.."))
				fuzz_fail("a decoded path has an empty, . or .. segment");
	}
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), back[32];
	struct pouch_err err = { 0 };
	uint64_t n;
	int64_t seq, off;

	target(s, size);
	(void)pouch_req_method_check(s, &err);
	routes(s);
	if (pouch_decimal_parse(s, UINT64_MAX, &n) == 0) {
		/* Whatever the digits, the value is what they say: no sign, no wrap. */
		snprintf(back, sizeof(back), "%" PRIu64, n);
		if (s[0] == '-' || strlen(back) > strlen(s) || strstr(s, back) == NULL)
			fuzz_fail("a decimal value is not the number its text says");
	}
	off = pouch_req_range(s);
	if (off < -2 || (off >= 0 && strncmp(s, "bytes=", 6) != 0))
		fuzz_fail("a range offset from a value that is not a range");
	if (pouch_proto_cursor(s, &seq, &err) == 0 && (seq < 0 || !s[0]))
		fuzz_fail("a negative or empty cursor was accepted");
	free(s);
	return 0;
}
