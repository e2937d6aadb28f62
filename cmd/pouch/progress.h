/* A one-line progress report on stderr for the long steps: pack, open, push and pull.
 *
 * Use:
 *   struct progress pg;
 *   progress_start(&pg, "pack");             label: a short name, copied (cut to 48 bytes)
 *   req.progress = { on_progress, &pg };     whose callback calls progress_bytes (or, for
 *                                            pouch_https_req.progress, progress_cb)
 *   ...the step...
 *   progress_end(&pg);                       clears the line if one was drawn
 *
 * The line is the same for every step:
 *   LABEL  12.3 MiB / 40.0 MiB  5.1 MiB/s  0:05 left
 * (without a known total: LABEL  12.3 MiB  5.1 MiB/s). It is drawn only when stderr is a
 * terminal and -q is off, and only for a step of at least 1 MiB or one that has run for a
 * second; then it is redrawn with a carriage return at most ten times a second, and cleared
 * when the step ends. Nothing is ever written to stdout. */
#ifndef POUCH_PROGRESS_H
#define POUCH_PROGRESS_H

#include <stdint.h>

#include "exchange/https.h"

struct progress {
	char label[49];
	int enabled;       /* stderr is a terminal and not quiet */
	int drawn;         /* a line is on the screen */
	int started;       /* base holds the first count seen */
	uint64_t base;     /* the count when the step started (a resumed transfer's offset) */
	int64_t start_ms;  /* monotonic, when progress_start ran */
	int64_t last_ms;   /* the last redraw */
};

/* Prepares pg for one step named label (NULL: none). Cannot fail. */
void progress_start(struct progress *pg, const char *label);

/* The step has done done bytes of total (0: unknown). pg may be NULL. */
void progress_bytes(struct progress *pg, uint64_t done, uint64_t total);

/* The callback for pouch_https_req.progress; arg is a struct progress *. Upload and download
 * are both shown (whichever moves; the upload when both do). */
void progress_cb(void *arg, const struct pouch_https_progress *p);

/* Ends the step: clears the line when one was drawn. pg can be started again. */
void progress_end(struct progress *pg);

#endif
