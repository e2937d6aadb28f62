/* '-' for standard input, and agency codes as typed (see input.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "input.h"
#include "package/envelope.h"

int cli_dash(const char **first, const char *opt, const char *value, const char *usage)
{
	if (strcmp(value, "-") != 0)
		return 0;
	if (*first)
		return pouch_usage_error(usage, "standard input is read once: %s and %s are both "
					 "'-'", *first, opt);
	*first = opt;
	return 0;
}

int cli_stdin_take(struct cli_stdin *s, const char **slot, uint64_t max)
{
	struct pouch_err err = { 0 };
	const char *tmp = getenv("TMPDIR");

	if (!*slot || strcmp(*slot, "-") != 0)
		return EXIT_OK;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if (pouch_spool(STDIN_FILENO, tmp, max, &s->sp, &err) < 0)
		return pouch_fail(&err);
	s->taken = 1;
	*slot = s->sp.path;
	return EXIT_OK;
}

int cli_stdin_package(struct cli_stdin *s, const char **path, const char *verb)
{
	struct pouch_envelope e = { 0 };
	int ret = cli_stdin_take(s, path, POUCH_ENVELOPE_MAX);

	if (ret != EXIT_OK || !s->taken)
		return ret;
	/* A malformed envelope is the package's fault, for the command to say; a detached
	 * payload is the way it was given. */
	if (pouch_envelope_read(s->sp.path, &e, NULL) == 0 && e.detached) {
		pouch_error("cannot %s a package from standard input: its payload travels beside it "
			    "in a file of its own ('%s'); give the envelope's path instead", verb,
			    e.detached);
		ret = EXIT_USAGE;
		cli_stdin_release(s);
	}
	pouch_envelope_release(&e);
	return ret;
}

void cli_stdin_shown(const struct cli_stdin *s, struct pouch_err *err)
{
	char shown[sizeof(err->msg)];
	const char *at, *from = err->msg;
	size_t n = 0, len = s->taken ? strlen(s->sp.path) : 0;

	if (!len)
		return;
	shown[0] = '\0';
	while ((at = strstr(from, s->sp.path)) != NULL && n < sizeof(shown)) {
		n += (size_t)snprintf(shown + n, sizeof(shown) - n, "%.*s-", (int)(at - from), from);
		from = at + len;
	}
	if (n < sizeof(shown))
		snprintf(shown + n, sizeof(shown) - n, "%s", from);
	snprintf(err->msg, sizeof(err->msg), "%s", shown);
}

int cli_stdin_fail(const struct cli_stdin *s, struct pouch_err *err)
{
	cli_stdin_shown(s, err);
	return pouch_fail(err);
}

void cli_stdin_release(struct cli_stdin *s)
{
	if (s->taken)
		pouch_spool_close(&s->sp);
	s->taken = 0;
}

void cli_code_upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

int cli_codes_add(char *s, const char **to, size_t *n, size_t max)
{
	char *comma;

	cli_code_upper(s);
	for (;;) {
		if (*n == max)
			return -1;
		to[(*n)++] = s;
		comma = strchr(s, ',');
		if (!comma)
			return 0;
		*comma = '\0';
		s = comma + 1;
	}
}
