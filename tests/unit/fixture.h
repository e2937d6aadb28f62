/* Shared cmocka fixture for the unit tests: a fresh directory under /tmp for each test, holding
 * a pouch home when asked, helpers that write files there and check them, and record parts.
 * Each test file is one translation unit, so the functions are static and may go unused. */
#ifndef POUCH_TEST_FIXTURE_H
#define POUCH_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "directory/home.h"

#define FIXTURE_FN __attribute__((unused)) static

/* Parts of the hand-written records: two key fingerprints and two times. */
#define FPR1 "0123456789ABCDEF0123456789ABCDEF01234567"
#define FPR2 "89ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define T0 "2026-01-01T00:00:00Z" /* 1767225600 */
#define T1 "2026-06-01T00:00:00Z" /* 1780272000 */
#define NEST15 "[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]" /* with the record object: 16 levels */

#ifdef FIXTURE_PARTNER_RECORD
/* A partner record for GB-MET, assembled from parts so that each case changes one thing. */
#define PIN "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define HEAD "{\"format\":\"pouch-partner/1\",\"code\":\"GB-MET\","
#define NAME "\"name\":\"Metropolitan Police\","
#define EP "\"endpoint\":\"https://pouch.met.example:8443/in\","
#define TLS "\"tls\":{\"pin\":\"" PIN "\"},"
#define KEYS(k) "\"keys\":[" k "],"
#define TAIL "\"created\":\"" T0 "\",\"updated\":\"" T1 "\"}"
#define KEY_R(fpr, from, until) \
	"{\"fingerprint\":" fpr ",\"added\":\"" T0 "\",\"valid_from\":" from \
	",\"valid_until\":" until ",\"expires\":null,\"revoked\":null}"
#define KEY(fpr) KEY_R("\"" fpr "\"", "\"" T0 "\"", "null")
#endif

/* One case of a table-driven test on a hand-written file, passed as cmocka's initial state. */
struct ccase {
	const char *text;
	const char *want; /* in the message, besides the path */
	size_t cut;       /* when not 0, only this many bytes are written */
};

/* A row of a cmocka test table: fn run on the case, named "<fn>_<label>". */
#define CASE(fn, setup_fn, label, text, want, cut) \
	{ #fn "_" label, fn, setup_fn, teardown, &(struct ccase){ text, want, cut } }

struct fixture {
	char dir[32];          /* /tmp/pu.XXXXXX, removed with all it holds by teardown */
	char path[256];        /* the last path made by at() */
	struct pouch_home h;   /* the home at dir, with setup_home only; zeroed otherwise */
	const struct ccase *c; /* the case the test table gave, or NULL */
};

/* Frees f, removing its directory when made (mkdtemp succeeded) and releasing its home. */
FIXTURE_FN int fixture_free(struct fixture *f, int made)
{
	int ret = made ? pouch_fs_remove_tree(f->dir, NULL) : -1;

	pouch_home_release(&f->h);
	free(f);
	return ret;
}

/* Makes the fixture and its directory; with home set, creates a pouch home there. */
FIXTURE_FN int fixture_new(void **state, int home)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->c = *state;
	strcpy(f->dir, "/tmp/pu.XXXXXX");
	if (!mkdtemp(f->dir)) {
		fixture_free(f, 0);
		return -1;
	}
	if (home &&
	    (pouch_home_init(&f->h, f->dir, NULL) < 0 || pouch_home_create(&f->h, NULL) < 0)) {
		fixture_free(f, 1);
		return -1;
	}
	*state = f;
	return 0;
}

/* f->path = dir/name. */
FIXTURE_FN const char *at(struct fixture *f, const char *name)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	return f->path;
}

/* cmocka setup: a fresh empty directory. */
FIXTURE_FN int setup(void **state)
{
	return fixture_new(state, 0);
}

/* cmocka setup: a fresh directory holding a created pouch home (f->h). */
FIXTURE_FN int setup_home(void **state)
{
	return fixture_new(state, 1);
}

#ifdef FIXTURE_PARTNER_RECORD
/* cmocka setup: a fresh home; f->path is its partners/GB-MET.json, not yet written. */
FIXTURE_FN int setup_met(void **state)
{
	if (setup_home(state) < 0)
		return -1;
	at(*state, "partners/GB-MET.json");
	return 0;
}
#endif

/* Copies what directory from holds into directory to (the test's own), as it is but for
 * gpg-agent's sockets: a home made once, with its key, for many tests. */
FIXTURE_FN int fixture_copy(const char *from, const char *to)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "cp -Rp '%s/.' '%s' && rm -f '%s'/gnupg/S.*", from, to, to);
	return system(cmd) == 0 ? 0 : -1;
}

/* cmocka teardown for every setup here. */
FIXTURE_FN int teardown(void **state)
{
	return fixture_free(*state, 1);
}

/* Writes len bytes of data to path, replacing any file there, with exactly mode. */
FIXTURE_FN void put_bytes(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

FIXTURE_FN void put_text(const char *path, const char *text, mode_t mode)
{
	put_bytes(path, text, strlen(text), mode);
}

/* Writes c's text, or its first c->cut bytes, to path with mode 0600. */
FIXTURE_FN void put_case(const char *path, const struct ccase *c)
{
	put_bytes(path, c->text, c->cut ? c->cut : strlen(c->text), 0600);
}

/* A load of c's text from path returned ret: it must be refused as corrupt, the message
 * naming path and c->want. */
FIXTURE_FN void assert_corrupt(int ret, const struct pouch_err *err, const char *path,
			       const struct ccase *c)
{
	assert_int_equal(ret, POUCH_E_CORRUPT);
	assert_int_equal(err->code, POUCH_E_CORRUPT);
	if (!strstr(err->msg, path) || !strstr(err->msg, c->want))
		fail_msg("message '%s' lacks the path or '%s'", err->msg, c->want);
}

/* The file at path reads back as exactly want. */
FIXTURE_FN void assert_content(const char *path, const char *want)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(pouch_fs_read(path, 1 << 20, &text, &len, NULL), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(text, want);
	free(text);
}

/* How many entries directory dir holds, "." and ".." aside. */
FIXTURE_FN int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The permission bits of path itself (a final symbolic link is not followed). */
FIXTURE_FN mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

#endif
