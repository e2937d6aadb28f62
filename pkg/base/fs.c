/* File-system helpers: private directories, capped reads, atomic and exclusive writes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/fs.h"

char *pouch_path_join(const char *a, const char *b)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		return NULL;
	return p;
}

int pouch_fs_mkdir_private(const char *path, struct pouch_err *err)
{
	char *copy = NULL;
	struct stat st;
	int ret = POUCH_E_IO;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return pouch_err_set(err, POUCH_E_IO, "cannot create directory '%s': %s", path,
				     strerror(ENOTDIR));
	}
	copy = strdup(path);
	if (!copy)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	char *parent = dirname(copy);
	if (strcmp(parent, path) != 0 && strcmp(parent, "/") != 0 && strcmp(parent, ".") != 0) {
		ret = pouch_fs_mkdir_private(parent, err);
		if (ret < 0)
			goto out;
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot create directory '%s': %s", path,
				    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

int pouch_fs_open_regular(const char *what, const char *path, uint64_t max, int flags, int *fd,
			  uint64_t *size, struct pouch_err *err)
{
	const char *sep = what ? " " : "";
	struct stat st;
	int f, fl, ret;

	*fd = -1;
	if (!what)
		what = "";
	/* O_NONBLOCK: opening a FIFO or a device must not wait for a writer or a carrier. */
	f = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
			   (flags & POUCH_FS_NOFOLLOW ? O_NOFOLLOW : 0));
	if (f < 0)
		return pouch_err_set(err, errno == ENOENT ? POUCH_E_NOTFOUND : POUCH_E_IO,
				     "cannot open %s%s'%s': %s", what, sep, path, strerror(errno));
	if (fstat(f, &st) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read %s%s'%s': %s", what, sep, path,
				    strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read %s%s'%s': %s", what, sep, path,
				    S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
	} else if ((uint64_t)st.st_size > max) {
		ret = pouch_err_set(err, POUCH_E_REFUSED, "cannot read %s%s'%s': larger than %llu "
				    "bytes", what, sep, path, (unsigned long long)max);
	} else if ((fl = fcntl(f, F_GETFL)) < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read %s%s'%s': %s", what, sep, path,
				    strerror(errno));
	} else {
		*fd = f;
		if (size)
			*size = (uint64_t)st.st_size;
		return 0;
	}
	close(f);
	return ret;
}

int pouch_fs_read(const char *path, size_t max, char **out, size_t *len, struct pouch_err *err)
{
	int fd = -1;
	char *buf = NULL;
	size_t have = 0;
	uint64_t size = 0;
	int ret;

	*out = NULL;
	ret = pouch_fs_open_regular(NULL, path, max, 0, &fd, &size, err);
	if (ret < 0)
		return ret;
	ret = POUCH_E_IO;
	buf = malloc((size_t)size + 1);
	if (!buf) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* The size can change under us; never read past the cap. */
	for (;;) {
		ssize_t n = read(fd, buf + have, (size_t)size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", path,
					    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == (size_t)size)
			break;
	}
	buf[have] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = have;
	ret = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

int pouch_fs_move(const char *from, const char *to)
{
	if (pouch_fault_hit("fs.rename"))
		return -1;
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: link() never replaces a name either. */
	if (link(from, to) < 0)
		return -1;
	unlink(from);
	return 0;
}

int pouch_fs_sync_dir(const char *dir, struct pouch_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || pouch_fault_hit("fs.fsync") || fsync(fd) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot sync the directory '%s': %s", dir,
				    strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, ret = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		ret = fsync(fd);
		close(fd);
	}
	free(copy);
	return ret;
}

