/* How partner records and our own endpoint are shown: a block for people, or JSON with each
 * key's state; and the TLS options that partner add, partner set and endpoint set share. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "partner_print.h"
#include "crypto/x509.h"
#include "crypto/pgp.h"
#include "base/timefmt.h"

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

/* The "tls:" and "client:" lines of an endpoint whose files are in dir. */
static void print_tls(const struct pouch_tls_conf *t, const char *dir, int has_endpoint)
{
	if (t->ca_file && t->pin[0])
		printf("tls:       CA file %s/%s and pinned public key %s\n", dir, t->ca_file,
		       t->pin);
	else if (t->ca_file)
		printf("tls:       CA file %s/%s\n", dir, t->ca_file);
	else if (t->pin[0])
		printf("tls:       system CA store and pinned public key %s\n", t->pin);
	else
		printf("tls:       %s\n", has_endpoint ? "system CA store" : "-");
	if (t->client_cert)
		printf("client:    certificate %s/%s, key %s/%s\n", dir, t->client_cert, dir,
		       t->client_key);
	else
		printf("client:    -\n");
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
	printf("partner:   %s\n", p->code);
	printf("name:      %s\n", p->name[0] ? p->name : "-");
	printf("endpoint:  %s\n", p->endpoint ? p->endpoint : "-");
	print_tls(&p->tls, cli.home.partners, p->endpoint != NULL);
	printf("client cn: %s%s\n", pouch_partner_client_cn(p),
	       p->client_cn[0] ? "" : " (its code)");
	for (i = 0; i < p->nkeys; i++) {
		const struct pouch_partner_key *k = &p->keys[i];
		printf("key:       %s %s (valid %s to %s", k->fpr, pouch_key_state_name(states[i]),
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

int endpoint_print(const struct pouch_endpoint *e)
{
	char t[POUCH_TIME_LEN];
	char *json;
	int ret;

	if (cli.json) {
		json = pouch_endpoint_json(e, 0);
		ret = json ? pouch_print(json) : EXIT_OPERATIONAL;
		free(json);
		return ret;
	}
	printf("endpoint:  %s\n", e->url);
	print_tls(&e->tls, cli.home.dir, 1);
	printf("updated:   %s\n", pouch_time_format(e->updated, t));
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_OPERATIONAL;
}

int tlsopts_option(struct tlsopts *t, int c, const char *arg, const char *usage)
{
	switch (c) {
	case 'C':
		return cli_once(&t->ca, arg, "--ca", usage) ||
		       cli_dash(&t->dash, "--ca", arg, usage) ? -1 : 1;
	case 'p':
		return cli_once(&t->pin, arg, "--pin", usage) ? -1 : 1;
	case 'c':
		return cli_once(&t->client_cert, arg, "--client-cert", usage) ||
		       cli_dash(&t->dash, "--client-cert", arg, usage) ? -1 : 1;
	case 'K':
		return cli_once(&t->client_key, arg, "--client-key", usage) ||
		       cli_dash(&t->dash, "--client-key", arg, usage) ? -1 : 1;
	default:
		return 0;
	}
}

int tlsopts_stdin(struct tlsopts *t, struct cli_stdin *in)
{
	int ret = cli_stdin_take(in, &t->ca, POUCH_X509_CERT_MAX);

	if (ret == EXIT_OK)
		ret = cli_stdin_take(in, &t->client_cert, POUCH_X509_CERT_MAX);
	if (ret == EXIT_OK)
		ret = cli_stdin_take(in, &t->client_key, POUCH_X509_KEY_MAX);
	return ret;
}
