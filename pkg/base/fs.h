/* File-system helpers: private directories, capped reads, atomic and exclusive writes. */
#ifndef POUCH_FS_H
#define POUCH_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* Creates directory path with mode 0700, and missing parents likewise. An existing directory
 * is accepted. Returns 0 or POUCH_E_IO. */
int pouch_fs_mkdir_private(const char *path, struct pouch_err *err);

#define POUCH_FS_NOFOLLOW 1 /* pouch_fs_open_regular: refuse a final symbolic link */

/* Opens the file at path for reading, the one way pouch opens a file it did not just write
 * itself. The open never blocks (O_NONBLOCK, cleared once checked: a FIFO or a device cannot
 * hang it), and before a byte is read the file must be regular (else POUCH_E_IO, "cannot read
 * '<path>': not a regular file" or "is a directory") and at most max bytes (else
 * POUCH_E_REFUSED). what ("passphrase file", or NULL) names the file in messages before its
 * path. With flags POUCH_FS_NOFOLLOW a final symbolic link is refused. A missing file is
 * POUCH_E_NOTFOUND. On success *fd (caller closes) is open and *size (NULL allowed) holds the
 * size at the check. */
int pouch_fs_open_regular(const char *what, const char *path, uint64_t max, int flags, int *fd,
			  uint64_t *size, struct pouch_err *err);

/* Reads the whole file at path into *out (NUL-terminated, caller frees), opened as
 * pouch_fs_open_regular does: files larger than max bytes are refused (POUCH_E_REFUSED).
 * *len receives the size without the NUL. */
int pouch_fs_read(const char *path, size_t max, char **out, size_t *len, struct pouch_err *err);

/* Writes buf to path through a temporary file in the same directory: write, fsync, rename,
 * fsync of the directory. With exclusive set, an existing path is never replaced
 * (POUCH_E_EXISTS). Readers see the old content or the new one, never a partial file. */
int pouch_fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			  int exclusive, struct pouch_err *err);

/* Copies the regular file from to to the same way: a temporary file beside to (mode mode),
 * streamed, fsync'ed, renamed (with exclusive set never replacing an existing to:
 * POUCH_E_EXISTS), then the directory fsync'ed. A missing from is POUCH_E_NOTFOUND; other
 * failures POUCH_E_IO naming the file. */
int pouch_fs_copy(const char *from, const char *to, mode_t mode, int exclusive,
		  struct pouch_err *err);

/* Opens a new temporary file in dir for reading and writing, mode 0600: an unnamed one
 * (O_TMPFILE), which vanishes whatever happens to the process, or where the file system has
 * none a named ".HINT.XXXXXX" whose name goes to *name (caller unlinks and frees; NULL for an
 * unnamed file). Returns the descriptor, or < 0 with err set naming dir. */
int pouch_fs_tmpfile(const char *dir, const char *hint, char **name, struct pouch_err *err);

/* Gives the temporary file fd (name as pouch_fs_tmpfile returned it) the name path, in the
 * same directory, never replacing an existing path (POUCH_E_EXISTS). The caller syncs. */
int pouch_fs_tmpfile_link(int fd, const char *name, const char *path, struct pouch_err *err);

/* Makes a new private work directory PARENT/PREFIXxxxxxx (mkdtemp), locked with flock for as
 * long as the caller keeps *lock open, after removing every work directory of that prefix in
 * parent whose lock is free (left by a process that was killed). Its path goes to *path
 * (caller frees). Returns 0, or POUCH_E_IO naming parent. */
int pouch_fs_workdir_new(const char *parent, const char *prefix, char **path, int *lock,
			 struct pouch_err *err);

/* Writes all len bytes at data to fd, retrying short writes and EINTR. Returns 0, or -1 with
 * errno set. */
int pouch_fs_write_all(int fd, const void *data, size_t len);

/* Renames from to to without ever replacing an existing to (renameat2 RENAME_NOREPLACE, or
 * link and unlink where the file system lacks it). Returns 0, or -1 with errno (EEXIST when to
 * exists). */
int pouch_fs_move(const char *from, const char *to);

/* Makes a directory entry (a rename or an unlink) in dir durable: fsync on the directory.
 * Returns 0 or POUCH_E_IO naming dir. */
int pouch_fs_sync_dir(const char *dir, struct pouch_err *err);

/* Removes path (file or empty directory); a missing path is not an error. */
int pouch_fs_remove(const char *path, struct pouch_err *err);

/* Removes the directory tree at path. */
int pouch_fs_remove_tree(const char *path, struct pouch_err *err);

/* Returns 1 when path exists (without following a final symbolic link), else 0. */
int pouch_fs_exists(const char *path);

/* The highest ancestor of path (or path itself) that does not exist, newly allocated: what
 * pouch_fs_mkdir_private(path) would create first. NULL when path exists or out of memory. */
char *pouch_fs_first_missing(const char *path);

/* The directory part of path, newly allocated ("." for a bare name), or NULL when out of
 * memory. */
char *pouch_fs_dir_of(const char *path);

/* Returns a newly allocated "a/b" (caller frees), or NULL when out of memory. */
char *pouch_path_join(const char *a, const char *b);

#endif
