/* The client's own state in the home: state.db (the outbox and its deliveries, the inbox and
 * quarantine, receipts both ways, the cursors of the endpoints we pull from) and the directories
 * that hold the package files. Each table has one writer module: push.c the outgoing rows and
 * deliveries, pull.c the incoming rows, the cursors and the receipts that come back. */
#ifndef POUCH_STATE_H
#define POUCH_STATE_H

#include "base/db.h"
#include "base/err.h"
#include "directory/home.h"

#define POUCH_STATE_FILE "state.db"
#define POUCH_OUTBOX_DIR "outbox"         /* ID.pouch (and ID.pouch.pgp) of queued packages */
#define POUCH_INBOX_DIR "inbox"           /* ID.pouch (and ID.pouch.pgp) of good packages */
#define POUCH_QUARANTINE_DIR "quarantine" /* the same, for packages that failed verification */
#define POUCH_INCOMING_DIR "incoming"     /* downloads in progress (kept for resume) */

/* An open state: the database and the directories' paths (all absolute when the home is). */
struct pouch_state {
	struct pouch_db *db;
	char *outbox, *inbox, *quarantine, *incoming;
	int lock_fd; /* -1 unless pouch_state_lock holds a lock */
};

/* Opens the home's state: creates the directories (0700) and state.db (0600) when missing and
 * brings its schema up to date. Release with pouch_state_close. Errors: POUCH_E_IO,
 * POUCH_E_CORRUPT (not a database, or written by a newer pouch), POUCH_E_NOMEM. */
int pouch_state_open(const struct pouch_home *h, struct pouch_state *s, struct pouch_err *err);

/* Closes s (zeroed or already closed allowed), releasing its lock. */
void pouch_state_close(struct pouch_state *s);

/* Takes the home's lock for one job, what ("push" or "pull"): the lock file
 * state.WHAT.lock, held until pouch_state_close. Two runs of the same job in one home would
 * send the same delivery or store the same download twice at once. Another run holding it is
 * POUCH_E_REFUSED ("another 'pouch WHAT' is running in HOME"); POUCH_E_IO. */
int pouch_state_lock(struct pouch_state *s, const struct pouch_home *h, const char *what,
		     struct pouch_err *err);

#endif
