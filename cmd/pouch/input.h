/* '-' for standard input or output, and agency codes as typed: what every command shares.
 *
 * A command takes '-' for at most one of its files (cli_dash while parsing), then, before the
 * file is read, cli_stdin_take copies standard input, capped as the file itself would be, into
 * a private temporary file that has no name (base/spool.h) and whose /proc path replaces the
 * '-'. Messages naming that path name '-' again (cli_stdin_fail). */
#ifndef POUCH_INPUT_H
#define POUCH_INPUT_H

#include <stdint.h>

#include "base/err.h"
#include "base/spool.h"

/* The cap on a key or a revocation certificate read from '-', as from a file. */
#define CLI_KEY_MAX (1024 * 1024)

/* Standard input, once spooled. */
struct cli_stdin {
	int taken;		/* sp holds standard input */
	struct pouch_spool sp; /* the private copy, when taken */
};

/* While parsing: value is the argument of option opt. A second '-' on one command line is a
 * usage error (returns EXIT_USAGE, usage printed); *first remembers the option that had the
 * first. Returns 0 otherwise. */
int cli_dash(const char **first, const char *opt, const char *value, const char *usage);

/* When *slot is "-", copies standard input (at most max bytes) into a private file and points
 * *slot at it. Returns EXIT_OK, or an exit status after saying what went wrong. */
int cli_stdin_take(struct cli_stdin *s, const char **slot, uint64_t max);

/* As cli_stdin_take for a package (at most POUCH_ENVELOPE_MAX bytes) that verb ("verify",
 * "open") reads: one with a detached payload cannot come from standard input, and is a usage
 * error saying so. */
int cli_stdin_package(struct cli_stdin *s, const char **path, const char *verb);

/* Shows the private copy's path in err's message as '-'. */
void cli_stdin_shown(const struct cli_stdin *s, struct pouch_err *err);

/* As pouch_fail, with the private copy's path in err's message shown as '-'. */
int cli_stdin_fail(const struct cli_stdin *s, struct pouch_err *err);

/* Closes the private copy, which is then gone. */
void cli_stdin_release(struct cli_stdin *s);

/* Agency codes are taken in any case and kept in upper case: s is changed in place. */
void cli_code_upper(char *s);

/* Splits the comma-separated codes in s (modified, upper-cased) and appends them to to[] after
 * its *n entries; an empty item stays "" (it fails the code check, never dropped quietly).
 * Returns 0, or -1 when more than max would be. */
int cli_codes_add(char *s, const char **to, size_t *n, size_t max);

#endif
