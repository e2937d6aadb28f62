/* An embedded SQLite database: opening with durable settings, schema versions, transactions and
 * prepared statements, with SQLite's errors mapped to POUCH_E_* codes at this one boundary. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/fault.h"
#include "base/db.h"

struct pouch_db {
	sqlite3 *h;
	char *path;
};

struct pouch_db_stmt {
	struct pouch_db *db;
	sqlite3_stmt *st;
	int bind_rc; /* the first failed bind, reported by the next step */
};

/* The POUCH_E_* code for an SQLite (extended) result code. */
static int code_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    rc == SQLITE_CONSTRAINT_ROWID)
			return POUCH_E_EXISTS;
		return POUCH_E_REFUSED;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return POUCH_E_CORRUPT;
	case SQLITE_NOMEM:
		return POUCH_E_NOMEM;
	case SQLITE_FULL:
		return POUCH_E_NOSPACE;
	default:
		return POUCH_E_IO;
	}
}

/* Records the connection's last error: "cannot WHAT 'PATH': SQLITE MESSAGE". */
static int fail(struct pouch_db *db, int rc, const char *what, struct pouch_err *err)
{
	return pouch_err_set(err, code_of(rc), "cannot %s '%s': %s", what, db->path,
			     sqlite3_errmsg(db->h));
}

/* Creates the file first so that it, and the -wal and -shm files SQLite gives the same
 * permissions, are private whatever the umask. An existing file is not opened: closing a
 * descriptor of it would drop the locks another connection of this process holds on it. */
static int create_private(const char *path, struct pouch_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0 && errno == EEXIST && lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return 0;
		errno = ELOOP;
	}
	if (fd < 0)
		return pouch_err_set(err, POUCH_E_IO, "cannot open the database '%s': %s", path,
				     strerror(errno));
	close(fd);
	return 0;
}

/* Runs a PRAGMA that answers with one row and copies its first column (as text) to out. */
static int pragma_text(struct pouch_db *db, const char *sql, char *out, size_t outmax,
		       struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	const char *v;
	int ret;

	ret = pouch_db_prepare(db, sql, &st, err);
	if (ret < 0)
		return ret;
	ret = pouch_db_step(st, err);
	if (ret == POUCH_DB_DONE)
		ret = pouch_err_set(err, POUCH_E_IO, "cannot read '%s' from '%s': no answer", sql,
				    db->path);
	if (ret < 0)
		goto out;
	v = pouch_db_column_text(st, 0);
	snprintf(out, outmax, "%s", v ? v : "");
	ret = 0;
out:
	pouch_db_finalize(st);
	return ret;
}

int pouch_db_open(const char *path, struct pouch_db **out, struct pouch_err *err)
{
	struct pouch_db *db = NULL;
	char mode[16];
	int rc, ret;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	ret = create_private(path, err);
	if (ret < 0)
		goto out;
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = db->h ? fail(db, rc, "open the database", err)
			    : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, POUCH_DB_BUSY_MS);
	/* No SQL may write to the schema tables directly, whatever it is given. */
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	ret = pragma_text(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode), err);
	if (ret < 0)
		goto out;
	if (strcmp(mode, "wal") != 0) {
		ret = pouch_err_set(err, POUCH_E_IO,
				    "cannot use a write-ahead log for '%s': got '%s'", path, mode);
		goto out;
	}
	ret = pouch_db_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err);
	if (ret < 0)
		goto out;
	*out = db;
	db = NULL;
out:
	pouch_db_close(db);
	return ret;
}

