/* An embedded SQLite database, wrapped thinly and safely: the only module that includes
 * sqlite3.h. Used by pouchd's package store and by the client's own state. */
#ifndef POUCH_DB_H
#define POUCH_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define POUCH_DB_DONE 0 /* pouch_db_step: the statement has finished */
#define POUCH_DB_ROW 1  /* pouch_db_step: a result row is ready for the column getters */

#define POUCH_DB_BUSY_MS 5000 /* how long a statement waits for another process's lock */

struct pouch_db;
struct pouch_db_stmt;

/* Opens (creating it with mode 0600 when missing) the database file at path: WAL journal,
 * synchronous=FULL, foreign keys enforced, a busy timeout of POUCH_DB_BUSY_MS. A file that is
 * not a database is POUCH_E_CORRUPT; other failures are POUCH_E_IO naming path. A connection
 * must be used by one thread at a time. Close *out with pouch_db_close. */
int pouch_db_open(const char *path, struct pouch_db **out, struct pouch_err *err);

/* Closes db (NULL allowed); statements must have been finalized. */
void pouch_db_close(struct pouch_db *db);

/* The path db was opened with (borrowed). */
const char *pouch_db_path(const struct pouch_db *db);

/* Brings the schema to version nsteps: steps[i] is the SQL (one or more statements) that takes
 * version i to i + 1, the version being SQLite's user_version (0 for a new file). The missing
 * steps run in one transaction together with the version update. A database whose version is
 * newer than nsteps was written by a newer program: POUCH_E_CORRUPT, nothing changed. */
int pouch_db_migrate(struct pouch_db *db, const char *const *steps, int nsteps,
		     struct pouch_err *err);

/* Runs sql (one or more statements, no parameters, rows ignored). */
int pouch_db_exec(struct pouch_db *db, const char *sql, struct pouch_err *err);

/* BEGIN IMMEDIATE: a write transaction that takes the write lock at once (waiting up to the
 * busy timeout). */
int pouch_db_begin(struct pouch_db *db, struct pouch_err *err);

/* Commits the open transaction. On failure the transaction is rolled back. */
int pouch_db_commit(struct pouch_db *db, struct pouch_err *err);

/* Rolls the open transaction back; nothing happens when none is open (NULL allowed). */
void pouch_db_rollback(struct pouch_db *db);

/* Compiles the single statement sql into *out (release with pouch_db_finalize). */
int pouch_db_prepare(struct pouch_db *db, const char *sql, struct pouch_db_stmt **out,
		     struct pouch_err *err);

/* Releases st (NULL allowed). */
void pouch_db_finalize(struct pouch_db_stmt *st);

/* Bind a value to parameter i (the first is 1). The value is copied. A failure (no such
 * parameter, out of memory) is kept in st and reported by the next pouch_db_step, so a run of
 * binds needs no checks of its own. A NULL s binds SQL NULL. */
void pouch_db_bind_text(struct pouch_db_stmt *st, int i, const char *s);
void pouch_db_bind_int64(struct pouch_db_stmt *st, int i, int64_t v);
void pouch_db_bind_blob(struct pouch_db_stmt *st, int i, const void *data, size_t len);
void pouch_db_bind_null(struct pouch_db_stmt *st, int i);

/* Runs st one step: POUCH_DB_ROW when a row is ready, POUCH_DB_DONE when finished, or an error:
 * a UNIQUE or PRIMARY KEY violation is POUCH_E_EXISTS, another constraint (CHECK, NOT NULL,
 * FOREIGN KEY) POUCH_E_REFUSED, a damaged file POUCH_E_CORRUPT, anything else POUCH_E_IO with
 * SQLite's message and the database's path. */
int pouch_db_step(struct pouch_db_stmt *st, struct pouch_err *err);

/* Makes st ready to run again, with its bindings cleared. */
void pouch_db_reset(struct pouch_db_stmt *st);

/* Column getters for the current row (the first column is 0). Text and blob pointers stay valid
 * until the next step, reset or finalize. pouch_db_column_text gives NULL for SQL NULL;
 * pouch_db_column_blob sets *len (NULL data for an empty or NULL value). */
int pouch_db_column_is_null(struct pouch_db_stmt *st, int i);
int64_t pouch_db_column_int64(struct pouch_db_stmt *st, int i);
const char *pouch_db_column_text(struct pouch_db_stmt *st, int i);
const void *pouch_db_column_blob(struct pouch_db_stmt *st, int i, size_t *len);

/* The rowid of the last row inserted on db (an INTEGER PRIMARY KEY is the rowid). */
int64_t pouch_db_last_rowid(struct pouch_db *db);

/* The version of the SQLite library in use (static string). */
const char *pouch_db_version(void);

#endif
