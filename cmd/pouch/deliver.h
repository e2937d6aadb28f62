/* A delivery run over the outbox and what it prints, shared by pouch push and pouch outbox
 * retry: one line per delivery (JSON Lines with --json, then a summary line), retries as notes
 * on stderr, and the exit status push documents. */
#ifndef POUCH_DELIVER_H
#define POUCH_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "exchange/state.h"

/* Delivers the queued deliveries of the nids packages ids (ids NULL: every queued one) over
 * the state st (its "push" lock held), retries further attempts per delivery, at time now.
 * Returns the exit status: 0 every delivery attempted delivered, 1 any failed, 3 any left
 * queued or an error (printed). */
int deliver_run(struct pouch_state *st, const char *const *ids, size_t nids, int retries,
		time_t now);

/* The command line of pouch outbox retry and cancel, "ID [--to CODE]" and the common options:
 * the package (an id or its start) into *id, the recipient (upper-cased, checked) into *to
 * (NULL without --to). Returns CLI_CONTINUE, or the exit status to end with (EXIT_OK after
 * --help, EXIT_USAGE). */
int outbox_args(int argc, char **argv, const char *usage, const char **id, const char **to);

/* Opens the home's state (st, zeroed by the caller) and takes its "push" lock; prints why not
 * and returns the exit status, else EXIT_OK. */
int outbox_open(struct pouch_state *st);

#endif
