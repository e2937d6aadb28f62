/* Fuzzes the pouch.json check (pkg/package/open.c, pouch_manifest_check): the signed plaintext's
 * manifest against a fixed header, and its attachment list. The seeds bind that header, so the
 * fuzzer starts from manifests that pass and mutates from there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "package/open.h"

/* The header of spec/vectors/valid/attachments, which the seeds in tests/fuzz/corpus/manifest
 * bind (tests/fuzz/seeds.py). */
static const char header_bytes[] =
	"{\"format\":\"pouch-header/1\",\"id\":\"1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7\",\"sender\":"
	"{\"agency\":\"GB-VEC-SENDER\",\"fingerprint\":\"F63931D0D9E4B08720B3EB681F06BDF6806D3DC9\"},"
	"\"recipients\":[{\"agency\":\"GB-VEC-RECIPIENT\",\"fingerprint\":"
	"\"B64E7F19802E491A99161C3B45FBE6D852CF6891\"}],\"created\":\"2026-11-23T12:41:45Z\","
	"\"expires\":\"2099-11-05T12:41:45Z\",\"priority\":\"urgent\",\"payload\":{\"size\":8571,"
	"\"sha256\":\"5e3a6819b6a2bdd013b243d0a8241659070a516acaddf1b334140ccd9b7abad1\"}}";

static struct pouch_header header;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (pouch_header_decode(header_bytes, sizeof(header_bytes) - 1, &header, NULL) != 0)
		fuzz_fail("the harness's own header does not decode");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_err err = { 0 };
	char *text = fuzz_str(data, size);

	/* As open.c has it: the manifest as extracted, NUL-terminated after size bytes. */
	pouch_manifest_check(text, size, &header, &err);
	free(text);
	return 0;
}
