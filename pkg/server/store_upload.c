/* Staged uploads in pouchd's package store: a detached payload sent in pieces to
 * DIR/uploads/CALLER.ID, resumable from its staged size, taken into a request directory when the
 * package is pushed, and expired when left untouched. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/fault.h"
#include "base/fs.h"
#include "server/store_internal.h"

#define CHUNK (64 * 1024)

struct pouch_store_append {
	struct pouch_store *s;
	char key[STORE_KEY_MAX];
	char *path;
	int fd;
	uint64_t start, size, max; /* the staged size before the session, now, at most */
	uint64_t counted;          /* bytes this session added to its caller's usage */
	uint64_t reserved;         /* of those, not written yet */
	int created;               /* the session made the file */
	int failed;                /* the failure that undid the session, or 0 */
};

int store_upload_key(const char *caller, const char *id, char *key, struct pouch_err *err)
{
	int ret;

	if ((ret = pouch_agency_code_check(caller, err)) < 0 ||
	    (ret = pouch_uuid_check(id, err)) < 0)
		return ret;
	snprintf(key, STORE_KEY_MAX, "%s.%s", caller, id);
	return 0;
}

/* Whether name is "CALLER.ID" as store_upload_key makes it. */
static int is_key(const char *name)
{
	char caller[POUCH_CODE_MAX + 1];
	const char *dot = strchr(name, '.');

	if (!dot || dot == name || (size_t)(dot - name) > POUCH_CODE_MAX)
		return 0;
	memcpy(caller, name, (size_t)(dot - name));
	caller[dot - name] = '\0';
	return pouch_agency_code_check(caller, NULL) == 0 && pouch_uuid_check(dot + 1, NULL) == 0;
}

/* The busy list, under up_lock: an upload in it is being appended to or held by a request. */
static int busy_index(const struct pouch_store *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nbusy; i++)
		if (strcmp(s->busy[i], key) == 0)
			return (int)i;
	return -1;
}

static int busy_claim(struct pouch_store *s, const char *key, struct pouch_err *err)
{
	char elem[STORE_KEY_MAX];

	if (busy_index(s, key) >= 0)
		return POUCH_UPLOAD_BUSY;
	snprintf(elem, sizeof(elem), "%s", key);
	return pouch_array_push(&s->busy, &s->nbusy, sizeof(elem), elem, err);
}

static void busy_release(struct pouch_store *s, const char *key)
{
	int i = busy_index(s, key);

	if (i < 0)
		return;
	s->nbusy--;
	if ((size_t)i != s->nbusy)
		memcpy(s->busy[i], s->busy[s->nbusy], STORE_KEY_MAX);
}

/* Checks caller and id, and names their staged upload: key "CALLER.ID" and *path uploads/KEY
 * (newly allocated). */
static int staged(const struct pouch_store *s, const char *caller, const char *id, char *key,
		  char **path, struct pouch_err *err)
{
	int ret = store_upload_key(caller, id, key, err);

	*path = NULL;
	if (ret < 0)
		return ret;
	*path = pouch_path_join(s->uploads, key);
	return *path ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
}

/* The size of the staged file at path: 0 when there is none. */
static int staged_size(const char *path, uint64_t *size, struct pouch_err *err)
{
	struct stat st;

	*size = 0;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", path,
				     strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return pouch_err_set(err, POUCH_E_IO, "cannot read '%s': not a regular file", path);
	*size = (uint64_t)st.st_size;
	return 0;
}

/* One call on a staged upload: its id, and what the call gives or takes. */
struct staged_op {
	const char *id;
	struct pouch_store_req *r; /* take: the request to take it into */
	uint64_t *size;            /* offset, take: the staged size */
	int (*run)(struct pouch_store *s, const char *key, const char *path,
		   const struct staged_op *op, struct pouch_err *err); /* under up_lock */
};

/* Runs op->run on caller's staged upload for op->id (key "CALLER.ID", path uploads/KEY) under
 * up_lock. */
static int with_staged(struct pouch_store *s, const char *caller, const struct staged_op *op,
		       struct pouch_err *err)
{
	char key[STORE_KEY_MAX];
	char *path = NULL;
	int ret;