int pouch_fs_write_all(int fd, const void *data, size_t len)
{
	const char *buf = data;

	if (pouch_fault_hit("fs.write"))
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

char *pouch_fs_dir_of(const char *path)
{
	char *copy = strdup(path), *d;

	if (!copy)
		return NULL;
	d = strdup(dirname(copy));
	free(copy);
	return d;
}

int pouch_fs_tmpfile(const char *dir, const char *hint, char **name, struct pouch_err *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), e;

	*name = NULL;
	if (fd >= 0)
		return fd;
	/* File systems without unnamed files (EOPNOTSUPP; EISDIR on old kernels) get a named
	 * one, which a process killed before it finishes leaves behind. */
	if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
		if (asprintf(name, "%s/.%s.XXXXXX", dir, hint) < 0) {
			*name = NULL;
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		}
		fd = mkostemp(*name, O_CLOEXEC);
		if (fd >= 0)
			return fd;
		e = errno;
		free(*name);
		*name = NULL;
		errno = e;
	}
	e = errno;
	fd = pouch_err_set(err, POUCH_E_IO, "cannot write in '%s': %s", dir, strerror(e));
	errno = e;
	return fd;
}

/* Gives the file open at fd (named name, or unnamed when name is NULL) the name path, never
 * replacing an existing one. Returns 0, or -1 with errno set (EEXIST when path exists). */
static int link_new(int fd, const char *name, const char *path)
{
	char proc[64];

	if (name)
		return link(name, path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int pouch_fs_tmpfile_link(int fd, const char *name, const char *path, struct pouch_err *err)
{
	if (link_new(fd, name, path) < 0)
		return pouch_err_set(err, errno == EEXIST ? POUCH_E_EXISTS : POUCH_E_IO,
				     "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* Makes a temporary file beside path (mode 0600 until the caller's fchmod), unnamed where the
 * file system allows; a name it had to give goes to *tmp (caller frees and unlinks). Returns
 * the descriptor, or < 0 with err set. */
static int tmp_open(const char *path, char **tmp, struct pouch_err *err)
{
	char *dir = pouch_fs_dir_of(path);
	int fd;

	*tmp = NULL;
	if (!dir)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	fd = pouch_fs_tmpfile(dir, "tmp", tmp, NULL);
	free(dir);
	if (fd == POUCH_E_IO)
		return pouch_err_set(err, fd, "cannot write '%s': %s", path, strerror(errno));
	if (fd < 0)
		return pouch_err_set(err, fd, "out of memory");
	return fd;
}

/* Replaces path with the file open at fd (named tmp, or unnamed): an unnamed one is first
 * given a fresh random name beside path, then renamed over it. */
static int replace_with(int fd, const char *tmp, const char *path)
{
	char *name = NULL;
	int ret = -1, tries, e;
	uint32_t r;

	if (tmp)
		return rename(tmp, path);
	for (tries = 0; tries < 100; tries++) {
		free(name);
		name = NULL;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r) ||
		    asprintf(&name, "%s.tmp.%08" PRIx32, path, r) < 0)
			return -1;
		ret = link_new(fd, NULL, name);
		if (ret == 0 || errno != EEXIST)
			break;
	}
	if (ret == 0 && rename(name, path) < 0) {
		e = errno;
		unlink(name);
		errno = e;
		ret = -1;
	}
	free(name);
	return ret;
}

/* Finishes a temporary file written in full: fsync, name it path (never replacing an existing
 * path with exclusive set), close fd (always closed), fsync the directory. */
static int tmp_commit(int fd, const char *tmp, const char *path, int exclusive,
		      struct pouch_err *err)
{
	int ret = 0;

	if (pouch_fault_hit("fs.fsync") || fsync(fd) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", path,
				    strerror(errno));
	else if (pouch_fault_hit("fs.rename"))
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", path,
				    strerror(errno));
	else if (exclusive)
		ret = pouch_fs_tmpfile_link(fd, tmp, path, err);
	else if (replace_with(fd, tmp, path) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", path,
				    strerror(errno));
	if (close(fd) < 0 && !ret)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", path,
				    strerror(errno));
	if (!ret && fsync_dir_of(path) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot sync the directory of '%s': %s",
				    path, strerror(errno));
	return ret;
}

