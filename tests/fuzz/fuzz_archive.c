/* Fuzzes the archive reader (pkg/archive_read.c) on in-memory tars: the bytes go through a
 * memfd, the attachments into a scratch directory that is emptied after every input. Whatever
 * is accepted left only regular files named by checked names; whatever is refused left none. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pouch/archive.h"

static char dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/x", fuzz_dir());
	if (mkdir(dir, 0700) < 0)
		fuzz_fail("cannot make the extraction directory");
	return 0;
}

/* Checks what dir holds and empties it; returns the number of entries. */
static size_t check_and_empty(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		fuzz_fail("cannot read the extraction directory");
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0600 ||
		    pouch_archive_name_check(de->d_name, NULL) < 0)
			fuzz_fail("extraction left something other than a checked regular file");
	}
	closedir(d);
	fuzz_empty_dir(dir);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pouch_archive_limits lim = { 1 << 20, 64, 64 * 1024 };
	struct pouch_err err = { 0 };
	char *manifest = NULL;
	size_t len = 0, left;
	int fd = memfd_create("fuzz-archive", MFD_CLOEXEC), ret;

	if (fd < 0)
		fuzz_fail("memfd_create failed");
	fuzz_write_fd(fd, data, size);
	if (lseek(fd, 0, SEEK_SET) != 0)
		fuzz_fail("lseek failed");
	ret = pouch_archive_extract(fd, dir, &lim, &manifest, &len, &err);
	close(fd);
	left = check_and_empty();
	if (ret == 0 && (!manifest || strlen(manifest) > len || len > lim.max_manifest))
		fuzz_fail("an accepted archive's manifest breaks its limits");
	if (ret != 0 && (manifest || left))
		fuzz_fail("a refused archive left a manifest or files behind");
	free(manifest);
	return 0;
}
