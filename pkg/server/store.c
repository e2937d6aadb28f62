/* pouchd's package store: the data directory's layout, tidying after a crash, request
 * directories, and storing a verified package durably (files first, then the index rows). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fault.h"
#include "base/fs.h"
#include "server/store_internal.h"

/* The index schema, one step per version (see pouch_db_migrate). A package's seq and a
 * receipt's seq are AUTOINCREMENT: monotonic and never reused, so they serve as list cursors.
 * A recipient's pos keeps the header's order. */
static const char *const schema[] = {
	"CREATE TABLE packages ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id TEXT NOT NULL UNIQUE,"
	" sender TEXT NOT NULL,"
	" digest TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" payload_size INTEGER,"
	" payload_sha256 TEXT,"
	" header_sha256 TEXT NOT NULL,"
	" received INTEGER NOT NULL,"
	" CHECK ((payload_size IS NULL) = (payload_sha256 IS NULL)));"
	"CREATE TABLE recipients ("
	" package INTEGER NOT NULL REFERENCES packages(seq),"
	" pos INTEGER NOT NULL,"
	" agency TEXT NOT NULL,"
	" PRIMARY KEY (package, pos),"
	" UNIQUE (agency, package)) WITHOUT ROWID;"
	"CREATE TABLE receipts ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" package INTEGER NOT NULL REFERENCES packages(seq),"
	" sender TEXT NOT NULL,"
	" agency TEXT NOT NULL,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),"
	" sha256 TEXT NOT NULL,"
	" body BLOB NOT NULL,"
	" received INTEGER NOT NULL,"
	" UNIQUE (package, agency));"
	"CREATE INDEX receipts_by_sender ON receipts (sender, seq);",
	/* An id belongs to its sender: unique per (sender, id). name is the files' base name in
	 * packages/: "ID", or "SENDER.ID" when another sender's package had the id first. The
	 * table is rebuilt under the same name (the other tables refer to it), its rows and its
	 * AUTOINCREMENT high-water mark kept; the foreign keys are checked at commit. */
	"PRAGMA defer_foreign_keys = ON;"
	"CREATE TABLE v1_packages AS SELECT * FROM packages;"
	"CREATE TABLE v1_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'packages';"
	"DROP TABLE packages;"
	"CREATE TABLE packages ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" name TEXT NOT NULL UNIQUE,"
	" digest TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" payload_size INTEGER,"
	" payload_sha256 TEXT,"
	" header_sha256 TEXT NOT NULL,"
	" received INTEGER NOT NULL,"
	" UNIQUE (sender, id),"
	" CHECK ((payload_size IS NULL) = (payload_sha256 IS NULL)));"
	"INSERT INTO packages SELECT seq, id, sender, id, digest, size, payload_size, "
	" payload_sha256, header_sha256, received FROM v1_packages;"
	"DELETE FROM sqlite_sequence WHERE name = 'packages';"
	"INSERT INTO sqlite_sequence (name, seq) SELECT 'packages', seq FROM v1_sequence;"
	"DROP TABLE v1_packages;"
	"DROP TABLE v1_sequence;",
	/* A fetch that names no sender finds the package by its id alone: without an index of
	 * its own that read every row. */
	"CREATE INDEX packages_by_id ON packages (id);",
};

/* Takes the store's lock file: a second pouchd on the same directory would remove the files of
 * packages the first is storing as if a crash had left them. */
static int take_lock(struct pouch_store *s, struct pouch_err *err)
{
	char *path = pouch_path_join(s->dir, "pouchd.lock");
	int ret = 0;

	if (!path)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot open '%s': %s", path, strerror(errno));
	else if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
		ret = pouch_err_set(err, POUCH_E_IO,
				    "cannot lock the store '%s': %s", s->dir,
				    errno == EWOULDBLOCK ? "in use by another pouchd"
							 : strerror(errno));
	free(path);
	return ret;
}

/* Whether packages/FILE belongs to an index row: NAME.pouch for every package, NAME.pouch.pgp
 * for a package with a detached payload, NAME being the row's name. */
