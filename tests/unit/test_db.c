/* Unit tests for pkg/base/db.c: opening with durable settings, schema versions, transactions,
 * statements and the mapping of SQLite's errors, each on a database in a fresh directory. */
#include "fixture.h"

#include "base/db.h"

static const char *const schema1[] = {
	"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, b BLOB,"
	" CHECK (n IS NULL OR n >= 0));",
};

static const char *const schema2[] = {
	"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, b BLOB,"
	" CHECK (n IS NULL OR n >= 0));",
	"CREATE TABLE u (t INTEGER NOT NULL REFERENCES t(id));",
};

/* Opens f's "x.db" with schema2 applied. */
static struct pouch_db *open_db(struct fixture *f)
{
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };

	if (pouch_db_open(at(f, "x.db"), &db, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pouch_db_migrate(db, schema2, 2, &err), 0);
	return db;
}

/* The single integer the query sql answers. */
static int64_t query_int(struct pouch_db *db, const char *sql)
{
	struct pouch_db_stmt *st = NULL;
	int64_t v;

	assert_int_equal(pouch_db_prepare(db, sql, &st, NULL), 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	v = pouch_db_column_int64(st, 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_DONE);
	pouch_db_finalize(st);
	return v;
}

static int insert(struct pouch_db *db, const char *name, int64_t n, struct pouch_err *err)
{
	struct pouch_db_stmt *st = NULL;
	int ret;

	assert_int_equal(pouch_db_prepare(db, "INSERT INTO t (name, n) VALUES (?, ?)", &st, err),
			 0);
	pouch_db_bind_text(st, 1, name);
	pouch_db_bind_int64(st, 2, n);
	ret = pouch_db_step(st, err);
	pouch_db_finalize(st);
	return ret;
}

static void test_db__open_is_private_wal_and_durable(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = NULL;
	struct pouch_db_stmt *st = NULL;
	mode_t old = umask(0);

	assert_int_equal(pouch_db_open(at(f, "x.db"), &db, NULL), 0);
	umask(old);
	assert_int_equal(mode_of(at(f, "x.db")), 0600);
	assert_string_equal(pouch_db_path(db), f->path);
	assert_int_equal(pouch_db_prepare(db, "PRAGMA journal_mode", &st, NULL), 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	assert_string_equal(pouch_db_column_text(st, 0), "wal");
	pouch_db_finalize(st);
	assert_int_equal(query_int(db, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "PRAGMA busy_timeout"), POUCH_DB_BUSY_MS);
	assert_int_equal(pouch_db_migrate(db, schema1, 1, NULL), 0);
	/* The write-ahead log SQLite creates is as private as the database. */
	assert_int_equal(mode_of(at(f, "x.db-wal")), 0600);
	pouch_db_close(db);
	pouch_db_close(NULL);
	pouch_db_finalize(NULL);
	pouch_db_rollback(NULL);
}

static void test_db__open_refuses_what_is_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };

	put_text(at(f, "x.db"), "this is not an SQLite database, though it is long enough to "
				"hold a header of one hundred bytes, which SQLite reads first....",
		 0600);
	assert_int_equal(pouch_db_open(f->path, &db, &err), POUCH_E_CORRUPT);
	assert_null(db);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(pouch_db_open(at(f, "no/such/dir/x.db"), &db, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, f->path));
}

static void test_db__migrate_steps_and_refuses_newer(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_db_open(at(f, "x.db"), &db, NULL), 0);
	assert_int_equal(pouch_db_migrate(db, schema1, 1, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(insert(db, "a", 1, NULL), POUCH_DB_DONE);
	/* Again: nothing to do; then the next step only, keeping the data. */
	assert_int_equal(pouch_db_migrate(db, schema1, 1, &err), 0);
	assert_int_equal(pouch_db_migrate(db, schema2, 2, &err), 0);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 2);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM u"), 0);
	/* A program that knows only version 1 refuses a version 2 database. */
	assert_int_equal(pouch_db_migrate(db, schema1, 1, &err), POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "schema version 2 is newer than this program's 1"));
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(query_int(db, "PRAGMA user_version"), 2);
	pouch_db_close(db);
}

static void test_db__migrate_failure_changes_nothing(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE a (x);",
		"CREATE TABLE b (x); THIS IS NOT SQL;",
	};
	struct fixture *f = *state;
	struct pouch_db *db = NULL;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_db_open(at(f, "x.db"), &db, NULL), 0);
	assert_int_equal(pouch_db_migrate(db, bad, 2, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "syntax error"));
	assert_int_equal(query_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 0);
	pouch_db_close(db);
}

