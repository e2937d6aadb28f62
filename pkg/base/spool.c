/* Standard input spooled into a private temporary file (see spool.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/spool.h"

/* Copies in_fd to out_fd, at most max bytes. Returns 0 or a POUCH_E_* code. */
static int copy_capped(int in_fd, int out_fd, uint64_t max, struct pouch_err *err)
{
	char buf[65536];
	uint64_t total = 0;
	ssize_t n;

	for (;;) {
		n = read(in_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pouch_err_set(err, POUCH_E_IO, "cannot read standard input: %s",
					     strerror(errno));
		if (n == 0)
			return 0;
		if ((uint64_t)n > max - total)
			return pouch_err_set(err, POUCH_E_REFUSED, "standard input is larger than "
					     "%llu bytes", (unsigned long long)max);
		total += (uint64_t)n;
		if (pouch_fs_write_all(out_fd, buf, (size_t)n) < 0)
			return pouch_err_set(err, POUCH_E_IO, "cannot copy standard input: %s",
					     strerror(errno));
	}
}

int pouch_spool(int in_fd, const char *parent, uint64_t max, char **path, struct pouch_err *err)
{
	char *dir = NULL;
	int fd = -1, ret;

	*path = NULL;
	if (asprintf(&dir, "%s/pouch-stdin-XXXXXX", parent) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (!mkdtemp(dir)) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write in '%s': %s", parent,
				    strerror(errno));
		free(dir);
		return ret;
	}
	if (asprintf(path, "%s/stdin", dir) < 0) {
		*path = NULL;
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ret = fd < 0 ? pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", *path,
				     strerror(errno))
		     : copy_capped(in_fd, fd, max, err);
	if (!ret && fsync(fd) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot copy standard input: %s",
				    strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		if (*path)
			unlink(*path);
		rmdir(dir);
		free(*path);
		*path = NULL;
	}
	free(dir);
	return ret;
}

void pouch_spool_remove(const char *path)
{
	char *dir;

	if (!path)
		return;
	unlink(path);
	dir = pouch_fs_dir_of(path);
	if (dir)
		rmdir(dir);
	free(dir);
}
