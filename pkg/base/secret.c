/* Secrets read from files and their wiping. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/secret.h"

int pouch_secret_read_passphrase(const char *path, char **out, struct pouch_err *err)
{
	char buf[POUCH_PASSPHRASE_MAX + 2];
	struct stat st;
	ssize_t n = 0, got;
	size_t len;
	int fd, ret = POUCH_E_IO;

	*out = NULL;
	ret = pouch_fs_open_regular("passphrase file", path, UINT64_MAX, 0, &fd, NULL, err);
	if (ret < 0)
		return ret;
	if (fstat(fd, &st) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read passphrase file '%s': %s", path,
				    strerror(errno));
		goto out;
	}
	if (st.st_mode & 077) {
		ret = pouch_err_set(err, POUCH_E_REFUSED, "passphrase file '%s' is readable by "
				    "others: chmod 600 it", path);
		goto out;
	}
	while ((size_t)n < sizeof(buf) - 1) {
		got = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot read passphrase file '%s': %s",
					    path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += got;
	}
	buf[n] = '\0';
	for (len = 0; len < (size_t)n && buf[len] != '\r' && buf[len] != '\n'; len++)
		;
	/* A NUL would silently shorten the passphrase GnuPG gets. */
	if (memchr(buf, '\0', len)) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "passphrase in '%s' holds a NUL byte", path);
		goto out;
	}
	if ((size_t)n == sizeof(buf) - 1 && len == (size_t)n) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "passphrase in '%s' is longer than %d bytes",
				    path, POUCH_PASSPHRASE_MAX);
		goto out;
	}
	buf[len] = '\0';
	if (len == 0) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "passphrase file '%s' is empty", path);
		goto out;
	}
	*out = strdup(buf);
	ret = *out ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

void pouch_secret_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
