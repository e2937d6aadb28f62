/* All of pouch's messages go through here: one prefix, one newline, one exit-status mapping;
 * and the small helpers every command shares (options, codes, the clock). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "base/json.h"

struct pouch_cli cli;

/* An error the run printed, for the error object --json prints (spec/cli/README.md). */
struct noted {
	int set;
	int code; /* a POUCH_E_* code, or 0 when only the exit status says what it was */
	char msg[POUCH_ERR_MSG_MAX];
};
static struct noted first, last; /* the run's first and last errors */
static int json_seen;             /* --json anywhere on the command line */

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pouch: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void remember(int code, const char *fmt, va_list ap)
{
	char *p;

	last.set = 1;
	last.code = code;
	vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	for (p = last.msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!first.set)
		first = last;
}

static void error_with(int code, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	remember(code, fmt, copy);
	va_end(copy);
	emit("", fmt, ap);
}

void pouch_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_with(0, fmt, ap);
	va_end(ap);
}

void pouch_json_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	remember(code, fmt, ap);
	va_end(ap);
}

void pouch_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void pouch_note(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

static void fail_with(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_with(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_with(code, fmt, ap);
	va_end(ap);
}

int pouch_fail(const struct pouch_err *err)
{
	int code = err->code ? err->code : POUCH_E_IO;

	fail_with(code, "%s", err->msg[0] ? err->msg : "unknown error");
	return pouch_err_exit_status(code);
}

/* A usage error's message, as text and in the JSON error object (the usage follows). */
static void __attribute__((format(printf, 1, 2))) pouch_usage_text(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_with(POUCH_E_USAGE, fmt, ap);
	va_end(ap);
}

/* Says what getopt_long (opterr off) found wrong with the word before optind, in getopt's own
 * words. The only short options with an argument are -o and -j: missing, it is the last word. */
static void bad_option(void)
{
	const char *w = optind > 0 && optind <= cli.argc ? cli.argv[optind - 1] : "";
	const char *eq = strchr(w, '=');
	int n = eq ? (int)(eq - w) : (int)strlen(w);

	if (w[0] == '-' && w[1] == '-') {
		if (!optopt)
			pouch_usage_text("unrecognized option '%.*s'", n, w);
		else if (eq)
			pouch_usage_text("option '%.*s' doesn't allow an argument", n, w);
		else
			pouch_usage_text("option '%s' requires an argument", w);
	} else if ((optopt == 'o' || optopt == 'j') && optind >= cli.argc && w[0] == '-' &&
		   w[n - 1] == optopt) {
		pouch_usage_text("option requires an argument -- '%c'", optopt);
	} else if (optopt > ' ' && optopt < 0x7f) {
		pouch_usage_text("invalid option -- '%c'", optopt);
	} else {
		pouch_usage_text("invalid option '%s'", w);
	}
}

int pouch_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		error_with(POUCH_E_USAGE, fmt, ap);
		va_end(ap);
	} else {
		bad_option();
	}
	fprintf(stderr, "%s", usage);
	return EXIT_USAGE;
}

/* The error object's code: spec/cli/README.md lists them. */
static const char *code_name(int code, int status)
{
	switch (code) {
	case POUCH_E_USAGE:
		return "usage";
	case POUCH_E_REFUSED:
		return "refused";
	case POUCH_E_VERIFY:
		return "not_genuine";
	case POUCH_E_EXPIRED:
		return "expired";
	case POUCH_E_EXISTS:
		return "exists";
	case POUCH_E_NOTFOUND:
		return "not_found";
	case POUCH_E_IO:
		return "io";
	case POUCH_E_GPG:
		return "gpg";
	case POUCH_E_CORRUPT:
		return "corrupt";
	case POUCH_E_NOTINIT:
		return "not_initialised";
	case POUCH_E_NOMEM:
		return "out_of_memory";
	case POUCH_E_NET:
		return "network";
	case POUCH_E_NOSPACE:
		return "no_space";
	default:
		break;
	}
	return status == EXIT_REFUSED ? "refused" : status == EXIT_USAGE ? "usage" : "operational";
}

void cli_json_begin(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			json_seen = 1;
}

int cli_json_end(int status)
{
	const struct noted *e = &first;
	const char *code;
	char *msg;

	if (status == EXIT_OK || !(cli.json || json_seen))
		return status;
	/* The first error, unless its code has another exit status and the last one's has this
	 * one: that one ended the run (verify's audit record failing after a bad package). */
	if (first.code && pouch_err_exit_status(first.code) != status && last.code &&
	    pouch_err_exit_status(last.code) == status)
		e = &last;
	code = code_name(e->code && pouch_err_exit_status(e->code) == status ? e->code : 0,
			 status);
	msg = pouch_json_quote(e->set ? e->msg : "failed");
	if (!msg ||
	    printf("{\"error\":{\"code\":\"%s\",\"message\":%s,\"exit\":%d}}\n", code, msg,
		   status) < 0 ||
	    fflush(stdout) == EOF)
		pouch_error("cannot write the error to standard output");
	free(msg);
	return status;
}

int pouch_print(const char *text)
{
	if (puts(text) == EOF || fflush(stdout) == EOF) {
		pouch_error("cannot write to standard output: %s", strerror(errno));
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}

int cli_common_option(int c, const char *usage)
{
	switch (c) {
	case 'h':
		fputs(usage, stdout);
		return EXIT_OK;
	case 'H':
		return cli_once(&cli.home_opt, optarg, "--home", usage) ? EXIT_USAGE : CLI_CONTINUE;
	case 'J':
		cli.json = 1;
		return CLI_CONTINUE;
	case 'q':
		cli.quiet = 1;
		return CLI_CONTINUE;
	default:
		/* getopt_long has said what was wrong. */
		return pouch_usage_error(usage, NULL);
	}
}

int cli_once(const char **slot, const char *value, const char *name, const char *usage)
{
	if (*slot)
		return pouch_usage_error(usage, "option '%s' given twice", name);
	*slot = value;
	return 0;
}

int cli_flag(int *flag, const char *name, const char *usage)
{
	if (*flag)
		return pouch_usage_error(usage, "option '%s' given twice", name);
	*flag = 1;
	return 0;
}

const char *cli_partner_code(int argc, char **argv, const char *usage)
{
	char *s;

	if (optind + 1 == argc) {
		/* Codes are taken in any case and kept in upper case (ASCII only: what a code is). */
		for (s = argv[optind]; *s; s++)
			*s = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
		return argv[optind];
	}
	pouch_usage_error(usage, optind < argc ? "give one partner code"
					       : "missing the partner code");
	return NULL;
}

int cli_no_args(int argc, char **argv, const char *usage)
{
	if (optind < argc)
		return pouch_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

void cli_reset(void)
{
	optind = 0;
	opterr = 0; /* cli_common_option says what is wrong, as text or as JSON */
}

const char *cli_passphrase(const char *pass)
{
	if (pass)
		return pass;
	return isatty(STDIN_FILENO) ? NULL : "";
}

time_t cli_now(void)
{
	time_t now = time(NULL);
#ifdef POUCH_FAULTS
	const char *shift = getenv("POUCH_CLOCK_SHIFT");

	if (shift)
		now += (time_t)strtoll(shift, NULL, 10);
#endif
	return now;
}
