/* A one-line transfer progress bar on stderr, for pouch_https_req.progress.
 *
 * Use (push and pull):
 *   struct progress pg;
 *   progress_start(&pg, "ID");               label: a short name, copied (cut to 40 bytes)
 *   req.progress = progress_cb; req.progress_arg = &pg;
 *   pouch_https_request(...);
 *   progress_end(&pg);                        clears the line if one was drawn
 *
 * It draws only when stderr is a terminal, cli.quiet is off and the transfer has run for more
 * than a second; then it redraws at most about ten times a second. Upload and download are
 * both shown (whichever moves; the upload when both do). Nothing is ever written to stdout. */
#ifndef POUCH_PROGRESS_H
#define POUCH_PROGRESS_H

#include <stdint.h>

#include "exchange/https.h"

struct progress {
	char label[41];
	int enabled;       /* stderr is a terminal and not quiet */
	int drawn;         /* a line is on the screen */
	int64_t start_ms;  /* monotonic, when progress_start ran */
	int64_t last_ms;   /* the last redraw */
};

/* Prepares pg for one transfer named label (NULL: none). Cannot fail. */
void progress_start(struct progress *pg, const char *label);

/* The callback for pouch_https_req.progress; arg is a struct progress *. */
void progress_cb(void *arg, const struct pouch_https_progress *p);

/* Ends the transfer: clears the bar when one was drawn. pg can be started again. */
void progress_end(struct progress *pg);

#endif
