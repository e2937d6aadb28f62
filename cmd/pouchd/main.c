/* pouchd: the endpoint partners push packages to and pull them from. Foreground process; stops
 * cleanly on SIGTERM or SIGINT. */
#define _GNU_SOURCE
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pouch/agency.h"
#include "pouch/pgp.h"
#include "pouch/store.h"
#include "pouchd.h"

static const char usage[] =
	"usage: pouchd [--config FILE] [--listen ADDR:PORT] [--cert FILE] [--key FILE]\n"
	"              [--client-ca FILE] [--data DIR] [--home DIR] [--max-package SIZE]\n"
	"              [--rate-limit N] [--max-connections N]\n"
	"  --config FILE        settings as JSON (flags override them)\n"
	"  --listen ADDR:PORT   where to listen (default " POUCH_SRV_LISTEN_DEFAULT ")\n"
	"  --cert FILE          the server certificate chain (PEM)\n"
	"  --key FILE           its private key (PEM)\n"
	"  --client-ca FILE     the CA (PEM) that issues partners' client certificates\n"
	"  --data DIR           the store (created if missing)\n"
	"  --home DIR           the pouch home whose partner directory is served\n"
	"  --max-package SIZE   largest package, envelope and payload (default 1G)\n"
	"  --rate-limit N       requests per agency per minute (default 600; 0: none)\n"
	"  --max-connections N  simultaneous connections (default 256)\n";

#define EXIT_USAGE 2
#define EXIT_OPERATIONAL 3

struct flag {
	const char *name;
	const char *value;
};

static int parse(int argc, char **argv, const char **config, struct flag *flags, size_t *n)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 1 },
		{ "cert", required_argument, NULL, 2 },
		{ "key", required_argument, NULL, 3 },
		{ "client-ca", required_argument, NULL, 4 },
		{ "data", required_argument, NULL, 5 },
		{ "home", required_argument, NULL, 6 },
		{ "max-package", required_argument, NULL, 7 },
		{ "rate-limit", required_argument, NULL, 8 },
		{ "max-connections", required_argument, NULL, 9 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { NULL,   "listen", "cert",	      "key",
					     "client_ca", "data", "home", "max_package",
					     "rate_limit", "max_connections" };
	int c;
	size_t i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (c == 'V') {
			puts("pouchd " POUCH_VERSION);
			return EXIT_SUCCESS;
		}
		if (c == 'c') {
			if (*config) {
				fprintf(stderr, "pouchd: --config given twice\n%s", usage);
				return EXIT_USAGE;
			}
			*config = optarg;
			continue;
		}
		if (c < 1 || c > 9) {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		for (i = 0; i < *n; i++)
			if (strcmp(flags[i].name, names[c]) == 0) {
				fprintf(stderr, "pouchd: --%s given twice\n%s", opts[c].name,
					usage);
				return EXIT_USAGE;
			}
		flags[*n].name = names[c];
		flags[(*n)++].value = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "pouchd: unexpected argument '%s'\n%s", argv[optind], usage);
		return EXIT_USAGE;
	}
	return -1;
}

static int configure(struct pouchd *pd, int argc, char **argv, struct pouch_err *err)
{
	struct flag flags[16];
	const char *config = NULL;
	size_t i, n = 0;
	int ret = parse(argc, argv, &config, flags, &n);

	if (ret >= 0)
		return ret;
	if (pouch_srvconf_defaults(&pd->conf, err) < 0 ||
	    (config && pouch_srvconf_load(&pd->conf, config, err) < 0))
		return EXIT_USAGE;
	for (i = 0; i < n; i++)
		if (pouch_srvconf_set(&pd->conf, flags[i].name, flags[i].value, err) < 0)
			return EXIT_USAGE;
	if (pouch_srvconf_check(&pd->conf, err) < 0)
		return EXIT_USAGE;
	return -1;
}

/* The home must hold an agency record; GPGME is set up here, before any thread starts. */
static int open_home(struct pouchd *pd, struct pouch_agency *self, struct pouch_err *err)
{
	struct pouch_pgp *pgp = NULL;
	int ret;

	ret = pouch_home_init(&pd->home, pd->conf.home, err);
	if (!ret)
		ret = pouch_home_require(&pd->home, err);
	if (!ret)
		ret = pouch_agency_load(pd->home.agency, self, err);
	if (!ret)
		ret = pouch_home_pgp(&pd->home, &pgp, err);
	pouch_pgp_free(pgp);
	return ret;
}

static int serve(struct pouchd *pd, const struct pouch_agency *self, struct pouch_err *err)
{
	struct pouch_httpd_opts o = {
		.listen = pd->conf.listen,
		.cert_file = pd->conf.cert,
		.key_file = pd->conf.key,
		.client_ca_file = pd->conf.client_ca,
		.max_connections = pd->conf.connections,
	};
	struct pouch_httpd_ops ops = pd_ops;
	struct pouch_httpd *d = NULL;
	sigset_t set;
	int sig = 0, ret;

	ops.ctx = pd;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before the server's threads start, so only sigwait below sees them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = pouch_httpd_start(&o, &ops, &d, err);
	if (ret < 0)
		return ret;
	pd_log("listening on %s port %u for %s (store '%s')", pd->conf.listen,
	       pouch_httpd_port(d), self->code, pd->conf.data);
	for (;;) {
		struct timespec tick = { .tv_sec = 3600 };
		siginfo_t info;
		sig = sigtimedwait(&set, &info, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		pouch_store_expire_uploads(pd->store, time(NULL), NULL);
	}
	pd_log("stopping on signal %d", sig);
	pouch_httpd_stop(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct pouchd pd = { 0 };
	struct pouch_agency self = { 0 };
	struct pouch_err err = { 0 };
	int ret, status = EXIT_OPERATIONAL;

	/* Buffers of 256 KiB and more come from mmap and go back to the system when freed:
	 * glibc's moving threshold would keep a freed 16 MiB buffer in the heap, and peak RSS
	 * would add up buffers that are never live together. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	pd.started = time(NULL);
	ret = configure(&pd, argc, argv, &err);
	if (ret >= 0) {
		if (ret == EXIT_USAGE && err.msg[0])
			fprintf(stderr, "pouchd: %s\n", err.msg);
		status = ret;
		goto out;
	}
	if (open_home(&pd, &self, &err) < 0 ||
	    pouch_store_open(pd.conf.data, &pd.store, &err) < 0 ||
	    pd_rate_new(pd.conf.rate, &pd.rate) < 0 || serve(&pd, &self, &err) < 0) {
		fprintf(stderr, "pouchd: %s\n", err.msg[0] ? err.msg : "out of memory");
		status = pouch_err_exit_status(err.code);
		goto out;
	}
	pd_log("stopped");
	status = EXIT_SUCCESS;
out:
	pd_rate_free(pd.rate);
	pouch_store_close(pd.store);
	pouch_agency_release(&self);
	pouch_home_release(&pd.home);
	pouch_srvconf_release(&pd.conf);
	return status;
}
