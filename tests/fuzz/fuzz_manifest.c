/* Fuzzes the pouch.json check (pkg/package/manifest.c, pouch_manifest_check): the signed
 * plaintext's manifest against a fixed header, and its attachment list. The seeds bind that
 * header, so the fuzzer starts from manifests that pass and mutates from there; each input is
 * checked once more against the header with its own SHA-256 as the content digest, so that the
 * checks after the digest's are reached as well. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "crypto/digest.h"
#include "package/manifest.h"

/* The header of spec/vectors/valid/attachments, which the seeds in tests/fuzz/corpus/manifest
 * bind (tests/fuzz/seeds.py). */
static const char header_bytes[] =
	"{\"format\":\"pouch-header/1\",\"id\":\"46151008-dd1c-495c-be82-67204c2899ab\",\"sen"
	"der\":{\"agency\":\"GB-VEC-SENDER\",\"fingerprint\":\"ECDD3190EE6271070ACE1F5BF386F9"
	"23ABFAC68E\"},\"recipients\":[{\"agency\":\"GB-VEC-RECIPIENT\",\"fingerprint\":\"0FF"
	"2F50F52DC1A0BD5F3A40430C401690B74E2FD\"}],\"created\":\"2026-12-07T19:17:32Z\",\"exp"
	"ires\":\"2099-11-19T19:17:32Z\",\"priority\":\"urgent\",\"classification\":\"OFFICIA"
	"L\",\"tlp\":\"TLP:AMBER\",\"content\":{\"sha256\":\"7531532abe0d6f0df6d4ea93cbc55763"
	"b9f36ee04997ff0e811d8b9a3e319009\"},\"payload\":{\"size\":9597,\"sha256\":\"b7170c68"
	"e8b1a4acd95328739836fea2befd074f10f6863a52eddde98d70b1ad\"}}";

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

	static struct pouch_header own;

	/* As open.c has it: the manifest as extracted, NUL-terminated after size bytes. */
	pouch_manifest_check(text, size, &header, &err);
	own = header;
	if (pouch_sha256_buf(text, size, own.content_sha256, NULL) == 0)
		pouch_manifest_check(text, size, &own, &err);
	free(text);
	return 0;
}
