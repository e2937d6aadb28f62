/* All of pouch's messages go through here: one prefix, one newline, one exit-status mapping. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

struct pouch_cli cli;

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pouch: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pouch_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
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

int pouch_fail(const struct pouch_err *err)
{
	pouch_error("%s", err->msg[0] ? err->msg : "unknown error");
	return pouch_err_exit_status(err->code ? err->code : POUCH_E_IO);
}

int pouch_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		emit("", fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "%s", usage);
	return EXIT_USAGE;
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
	opterr = 1;
}

const char *cli_passphrase(const char *pass)
{
	if (pass)
		return pass;
	return isatty(STDIN_FILENO) ? NULL : "";
}
