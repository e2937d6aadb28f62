/* pouchd: the endpoint partners push packages to and pull them from. Foreground process; stops
 * cleanly on SIGTERM or SIGINT. */
#define _GNU_SOURCE
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "directory/agency.h"
#include "base/db.h"
#include "base/fault.h"
#include "base/json.h"
#include "crypto/pgp.h"
#include "crypto/x509.h"
#include "package/archive.h"
#include "server/store.h"
#include "pouchd.h"

static const char usage[] =
	"usage: pouchd [--config FILE] [--listen ADDR:PORT] [--cert FILE] [--key FILE]\n"
	"              [--client-ca FILE] [--data DIR] [--home DIR] [--max-package SIZE]\n"
	"              [--rate-limit N] [--max-connections N]\n"
	"              [--max-connections-per-address N] [--head-timeout S] [--idle-timeout S]\n"
	"              [--upload-quota SIZE] [--max-uploads N] [--min-free SIZE]\n"
	"              [--max-listings N]\n"
	"  --config FILE        settings as JSON (flags override them)\n"
	"  --listen ADDR:PORT   where to listen (default " POUCH_SRV_LISTEN_DEFAULT ")\n"
	"  --cert FILE          the server certificate chain (PEM)\n"
	"  --key FILE           its private key (PEM)\n"
	"  --client-ca FILE     the CA (PEM) that issues partners' client certificates\n"
	"  --data DIR           the store (created if missing)\n"
	"  --home DIR           the pouch home whose partner directory is served\n"
	"  --max-package SIZE   largest package, envelope and payload (default 1G)\n"
	"  --rate-limit N       requests per agency per minute (default 600; 0: none)\n"
	"  --max-connections N  simultaneous connections (default 1024)\n"
	"  --max-connections-per-address N\n"
	"                       of them from one address (default 64)\n"
	"  --head-timeout S     seconds to a complete TLS handshake and request head (default 10)\n"
	"  --idle-timeout S     seconds a request may go without a byte moving (default 60)\n"
	"  --upload-quota SIZE  bytes each partner may have staged (default 4G)\n"
	"  --max-uploads N      staged uploads each partner may have (default 32)\n"
	"  --min-free SIZE      free space the store keeps; no write starts below it (default\n"
	"                       64M; 0: none)\n"
	"  --max-listings N     list responses in progress at once (default 64)\n";

#define EXIT_USAGE 2
#define EXIT_OPERATIONAL 3

/* A usage error: one log line, and where the usage is. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pd_log("%s (see 'pouchd --help')", msg);
	return EXIT_USAGE;
}

/* pouchd --version: its version, then the libraries' it runs on, one a line. */
static int version(void)
{
	const char *gpgme, *gpg;

	pouch_pgp_versions(&gpgme, &gpg);
	printf("pouchd %s%s\n", POUCH_VERSION,
	       POUCH_FAULT_BUILD ? " (test build with fault injection)" : "");
	printf("GPGME %s\ngpg %s\nlibmicrohttpd %s\nGnuTLS %s\nSQLite %s\njansson %s\n"
	       "libarchive %s\n",
	       gpgme, gpg ? gpg : "not found", pouch_httpd_version(), pouch_x509_version(),
	       pouch_db_version(), pouch_json_version(), pouch_archive_version());
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_OPERATIONAL;
}

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
		{ "max-connections-per-address", required_argument, NULL, 10 },
		{ "head-timeout", required_argument, NULL, 11 },
		{ "idle-timeout", required_argument, NULL, 12 },
		{ "upload-quota", required_argument, NULL, 13 },
		{ "max-uploads", required_argument, NULL, 14 },
		{ "min-free", required_argument, NULL, 15 },
		{ "max-listings", required_argument, NULL, 16 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	size_t i;

	/* getopt's own messages would carry no timestamp: pouchd says what was wrong itself. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		}
		if (c == 'V')
			return version();
		if (c == ':')
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		if (c == '?')
			return optopt ? usage_error("unknown option '-%c'", optopt)
				      : usage_error("unknown option '%s'", argv[optind - 1]);
		if (c == 'c') {
			if (*config)
				return usage_error("option '--config' given twice");
			*config = optarg;
			continue;
		}
		for (i = 0; i < *n; i++)
			if (strcmp(flags[i].name, pouch_srvconf_names[c - 1]) == 0)
				return usage_error("option '--%s' given twice", opts[c].name);
		flags[*n].name = pouch_srvconf_names[c - 1];
		flags[(*n)++].value = optarg;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
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
	if (!ret)
		ret = pouch_agencymap_new(&pd->home, &pd->agencies, err);
	pouch_pgp_free(pgp);
	return ret;
}

/* Every connection holds a descriptor, and a push a few more: the soft limit (often 1024) is
 * raised to the hard one, and a limit still too low for max_connections is logged. */
static void raise_files_limit(unsigned connections)
{
	struct rlimit l;
	rlim_t want = (rlim_t)connections * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &l) != 0)
		return;
	if (l.rlim_cur < l.rlim_max && l.rlim_cur < want) {
		l.rlim_cur = l.rlim_max < want ? l.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &l);
	}
	if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < want)
		pd_log("warning: %llu open files allowed, too few for %u connections (raise "
		       "LimitNOFILE or lower max_connections)",
		       (unsigned long long)l.rlim_cur, connections);
}

