/* pouchd's settings: a JSON configuration file (spec/protocol.md "Running pouchd") and the
 * command-line flags that override it. */
#ifndef POUCH_SRVCONF_H
#define POUCH_SRVCONF_H

#include <stdint.h>

#include "base/err.h"

#define POUCH_SRV_LISTEN_DEFAULT "127.0.0.1:8443"
#define POUCH_SRV_MAX_PACKAGE_DEFAULT (1024ULL * 1024 * 1024)
#define POUCH_SRV_RATE_DEFAULT 600u
#define POUCH_SRV_CONNECTIONS_DEFAULT 1024u
#define POUCH_SRV_PER_ADDRESS_DEFAULT 64u
#define POUCH_SRV_HEAD_TIMEOUT_DEFAULT 10u
#define POUCH_SRV_IDLE_TIMEOUT_DEFAULT 60u
#define POUCH_SRV_UPLOAD_QUOTA_DEFAULT (4ULL * 1024 * 1024 * 1024)
#define POUCH_SRV_MAX_UPLOADS_DEFAULT 32u
#define POUCH_SRV_MIN_FREE_DEFAULT (64ULL * 1024 * 1024)
#define POUCH_SRV_MAX_LISTINGS_DEFAULT 64u

struct pouch_srvconf {
	char *listen;          /* ADDRESS:PORT */
	char *cert, *key;      /* the server's certificate chain and key, PEM */
	char *client_ca;       /* the CA that issues partners' client certificates, PEM */
	char *data;            /* the data directory (the store) */
	char *home;            /* the pouch home whose partner directory pouchd serves */
	uint64_t max_package;  /* bytes: envelope plus detached payload */
	unsigned rate;         /* requests per agency per minute; 0: unlimited */
	unsigned connections;  /* simultaneous connections */
	unsigned per_address;  /* simultaneous connections from one address */
	unsigned head_timeout; /* seconds to a complete TLS handshake and request head */
	unsigned idle_timeout; /* seconds a request may go without a byte moving */
	uint64_t upload_quota; /* bytes each agency may have staged */
	unsigned max_uploads;  /* staged uploads each agency may have */
	uint64_t min_free;     /* bytes the store's file system keeps free; 0: none */
	unsigned max_listings; /* list responses in progress at once */
};

/* Every setting's name, NULL-terminated: "listen", "cert", "key", "client_ca", "data", "home",
 * "max_package", "rate_limit", "max_connections", "max_connections_per_address",
 * "head_timeout", "idle_timeout", "upload_quota", "max_uploads", "min_free", "max_listings",
 * in that order (pouchd's flags follow it). */
extern const char *const pouch_srvconf_names[];

/* Fills c with the defaults (listen address, maximum package, rate, connection limits and
 * timeouts, upload quota, uploads, free space, listings). */
int pouch_srvconf_defaults(struct pouch_srvconf *c, struct pouch_err *err);

/* Reads the configuration file at path over c: a JSON object whose members are the settings
 * above ("listen", "cert", "key", "client_ca", "data", "home", "max_package" (bytes, integer),
 * "rate_limit", "max_connections", "max_connections_per_address", "head_timeout",
 * "idle_timeout", "upload_quota" and "min_free" (bytes), "max_uploads", "max_listings"), each
 * optional, nothing else. Relative paths are taken relative to the file's directory.
 * POUCH_E_USAGE names the file and the bad member. */
int pouch_srvconf_load(struct pouch_srvconf *c, const char *path, struct pouch_err *err);

/* Sets one setting by its file name ("listen", ...) from a command-line value; sizes take K, M
 * or G suffixes. */
int pouch_srvconf_set(struct pouch_srvconf *c, const char *name, const char *value,
		      struct pouch_err *err);

/* Requires every setting without a default (cert, key, client_ca, data, home). */
int pouch_srvconf_check(const struct pouch_srvconf *c, struct pouch_err *err);

void pouch_srvconf_release(struct pouch_srvconf *c);

#endif
