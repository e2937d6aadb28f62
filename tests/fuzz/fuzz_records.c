/* Fuzzes the record parsers (pkg/directory/partner.c, pkg/directory/agency.c, pkg/directory/endpoint.c): partner records,
 * the agency identity and our endpoint, read through the same files pouch reads. The one input
 * is all three files at once (hard links), so one corpus serves the three parsers. A record
 * that loads must print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "directory/agency.h"
#include "directory/endpoint.h"
#include "directory/home.h"
#include "directory/partner.h"

static struct pouch_home home;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pouch_err err = { 0 };
	char *partner, endpoint[4096];

	(void)argc;
	(void)argv;
	if (pouch_home_init(&home, fuzz_dir(), &err) < 0 || mkdir(home.partners, 0700) < 0)
		fuzz_fail("cannot make the home");
	partner = pouch_home_partner_file(&home, "GB-MET");
	fuzz_write(home.agency, (const uint8_t *)"", 0);
	snprintf(endpoint, sizeof(endpoint), "%s/%s", home.dir, POUCH_ENDPOINT_FILE);
	if (!partner || link(home.agency, partner) < 0 || link(home.agency, endpoint) < 0)
		fuzz_fail("cannot link the records");
	free(partner);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_err err = { 0 };
	struct pouch_partner p;
	struct pouch_agency a;
	struct pouch_endpoint e;
	char *text;

	fuzz_write(home.agency, data, size);
	if (pouch_agency_load(home.agency, &a, &err) == 0) {
		if (!pouch_agency_current(&a) || !(text = pouch_agency_json(&a)))
			fuzz_fail("a loaded agency record has no current key or does not print");
		free(text);
		pouch_agency_release(&a);
	}
	if (pouch_partner_load(&home, "GB-MET", &p, &err) == 0) {
		if (strcmp(p.code, "GB-MET") != 0 || p.nkeys == 0 ||
		    !(text = pouch_partner_json(&p, NULL, 0)))
			fuzz_fail("a loaded partner record is not its file's or does not print");
		free(text);
		pouch_partner_release(&p);
	}
	/* endpoint.json is the third name of the same file. */
	if (pouch_endpoint_load(&home, &e, &err) == 0) {
		if (!e.url || !(text = pouch_endpoint_json(&e, 0)))
			fuzz_fail("a loaded endpoint record does not print");
		free(text);
		pouch_endpoint_release(&e);
	}
	return 0;
}
