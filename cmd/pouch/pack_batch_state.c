/* The state of a batch in its output directory (spec/batch.md): DIR/.batch-NAME.state, one
 * record "LINE SHA-256 ID" per package kept, written (and synced) before the package moves
 * from DIR/.batch-NAME.stage into DIR; so a record names a package that is in DIR, or still
 * staged and moved by the next run, and a staged package without a record is removed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "pack_batch_internal.h"
#include "base/fault.h"
#include "base/fs.h"

#define STATE_HEAD "pouch-batch-state/1\n"
#define STATE_MAX (64 * 1024 * 1024)

static int names(struct batch *b)
{
	const char *name = "stdin";
	char *copy = NULL;
	int ok;

	if (strcmp(b->o->file, "-") != 0) {
		copy = strdup(b->o->file);
		if (!copy)
			return -1;
		name = basename(copy);
	}
	ok = asprintf(&b->state, "%s/.batch-%s.state", b->dir, name) >= 0 &&
	     asprintf(&b->stage, "%s/.batch-%s.stage", b->dir, name) >= 0;
	free(copy);
	return ok ? 0 : -1;
}

/* The line numbered no, by bisection (lines are in order), or NULL. */
static struct batch_line *line_no(struct batch *b, size_t no)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->lines[mid].no == no)
			return &b->lines[mid];
		if (b->lines[mid].no < no)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int batch_move(const struct batch *b, const char *id, int sync, struct pouch_err *err)
{
	static const char *const suffix[] = { ".pouch.pgp", ".pouch" };
	char from[4096], to[4096];
	size_t i;

	/* A test can stop (or fail) a run here, its record written, its package not yet moved. */
	if (pouch_fault_hit("batch.move"))
		return pouch_err_set(err, POUCH_E_IO, "cannot move '%s/%s.pouch' to '%s': %s",
				     b->stage, id, b->dir, strerror(errno));
	for (i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s/%s%s", b->stage, id, suffix[i]);
		snprintf(to, sizeof(to), "%s/%s%s", b->dir, id, suffix[i]);
		if (pouch_fs_exists(from) && pouch_fs_move(from, to) < 0)
			return pouch_err_set(err, POUCH_E_IO, "cannot move '%s' to '%s': %s", from,
					     to, strerror(errno));
	}
	return sync ? pouch_fs_sync_dir(b->dir, err) : 0;
}

void batch_unstage(const struct batch *b, const char *id)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pouch.pgp", b->stage, id);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.pouch", b->stage, id);
	unlink(path);
}

/* One record: the latest for a line number wins. A recorded package is kept whatever became
 * of its files since (moved on, pushed, deleted): the record alone says the line is done. */
static int record(struct batch *b, const char *rec, struct pouch_err *err)
{
	char sha[POUCH_SHA256_HEX], id[POUCH_UUID_LEN], tail;
	unsigned long long no;
	struct batch_line *l;

	if (sscanf(rec, "%llu %64[0-9a-f] %36[0-9a-f-]%c", &no, sha, id, &tail) != 4 ||
	    tail != '\n' || strlen(sha) != 64 || strlen(id) != 36)
		return pouch_err_set(err, POUCH_E_CORRUPT, "batch state '%s' is corrupt: '%.*s'",
				     b->state, (int)strcspn(rec, "\n"), rec);
	if (batch_move(b, id, 1, err) < 0)
		return POUCH_E_IO;
	l = line_no(b, (size_t)no);
	if (!l)
		return 0;
	free(l->msg);
	l->msg = NULL;
	if (strcmp(l->sha, sha) == 0) {
		l->status = LINE_DONE;
		snprintf(l->id, sizeof(l->id), "%s", id);
		return 0;
	}
	l->status = LINE_PENDING;
	if (asprintf(&l->msg, "line %zu changed since it was packed as %s: packing it again",
		     l->no, id) < 0)
		l->msg = NULL;
	return 0;
}

