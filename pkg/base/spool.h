/* Standard input as a file: what a command reads from '-' is copied, capped, into a private
 * temporary file, so that the code that reads files reads it with the same checks. */
#ifndef POUCH_SPOOL_H
#define POUCH_SPOOL_H

#include <stdint.h>

#include "base/err.h"

/* Copies what in_fd (a pipe, a terminal or a file) gives until its end into a new file
 * PARENT/pouch-stdin-XXXXXX/stdin: the directory made 0700, the file 0600. More than max bytes
 * is POUCH_E_REFUSED ("standard input is larger than MAX bytes") and leaves nothing. The
 * file's path goes to *path (caller removes it with pouch_spool_remove and frees it). Returns
 * 0, or POUCH_E_IO naming parent or standard input. */
int pouch_spool(int in_fd, const char *parent, uint64_t max, char **path, struct pouch_err *err);

/* Removes the file pouch_spool made and its directory; NULL does nothing. */
void pouch_spool_remove(const char *path);

#endif
