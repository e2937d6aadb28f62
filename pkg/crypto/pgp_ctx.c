/* OpenPGP through GPGME: a context set up the one way pouch uses GnuPG (its home, set once for
 * the process, no key retrieval, local key listings with keygrips, SHA-512 signatures), and
 * GPGME's errors as pouch's. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/pgp_internal.h"
#include "base/fs.h"

const char *pgp_strerror(gpgme_error_t e, char *buf, size_t len)
{
	gpgme_strerror_r(e, buf, len);
	return buf;
}

int pgp_fail(struct pouch_err *err, int code, const char *what, gpgme_error_t e)
{
	char buf[256];

	return pouch_err_set(err, code, "%s: %s", what, pgp_strerror(e, buf, sizeof(buf)));
}

/* An existing gpg.conf is left alone; a gpg started meanwhile reads no half-written file. */
void pgp_write_conf(const char *gnupghome)
{
	static const char conf[] = "# Written by pouch: sign with SHA-512 (spec/envelope.md).\n"
				   "personal-digest-preferences SHA512 SHA384 SHA256\n"
				   "digest-algo SHA512\n"
				   "cert-digest-algo SHA512\n";
	char *path = NULL;

	if (asprintf(&path, "%s/gpg.conf", gnupghome) < 0)
		return;
	if (access(path, F_OK) < 0)
		pouch_fs_write_atomic(path, conf, sizeof(conf) - 1, 0600, 1, NULL);
	free(path);
}

/* GPGME runs "gpg --version" each time a home is set, on a context or as its default: the
 * process home is set once, as the default every new context copies. */
static pthread_mutex_t home_lock = PTHREAD_MUTEX_INITIALIZER;
static char *process_home;

int pgp_set_process_home(const char *gnupghome)
{
	int ret = 0;

	pthread_mutex_lock(&home_lock);
	if (!process_home && gpgme_set_engine_info(GPGME_PROTOCOL_OpenPGP, NULL, gnupghome) == 0)
		process_home = strdup(gnupghome);
	if (process_home)
		ret = strcmp(process_home, gnupghome) == 0;
	pthread_mutex_unlock(&home_lock);
	return ret;
}

/* The home ctx runs gpg in; NULL when none is set (gpg would take ~/.gnupg). */
static const char *ctx_home(gpgme_ctx_t ctx)
{
	gpgme_engine_info_t info;

	for (info = gpgme_ctx_get_engine_info(ctx); info; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP)
			return info->home_dir;
	return NULL;
}

gpgme_error_t pgp_new_ctx(const char *gnupghome, gpgme_ctx_t *ctx)
{
	const char *home;
	gpgme_error_t e = gpgme_new(ctx);

	if (e)
		return e;
	home = ctx_home(*ctx);
	if (!home || strcmp(home, gnupghome) != 0)
		e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, gnupghome);
	/* Whichever way it was set, a context on another home is never used. */
	home = e ? NULL : ctx_home(*ctx);
	if (!e && (!home || strcmp(home, gnupghome) != 0))
		e = gpg_error(GPG_ERR_INV_ENGINE);
	if (!e)
		e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (!e)
		e = gpgme_set_ctx_flag(*ctx, "auto-key-retrieve", "0");
	if (!e)
		e = gpgme_set_ctx_flag(*ctx, "auto-key-import", "0");
	if (!e)
		e = gpgme_set_keylist_mode(*ctx, GPGME_KEYLIST_MODE_LOCAL |
						       GPGME_KEYLIST_MODE_WITH_KEYGRIP);
	if (e) {
		gpgme_release(*ctx);
		*ctx = NULL;
	}
	return e;
}

void pouch_pgp_versions(const char **gpgme, const char **gpg)
{
	gpgme_engine_info_t info = NULL;

	/* As pouch_pgp_new: gpgconf would cost three processes to say where gpg lives. */
	gpgme_set_global_flag("disable-gpgconf", "1");
	*gpgme = gpgme_check_version(NULL);
	*gpg = NULL;
	if (gpgme_get_engine_info(&info) != 0)
		return;
	for (; info; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP)
			*gpg = info->version;
}