static int has_row(struct pouch_db_stmt *st, const char *file, int *keep, struct pouch_err *err)
{
	static const char *const ext[] = { ".pouch.pgp", ".pouch" };
	char name[STORE_KEY_MAX];
	size_t len = strlen(file), n, i;
	int ret;

	*keep = 0;
	for (i = 0; i < 2; i++) {
		n = strlen(ext[i]);
		if (len > n && len - n < sizeof(name) && strcmp(file + len - n, ext[i]) == 0)
			break;
	}
	if (i == 2)
		return 0;
	memcpy(name, file, len - n);
	name[len - n] = '\0';
	pouch_db_reset(st);
	pouch_db_bind_text(st, 1, name);
	ret = pouch_db_step(st, err);
	if (ret < 0)
		return ret;
	*keep = ret == POUCH_DB_ROW && (i == 1 || pouch_db_column_int64(st, 0));
	return 0;
}

/* Removes what a crash between renaming a package's files and committing its rows left in
 * packages/, and anything else that is not a stored package's file. */
static int remove_orphans(struct pouch_store *s, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	struct dirent *de;
	DIR *d = NULL;
	char *path = NULL;
	int keep, ret;

	ret = pouch_db_prepare(s->w.db,
			       "SELECT payload_size IS NOT NULL FROM packages WHERE name = ?", &st,
			       err);
	if (ret < 0)
		return ret;
	d = opendir(s->packages);
	if (!d) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s': %s", s->packages,
				    strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		ret = has_row(st, de->d_name, &keep, err);
		if (ret < 0 || keep)
			goto next;
		path = pouch_path_join(s->packages, de->d_name);
		ret = path ? pouch_fs_remove_tree(path, err)
			   : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		free(path);
	next:
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	pouch_db_finalize(st);
	return ret;
}

/* Makes the layout, takes the lock, opens the index and tidies up after a crash. */
static int setup(struct pouch_store *s, struct pouch_err *err)
{
	char *db = NULL;
	int ret;

	s->packages = pouch_path_join(s->dir, "packages");
	s->uploads = pouch_path_join(s->dir, "uploads");
	s->tmp = pouch_path_join(s->dir, "tmp");
	db = pouch_path_join(s->dir, "pouchd.db");
	if (!s->packages || !s->uploads || !s->tmp || !db) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if ((ret = pouch_fs_mkdir_private(s->dir, err)) < 0 || (ret = take_lock(s, err)) < 0 ||
	    (ret = pouch_fs_mkdir_private(s->packages, err)) < 0 ||
	    (ret = pouch_fs_mkdir_private(s->uploads, err)) < 0)
		goto out;
	/* Request directories live only as long as their request. */
	if ((ret = pouch_fs_remove_tree(s->tmp, err)) < 0 ||
	    (ret = pouch_fs_mkdir_private(s->tmp, err)) < 0 ||
	    (ret = pouch_fs_sync_dir(s->dir, err)) < 0)
		goto out;
	ret = pouch_db_open(db, &s->w.db, err);
	if (ret < 0)
		goto out;
	ret = pouch_db_migrate(s->w.db, schema, sizeof(schema) / sizeof(schema[0]), err);
	if (ret < 0)
		goto out;
	ret = pouch_db_open(db, &s->r.db, err);
	if (ret < 0)
		goto out;
	ret = remove_orphans(s, err);
	if (ret < 0)
		goto out;
	ret = store_count_rows(s, err);
	if (ret < 0)
		goto out;
	ret = store_expire(s, time(NULL), 1, err);
out:
	free(db);
	return ret;
}

