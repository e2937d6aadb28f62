/* How partner records and our own endpoint are shown (a block for people, or JSON), and the
 * options that set an endpoint's TLS, shared by partner add, partner set and endpoint set. */
#ifndef POUCH_PARTNER_PRINT_H
#define POUCH_PARTNER_PRINT_H

#include "directory/endpoint.h"
#include "directory/partner.h"
#include "input.h"

/* Fills states[] (p->nkeys entries) with each pinned key's state now. Returns an exit status. */
int partner_states(const struct pouch_partner *p, enum pouch_key_state *states);

/* Prints p in full (JSON object with --json). Returns an exit status. */
int partner_print(const struct pouch_partner *p);

/* Prints our own endpoint (endpoint.json's content with --json). Returns an exit status. */
int endpoint_print(const struct pouch_endpoint *e);

/* The TLS options, for a getopt_long table, and where they are kept. */
#define TLSOPTS_OPTIONS \
	{ "ca", required_argument, NULL, 'C' }, { "pin", required_argument, NULL, 'p' }, \
	{ "client-cert", required_argument, NULL, 'c' }, \
	{ "client-key", required_argument, NULL, 'K' }

#define TLSOPTS_USAGE \
	"  --ca FILE           CA certificates (PEM) that issue the endpoint's certificate\n" \
	"  --pin SHA256        the endpoint's public-key SHA-256 (sha256//BASE64 or hex),\n" \
	"                      checked in addition to the CA\n" \
	"  --client-cert FILE  our client certificate (PEM) for the endpoint, with its chain\n" \
	"  --client-key FILE   its private key (PEM, unencrypted)\n" \
	"  a FILE can be '-': standard input, for one file at most\n"

struct tlsopts {
	const char *ca, *pin, *client_cert, *client_key;
	const char *dash; /* the option whose file is '-' (standard input), or NULL */
};

/* Takes option c when it is one of TLSOPTS_OPTIONS: returns 1 when taken, 0 when c is not one,
 * -1 when it was given before or is a second '-' (the usage error is printed). */
int tlsopts_option(struct tlsopts *t, int c, const char *arg, const char *usage);

/* Copies standard input into in for the one file option that is '-', with that file's cap.
 * Returns an exit status. */
int tlsopts_stdin(struct tlsopts *t, struct cli_stdin *in);

#endif
