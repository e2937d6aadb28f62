/* pouch: global options, the dispatch table, the home's resolution and preconditions. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "pouch/fault.h"
#include "pouch/identity.h"

enum {
	NEEDS_HOME = 1 << 0,   /* an initialised home (agency identity) */
	NEEDS_SECRET = 1 << 1, /* our secret key: not a gateway home (pouch init --gateway) */
};

struct command {
	const char *name; /* one word, or "group verb" */
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
};

/* Alphabetical. */
static const struct command commands[] = {
	{ "audit show", cmd_audit_show, NEEDS_HOME, "list the audit trail" },
	{ "audit verify", cmd_audit_verify, NEEDS_HOME, "check the audit trail's chain and "
							"signatures" },
	{ "endpoint set", cmd_endpoint_set, NEEDS_HOME, "set our own endpoint and its TLS" },
	{ "endpoint show", cmd_endpoint_show, NEEDS_HOME, "show our own endpoint" },
	{ "inbox", cmd_inbox, NEEDS_HOME, "list the packages pulled in, good and quarantined" },
	{ "init", cmd_init, 0, "create this agency's identity and key" },
	{ "key add", cmd_key_add, NEEDS_HOME, "pin the agency's new key (gateway home)" },
	{ "key export", cmd_key_export, NEEDS_HOME, "print our public key for partners" },
	{ "key rotate", cmd_key_rotate, NEEDS_HOME | NEEDS_SECRET,
	  "replace our key, keeping the old one for verifying" },
	{ "open", cmd_open, NEEDS_HOME | NEEDS_SECRET,
	  "verify, decrypt and unpack a package for us" },
	{ "outbox", cmd_outbox, NEEDS_HOME, "list the packages waiting for delivery" },
	{ "pack", cmd_pack, NEEDS_HOME | NEEDS_SECRET,
	  "seal a report and attachments into a package" },
	{ "partner add", cmd_partner_add, NEEDS_HOME, "add a partner agency and pin its key" },
	{ "partner add-key", cmd_partner_add_key, NEEDS_HOME, "pin a partner's new key "
							      "(rollover)" },
	{ "partner list", cmd_partner_list, NEEDS_HOME, "list the partner directory" },
	{ "partner remove", cmd_partner_remove, NEEDS_HOME, "remove a partner and its keys" },
	{ "partner revoke", cmd_partner_revoke, NEEDS_HOME, "import a partner's revocation "
							    "certificate" },
	{ "partner set", cmd_partner_set, NEEDS_HOME, "change a partner's endpoint and TLS "
						      "settings" },
	{ "partner show", cmd_partner_show, NEEDS_HOME, "show one partner" },
	{ "pull", cmd_pull, NEEDS_HOME | NEEDS_SECRET,
	  "fetch, verify and acknowledge the packages addressed to us" },
	{ "push", cmd_push, NEEDS_HOME, "deliver packages to their recipients' endpoints" },
	{ "status", cmd_status, NEEDS_HOME, "show a package's deliveries and receipts" },
	{ "verify", cmd_verify, NEEDS_HOME, "check a package is genuine (no private key needed)" },
	{ "whoami", cmd_whoami, NEEDS_HOME, "show this agency's identity" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char usage_head[] =
	"usage: pouch [--home DIR] [--json] [-q] COMMAND [ARGS]\n"
	"       pouch --help | --version | help COMMAND\n";

static void print_help(FILE *f)
{
	size_t i;

	fputs(usage_head, f);
	fputs("\ncommands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fputs("\noptions:\n"
	      "  --home DIR   pouch's home (default: $POUCH_HOME, else $XDG_DATA_HOME/pouch,\n"
	      "               else ~/.local/share/pouch)\n"
	      "  --json       print results as JSON\n"
	      "  -q, --quiet  print results only, no guidance\n"
	      "\nexit status: 0 success, 1 refused (not genuine, not trusted, not allowed),\n"
	      "2 usage error, 3 operational error. 'pouch COMMAND --help' for one command.\n",
	      f);
}

/* Number of argv words naming cmd (1 or 2) when they do, else 0. */
static int matches(const struct command *cmd, int argc, char **argv)
{
	const char *space = strchr(cmd->name, ' ');
	size_t len = space ? (size_t)(space - cmd->name) : strlen(cmd->name);

	if (argc < 1 || strlen(argv[0]) != len || strncmp(argv[0], cmd->name, len) != 0)
		return 0;
	if (!space)
		return 1;
	return argc >= 2 && strcmp(argv[1], space + 1) == 0 ? 2 : 0;
}

/* Lists a group's commands: on stdout when asked for (help), else on stderr as a usage error. */
static int group_usage(const char *group, int asked)
{
	FILE *f = asked ? stdout : stderr;
	size_t i, len = strlen(group);

	fputs(usage_head, f);
	fprintf(f, "\n'pouch %s' commands:\n", group);
	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, group, len) == 0 && commands[i].name[len] == ' ')
			fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	return asked ? EXIT_OK : EXIT_USAGE;
}