static int load(struct batch *b, struct pouch_err *err)
{
	char *text = NULL, *p, *nl;
	struct stat st;
	ssize_t got;
	size_t len;
	int ret = 0;

	if (fstat(b->state_fd, &st) < 0 || st.st_size > STATE_MAX)
		return pouch_err_set(err, POUCH_E_IO, "cannot read batch state '%s'", b->state);
	/* Empty, or a first line cut short by a kill: a new state. */
	if (st.st_size < (off_t)strlen(STATE_HEAD) && ftruncate(b->state_fd, 0) == 0)
		return pouch_fs_write_all(b->state_fd, STATE_HEAD, strlen(STATE_HEAD)) < 0 ||
				       fsync(b->state_fd) < 0
			       ? pouch_err_set(err, POUCH_E_IO, "cannot write batch state '%s': %s",
					       b->state, strerror(errno))
			       : 0;
	len = (size_t)st.st_size;
	text = malloc(len + 1);
	if (!text)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	got = pread(b->state_fd, text, len, 0);
	if (got != (ssize_t)len) {
		free(text);
		return pouch_err_set(err, POUCH_E_IO, "cannot read batch state '%s'", b->state);
	}
	text[len] = '\0';
	if (strncmp(text, STATE_HEAD, strlen(STATE_HEAD)) != 0)
		ret = pouch_err_set(err, POUCH_E_CORRUPT, "batch state '%s' is corrupt: no '%.*s' "
				    "first", b->state, (int)strlen(STATE_HEAD) - 1, STATE_HEAD);
	for (p = text + strlen(STATE_HEAD); !ret && (nl = strchr(p, '\n')); p = nl + 1)
		ret = record(b, p, err);
	/* A record cut short by a kill was never a record: away with it. */
	if (!ret && *p && ftruncate(b->state_fd, p - text) < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write batch state '%s': %s", b->state,
				    strerror(errno));
	free(text);
	return ret;
}

/* What is left in the staging directory was never recorded: a run killed before it kept it. */
static void sweep(const struct batch *b)
{
	DIR *d = opendir(b->stage);
	struct dirent *e;
	char path[4096];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->stage, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

int batch_state_open(struct batch *b)
{
	struct pouch_err err = { 0 };
	int ret;

	if (names(b) < 0) {
		pouch_error("out of memory");
		return EXIT_OPERATIONAL;
	}
	b->state_fd = open(b->state, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b->state_fd < 0) {
		pouch_error("cannot open batch state '%s': %s", b->state, strerror(errno));
		return EXIT_OPERATIONAL;
	}
	if (flock(b->state_fd, LOCK_EX | LOCK_NB) < 0) {
		pouch_error("cannot run the batch: another run holds '%s'", b->state);
		return EXIT_OPERATIONAL;
	}
	ret = mkdir(b->stage, 0700) < 0 && errno != EEXIST
		      ? pouch_err_set(&err, POUCH_E_IO, "cannot make '%s': %s", b->stage,
				      strerror(errno))
		      : load(b, &err);
	if (ret < 0)
		return pouch_fail(&err);
	sweep(b);
	return EXIT_OK;
}

int batch_state_commit(struct batch *b, const size_t *idx, size_t n, struct pouch_err *err)
{
	char *text = malloc(n * 128 + 1);
	size_t i, len = 0;
	off_t was = lseek(b->state_fd, 0, SEEK_END);
	int ret = 0;

	if (!text)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct batch_line *l = &b->lines[idx[i]];
		len += (size_t)snprintf(text + len, 128, "%zu %s %s\n", l->no, l->sha, l->id);
	}
	if (was < 0 || pouch_fault_hit("batch.state") ||
	    pouch_fs_write_all(b->state_fd, text, len) < 0 || fdatasync(b->state_fd) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot write batch state '%s': %s", b->state,
				    strerror(errno));
		if (was >= 0 && ftruncate(b->state_fd, was) < 0)
			ret = pouch_err_set(err, POUCH_E_IO, "cannot write batch state '%s': %s",
					    b->state, strerror(errno));
	}
	free(text);
	return ret;
}

void batch_state_close(struct batch *b)
{
	if (b->state_fd > 0) {
		rmdir(b->stage);
		close(b->state_fd);
	}
	b->state_fd = -1;
	free(b->state);
	free(b->stage);
	b->state = b->stage = NULL;
}
