/* pouch help: the man pages, rendered as plain text at build time ($(BUILD)/gen/help_pages.c),
 * printed on stdout, through $PAGER (default less) when stdout is a terminal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

static const struct help_page *lookup(const char *name)
{
	const struct help_page *p;

	for (p = help_pages; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The page the words name: none is pouch(1); "partner add" or "partner-add" is
 * pouch-partner-add(1); a page's own name (pouchd, pouch-files) is that page. */
static const struct help_page *find_page(int argc, char **argv)
{
	const struct help_page *p;
	char name[128] = "pouch";
	size_t len = strlen(name);
	int i;

	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (n == 0 || len + 1 + n >= sizeof(name))
			return NULL;
		name[len++] = '-';
		memcpy(name + len, argv[i], n + 1);
		len += n;
	}
	p = lookup(name);
	if (!p && argc == 1)
		p = lookup(argv[0]);
	return p;
}

static int print_lines(FILE *f, const char *const *lines)
{
	for (; *lines; lines++)
		if (fputs(*lines, f) == EOF || fputc('\n', f) == EOF)
			return -1;
	return fflush(f);
}

int help_page(int argc, char **argv)
{
	const struct help_page *p = find_page(argc, argv);
	const char *pager = getenv("PAGER");
	FILE *f;

	if (!p)
		return -1;
	if (isatty(STDOUT_FILENO)) {
		if (!pager || !pager[0])
			pager = "less";
		fflush(stdout);
		f = popen(pager, "w");
		if (f) {
			int status;

			/* Quitting the pager early is no error. */
			signal(SIGPIPE, SIG_IGN);
			print_lines(f, p->lines);
			status = pclose(f);
			/* A pager the shell could not find (127): the page goes to stdout. */
			if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 127)
				return EXIT_OK;
		}
	}
	if (print_lines(stdout, p->lines) != 0) {
		pouch_error("cannot write to standard output: %s", strerror(errno));
		return EXIT_OPERATIONAL;
	}
	return EXIT_OK;
}