static const struct command *find(int argc, char **argv, int *words)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		*words = matches(&commands[i], argc, argv);
		if (*words)
			return &commands[i];
	}
	return NULL;
}

static int is_group(const char *word)
{
	size_t i, len = strlen(word);

	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, word, len) == 0 && commands[i].name[len] == ' ')
			return 1;
	return 0;
}

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

static int run(const struct command *cmd, int argc, char **argv)
{
	struct pouch_err err = { 0 };

	if (((cmd->flags & NEEDS_HOME) && pouch_home_require(&cli.home, &err) < 0) ||
	    ((cmd->flags & NEEDS_SECRET) && pouch_identity_require_secret(&cli.home, &err) < 0)) {
		/* --help works anywhere. */
		int i;
		for (i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
				return cmd->fn(argc, argv);
		return pouch_fail(&err);
	}
	return cmd->fn(argc, argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },  { "version", no_argument, NULL, 'V' },
		{ "home", required_argument, NULL, 'H' }, { "json", no_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	const char *home = NULL;
	int c, words, ret;

	/* Buffers of 256 KiB and more come from mmap and go back to the system when freed:
	 * glibc's moving threshold would keep a freed 16 MiB buffer in the heap, and peak RSS
	 * would add up buffers that are never live together. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* getopt's messages start with argv[0]: make them "pouch: ..." like every other. */
	argv[0] = (char *)"pouch";
#ifdef POUCH_FAULTS
	if (getenv("POUCH_FAULT") && pouch_fault_arm(getenv("POUCH_FAULT")) < 0) {
		pouch_error("cannot read POUCH_FAULT '%s'", getenv("POUCH_FAULT"));
		return EXIT_USAGE;
	}
#endif
	while ((c = getopt_long(argc, argv, "+hqV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help(stdout);
			return EXIT_OK;
		case 'V':
			printf("pouch %s%s\n", POUCH_VERSION,
			       POUCH_FAULT_BUILD ? " (test build with fault injection)" : "");
			return EXIT_OK;
		case 'H':
			if (home)
				return pouch_usage_error(usage_head, "option '--home' given twice");
			home = optarg;
			break;
		case 'J':
			cli.json = 1;
			break;
		case 'q':
			cli.quiet = 1;
			break;
		default:
			return pouch_usage_error(usage_head, NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		/* The man page (help.c); for a group, its commands. */
		ret = help_page(argc - 1, argv + 1);
		if (ret >= 0)
			return ret;
		return argc == 2 && is_group(argv[1])
			       ? group_usage(argv[1], 1)
			       : pouch_usage_error(usage_head, "unknown command '%s'", argv[1]);
	}
	cmd = find(argc, argv, &words);
	if (!cmd) {
		if (is_group(argv[0]))
			return argc > 1 ? (pouch_error("unknown command 'pouch %s %s'", argv[0],
						       argv[1]),
					   group_usage(argv[0], 0))
					: group_usage(argv[0], 0);
		return pouch_usage_error(usage_head, "unknown command '%s' (see 'pouch --help')",
					 argv[0]);
	}
	ret = resolve_home(home);
	if (ret != EXIT_OK)
		return ret;
	/* The subcommand sees argv[0] = "pouch" so getopt's messages start "pouch: ". */
	argv += words - 1;
	argc -= words - 1;
	argv[0] = (char *)"pouch";
	cli_reset();
	ret = run(cmd, argc, argv);
	pouch_home_release(&cli.home);
	return ret;
}
