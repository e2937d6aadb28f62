/* How partner records are shown: a block for people, or JSON with each key's state. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "partner_print.h"
#include "pouch/pgp.h"
#include "pouch/timefmt.h"

int partner_states(const struct pouch_partner *p, enum pouch_key_state *states)
{
	struct pouch_err err = { 0 };
	struct pouch_pgp *pgp = NULL;
	time_t now = time(NULL);
	size_t i;
	int ret = 0;

	if (pouch_home_pgp(&cli.home, &pgp, &err) < 0)
		return pouch_fail(&err);
	for (i = 0; !ret && i < p->nkeys; i++)
		ret = pouch_partner_key_state(pgp, &p->keys[i], now, &states[i], &err);
	pouch_pgp_free(pgp);
	return ret < 0 ? pouch_fail(&err) : EXIT_OK;
}

static const char *when(time_t t, char *buf, const char *none)
{
	return t ? pouch_time_format(t, buf) : none;
}

int partner_print(const struct pouch_partner *p)
{
	enum pouch_key_state *states = calloc(p->nkeys ? p->nkeys : 1, sizeof(*states));
	char a[POUCH_TIME_LEN], b[POUCH_TIME_LEN];
	char *json = NULL;
	size_t i;
	int ret;

	if (!states) {
		pouch_error("out of memory");
		return EXIT_OPERATIONAL;
	}
	ret = partner_states(p, states);
	if (ret != EXIT_OK)
		goto out;
	if (cli.json) {
		json = pouch_partner_json(p, states, 0);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		goto out;
	}
	printf("partner:  %s\n", p->code);
	printf("name:     %s\n", p->name[0] ? p->name : "-");
	printf("endpoint: %s\n", p->endpoint ? p->endpoint : "-");
	if (p->ca_file)
		printf("tls:      CA file %s/%s\n", cli.home.partners, p->ca_file);
	else if (p->pin[0])
		printf("tls:      pinned public key %s\n", p->pin);
	else
		printf("tls:      %s\n", p->endpoint ? "system CA store" : "-");
	for (i = 0; i < p->nkeys; i++) {
		const struct pouch_partner_key *k = &p->keys[i];
		printf("key:      %s %s (valid %s to %s", k->fpr, pouch_key_state_name(states[i]),
		       when(k->valid_from, a, "-"), when(k->valid_until, b, "open"));
		printf(", key expires %s", when(k->expires, a, "never"));
		if (k->revoked)
			printf(", revoked %s", when(k->revoked, b, "-"));
		printf(")\n");
	}
	ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
out:
	free(json);
	free(states);
	return ret;
}