	ret = staged(s, caller, op->id, key, &path, err);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&s->up_lock);
	ret = op->run(s, key, path, op, err);
	pthread_mutex_unlock(&s->up_lock);
	free(path);
	return ret;
}

static int offset_locked(struct pouch_store *s, const char *key, const char *path,
			 const struct staged_op *op, struct pouch_err *err)
{
	(void)s;
	(void)key;
	return staged_size(path, op->size, err);
}

int pouch_store_upload_offset(struct pouch_store *s, const char *caller, const char *id,
			      uint64_t *offset, struct pouch_err *err)
{
	struct staged_op op = { .id = id, .size = offset, .run = offset_locked };

	*offset = 0;
	return with_staged(s, caller, &op, err);
}

/* Under up_lock: checks the offset, opens the staged file for appending and claims it. */
static int begin_locked(struct pouch_store_append *a, uint64_t offset, uint64_t *actual,
			struct pouch_err *err)
{
	struct stat st;
	int ret;

	if (busy_index(a->s, a->key) >= 0)
		return POUCH_UPLOAD_BUSY;
	ret = staged_size(a->path, &a->size, err);
	if (ret < 0)
		return ret;
	if (actual)
		*actual = a->size;
	if (a->size != offset)
		return POUCH_UPLOAD_OFFSET;
	a->start = a->size;
	a->created = lstat(a->path, &st) < 0;
	if (a->created && (ret = store_usage_new(a->s, a->key, err)) != 0)
		return ret;
	a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (a->fd < 0)
		ret = pouch_store_write_failed(a->s, errno, "create an upload", err);
	else
		ret = busy_claim(a->s, a->key, err);
	if (ret < 0 && a->created) {
		if (a->fd >= 0)
			unlink(a->path);
		store_usage_drop(a->s, a->key, 0);
	}
	return ret;
}

int pouch_store_append_begin(struct pouch_store *s, const char *caller, const char *id,
			     uint64_t offset, uint64_t max, struct pouch_store_append **out,
			     uint64_t *actual, struct pouch_err *err)
{
	struct pouch_store_append *a = NULL;
	int ret;

	*out = NULL;
	if (actual)
		*actual = 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	a->s = s;
	a->fd = -1;
	a->max = max;
	ret = staged(s, caller, id, a->key, &a->path, err);
	if (ret < 0)
		goto out;
	pthread_mutex_lock(&s->up_lock);
	ret = begin_locked(a, offset, actual, err);
	pthread_mutex_unlock(&s->up_lock);
	if (ret != 0)
		goto out;
	*out = a;
	a = NULL;
out:
	if (a && a->fd >= 0)
		close(a->fd);
	if (a)
		free(a->path);
	free(a);
	return ret;
}

/* Undoes a failed session: the staged file back at its size before it (or gone, when the
 * session made it), the caller's usage without what the session added. Returns ret. */
static int undo(struct pouch_store_append *a, int ret)
{
	pthread_mutex_lock(&a->s->up_lock);
	store_usage_sub(a->s, a->key, a->counted);
	a->counted = a->reserved = 0;
	if (a->created) {
		unlink(a->path);
		store_usage_drop(a->s, a->key, 0);
		a->created = 0;
	} else if (ftruncate(a->fd, (off_t)a->start) < 0) {
		a->start = a->size; /* not for a shrink; at worst what was written stays */
	}
	a->size = a->start;
	a->failed = ret;
	pthread_mutex_unlock(&a->s->up_lock);
	return ret;
}

/* The session's failure again, for a call after it. */
static int failed_before(const struct pouch_store_append *a, struct pouch_err *err)
{
	if (a->failed > 0)
		return a->failed;
	return pouch_err_set(err, a->failed, "the upload '%s' failed and was undone", a->key);
}

/* Checks that len more bytes fit the session's max and the caller's quota, and counts them. */
static int take_room(struct pouch_store_append *a, uint64_t len, struct pouch_err *err)
{
	int ret;

	if (len > a->max || a->size + a->reserved > a->max - len)
		return POUCH_UPLOAD_TOO_LARGE;
	pthread_mutex_lock(&a->s->up_lock);
	ret = store_usage_add(a->s, a->key, len, err);
	pthread_mutex_unlock(&a->s->up_lock);
	if (ret == 0)
		a->counted += len;
	return ret;
}

