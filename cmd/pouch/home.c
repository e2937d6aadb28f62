/* pouch's home: resolved from --home, POUCH_HOME or the default once a command has checked its
 * command line, and the command's preconditions applied to it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "directory/identity.h"

/* --home, else POUCH_HOME, else $XDG_DATA_HOME/pouch, else $HOME/.local/share/pouch; made
 * absolute so that GnuPG and later chdir()s see the same place. */
static int resolve_home(const char *opt)
{
	const char *env;
	char buf[PATH_MAX], cwd[PATH_MAX];
	struct pouch_err err = { 0 };
	int n;

	if (opt)
		n = snprintf(buf, sizeof(buf), "%s", opt);
	else if ((env = getenv("POUCH_HOME")) && env[0])
		n = snprintf(buf, sizeof(buf), "%s", env);
	else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/')
		n = snprintf(buf, sizeof(buf), "%s/pouch", env);
	else if ((env = getenv("HOME")) && env[0] == '/')
		n = snprintf(buf, sizeof(buf), "%s/.local/share/pouch", env);
	else {
		pouch_error("cannot find a home: set --home, POUCH_HOME or HOME");
		return EXIT_USAGE;
	}
	if (n < 0 || (size_t)n >= sizeof(buf) || buf[0] == '\0') {
		pouch_error("invalid home '%s': empty or too long", buf);
		return EXIT_USAGE;
	}
	if (buf[0] != '/') {
		char full[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			pouch_error("cannot resolve home '%s': %s", buf, strerror(errno));
			return EXIT_OPERATIONAL;
		}
		n = snprintf(full, sizeof(full), "%s/%s", cwd, buf);
		if (n < 0 || (size_t)n >= sizeof(full)) {
			pouch_error("invalid home '%s': too long", buf);
			return EXIT_USAGE;
		}
		memcpy(buf, full, (size_t)n + 1);
	}
	/* A trailing slash would show in every path pouch prints. */
	while ((n = (int)strlen(buf)) > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
	if (pouch_home_init(&cli.home, buf, &err) < 0)
		return pouch_fail(&err);
	return EXIT_OK;
}


int cli_ready(void)
{
	struct pouch_err err = { 0 };
	int ret;

	if (cli.ready)
		return EXIT_OK;
	ret = resolve_home(cli.home_opt);
	if (ret != EXIT_OK)
		return ret;
	cli.ready = 1;
	if (((cli.needs & CLI_NEEDS_HOME) && pouch_home_require(&cli.home, &err) < 0) ||
	    ((cli.needs & CLI_NEEDS_SECRET) &&
	     pouch_identity_require_secret(&cli.home, &err) < 0))
		return pouch_fail(&err);
	return EXIT_OK;
}
