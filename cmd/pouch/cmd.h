/* The pouch command line: shared state, messages and one function per subcommand.
 *
 * Adding a command:
 *   1. cmd/pouch/cmd_<verb>.c exporting only cmd_<verb>(argc, argv), everything else static;
 *   2. its prototype below and a row in commands[] in main.c (alphabetical, with its
 *      preconditions and one-line summary);
 *   3. nothing in the Makefile (every cmd/pouch .c file is built) but a test:
 *      tests/e2e/tNNNN-<verb>.sh (family digit as in ../shared/STYLE.md section 7);
 *   4. its man page docs/man/pouch-<verb>.1.scd (pouch help <verb> prints it) and a line in
 *      docs/man/pouch.1.scd; a section in README.md.
 */
#ifndef POUCH_CMD_H
#define POUCH_CMD_H

#include <getopt.h>

#include "pouch/err.h"
#include "pouch/home.h"

/* Exit statuses: the same for every command, documented in README.md and pouch(1). */
#define EXIT_OK 0
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_OPERATIONAL 3

/* Global options and the resolved home, set by main before a command runs. */
struct pouch_cli {
	int json;                /* --json: machine-readable results */
	int quiet;               /* -q: results only, no guidance */
	struct pouch_home home;  /* paths of the home (--home, POUCH_HOME or the default) */
};
extern struct pouch_cli cli;

/* Messages: "pouch: " and a newline are added; pouch_error and pouch_warn go to stderr,
 * pouch_note (guidance, silenced by -q) to stderr too, so stdout carries only results. */
void pouch_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pouch_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pouch_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints err's message as an error and returns the exit status for its code. */
int pouch_fail(const struct pouch_err *err);

/* Prints the reason (when fmt is not NULL) and usage to stderr; returns EXIT_USAGE. */
int pouch_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints text and a newline on stdout; a write failure is reported and is EXIT_OPERATIONAL. */
int pouch_print(const char *text);

/* Options every subcommand takes, for its getopt_long table. */
#define CLI_COMMON_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, { "json", no_argument, NULL, 'J' }, \
	{ "quiet", no_argument, NULL, 'q' }
#define CLI_COMMON_SHORT "hq"
#define CLI_CONTINUE (-1)

/* Handles an option getopt_long returned that the subcommand has no case for: -h prints
 * usage (returns EXIT_OK), --json and -q set cli (returns CLI_CONTINUE), anything else is a
 * usage error (returns EXIT_USAGE). */
int cli_common_option(int c, const char *usage);

/* Stores the argument of a string option, refusing it the second time: returns 0 or
 * EXIT_USAGE. */
int cli_once(const char **slot, const char *value, const char *name, const char *usage);

/* Sets a flag option, refusing it the second time: returns 0 or EXIT_USAGE. */
int cli_flag(int *flag, const char *name, const char *usage);

/* After option parsing: the one partner code a command takes, or NULL after printing a usage
 * error. */
const char *cli_partner_code(int argc, char **argv, const char *usage);

/* After option parsing: EXIT_OK when no arguments are left, else a usage error. */
int cli_no_args(int argc, char **argv, const char *usage);

/* Starts option parsing of a subcommand afresh. */
void cli_reset(void);

/* The man pages as plain text, one string per line (generated: $(BUILD)/gen/help_pages.c). */
struct help_page {
	const char *name;          /* "pouch", "pouch-pack", "pouchd", ... */
	const char *const *lines;  /* NULL-terminated */
};
extern const struct help_page help_pages[]; /* ends with a NULL name */

/* pouch help [WORDS]: prints the man page the words name (none: pouch(1)); returns the exit
 * status, or -1 when there is no such page (nothing printed). */
int help_page(int argc, char **argv);

int cmd_audit_show(int argc, char **argv);
int cmd_audit_verify(int argc, char **argv);
int cmd_endpoint_set(int argc, char **argv);
int cmd_endpoint_show(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_key_add(int argc, char **argv);
int cmd_key_export(int argc, char **argv);
int cmd_key_rotate(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_partner_add(int argc, char **argv);
int cmd_partner_add_key(int argc, char **argv);
int cmd_partner_list(int argc, char **argv);
int cmd_partner_remove(int argc, char **argv);
int cmd_partner_revoke(int argc, char **argv);
int cmd_partner_set(int argc, char **argv);
int cmd_partner_show(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_whoami(int argc, char **argv);

#endif