int pouch_store_append_reserve(struct pouch_store_append *a, uint64_t len,
			       struct pouch_err *err)
{
	int ret;

	if (a->failed)
		return failed_before(a, err);
	ret = take_room(a, len, err);
	if (ret != 0)
		return undo(a, ret);
	a->reserved += len;
	return 0;
}

int pouch_store_append_write(struct pouch_store_append *a, const void *buf, size_t len,
			     struct pouch_err *err)
{
	uint64_t held = a->reserved < len ? a->reserved : len;
	int ret = 0;

	if (a->failed)
		return failed_before(a, err);
	if (len > held)
		ret = take_room(a, len - held, err);
	if (ret == 0) {
		a->reserved -= held;
		if (pouch_fs_write_all(a->fd, buf, len) < 0)
			ret = pouch_store_write_failed(a->s, errno, "write an upload", err);
	}
	if (ret != 0)
		return undo(a, ret);
	a->size += len;
	return 0;
}

/* Closes a's file and releases the upload, giving back what was reserved and not written. */
static void finish(struct pouch_store_append *a)
{
	close(a->fd);
	pthread_mutex_lock(&a->s->up_lock);
	store_usage_sub(a->s, a->key, a->reserved);
	busy_release(a->s, a->key);
	pthread_mutex_unlock(&a->s->up_lock);
	free(a->path);
	free(a);
}

int pouch_store_append_end(struct pouch_store_append *a, uint64_t *offset,
			   struct pouch_err *err)
{
	int ret = 0;

	if (a->failed)
		ret = failed_before(a, err);
	else if (pouch_fault_hit("fs.fsync") || fsync(a->fd) < 0)
		ret = undo(a, pouch_store_write_failed(a->s, errno, "sync an upload", err));
	else if (a->size > a->start)
		store_note(a->s, 0);
	if (offset)
		*offset = a->size;
	finish(a);
	return ret;
}

void pouch_store_append_abort(struct pouch_store_append *a)
{
	if (!a)
		return;
	/* What arrived stays, synced: the point the client resumes from. */
	if (!a->failed)
		fsync(a->fd);
	finish(a);
}

int pouch_store_upload_append_fd(struct pouch_store *s, const char *caller, const char *id,
				 uint64_t offset, uint64_t max, int fd, uint64_t *offset_out,
				 struct pouch_err *err)
{
	struct pouch_store_append *a = NULL;
	char *buf = NULL;
	ssize_t n;
	int ret;

	ret = pouch_store_append_begin(s, caller, id, offset, max, &a, offset_out, err);
	if (ret != 0)
		return ret;
	buf = malloc(CHUNK);
	if (!buf) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot read the upload for '%s': %s",
					    a->key, strerror(errno));
			goto out;
		}
		ret = pouch_store_append_write(a, buf, (size_t)n, err);
		if (ret != 0)
			goto out;
	}
	ret = pouch_store_append_end(a, offset_out, err);
	a = NULL;
out:
	if (a && offset_out)
		*offset_out = a->size;
	pouch_store_append_abort(a);
	free(buf);
	return ret;
}

/* Under up_lock: moves uploads/KEY (at src) into the request directory and holds it there. */
static int take_locked(struct pouch_store *s, const char *key, const char *src,
		       const struct staged_op *op, struct pouch_err *err)
{
	struct pouch_store_req *r = op->r;
	const char *id = op->id;
	char *dst = NULL;
	struct stat st;
	int ret;

	if (asprintf(&dst, "%s/%s.pouch.pgp", r->dir, id) < 0) {
		dst = NULL;
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if (r->held[0]) {
		ret = pouch_err_set(err, POUCH_E_USAGE, "request '%s' holds an upload already",
				    r->dir);
		goto out;
	}
	if (busy_index(s, key) >= 0) {
		ret = POUCH_UPLOAD_BUSY;
		goto out;
	}
	if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = pouch_err_set(err, POUCH_E_NOTFOUND, "no payload of package '%s' is staged",
				    id);
		goto out;
	}
	ret = busy_claim(s, key, err);
	if (ret < 0)
		goto out;
	if (pouch_fs_move(src, dst) < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot move '%s' to '%s': %s", src, dst,
				    strerror(errno));
		busy_release(s, key);
		goto out;
	}
	snprintf(r->held, sizeof(r->held), "%s", key);
	snprintf(r->held_id, sizeof(r->held_id), "%s", id);
	r->held_size = (uint64_t)st.st_size;
	*op->size = (uint64_t)st.st_size;