void pouch_db_close(struct pouch_db *db)
{
	if (!db)
		return;
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

const char *pouch_db_path(const struct pouch_db *db)
{
	return db->path;
}

static int user_version(struct pouch_db *db, int *v, struct pouch_err *err)
{
	char text[32];
	int ret = pragma_text(db, "PRAGMA user_version", text, sizeof(text), err);

	if (ret == 0)
		*v = atoi(text);
	return ret;
}

static int newer(struct pouch_db *db, int have, int know, struct pouch_err *err)
{
	return pouch_err_set(err, POUCH_E_CORRUPT,
			     "cannot use the database '%s': its schema version %d is newer than "
			     "this program's %d",
			     db->path, have, know);
}

int pouch_db_migrate(struct pouch_db *db, const char *const *steps, int nsteps,
		     struct pouch_err *err)
{
	char sql[64];
	int v = 0, ret;

	ret = user_version(db, &v, err);
	if (ret < 0)
		return ret;
	if (v > nsteps)
		return newer(db, v, nsteps, err);
	if (v == nsteps)
		return 0;
	ret = pouch_db_begin(db, err);
	if (ret < 0)
		return ret;
	/* Another process may have moved it on while we waited for the lock. */
	ret = user_version(db, &v, err);
	if (ret < 0)
		goto out;
	if (v > nsteps) {
		ret = newer(db, v, nsteps, err);
		goto out;
	}
	for (; v < nsteps; v++) {
		ret = pouch_db_exec(db, steps[v], err);
		if (ret < 0)
			goto out;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", nsteps);
	ret = pouch_db_exec(db, sql, err);
	if (ret < 0)
		goto out;
	ret = pouch_db_commit(db, err);
out:
	if (ret < 0)
		pouch_db_rollback(db);
	return ret;
}

int pouch_db_exec(struct pouch_db *db, const char *sql, struct pouch_err *err)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(db, rc, "update", err);
}

int pouch_db_begin(struct pouch_db *db, struct pouch_err *err)
{
	int rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(db, rc, "begin a transaction on", err);
}

int pouch_db_commit(struct pouch_db *db, struct pouch_err *err)
{
	int rc = pouch_fault_hit("db.commit") ? SQLITE_IOERR
					      : sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	rc = fail(db, rc, "commit to", err);
	pouch_db_rollback(db);
	return rc;
}

void pouch_db_rollback(struct pouch_db *db)
{
	if (db && !sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int pouch_db_prepare(struct pouch_db *db, const char *sql, struct pouch_db_stmt **out,
		     struct pouch_err *err)
{
	struct pouch_db_stmt *st;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	st->db = db;
	rc = sqlite3_prepare_v2(db->h, sql, -1, &st->st, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(db, rc, "prepare a statement on", err);
		pouch_db_finalize(st);
		return rc;
	}
	*out = st;
	return 0;
}

void pouch_db_finalize(struct pouch_db_stmt *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->st);
	free(st);
}

static void bound(struct pouch_db_stmt *st, int rc)
{
	if (rc != SQLITE_OK && st->bind_rc == SQLITE_OK)
		st->bind_rc = rc;
}

void pouch_db_bind_text(struct pouch_db_stmt *st, int i, const char *s)
{
	bound(st, s ? sqlite3_bind_text(st->st, i, s, -1, SQLITE_TRANSIENT)
		    : sqlite3_bind_null(st->st, i));
}

void pouch_db_bind_int64(struct pouch_db_stmt *st, int i, int64_t v)
{
	bound(st, sqlite3_bind_int64(st->st, i, v));
}

void pouch_db_bind_blob(struct pouch_db_stmt *st, int i, const void *data, size_t len)
{
	/* A NULL pointer would bind SQL NULL; an empty blob is still a blob. */
	bound(st, sqlite3_bind_blob64(st->st, i, len ? data : "", len, SQLITE_TRANSIENT));
}

void pouch_db_bind_null(struct pouch_db_stmt *st, int i)
{
	bound(st, sqlite3_bind_null(st->st, i));
}

int pouch_db_step(struct pouch_db_stmt *st, struct pouch_err *err)
{
	int rc;

	if (st->bind_rc != SQLITE_OK)
		return pouch_err_set(err, code_of(st->bind_rc), "cannot bind a value for '%s': %s",
				     st->db->path, sqlite3_errstr(st->bind_rc));
	rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return POUCH_DB_ROW;
	if (rc == SQLITE_DONE)
		return POUCH_DB_DONE;
	return fail(st->db, rc, "query", err);
}

void pouch_db_reset(struct pouch_db_stmt *st)
{
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->bind_rc = SQLITE_OK;
}

int pouch_db_column_is_null(struct pouch_db_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

int64_t pouch_db_column_int64(struct pouch_db_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

const char *pouch_db_column_text(struct pouch_db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st->st, i);
}

const void *pouch_db_column_blob(struct pouch_db_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, i);

	*len = (size_t)sqlite3_column_bytes(st->st, i);
	return p;
}

int64_t pouch_db_last_rowid(struct pouch_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

const char *pouch_db_version(void)
{
	return sqlite3_libversion();
}