int pouch_store_open(const char *dir, struct pouch_store **out, struct pouch_err *err)
{
	struct pouch_store *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	s->lock_fd = -1;
	pthread_mutex_init(&s->w.lock, NULL);
	pthread_mutex_init(&s->r.lock, NULL);
	pthread_mutex_init(&s->up_lock, NULL);
	s->dir = strdup(dir);
	ret = s->dir ? setup(s, err) : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	if (ret < 0) {
		pouch_store_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

void pouch_store_close(struct pouch_store *s)
{
	if (!s)
		return;
	store_conn_close(&s->r);
	store_conn_close(&s->w);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pthread_mutex_destroy(&s->w.lock);
	pthread_mutex_destroy(&s->r.lock);
	pthread_mutex_destroy(&s->up_lock);
	free(s->busy);
	free(s->usage);
	free(s->dir);
	free(s->packages);
	free(s->uploads);
	free(s->tmp);
	free(s);
}

int pouch_store_req_new(struct pouch_store *s, struct pouch_store_req **out,
			struct pouch_err *err)
{
	struct pouch_store_req *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || asprintf(&r->dir, "%s/req-XXXXXX", s->tmp) < 0) {
		free(r);
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	r->s = s;
	if (!mkdtemp(r->dir)) {
		int ret = pouch_store_write_failed(s, errno, "create a request directory", err);
		free(r->dir);
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

const char *pouch_store_req_dir(const struct pouch_store_req *r)
{
	return r->dir;
}

void pouch_store_req_free(struct pouch_store_req *r)
{
	if (!r)
		return;
	store_upload_settle(r);
	pouch_fs_remove_tree(r->dir, NULL);
	free(r->dir);
	free(r);
}

int store_is_digest(const char *s)
{
	size_t i;

	if (!s || strlen(s) != POUCH_SHA256_HEX - 1)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The store trusts its caller to have verified the package, but not to be free of bugs: what
 * would make a bad file name or an inconsistent row is refused. */
static int check_put(const struct pouch_store_put *in, struct pouch_err *err)
{
	const struct pouch_header *h = in->h;
	size_t i, j;
	int ret;

	if ((ret = pouch_uuid_check(h->id, err)) < 0 ||
	    (ret = pouch_agency_code_check(in->sender, err)) < 0)
		return ret;
	if (strcmp(in->sender, h->sender.agency) != 0)
		return pouch_err_set(err, POUCH_E_USAGE, "cannot store package '%s': sent by '%s', "
				     "not by '%s'", h->id, h->sender.agency, in->sender);
	if (!store_is_digest(in->digest) || !store_is_digest(in->header_sha256) ||
	    (in->detached && !store_is_digest(h->payload_sha256)))
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot store package '%s': a digest is not 64 hex digits",
				     h->id);
	if (h->nrecipients < 1 || h->nrecipients > POUCH_RECIPIENTS_MAX)
		return pouch_err_set(err, POUCH_E_USAGE,
				     "cannot store package '%s': %zu recipients", h->id,
				     h->nrecipients);
	for (i = 0; i < h->nrecipients; i++) {
		ret = pouch_agency_code_check(h->recipients[i].agency, err);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++)
			if (strcmp(h->recipients[i].agency, h->recipients[j].agency) == 0)
				return pouch_err_set(err, POUCH_E_USAGE,
						     "cannot store package '%s': recipient '%s' "
						     "twice", h->id, h->recipients[i].agency);
	}
	return 0;
}

/* Syncs the regular file at path to disk and gives its size. */
static int sync_file(struct pouch_store *s, const char *path, uint64_t *size,
		     struct pouch_err *err)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO in the way must not hang the request. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return pouch_err_set(err, errno == ENOENT ? POUCH_E_NOTFOUND : POUCH_E_IO,
				     "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || pouch_fault_hit("fs.fsync") || fsync(fd) < 0)
		ret = pouch_store_write_failed(s, errno, "sync a package file", err);
	else if (!S_ISREG(st.st_mode))
		ret = pouch_err_set(err, POUCH_E_IO, "cannot store '%s': not a regular file", path);
	else
		*size = (uint64_t)st.st_size;
	close(fd);
	return ret;
}

/* The sender's id stored already: the same package again (the same digest) or a conflict. */
static int compare_existing(const struct pouch_store_put *in, const struct pouch_store_record *rec,
			    struct pouch_err *err)
{
	if (strcmp(rec->digest, in->digest) != 0)
		return pouch_err_set(err, POUCH_E_EXISTS,
				     "package '%s' from '%s' is stored already with another digest",
				     rec->id, rec->sender);
	return 0;
}

/* The base name for a new package's files: "ID", or "SENDER.ID" when another sender's package
 * holds that name already (so that a store's files keep their names from before ids were per
 * sender, and two senders' packages under one id never share a file). */
static int choose_name(struct pouch_store *s, const struct pouch_store_put *in, char *name,
		       struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	ret = store_stmt(&s->w, STORE_SQL_NAME_TAKEN, &st, err);
	if (ret < 0)
		return ret;
	pouch_db_bind_text(st, 1, in->h->id);
	ret = pouch_db_step(st, err);
	store_stmt_done(&s->w, st);
	if (ret == POUCH_DB_ROW)
		snprintf(name, STORE_KEY_MAX, "%s.%s", in->sender, in->h->id);
	else
		snprintf(name, STORE_KEY_MAX, "%s", in->h->id);
	return ret < 0 ? ret : 0;
}

/* Inserts the package row and its recipients' rows in one transaction. */
static int insert_rows(struct pouch_store *s, const struct pouch_store_put *in,
		       const uint64_t *size, const char *name, int64_t *seq, struct pouch_err *err)
{
	const struct pouch_header *h = in->h;
	struct pouch_db_stmt *st = NULL;
	size_t i;
	int ret;

	ret = pouch_db_begin(s->w.db, err);
	if (ret < 0)
		return ret;
	ret = store_stmt(&s->w,
			 "INSERT INTO packages (id, sender, digest, size, payload_size, "
			 "payload_sha256, header_sha256, received, name) VALUES (?,?,?,?,?,?,?,?,?)",
			 &st, err);
	if (ret < 0)
		goto out;
	pouch_db_bind_text(st, 1, h->id);
	pouch_db_bind_text(st, 2, in->sender);
	pouch_db_bind_text(st, 3, in->digest);
	pouch_db_bind_int64(st, 4, (int64_t)size[0]);
	if (in->detached) {
		pouch_db_bind_int64(st, 5, (int64_t)size[1]);
		pouch_db_bind_text(st, 6, h->payload_sha256);
	}
	pouch_db_bind_text(st, 7, in->header_sha256);
	pouch_db_bind_int64(st, 8, (int64_t)in->received);
	pouch_db_bind_text(st, 9, name);
	ret = pouch_db_step(st, err);
	if (ret < 0)
		goto out;
	*seq = pouch_db_last_rowid(s->w.db);
	store_stmt_done(&s->w, st);
	ret = store_stmt(&s->w, "INSERT INTO recipients (package, pos, agency) VALUES (?,?,?)", &st,
			 err);
	for (i = 0; ret == 0 && i < h->nrecipients; i++) {
		pouch_db_reset(st);
		pouch_db_bind_int64(st, 1, *seq);
		pouch_db_bind_int64(st, 2, (int64_t)i);
		pouch_db_bind_text(st, 3, h->recipients[i].agency);
		ret = pouch_db_step(st, err);
	}
	if (ret < 0)
		goto out;
	ret = pouch_db_commit(s->w.db, err);
out:
	store_stmt_done(&s->w, st);
	if (ret < 0)
		pouch_db_rollback(s->w.db);
	return ret;
}

/* The record of a package just stored, from what was put. */
static void fill_record(const struct pouch_store_put *in, const uint64_t *size, const char *name,
			int64_t seq, struct pouch_store_record *rec)
{
	const struct pouch_header *h = in->h;
	size_t i;

	memset(rec, 0, sizeof(*rec));
	snprintf(rec->id, sizeof(rec->id), "%s", h->id);
	snprintf(rec->sender, sizeof(rec->sender), "%s", in->sender);
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	for (i = 0; i < h->nrecipients; i++)
		snprintf(rec->recipients[i], sizeof(rec->recipients[i]), "%s",
			 h->recipients[i].agency);
	rec->nrecipients = h->nrecipients;
	snprintf(rec->digest, sizeof(rec->digest), "%s", in->digest);
	rec->size = size[0];
	rec->detached = in->detached;
	if (in->detached) {
		rec->payload_size = size[1];
		snprintf(rec->payload_sha256, sizeof(rec->payload_sha256), "%s",
			 h->payload_sha256);
	}
	snprintf(rec->header_sha256, sizeof(rec->header_sha256), "%s", in->header_sha256);
	rec->received = in->received;
	rec->seq = seq;
}

/* Under the writer's lock: the existing record, or the files moved into packages/ and the rows
 * committed. A failure moves the files back into the request directory. */
static int put_locked(struct pouch_store *s, const struct pouch_store_put *in, char **src,
		      const uint64_t *size, struct pouch_store_record *rec, int *existing,
		      struct pouch_err *err)
{
	int nfiles = in->detached ? 2 : 1, moved = 0, i;
	char name[STORE_KEY_MAX], *dst[2] = { NULL, NULL };
	int64_t seq = 0;
	int ret;

	ret = store_load(s, &s->w, in->sender, in->h->id, rec, err);
	if (ret == 0) {
		ret = compare_existing(in, rec, err);
		*existing = ret == 0;
		return ret;
	}
	if (ret != POUCH_E_NOTFOUND || (ret = choose_name(s, in, name, err)) < 0)
		return ret;
	if (asprintf(&dst[0], "%s/%s.pouch", s->packages, name) < 0 ||
	    asprintf(&dst[1], "%s/%s.pouch.pgp", s->packages, name) < 0) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	for (; moved < nfiles; moved++) {
		if (pouch_fs_move(src[moved], dst[moved]) < 0) {
			ret = pouch_store_write_failed(s, errno, "move a package file into the store",
						       err);
			goto out;
		}
	}
	ret = pouch_fs_sync_dir(s->packages, err);
	if (ret < 0)
		goto out;
	ret = insert_rows(s, in, size, name, &seq, err);
	if (ret < 0)
		goto out;
	atomic_fetch_add(&s->npackages, 1);
	fill_record(in, size, name, seq, rec);
out:
	/* Not committed: nothing may stay visible; a crash here leaves orphans open removes. */
	for (i = 0; ret < 0 && i < moved; i++)
		if (pouch_fs_move(dst[i], src[i]) < 0)
			unlink(dst[i]);
	free(dst[0]);
	free(dst[1]);
	return ret;
}

int pouch_store_put(struct pouch_store *s, struct pouch_store_req *r,
		    const struct pouch_store_put *in, struct pouch_store_record *rec,
		    int *existing, struct pouch_err *err)
{
	char *src[2] = { NULL, NULL };
	char key[STORE_KEY_MAX];
	uint64_t size[2] = { 0, 0 };
	int i, ret;

	*existing = 0;
	ret = check_put(in, err);
	if (ret < 0)
		return ret;
	if (asprintf(&src[0], "%s/%s.pouch", r->dir, in->h->id) < 0 ||
	    asprintf(&src[1], "%s/%s.pouch.pgp", r->dir, in->h->id) < 0) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	/* The slow part, syncing the data, happens before the lock. */
	for (i = 0; i < (in->detached ? 2 : 1); i++) {
		ret = sync_file(s, src[i], &size[i], err);
		if (ret < 0)
			goto out;
	}
	if (in->detached && size[1] != in->h->payload_size) {
		ret = pouch_err_set(err, POUCH_E_USAGE,
				    "cannot store package '%s': the payload has %llu bytes, the "
				    "header says %llu",
				    in->h->id, (unsigned long long)size[1],
				    (unsigned long long)in->h->payload_size);
		goto out;
	}
	pthread_mutex_lock(&s->w.lock);
	ret = put_locked(s, in, src, size, rec, existing, err);
	pthread_mutex_unlock(&s->w.lock);
	if (ret == POUCH_E_NOSPACE || (ret == 0 && !*existing))
		store_note(s, ret);
	/* What was taken is stored now (or was already): it must not go back to uploads/. */
	if (ret == 0 && store_upload_key(in->sender, in->h->id, key, NULL) == 0 &&
	    strcmp(r->held, key) == 0)
		r->stored = 1;
out:
	free(src[0]);
	free(src[1]);
	return ret;
}
