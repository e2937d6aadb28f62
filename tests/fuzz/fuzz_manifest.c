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
	"{\"format\":\"pouch-header/1\",\"id\":\"9a31b850-5112-4d85-b572-141674f82c2d\",\"sende"
	"r\":{\"agency\":\"GB-VEC-SENDER\",\"fingerprint\":\"FBBF4FA6BB706BA35D4EBD29F57C2BAFB1"
	"737504\"},\"recipients\":[{\"agency\":\"GB-VEC-RECIPIENT\",\"fingerprint\":\"81C91FB1E"
	"F24F6237F38076841465CD97C0BE9B1\"}],\"created\":\"2026-12-07T16:18:20Z\",\"expires\":\""
	"2099-11-19T16:18:20Z\",\"priority\":\"urgent\",\"classification\":\"OFFICIAL\",\"tlp\""
	":\"TLP:AMBER\",\"payload\":{\"size\":9597,\"sha256\":\"511734a9fe6d07a7d818cf9c9419031"
	"57dd5b3982a21999fdf197a2450fd80e4\"}}";

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