out:
	free(dst);
	return ret;
}

int pouch_store_upload_take(struct pouch_store *s, struct pouch_store_req *r,
			    const char *caller, const char *id, uint64_t *size,
			    struct pouch_err *err)
{
	struct staged_op op = { .id = id, .r = r, .size = size, .run = take_locked };

	*size = 0;
	return with_staged(s, caller, &op, err);
}

void store_upload_settle(struct pouch_store_req *r)
{
	struct pouch_store *s = r->s;
	char *src = NULL, *dst = NULL;
	int back = 0;

	if (!r->held[0])
		return;
	pthread_mutex_lock(&s->up_lock);
	/* Neither stored nor refused: the client may push again without sending the payload
	 * again. */
	if (!r->stored && !r->dropped && asprintf(&src, "%s/%s.pouch.pgp", r->dir, r->held_id) >= 0 &&
	    (dst = pouch_path_join(s->uploads, r->held)))
		back = pouch_fs_move(src, dst) == 0;
	if (!back)
		store_usage_drop(s, r->held, r->held_size);
	busy_release(s, r->held);
	pthread_mutex_unlock(&s->up_lock);
	r->held[0] = '\0';
	free(src);
	free(dst);
}

static int discard_locked(struct pouch_store *s, const char *key, const char *path,
			  const struct staged_op *op, struct pouch_err *err)
{
	struct stat st;
	int ret;

	(void)op;
	if (busy_index(s, key) >= 0)
		return POUCH_UPLOAD_BUSY;
	if (lstat(path, &st) < 0)
		return 0;
	ret = pouch_fs_remove(path, err);
	if (ret == 0 && S_ISREG(st.st_mode))
		store_usage_drop(s, key, (uint64_t)st.st_size);
	return ret;
}

int pouch_store_upload_discard(struct pouch_store *s, const char *caller, const char *id,
			       struct pouch_err *err)
{
	struct staged_op op = { .id = id, .run = discard_locked };

	return with_staged(s, caller, &op, err);
}

int pouch_store_upload_drop(struct pouch_store *s, struct pouch_store_req *r, const char *caller,
			    const char *id, struct pouch_err *err)
{
	char key[STORE_KEY_MAX];
	int ret = store_upload_key(caller, id, key, err);

	if (ret < 0)
		return ret;
	if (r && strcmp(r->held, key) == 0) {
		r->dropped = 1;
		return 0;
	}
	return pouch_store_upload_discard(s, caller, id, err);
}

/* Under up_lock: what expires of uploads/NAME; with count, what stays counts as staged. */
static int expire_one(struct pouch_store *s, const char *name, time_t now, int count,
		      struct pouch_err *err)
{
	char *path = pouch_path_join(s->uploads, name);
	struct store_usage *u;
	struct stat st;
	int ret = 0;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (lstat(path, &st) < 0)
		goto out;
	if (!is_key(name) || !S_ISREG(st.st_mode)) {
		ret = pouch_fs_remove_tree(path, err);
	} else if (busy_index(s, name) < 0 && st.st_mtime + POUCH_STORE_UPLOAD_TTL <= now) {
		ret = pouch_fs_remove(path, err);
		if (ret == 0 && !count)
			store_usage_drop(s, name, (uint64_t)st.st_size);
	} else if (count) {
		u = store_usage_of(s, name);
		if (!u) {
			ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
			goto out;
		}
		u->bytes += (uint64_t)st.st_size;
		u->uploads++;
	}
out:
	free(path);
	return ret;
}

int store_expire(struct pouch_store *s, time_t now, int count, struct pouch_err *err)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	pthread_mutex_lock(&s->up_lock);
	d = opendir(s->uploads);
	if (!d) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", s->uploads,
				    strerror(errno));
		goto out;
	}
	while (ret == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			ret = expire_one(s, de->d_name, now, count, err);
	closedir(d);
out:
	pthread_mutex_unlock(&s->up_lock);
	return ret;
}

int pouch_store_expire_uploads(struct pouch_store *s, time_t now, struct pouch_err *err)
{
	return store_expire(s, now, 0, err);
}
