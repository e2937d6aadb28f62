/* Fuzzes the archive reader (pkg/package/archive_read.c) on in-memory tars: the bytes go through a
 * memfd, the attachments into a scratch directory that is emptied after every input. The list
 * the archive is held to is the one its own pouch.json gives. Whatever is accepted left exactly
 * the listed regular files, named by checked names; whatever is refused left none. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz.h"
#include "package/archive.h"

#define LIST_MAX 64

static char dir[4096];
static json_t *listed;
static struct pouch_archive_file files[LIST_MAX];

/* The attachments pouch.json lists, as open.c would take them (without the header binding). */
static int list(void *ctx, const char *manifest, size_t len,
		const struct pouch_archive_file **out, size_t *n, struct pouch_err *err)
{
	const json_t *a, *arr;
	size_t i;

	(void)ctx;
	listed = json_loadb(manifest, len, JSON_REJECT_DUPLICATES, NULL);
	arr = json_object_get(listed, "attachments");
	if (!json_is_array(arr) || json_array_size(arr) > LIST_MAX)
		return pouch_err_set(err, POUCH_E_REFUSED, "no attachment list");
	json_array_foreach(arr, i, a) {
		const json_t *size = json_object_get(a, "size");
		files[i].name = json_string_value(json_object_get(a, "name"));
		files[i].sha256 = json_string_value(json_object_get(a, "sha256"));
		if (!files[i].name || !files[i].sha256 || !json_is_integer(size) ||
		    json_integer_value(size) < 0)
			return pouch_err_set(err, POUCH_E_REFUSED, "a malformed attachment");
		files[i].size = (uint64_t)json_integer_value(size);
	}
	*out = files;
	*n = json_array_size(arr);
	return 0;
}

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
	ret = pouch_archive_extract(fd, dir, &lim, list, NULL, &manifest, &len, &err);
	close(fd);
	left = check_and_empty();
	if (ret == 0 && left != json_array_size(json_object_get(listed, "attachments")))
		fuzz_fail("an accepted archive left other files than its list");
	json_decref(listed);
	listed = NULL;
	if (ret == 0 && (!manifest || strlen(manifest) > len || len > lim.max_manifest))
		fuzz_fail("an accepted archive's manifest breaks its limits");
	if (ret != 0 && (manifest || left))
		fuzz_fail("a refused archive left a manifest or files behind");
	free(manifest);
	return 0;
}
