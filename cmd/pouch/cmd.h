/* The pouch command line: shared state, messages and one function per subcommand.
 *
 * Adding a command:
 *   1. cmd/pouch/cmd_<verb>.c exporting only cmd_<verb>(argc, argv), everything else static;
 *   2. its prototype below and a row in commands[] in main.c (alphabetical, with its
 *      preconditions and one-line summary);
 *   3. nothing in the Makefile (every cmd/pouch .c file is built) but a test:
 *      tests/e2e/tNNNN-<verb>.sh (family digit as in ../shared/STYLE.md section 7);
 *   4. its man page docs/man/pouch-<verb>.1.scd (pouch help <verb> prints it) and a line in
 *      docs/man/pouch.1.scd, and its options in cmd/pouch/completion/ (t9910);
 *   5. spec/cli/pouch-<group>-<verb>.schema.json for what it prints with --json, in the
 *      vocabulary of spec/cli/README.md (t0600-json-schemas.sh fails without it).
 */
#ifndef POUCH_CMD_H
#define POUCH_CMD_H

#include <getopt.h>
#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "directory/home.h"

/* Exit statuses: the same for every command, documented in README.md and pouch(1). */
#define EXIT_OK 0
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_OPERATIONAL 3

/* A command's preconditions, applied by cli_ready. */
enum {
	CLI_NEEDS_HOME = 1 << 0,   /* an initialised home (agency identity) */
	CLI_NEEDS_SECRET = 1 << 1, /* our secret key: not a gateway home (pouch init --gateway) */
};

/* Global options and the resolved home, set by main before a command runs. */
struct pouch_cli {
	int json;                /* --json: machine-readable results */
	int quiet;               /* -q: results only, no guidance */
	const char *home_opt;    /* --home DIR, wherever it was on the line */
	unsigned needs;          /* the command's CLI_NEEDS_* */
	int ready;               /* cli_ready has resolved home */
	struct pouch_home home;  /* paths of the home (--home, POUCH_HOME or the default) */
	int argc;                /* the command line getopt_long is parsing (for its errors) */
	char **argv;
};
extern struct pouch_cli cli;

/* Messages: "pouch: " and a newline are added; pouch_error and pouch_warn go to stderr,
 * pouch_note (guidance, silenced by -q) to stderr too, so stdout carries only results. */
void pouch_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pouch_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pouch_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records an error for the error object of --json only, for a failure the results on stdout
 * have already told people about (pull's quarantined packages, push's failed deliveries). */
void pouch_json_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The error object of --json (spec/cli/README.md): cli_json_begin notes a --json anywhere in
 * argv; cli_json_end, given the exit status, prints {"error":{...}} on stdout when it is not 0
 * and --json was given, naming the first error the run printed. Returns status. */
void cli_json_begin(int argc, char **argv);
int cli_json_end(int status);

/* Prints err's message as an error and returns the exit status for its code. */
int pouch_fail(const struct pouch_err *err);

/* Prints the reason (when fmt is not NULL) and usage to stderr; returns EXIT_USAGE. */
int pouch_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints text and a newline on stdout; a write failure is reported and is EXIT_OPERATIONAL. */
int pouch_print(const char *text);

/* The global options, accepted before the command, between a group and its verb and among the
 * command's own options; and the options every subcommand takes, for its getopt_long table. */
#define CLI_GLOBAL_OPTIONS \
	{ "home", required_argument, NULL, 'H' }, { "json", no_argument, NULL, 'J' }, \
	{ "quiet", no_argument, NULL, 'q' }
#define CLI_COMMON_OPTIONS { "help", no_argument, NULL, 'h' }, CLI_GLOBAL_OPTIONS
#define CLI_COMMON_SHORT "hq"
#define CLI_CONTINUE (-1)

/* Handles an option getopt_long returned that the subcommand has no case for: -h prints
 * usage (returns EXIT_OK), --home, --json and -q set cli (returns CLI_CONTINUE; a second
 * --home is EXIT_USAGE), anything else is a usage error (returns EXIT_USAGE). */
int cli_common_option(int c, const char *usage);

/* Called by a command once its whole command line is parsed and checked, before it acts:
 * resolves the home (--home, POUCH_HOME or the default) into cli.home and applies the
 * command's preconditions (an initialised home, our secret key). So a usage error is exit 2
 * whatever the home holds. Returns EXIT_OK, else prints why and returns the exit status. */
int cli_ready(void);

/* The passphrase for a command that signs: pass (from --passphrase-file) when given; else,
 * with a terminal on stdin, NULL (gpg-agent's pinentry asks there); else "" (never a
 * pinentry, which without a terminal could be left waiting: only an unprotected key or a
 * passphrase gpg-agent has cached serves). */
const char *cli_passphrase(const char *pass);

/* pouch --version: pouch's version and those of the libraries in use. Returns an exit
 * status. */
int cli_version(void);

/* The nearest of names (n command names, "word" or "group verb") to what the user typed: w1
 * and, when not NULL, w2; in_group: w1 named a group exactly, so only its commands are
 * candidates. Copies it (or, for a mistyped group alone, the group) into out and returns 1;
 * returns 0 when nothing is close. */
int cli_suggest(const char *const *names, size_t n, const char *w1, const char *w2,
		int in_group, char *out, size_t size);

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

/* The time now, for the commands that judge a package by its times (open, verify, inbox). In
 * a test build (POUCH_FAULTS) POUCH_CLOCK_SHIFT=SECONDS moves it, so that tests can look at
 * a package after its expiry without waiting for it. */
time_t cli_now(void);

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
int cmd_ceiling(int argc, char **argv);
int cmd_endpoint_set(int argc, char **argv);
int cmd_endpoint_show(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_key_add(int argc, char **argv);
int cmd_key_export(int argc, char **argv);
int cmd_key_rotate(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_outbox_cancel(int argc, char **argv);
int cmd_outbox_retry(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_partner_add(int argc, char **argv);
int cmd_partner_add_key(int argc, char **argv);
int cmd_partner_list(int argc, char **argv);
int cmd_partner_remove(int argc, char **argv);
int cmd_partner_revoke(int argc, char **argv);
int cmd_partner_set(int argc, char **argv);
int cmd_partner_show(int argc, char **argv);
int cmd_permit(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_report_new(int argc, char **argv);
int cmd_report_validate(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_whoami(int argc, char **argv);

#endif
