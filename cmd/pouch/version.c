/* pouch --version: pouch's version, then the version of each library in use, one a line as
 * curl --version has them; with --json, one object. */
#include <stdio.h>

#include "cmd.h"
#include "base/db.h"
#include "base/fault.h"
#include "base/json.h"
#include "crypto/pgp.h"
#include "crypto/x509.h"
#include "exchange/https.h"
#include "package/archive.h"

struct lib {
	const char *name; /* as the library calls itself */
	const char *key;  /* for --json */
	const char *version;
};

/* Versions are the libraries' own strings: print them as JSON strings safely all the same. */
static void print_string(const char *s)
{
	putchar('"');
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	putchar('"');
}

int cli_version(void)
{
	const char *gpgme, *gpg;
	struct lib libs[7];
	size_t i;

	pouch_pgp_versions(&gpgme, &gpg);
	libs[0] = (struct lib){ "GPGME", "gpgme", gpgme };
	libs[1] = (struct lib){ "gpg", "gpg", gpg ? gpg : "not found" };
	libs[2] = (struct lib){ "libcurl", "libcurl", pouch_https_version() };
	libs[3] = (struct lib){ "GnuTLS", "gnutls", pouch_x509_version() };
	libs[4] = (struct lib){ "SQLite", "sqlite", pouch_db_version() };
	libs[5] = (struct lib){ "jansson", "jansson", pouch_json_version() };
	libs[6] = (struct lib){ "libarchive", "libarchive", pouch_archive_version() };
	if (cli.json) {
		printf("{\"version\":");
		print_string(POUCH_VERSION);
		printf(",\"fault_injection\":%s,\"libraries\":{", POUCH_FAULT_BUILD ? "true" : "false");
		for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
			printf("%s\"%s\":", i ? "," : "", libs[i].key);
			print_string(libs[i].version);
		}
		printf("}}\n");
	} else {
		printf("pouch %s%s\n", POUCH_VERSION,
		       POUCH_FAULT_BUILD ? " (test build with fault injection)" : "");
		for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
			printf("%s %s\n", libs[i].name, libs[i].version);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}
