/* Helpers shared by the fuzz harnesses. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char scratch[64];

char *fuzz_str(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

static void remove_scratch(void)
{
	char cmd[128];

	if (!scratch[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", scratch);
}

const char *fuzz_dir(void)
{
	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof(scratch), "%s/pouch-fuzz.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(scratch))
		fuzz_fail("cannot make a scratch directory");
	atexit(remove_scratch);
	return scratch;
}

void fuzz_write_fd(int fd, const uint8_t *d, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, d + done, n - done);
		if (w <= 0)
			fuzz_fail("cannot write a scratch file");
		done += (size_t)w;
	}
}

void fuzz_write(const char *path, const uint8_t *d, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		fuzz_fail("cannot open a scratch file");
	fuzz_write_fd(fd, d, n);
	close(fd);
}

void fuzz_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		fuzz_fail("cannot read a scratch directory");
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}
