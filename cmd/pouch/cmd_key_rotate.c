/* pouch key rotate: a new agency key; the old one keeps verifying during an overlap. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "trust.h"
#include "keyopts.h"
#include "base/fs.h"
#include "directory/identity.h"
#include "base/timefmt.h"

static const char usage[] =
	"usage: pouch key rotate [--overlap DURATION] [--expires DURATION]\n"
	"                        [--passphrase-file FILE | --no-passphrase] [-o FILE]\n"
	"  --overlap DURATION     how long the old key still verifies (default 30d)\n" KEYOPTS_USAGE
	"  -o, --output FILE      also write the new public key to FILE for partners\n";

/* The rotation's audit entry: the new key, and the one it retires. */
static int record(const struct pouch_agency *a, const char *fpr)
{
	const struct pouch_agency_key *old = NULL;
	char reason[128] = "";
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].retired && (!old || a->keys[i].retired >= old->retired))
			old = &a->keys[i];
	if (old)
		snprintf(reason, sizeof(reason), "retires key %s", old->fpr);
	return trust_record(&(struct pouch_audit_entry){ .event = "key-rotate", .agency = a->code,
				    .fingerprint = fpr, .reason = old ? reason : NULL });
}

static int report(const struct pouch_agency *a, const char *fpr, const char *file)
{
	const struct pouch_agency_key *old = NULL;
	char until[POUCH_TIME_LEN];
	char *json;
	size_t i;
	int ret;

	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].retired && (!old || a->keys[i].retired >= old->retired))
			old = &a->keys[i];
	if (cli.json) {
		json = pouch_agency_json(a);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		free(json);
		return ret;
	}
	printf("new key:     %s\n", fpr);
	if (old)
		printf("old key:     %s (verifies until %s)\n", old->fpr,
		       pouch_time_format(old->verify_until, until));
	pouch_note("partners must pin the new key before the overlap ends: send them %s and have "
		   "them run 'pouch partner add-key %s --key FILE --fingerprint %s'",
		   file ? file : "the output of 'pouch key export'", a->code, fpr);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

int cmd_key_rotate(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		KEYOPTS_OPTIONS,
		{ "overlap", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct keyopts k = { 0 };
	struct pouch_agency a = { 0 };
	struct pouch_err err = { 0 };
	const char *overlap_s = NULL, *out = NULL;
	char fpr[POUCH_FPR_LEN + 1];
	long long overlap = 30LL * 86400;
	char *key = NULL;
	size_t len = 0;
	int c, ret = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		int r = keyopts_option(&k, c, optarg, usage);
		if (r < 0)
			goto out;
		if (r > 0)
			continue;
		if (c == 'O') {
			if (cli_once(&overlap_s, optarg, "--overlap", usage))
				goto out;
		} else if (c == 'o') {
			if (cli_once(&out, optarg, "--output", usage))
				goto out;
		} else if ((r = cli_common_option(c, usage)) != CLI_CONTINUE) {
			ret = r;
			goto out;
		}
	}
	ret = EXIT_USAGE;
	if (cli_no_args(argc, argv, usage))
		goto out;
	if (overlap_s && pouch_duration_parse("--overlap", overlap_s, &overlap, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if (out && pouch_fs_exists(out)) {
		pouch_error("'%s' exists: choose a new file for -o", out);
		ret = EXIT_REFUSED;
		goto out;
	}
	ret = keyopts_finish(&k, usage);
	if (ret != EXIT_OK)
		goto out;
	if ((ret = cli_ready()) != EXIT_OK)
		goto out;
	if (pouch_identity_load(&cli.home, &a, &err) < 0 ||
	    pouch_identity_rotate(&cli.home, &a, &k.ko, overlap, fpr, &err) < 0) {
		ret = pouch_fail(&err);
		goto out;
	}
	if ((ret = record(&a, fpr)) != EXIT_OK)
		goto out;
	if (out && (pouch_identity_export(&cli.home, &a, &key, &len, &err) < 0 ||
		    pouch_fs_write_atomic(out, key, len, 0644, 1, &err) < 0)) {
		/* The rotation stands; only the copy for partners is missing. */
		pouch_fail(&err);
		pouch_error("the new key is in place: export it with 'pouch key export'");
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	ret = report(&a, fpr, out);
out:
	free(key);
	keyopts_release(&k);
	pouch_agency_release(&a);
	return ret;
}
