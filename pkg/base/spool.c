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

/* A new file in dir that has no name: O_TMPFILE, or made and unlinked at once where the file
 * system cannot. */
static int unnamed(const char *dir, struct pouch_err *err)
{
	char *tmpl = NULL;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		goto out;
	if (asprintf(&tmpl, "%s/pouch-stdin-XXXXXX", dir) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	free(tmpl);
out:
	if (fd < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot write in '%s': %s", dir,
				     strerror(errno));
	return fd;
}

int pouch_spool(int in_fd, const char *parent, uint64_t max, struct pouch_spool *sp,
		struct pouch_err *err)
{
	int fd, ret;

	sp->fd = -1;
	sp->path[0] = '\0';
	if ((fd = unnamed(parent, err)) < 0)
		return fd;
	ret = copy_capped(in_fd, fd, max, err);
	if (!ret) {
		snprintf(sp->path, sizeof(sp->path), "/proc/self/fd/%d", fd);
		if (access(sp->path, R_OK) < 0)
			ret = pouch_err_set(err, POUCH_E_IO, "cannot keep standard input: '%s': %s",
					    sp->path, strerror(errno));
	}
	if (ret < 0) {
		close(fd);
		sp->path[0] = '\0';
		return ret;
	}
	sp->fd = fd;
	return 0;
}

void pouch_spool_close(struct pouch_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->path[0] = '\0';
}
