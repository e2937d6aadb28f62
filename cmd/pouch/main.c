/* pouch: global options, the dispatch table, unknown commands (the home: home.c). */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "base/fault.h"

enum {
	NEEDS_HOME = CLI_NEEDS_HOME,
	NEEDS_SECRET = CLI_NEEDS_SECRET,
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
	{ "ceiling", cmd_ceiling, NEEDS_HOME, "show or set the classification ceiling" },
	{ "endpoint set", cmd_endpoint_set, NEEDS_HOME, "set our own endpoint and its TLS" },
	{ "endpoint show", cmd_endpoint_show, NEEDS_HOME, "show our own endpoint" },
	{ "inbox", cmd_inbox, NEEDS_HOME, "list the packages pulled in, good and quarantined" },
	{ "forward", cmd_forward, NEEDS_HOME | NEEDS_SECRET,
	  "re-disseminate an opened package, as its handling allows" },
	{ "init", cmd_init, 0, "create this agency's identity and key" },
	{ "key add", cmd_key_add, NEEDS_HOME, "pin the agency's new key (gateway home)" },
	{ "key export", cmd_key_export, NEEDS_HOME, "print our public key for partners" },
	{ "key rotate", cmd_key_rotate, NEEDS_HOME | NEEDS_SECRET,
	  "replace our key, keeping the old one for verifying" },
	{ "open", cmd_open, NEEDS_HOME | NEEDS_SECRET,
	  "verify, decrypt and unpack a package for us" },
	{ "outbox", cmd_outbox, NEEDS_HOME, "list the packages waiting for delivery" },
	{ "outbox cancel", cmd_outbox_cancel, NEEDS_HOME, "cancel a package's queued "
							   "deliveries" },
	{ "outbox retry", cmd_outbox_retry, NEEDS_HOME, "queue a package's failed deliveries "
							 "again and try them" },
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
	{ "permit", cmd_permit, NEEDS_HOME | NEEDS_SECRET,
	  "allow an agency to receive our package onward (signed)" },
	{ "pull", cmd_pull, NEEDS_HOME | NEEDS_SECRET,
	  "fetch, verify and acknowledge the packages addressed to us" },
	{ "push", cmd_push, NEEDS_HOME, "deliver packages to their recipients' endpoints" },
	{ "report new", cmd_report_new, 0, "print a skeleton report to fill in" },
	{ "report validate", cmd_report_validate, 0, "check a report, naming every error" },
	{ "route", cmd_route, NEEDS_HOME, "split a report into one per partner agency, by area" },
	{ "show", cmd_show, NEEDS_HOME, "show an opened package's report, markings first" },
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

/* Lists a group's commands: on stdout when asked for (help), else on stderr as a usage error. */
static int group_usage(const char *group, int asked)
{
	FILE *f = asked ? stdout : stderr;
	size_t i, len = strlen(group);

	if (!asked)
		pouch_json_error(POUCH_E_USAGE, "missing the command after 'pouch %s'", group);
	fputs(usage_head, f);
	fprintf(f, "\n'pouch %s' commands:\n", group);
	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, group, len) == 0 && commands[i].name[len] == ' ')
			fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
	return asked ? EXIT_OK : EXIT_USAGE;
}

/* The command named by w1 (and w2 when it is a group's), or NULL. A word that is both a
 * command and a group (outbox) names the group's command when w2 is one of its verbs. */
static const struct command *find(const char *w1, const char *w2)
{
	size_t i, len = strlen(w1);

	for (i = 0; w2 && i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, w1, len) == 0 && commands[i].name[len] == ' ' &&
		    strcmp(commands[i].name + len + 1, w2) == 0)
			return &commands[i];
	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;
		if (strncmp(name, w1, len) != 0)
			continue;
		if (name[len] == '\0' || (name[len] == ' ' && w2 && !strcmp(name + len + 1, w2)))
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

/* "unknown command" with the nearest name (cli_suggest), else the commands to choose from. */
static int unknown(const char *w1, const char *w2)
{
	const char *names[NCOMMANDS];
	char best[64];
	size_t i;
	int group = is_group(w1);

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	if (!group)
		w2 = w2 && w2[0] != '-' ? w2 : NULL;
	if (cli_suggest(names, NCOMMANDS, w1, w2, group, best, sizeof(best))) {
		/* What was typed, as many words as the suggestion has. */
		int two = group || strchr(best, ' ');
		pouch_error("unknown command '%s%s%s' (did you mean '%s'?)", w1, two ? " " : "",
			    two ? w2 : "", best);
		return EXIT_USAGE;
	}
	if (group) {
		pouch_error("unknown command '%s %s'", w1, w2);
		return group_usage(w1, 0);
	}
	return pouch_usage_error(usage_head, "unknown command '%s' (see 'pouch --help')", w1);
}

