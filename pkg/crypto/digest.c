/* SHA-256, streaming, on libgcrypt. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#include "crypto/digest.h"

#define CHUNK (1024 * 1024) /* bytes read at a time */

struct pouch_sha256 {
	gcry_md_hd_t md;
};

/* libgcrypt wants its version checked once, before any other use and never from two threads at
 * once (push and pull hash in worker threads); hashing needs no secure memory. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_failed;

static void init(void)
{
	if (!gcry_check_version(GCRYPT_VERSION)) {
		init_failed = 1;
		return;
	}
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

static int ready(void)
{
	pthread_once(&init_once, init);
	return init_failed ? -1 : 0;
}

int pouch_sha256_new(struct pouch_sha256 **out, struct pouch_err *err)
{
	struct pouch_sha256 *d;

	*out = NULL;
	if (ready() < 0)
		return pouch_err_set(err, POUCH_E_IO, "libgcrypt is older than %s", GCRYPT_VERSION);
	d = calloc(1, sizeof(*d));
	if (!d)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (gcry_md_open(&d->md, GCRY_MD_SHA256, 0)) {
		free(d);
		return pouch_err_set(err, POUCH_E_NOMEM, "cannot start a SHA-256 digest");
	}
	*out = d;
	return 0;
}

void pouch_sha256_update(struct pouch_sha256 *d, const void *buf, size_t len)
{
	gcry_md_write(d->md, buf, len);
}

void pouch_sha256_hex(struct pouch_sha256 *d, char *hex)
{
	gcry_md_hd_t copy = NULL;
	const unsigned char *sum;
	size_t i;

	/* Reading a digest finalises it: read a copy, so that d can go on. */
	if (gcry_md_copy(&copy, d->md)) {
		hex[0] = '\0';
		return;
	}
	sum = gcry_md_read(copy, GCRY_MD_SHA256);
	for (i = 0; i < POUCH_SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	gcry_md_close(copy);
}

void pouch_sha256_free(struct pouch_sha256 *d)
{
	if (!d)
		return;
	gcry_md_close(d->md);
	free(d);
}

int pouch_sha256_fd(int fd, char *hex, uint64_t *size, struct pouch_err *err)
{
	struct pouch_sha256 *d = NULL;
	char *buf = NULL;
	uint64_t total = 0;
	int ret;

	ret = pouch_sha256_new(&d, err);
	if (ret < 0)
		return ret;
	buf = malloc(CHUNK);
	if (!buf) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		pouch_sha256_update(d, buf, (size_t)n);
		total += (uint64_t)n;
	}
	pouch_sha256_hex(d, hex);
	if (size)
		*size = total;
out:
	free(buf);
	pouch_sha256_free(d);
	return ret;
}

int pouch_sha256_buf(const void *buf, size_t len, char *hex, struct pouch_err *err)
{
	struct pouch_sha256 *d = NULL;
	int ret = pouch_sha256_new(&d, err);

	if (ret < 0)
		return ret;
	pouch_sha256_update(d, buf, len);
	pouch_sha256_hex(d, hex);
	pouch_sha256_free(d);
	return 0;
}
