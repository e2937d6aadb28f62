/* Fuzzes the checks on X.509 files a partner hands over (pkg/x509.c): CA bundles, and client
 * certificate and key files, read from the files pouch reads (the parsing itself is GnuTLS's).
 * The one input is tried as a CA bundle, and as both files of a client certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "crypto/x509.h"

static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/input.pem", fuzz_dir());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_err err = { 0 };
	struct pouch_x509_client c = { 0 };
	char *text = NULL;
	size_t len = 0;

	fuzz_write(path, data, size);
	if (pouch_x509_read_ca(path, &text, &len, &err) == 0) {
		if (!text || len != size || memcmp(text, data, size) != 0 ||
		    strstr(text, "PRIVATE KEY-----"))
			fuzz_fail("an accepted CA file is not the file, or holds a private key");
		free(text);
	} else if (text) {
		fuzz_fail("a refused CA file left its bytes behind");
	}
	if (pouch_x509_read_client(path, path, &c, &err) == 0)
		fuzz_fail("one file was taken as both a certificate and its key");
	pouch_x509_client_release(&c);
	return 0;
}
