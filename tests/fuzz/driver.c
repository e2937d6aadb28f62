/* Replays inputs through a harness's LLVMFuzzerTestOneInput once, without libFuzzer, so that
 * `make check` runs every harness over its committed corpus and regressions with any compiler
 * (and under ASan and UBSan in the asan-check build). A crash or a failed invariant aborts.
 * Usage: fuzz_NAME [FILE|DIR]...; without arguments tests/fuzz/corpus/NAME and
 * tests/fuzz/regressions/NAME under POUCH_SRC (default: the current directory). TAP output. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			unsigned char *b = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!b)
				abort();
			buf = b;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf ? buf : malloc(1);
}

static int one(const char *path)
{
	size_t len = 0;
	unsigned char *buf = slurp(path, &len);

	if (!buf) {
		fprintf(stderr, "fuzz: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs every file in dir (missing: none); returns the number run, -1 on a read error. */
static long run_dir(const char *dir)
{
	struct dirent **list = NULL;
	char path[4096];
	long count = 0;
	int n = scandir(dir, &list, NULL, by_name), i;

	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < n; i++) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (one(path) < 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(list[i]);
	}
	free(list);
	return count;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/'), *src = getenv("POUCH_SRC");
	char dirs[2][4096];
	int i, failed = 0;

	base = base ? base + 1 : argv[0];
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		printf("1..%d\n", argc - 1);
		for (i = 1; i < argc; i++) {
			struct stat st;
			long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? run_dir(argv[i])
							: one(argv[i]) == 0;
			printf("%s %d - %s (%ld inputs)\n", n < 0 ? "not ok" : "ok", i, argv[i], n);
			failed |= n < 0;
		}
		return failed;
	}
	snprintf(dirs[0], sizeof(dirs[0]), "%s/tests/fuzz/corpus/%s", src ? src : ".", base);
	snprintf(dirs[1], sizeof(dirs[1]), "%s/tests/fuzz/regressions/%s", src ? src : ".", base);
	printf("1..2\n");
	for (i = 0; i < 2; i++) {
		long n = run_dir(dirs[i]);
		/* The corpus must be there: an empty run would prove nothing. */
		int bad = n < 0 || (i == 0 && n == 0);
		printf("%s %d - %s (%ld inputs, no crash)\n", bad ? "not ok" : "ok", i + 1, dirs[i],
		       n);
		failed |= bad;
	}
	return failed;
}
