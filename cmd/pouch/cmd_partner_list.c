/* pouch partner list: the partner directory, one line per partner (a JSON array with --json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "partner_print.h"

static const char usage[] = "usage: pouch partner list [--json]\n";

/* One partner as a line, or appended to the JSON array text in *json. */
static int list_one(const struct pouch_partner *p, char **json, size_t *jlen)
{
	enum pouch_key_state *states = calloc(p->nkeys, sizeof(*states));
	size_t i, valid = 0;
	char *text = NULL, *grown;
	int ret;

	if (!states)
		return EXIT_OPERATIONAL;
	ret = partner_states(p, states);
	if (ret != EXIT_OK)
		goto out;
	if (json) {
		text = pouch_partner_json(p, states, 0);
		grown = text ? realloc(*json, *jlen + strlen(text) + 2) : NULL;
		if (!grown) {
			ret = EXIT_OPERATIONAL;
			goto out;
		}
		*json = grown;
		*jlen += (size_t)sprintf(*json + *jlen, "%s%s", *jlen > 1 ? "," : "", text);
		goto out;
	}
	for (i = 0; i < p->nkeys; i++)
		valid += states[i] == POUCH_KEY_VALID;
	printf("%-32s %zu/%zu keys valid  %-40s %s\n", p->code, valid, p->nkeys,
	       p->endpoint ? p->endpoint : "-", p->name);
out:
	free(text);
	free(states);
	return ret;
}

int cmd_partner_list(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct pouch_err err = { 0 };
	char **codes = NULL, *json = NULL;
	size_t i, n = 0, jlen = 1;
	int c, ret, worst = EXIT_OK;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
		ret = cli_common_option(c, usage);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (cli_no_args(argc, argv, usage))
		return EXIT_USAGE;
	if ((ret = cli_ready()) != EXIT_OK)
		return ret;
	if (pouch_partner_codes(&cli.home, &codes, &n, &err) < 0)
		return pouch_fail(&err);
	if (cli.json && !(json = strdup("["))) {
		worst = EXIT_OPERATIONAL;
		goto out;
	}
	/* A corrupt record is named and skipped; the others are still listed. */
	for (i = 0; i < n; i++) {
		struct pouch_partner p = { 0 };
		if (pouch_partner_load(&cli.home, codes[i], &p, &err) < 0)
			ret = pouch_fail(&err);
		else
			ret = list_one(&p, json ? &json : NULL, &jlen);
		pouch_partner_release(&p);
		if (ret > worst)
			worst = ret;
	}
	if (json) {
		char *grown = realloc(json, jlen + 2);
		if (!grown) {
			worst = EXIT_OPERATIONAL;
			goto out;
		}
		json = grown;
		strcpy(json + jlen, "]");
		ret = pouch_print(json);
		if (ret > worst)
			worst = ret;
	} else if (fflush(stdout) != 0) {
		worst = EXIT_OPERATIONAL;
	}
out:
	free(json);
	pouch_partner_codes_free(codes, n);
	return worst;
}
