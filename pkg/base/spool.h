/* Standard input as a file: what a command reads from '-' is copied, capped, into a private
 * temporary file that never has a name, so that the code that reads files reads it with the
 * same checks, and nothing of it is left behind however the command ends (kill -9 included). */
#ifndef POUCH_SPOOL_H
#define POUCH_SPOOL_H

#include <stdint.h>

#include "base/err.h"

/* A spooled standard input: an open, unnamed file and the path that reopens it. */
struct pouch_spool {
	int fd;        /* -1 when none */
	char path[32]; /* "/proc/self/fd/N": opened for reading like any file, from this process */
};

/* Copies what in_fd (a pipe, a terminal or a file) gives until its end into a new unnamed
 * file (0600) in directory parent (O_TMPFILE; where the file system has none, a file unlinked
 * as soon as it is made). More than max bytes is POUCH_E_REFUSED ("standard input is larger
 * than MAX bytes"). Returns 0 with *sp filled (pouch_spool_close releases it), or POUCH_E_IO
 * naming parent or standard input, with sp->fd -1. */
int pouch_spool(int in_fd, const char *parent, uint64_t max, struct pouch_spool *sp,
		struct pouch_err *err);

/* Closes the file pouch_spool made, which is then gone; one never made does nothing. */
void pouch_spool_close(struct pouch_spool *sp);

#endif