static int serve(struct pouchd *pd, const struct pouch_agency *self, struct pouch_err *err)
{
	struct pouch_httpd_opts o = {
		.listen = pd->conf.listen,
		.cert_file = pd->conf.cert,
		.key_file = pd->conf.key,
		.client_ca_file = pd->conf.client_ca,
		.max_connections = pd->conf.connections,
		.per_address = pd->conf.per_address,
		.head_timeout = pd->conf.head_timeout,
		.timeout = pd->conf.idle_timeout,
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
	raise_files_limit(pd->conf.connections);
	/* A file size limit makes writes fail with EFBIG (answered 507), not kill the server. */
	signal(SIGXFSZ, SIG_IGN);
	ret = pouch_httpd_start(&o, &ops, &d, err);
	if (ret < 0)
		return ret;
	atomic_store(&pd->httpd, d);
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
	atomic_store(&pd->httpd, NULL);
	return 0;
}

/* In a test build, POUCH_FAULT's sites count from here: the requests, not the start. */
static int arm_faults(struct pouch_err *err)
{
#ifdef POUCH_FAULTS
	const char *spec = getenv("POUCH_FAULT");

	if (spec && pouch_fault_arm(spec) < 0)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot read POUCH_FAULT '%s'", spec);
#else
	(void)err;
#endif
	return 0;
}

static int set_limits(struct pouchd *pd)
{
	struct pouch_store_limits l = {
		.staged_bytes = pd->conf.upload_quota,
		.staged_uploads = pd->conf.max_uploads,
		.reserve = pd->conf.min_free,
	};

	pouch_store_set_limits(pd->store, &l);
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
	/* Whatever path started it, pouchd is "pouchd" in its messages. */
	argv[0] = (char *)"pouchd";
	pd.started = time(NULL);
	pd.routes = pd_routes;
	pd.nroutes = pd_nroutes;
	ret = configure(&pd, argc, argv, &err);
	if (ret >= 0) {
		if (ret == EXIT_USAGE && err.msg[0])
			pd_log("%s", err.msg);
		status = ret;
		goto out;
	}
	if (open_home(&pd, &self, &err) < 0 ||
	    pouch_store_open(pd.conf.data, &pd.store, &err) < 0 || set_limits(&pd) < 0 ||
	    pd_rate_new(pd.conf.rate, &pd.rate) < 0 || arm_faults(&err) < 0 ||
	    serve(&pd, &self, &err) < 0) {
		pd_log("%s", err.msg[0] ? err.msg : "out of memory");
		status = pouch_err_exit_status(err.code);
		goto out;
	}
	pd_log("stopped");
	status = EXIT_SUCCESS;
out:
	pd_rate_free(pd.rate);
	pouch_store_close(pd.store);
	pouch_agency_release(&self);
	pouch_agencymap_free(pd.agencies);
	pouch_home_release(&pd.home);
	pouch_srvconf_release(&pd.conf);
	return status;
}