static void test_db__statements_bind_step_and_read(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = open_db(f);
	struct pouch_db_stmt *st = NULL;
	const char bin[] = { 'x', '\0', 'y' };
	const void *blob;
	size_t len = 99;

	assert_int_equal(pouch_db_prepare(db, "INSERT INTO t (name, n, b) VALUES (?, ?, ?)", &st,
					  NULL),
			 0);
	pouch_db_bind_text(st, 1, "one");
	pouch_db_bind_int64(st, 2, INT64_C(1) << 40);
	pouch_db_bind_blob(st, 3, bin, sizeof(bin));
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_DONE);
	assert_int_equal(pouch_db_last_rowid(db), 1);
	pouch_db_reset(st);
	pouch_db_bind_text(st, 1, "two");
	pouch_db_bind_null(st, 2);
	pouch_db_bind_blob(st, 3, NULL, 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_DONE);
	assert_int_equal(pouch_db_last_rowid(db), 2);
	pouch_db_finalize(st);

	assert_int_equal(pouch_db_prepare(db, "SELECT name, n, b FROM t ORDER BY id", &st, NULL),
			 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	assert_string_equal(pouch_db_column_text(st, 0), "one");
	assert_int_equal(pouch_db_column_int64(st, 1), INT64_C(1) << 40);
	blob = pouch_db_column_blob(st, 2, &len);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(blob, bin, sizeof(bin));
	assert_false(pouch_db_column_is_null(st, 1));
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	assert_string_equal(pouch_db_column_text(st, 0), "two");
	assert_true(pouch_db_column_is_null(st, 1));
	/* An empty blob stays a blob, not NULL. */
	assert_false(pouch_db_column_is_null(st, 2));
	pouch_db_column_blob(st, 2, &len);
	assert_int_equal(len, 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_DONE);
	pouch_db_finalize(st);
	/* A NULL string binds SQL NULL, which NOT NULL refuses. */
	assert_int_equal(insert(db, NULL, 1, NULL), POUCH_E_REFUSED);
	pouch_db_close(db);
}

static void test_db__errors_map_to_codes(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = open_db(f);
	struct pouch_db_stmt *st = NULL;
	struct pouch_err err = { 0 };

	assert_int_equal(insert(db, "a", 1, &err), POUCH_DB_DONE);
	/* UNIQUE: exists, with SQLite's message and the path. */
	assert_int_equal(insert(db, "a", 2, &err), POUCH_E_EXISTS);
	assert_non_null(strstr(err.msg, "UNIQUE constraint failed: t.name"));
	assert_non_null(strstr(err.msg, f->path));
	/* CHECK and FOREIGN KEY: refused. */
	assert_int_equal(insert(db, "b", -1, &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "CHECK constraint failed"));
	assert_int_equal(pouch_db_exec(db, "INSERT INTO u (t) VALUES (42)", &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "FOREIGN KEY constraint failed"));
	/* A bad statement fails to prepare; a bad bind is told by the step. */
	assert_int_equal(pouch_db_prepare(db, "SELECT nonsense FROM", &st, &err), POUCH_E_IO);
	assert_null(st);
	assert_non_null(strstr(err.msg, f->path));
	assert_int_equal(pouch_db_prepare(db, "SELECT ?", &st, &err), 0);
	pouch_db_bind_text(st, 5, "x");
	pouch_db_bind_int64(st, 1, 7);
	err.code = 0;
	assert_int_equal(pouch_db_step(st, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "cannot bind"));
	/* Reset clears the failed bind, and the statement runs again. */
	pouch_db_reset(st);
	pouch_db_bind_int64(st, 1, 7);
	assert_int_equal(pouch_db_step(st, &err), POUCH_DB_ROW);
	assert_int_equal(pouch_db_column_int64(st, 0), 7);
	pouch_db_finalize(st);
	pouch_db_close(db);
}

static void test_db__transactions_commit_and_roll_back(void **state)
{
	struct fixture *f = *state;
	struct pouch_db *db = open_db(f);
	struct pouch_db *other = NULL;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_db_begin(db, &err), 0);
	assert_int_equal(insert(db, "gone", 1, NULL), POUCH_DB_DONE);
	pouch_db_rollback(db);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 0);
	pouch_db_rollback(db); /* none open: nothing happens */
	assert_int_equal(pouch_db_begin(db, &err), 0);
	assert_int_equal(insert(db, "kept", 1, NULL), POUCH_DB_DONE);
	/* BEGIN IMMEDIATE holds the write lock: a second connection waits, then gives up. */
	assert_int_equal(pouch_db_open(f->path, &other, &err), 0);
	assert_int_equal(pouch_db_exec(other, "PRAGMA busy_timeout = 50", &err), 0);
	assert_int_equal(pouch_db_begin(other, &err), POUCH_E_IO);
	assert_non_null(strstr(err.msg, "locked"));
	assert_int_equal(pouch_db_commit(db, &err), 0);
	/* Committed: durable for the other connection and after reopening. */
	assert_int_equal(query_int(other, "SELECT count(*) FROM t WHERE name = 'kept'"), 1);
	pouch_db_close(other);
	pouch_db_close(db);
	db = open_db(f);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	/* A commit with no transaction fails and leaves the connection usable. */
	assert_int_equal(pouch_db_commit(db, &err), POUCH_E_IO);
	assert_int_equal(insert(db, "after", 1, NULL), POUCH_DB_DONE);
	pouch_db_close(db);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_db__open_is_private_wal_and_durable),
		T(test_db__open_refuses_what_is_not_a_database),
		T(test_db__migrate_steps_and_refuses_newer),
		T(test_db__migrate_failure_changes_nothing),
		T(test_db__statements_bind_step_and_read),
		T(test_db__errors_map_to_codes),
		T(test_db__transactions_commit_and_roll_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
