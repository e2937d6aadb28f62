/* A delivery run over the outbox and what it prints, shared by pouch push and pouch outbox
 * retry: one line per delivery (JSON Lines with --json, then a summary line), retries as notes
 * on stderr, and the exit status push documents. */
#ifndef POUCH_DELIVER_H
#define POUCH_DELIVER_H

#include <stddef.h>
#include <time.h>

#include "exchange/state.h"

/* Delivers the queued deliveries of the nids packages ids (ids NULL: every queued one) over
 * the state st (its "push" lock held), retries further attempts per delivery, up to parallel
 * packages on their way at once per endpoint (0: the default), at time now.
 * Returns the exit status: 0 every delivery attempted delivered, 1 any failed, 3 any left
 * queued or an error (printed). */
int deliver_run(struct pouch_state *st, const char *const *ids, size_t nids, int retries,
		int parallel, time_t now);

/* The arguments of pouch outbox retry and cancel, for their usage. */
#define OUTBOX_ARGS_USAGE \
	"  ID          the package (its id, or the start of it)\n" \
	"  --to CODE   only the delivery to this recipient\n"

/* The start of pouch outbox retry and cancel: their command line, "ID [--to CODE]" and the
 * common options (the package, an id or its start, into *id; the recipient, upper-cased and
 * checked, into *to, NULL without --to), then the home's state opened into st with its "push"
 * lock held. Returns CLI_CONTINUE, or the exit status to end with (EXIT_OK after --help; the
 * reason printed otherwise). st is to be closed in every case. */
int outbox_begin(int argc, char **argv, const char *usage, const char **id, const char **to,
		 struct pouch_state *st);

#endif