int pouch_fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			  int exclusive, struct pouch_err *err)
{
	char *tmp = NULL;
	int fd, ret;

	fd = tmp_open(path, &tmp, err);
	if (fd < 0)
		return fd;
	if (fchmod(fd, mode) < 0 || pouch_fs_write_all(fd, buf, len) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	ret = tmp_commit(fd, tmp, path, exclusive, err);
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	return ret;
}

int pouch_fs_copy(const char *from, const char *to, mode_t mode, int exclusive,
		  struct pouch_err *err)
{
	char buf[65536], *tmp = NULL;
	int in = -1, fd = -1, ret;
	ssize_t got;

	(void)pouch_fault_hit("fs.copy");
	ret = pouch_fs_open_regular(NULL, from, UINT64_MAX, 0, &in, NULL, err);
	if (ret < 0)
		return ret;
	fd = tmp_open(to, &tmp, err);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	if (fchmod(fd, mode) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", to, strerror(errno));
		goto out;
	}
	for (;;) {
		got = read(in, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", from,
					    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (pouch_fs_write_all(fd, buf, (size_t)got) < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot write '%s': %s", to,
					    strerror(errno));
			goto out;
		}
	}
	ret = tmp_commit(fd, tmp, to, exclusive, err);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	close(in);
	return ret;
}

/* Stale work directories are named PREFIX followed by mkdtemp's six characters. */
static int is_work_name(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 && strlen(name + n) == 6 && !strchr(name + n, '/');
}

int pouch_fs_workdir_new(const char *parent, const char *prefix, char **path, int *lock,
			 struct pouch_err *err)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	struct stat mine, named;
	char *stale;
	int fd, tries;

	*path = NULL;
	*lock = -1;
	/* Whatever a killed run left behind is swept first: its lock went with it. */
	while (d && (e = readdir(d))) {
		if (!is_work_name(e->d_name, prefix) || !(stale = pouch_path_join(parent, e->d_name)))
			continue;
		fd = open(stale, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			pouch_fs_remove_tree(stale, NULL);
		if (fd >= 0)
			close(fd);
		free(stale);
	}
	if (d)
		closedir(d);
	/* Another open's sweep can take a directory made here before it is locked: then it is
	 * not ours any more (the lock fails, or the path no longer names what was locked), and
	 * another name is tried. */
	for (tries = 0; tries < 100; tries++) {
		if (asprintf(path, "%s/%sXXXXXX", parent, prefix) < 0) {
			*path = NULL;
			return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		}
		if (!mkdtemp(*path))
			goto fail;
		*lock = open(*path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (*lock < 0 && errno != ENOENT) {
			fd = errno;
			rmdir(*path);
			errno = fd;
			goto fail;
		}
		if (*lock >= 0 && flock(*lock, LOCK_EX | LOCK_NB) == 0 && fstat(*lock, &mine) == 0 &&
		    stat(*path, &named) == 0 && mine.st_ino == named.st_ino &&
		    mine.st_dev == named.st_dev)
			return 0;
		if (*lock >= 0)
			close(*lock);
		*lock = -1;
		free(*path);
		*path = NULL;
	}
	errno = EAGAIN;
fail:
	fd = pouch_err_set(err, POUCH_E_IO, "cannot create a directory in '%s': %s", parent,
			   strerror(errno));
	free(*path);
	*path = NULL;
	return fd;
}

int pouch_fs_remove(const char *path, struct pouch_err *err)
{
	if (remove(path) < 0 && errno != ENOENT)
		return pouch_err_set(err, POUCH_E_IO, "cannot remove '%s': %s", path,
				     strerror(errno));
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int pouch_fs_remove_tree(const char *path, struct pouch_err *err)
{
	if (!pouch_fs_exists(path))
		return 0;
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot remove '%s': %s", path,
				     strerror(errno));
	return 0;
}

int pouch_fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

char *pouch_fs_first_missing(const char *path)
{
	char *cur, *parent;

	if (pouch_fs_exists(path))
		return NULL;
	cur = strdup(path);
	while (cur) {
		char *copy = strdup(cur);
		if (!copy) {
			free(cur);
			return NULL;
		}
		parent = dirname(copy);
		if (strcmp(parent, cur) == 0 || pouch_fs_exists(parent)) {
			free(copy);
			return cur;
		}
		free(cur);
		cur = strdup(parent);
		free(copy);
	}
	return NULL;
}
