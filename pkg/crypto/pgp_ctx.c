/* OpenPGP through GPGME: a context set up the one way pouch uses GnuPG (its home, no key
 * retrieval, local key listings with keygrips, SHA-512 signatures), and GPGME's errors as
 * pouch's. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
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

gpgme_error_t pgp_new_ctx(const char *gnupghome, gpgme_ctx_t *ctx)
{
	gpgme_error_t e = gpgme_new(ctx);

	if (e)
		return e;
	e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, gnupghome);
	if (!e)
		e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	if (!e)
		e = gpgme_set_ctx_flag(*ctx, "auto-key-retrieve", "0");
	if (!e)
		e = gpgme_set_ctx_flag(*ctx, "auto-key-import", "0");
	if (!e)
		e = gpgme_set_keylist_mode(*ctx, GPGME_KEYLIST_MODE_LOCAL |
						       GPGME_KEYLIST_MODE_WITH_KEYGRIP);
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