/* pouch help [COMMAND]: the man page (help.c); for a group, its commands. It never runs one. */
static int help(int argc, char **argv)
{
	int ret = help_page(argc, argv);

	if (ret >= 0)
		return ret;
	if (argc == 1 && is_group(argv[0]))
		return group_usage(argv[0], 1);
	return unknown(argv[0], argc > 1 ? argv[1] : NULL);
}

/* Global options from argv[*at] on: before the command's first word (group NULL) or between
 * a group and its verb. Leaves *at on the next word; returns CLI_CONTINUE or an exit status. */
static int globals(int argc, char **argv, int *at, const char *group)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },  { "version", no_argument, NULL, 'V' },
		CLI_GLOBAL_OPTIONS, { NULL, 0, NULL, 0 },
	};
	char *word = argv[*at];
	int c, version = 0;

	argv[*at] = (char *)"pouch";
	optind = 0;
	opterr = 0; /* cli_common_option says what is wrong, as text or as JSON */
	cli.argc = argc - *at;
	cli.argv = argv + *at;
	while ((c = getopt_long(argc - *at, argv + *at, "+hqV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			if (group)
				return group_usage(group, 1);
			print_help(stdout);
			return EXIT_OK;
		case 'V':
			version = 1; /* after the loop: --version --json is JSON too */
			break;
		default:
			c = cli_common_option(c, usage_head);
			if (c != CLI_CONTINUE)
				return c;
		}
	}
	if (version)
		return cli_version();
	argv[*at] = word;
	*at += optind;
	return CLI_CONTINUE;
}

static int pouch_main(int argc, char **argv)
{
	const struct command *cmd;
	const char *next;
	int at = 0, ret;

	/* Buffers of 256 KiB and more come from mmap and go back to the system when freed:
	 * glibc's moving threshold would keep a freed 16 MiB buffer in the heap, and peak RSS
	 * would add up buffers that are never live together. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	argv[0] = (char *)"pouch";
#ifdef POUCH_FAULTS
	if (getenv("POUCH_FAULT") && pouch_fault_arm(getenv("POUCH_FAULT")) < 0) {
		pouch_error("cannot read POUCH_FAULT '%s'", getenv("POUCH_FAULT"));
		return EXIT_USAGE;
	}
#endif
	ret = globals(argc, argv, &at, NULL);
	if (ret != CLI_CONTINUE)
		return ret;
	if (at >= argc) {
		pouch_json_error(POUCH_E_USAGE, "missing the command");
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[at], "help") == 0)
		return help(argc - at - 1, argv + at + 1);
	next = at + 1 < argc ? argv[at + 1] : NULL;
	cmd = find(argv[at], next);
	if (cmd && strchr(cmd->name, ' ')) {
		at++;
	} else if (cmd && is_group(argv[at]) && next && next[0] != '-') {
		/* A command that is a group too takes no word of its own: a mistyped verb. */
		return unknown(argv[at], next);
	} else if (!cmd && is_group(argv[at])) {
		int first = at;
		ret = globals(argc, argv, &at, argv[first]);
		if (ret != CLI_CONTINUE)
			return ret;
		if (at >= argc)
			return group_usage(argv[first], 0);
		cmd = find(argv[first], argv[at]);
		if (!cmd)
			return unknown(argv[first], argv[at]);
	} else if (!cmd) {
		return unknown(argv[at], at + 1 < argc ? argv[at + 1] : NULL);
	}
	/* The command sees argv[0] = "pouch" so getopt's messages start "pouch: ". It parses and
	 * checks its whole command line, then calls cli_ready for the home before it acts. */
	argv[at] = (char *)"pouch";
	cli.needs = cmd->flags;
	cli.argc = argc - at;
	cli.argv = argv + at;
	cli_reset();
	ret = cmd->fn(argc - at, argv + at);
	pouch_home_release(&cli.home);
	return ret;
}

int main(int argc, char **argv)
{
	cli_json_begin(argc, argv);
	return cli_json_end(pouch_main(argc, argv));
}
