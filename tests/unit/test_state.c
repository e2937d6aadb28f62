/* Unit tests for pkg/exchange/state.c: the client's state.db and its directories in a fresh home, the
 * schema's rules, and the per-job locks. */
#include "fixture.h"

#include "exchange/state.h"

#define ID "6717d936-a2d4-4a4d-a6d7-a07aadb96a02"

static int exec(struct pouch_state *s, const char *sql)
{
	struct pouch_err err = { 0 };

	return pouch_db_exec(s->db, sql, &err);
}

static void test_state__open_makes_private_directories_and_database(void **state)
{
	struct fixture *f = *state;
	struct pouch_state s;
	static const char *const dirs[] = { POUCH_OUTBOX_DIR, POUCH_INBOX_DIR,
					    POUCH_QUARANTINE_DIR, POUCH_INCOMING_DIR };
	size_t i;

	assert_int_equal(pouch_state_open(&f->h, &s, NULL), 0);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_int_equal(mode_of(at(f, dirs[i])), 0700);
	assert_string_equal(s.inbox, at(f, POUCH_INBOX_DIR));
	assert_int_equal(mode_of(at(f, POUCH_STATE_FILE)), 0600);
	assert_int_equal(exec(&s, "INSERT INTO cursor VALUES ('https://x', 'packages', '7')"), 0);
	pouch_state_close(&s);
	pouch_state_close(&s); /* closing twice is harmless */
	/* Opening again keeps what is there. */
	assert_int_equal(pouch_state_open(&f->h, &s, NULL), 0);
	assert_int_equal(exec(&s, "INSERT INTO cursor VALUES ('https://x', 'packages', '8')"),
			 POUCH_E_EXISTS);
	pouch_state_close(&s);
}

/* An incoming row for package ID from sender with verdict v, its files named SENDER.ID. */
#define INCOMING(sender, v)                                                                   \
	"INSERT INTO incoming (id, source, sender, name, digest, size, verdict, received) "  \
	"VALUES ('" ID "', 'https://x', '" sender "', '" sender "." ID "', 'd', 1, '" v "', 1)"

static void test_state__schema_enforces_its_rules(void **state)
{
	struct fixture *f = *state;
	struct pouch_state s;

	assert_int_equal(pouch_state_open(&f->h, &s, NULL), 0);
	/* A delivery needs its package. */
	assert_int_equal(exec(&s, "INSERT INTO delivery (id, pos, recipient, state) VALUES ('" ID
			     "', 0, 'GB-MET', 'queued')"), POUCH_E_REFUSED);
	assert_int_equal(exec(&s, "INSERT INTO outgoing VALUES ('" ID "', 'GB-NCA-CEOP', 'd', 1,"
			     " 'h', 'routine', NULL, 1, 2, 3)"), 0);
	/* Delivered exactly when it has a time; states are a closed list. */
	assert_int_equal(exec(&s, "INSERT INTO delivery (id, pos, recipient, state) VALUES ('" ID
			     "', 0, 'GB-MET', 'delivered')"), POUCH_E_REFUSED);
	assert_int_equal(exec(&s, "INSERT INTO delivery (id, pos, recipient, state) VALUES ('" ID
			     "', 0, 'GB-MET', 'sent')"), POUCH_E_REFUSED);
	assert_int_equal(exec(&s, "INSERT INTO delivery (id, pos, recipient, state, delivered)"
			     " VALUES ('" ID "', 0, 'GB-MET', 'delivered', 5)"), 0);
	/* One row per recipient. */
	assert_int_equal(exec(&s, "INSERT INTO delivery (id, pos, recipient, state) VALUES ('" ID
			     "', 1, 'GB-MET', 'queued')"), POUCH_E_EXISTS);
	/* A receipt comes with its verdict. */
	assert_int_equal(exec(&s, "UPDATE delivery SET receipt = x'00'"), POUCH_E_REFUSED);
	/* A bad package carries its reason, a good one none. */
	assert_int_equal(exec(&s, INCOMING("GB-MET", "bad")), POUCH_E_REFUSED);
	assert_int_equal(exec(&s, INCOMING("GB-MET", "good")), 0);
	/* An id belongs to its sender: the same id from another sender is another package. */
	assert_int_equal(exec(&s, INCOMING("GB-GMP", "good")), 0);
	assert_int_equal(exec(&s, "INSERT INTO incoming (id, source, sender, name, digest, size,"
			     " verdict, received) VALUES ('" ID "', 'https://y', 'GB-MET', 'x',"
			     " 'e', 1, 'good', 1)"), POUCH_E_EXISTS);
	pouch_state_close(&s);
}

static void test_state__old_incoming_rows_migrated(void **state)
{
	struct fixture *f = *state;
	struct pouch_state s;
	struct pouch_db *db = NULL;
	struct pouch_db_stmt *st = NULL;

	/* A state.db of version 1: incoming keyed by id alone, deliveries that cannot be
	 * cancelled. */
	static const char v1[] =
	    "CREATE TABLE outgoing (id TEXT PRIMARY KEY) WITHOUT ROWID;"
	    "INSERT INTO outgoing VALUES ('" ID "');"
	    "CREATE TABLE delivery (id TEXT NOT NULL, pos INTEGER NOT NULL, recipient TEXT NOT"
	    " NULL, endpoint TEXT, state TEXT NOT NULL CHECK (state IN ('queued', 'delivered',"
	    " 'failed')), attempts INTEGER NOT NULL DEFAULT 0, last_attempt INTEGER, next_attempt"
	    " INTEGER, delivered INTEGER, reason TEXT, receipt BLOB, receipt_verdict TEXT,"
	    " receipt_reason TEXT, receipt_time INTEGER, receipt_received INTEGER, PRIMARY KEY"
	    " (id, recipient)) WITHOUT ROWID;"
	    "INSERT INTO delivery (id, pos, recipient, state, reason) VALUES ('" ID "', 0,"
	    " 'US-NCMEC', 'queued', 'no endpoint');"
	    "CREATE TABLE incoming (id TEXT PRIMARY KEY, source TEXT NOT NULL, sender TEXT NOT"
	    " NULL, digest TEXT NOT NULL, size INTEGER NOT NULL, payload_size INTEGER, verdict"
	    " TEXT NOT NULL, reason TEXT, header_sha256 TEXT, priority TEXT, created INTEGER,"
	    " expires INTEGER, received INTEGER NOT NULL, receipt BLOB, receipt_sent INTEGER)"
	    " WITHOUT ROWID;"
	    "INSERT INTO incoming (id, source, sender, digest, size, verdict, received)"
	    " VALUES ('" ID "', 'https://x', 'GB-MET', 'd', 1, 'good', 1);"
	    "PRAGMA user_version = 1;";

	assert_int_equal(pouch_db_open(at(f, POUCH_STATE_FILE), &db, NULL), 0);
	assert_int_equal(pouch_db_exec(db, v1, NULL), 0);
	pouch_db_close(db);
	assert_int_equal(pouch_state_open(&f->h, &s, NULL), 0);
	/* Its files keep their names (inbox/ID.pouch). */
	assert_int_equal(pouch_db_prepare(s.db, "SELECT sender, name FROM incoming", &st, NULL), 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	assert_string_equal(pouch_db_column_text(st, 0), "GB-MET");
	assert_string_equal(pouch_db_column_text(st, 1), ID);
	pouch_db_finalize(st);
	assert_int_equal(exec(&s, INCOMING("GB-GMP", "good")), 0);
	assert_int_equal(exec(&s, INCOMING("GB-MET", "good")), POUCH_E_EXISTS);
	/* Version 3: the delivery stays, and can be cancelled now. */
	assert_int_equal(exec(&s, "UPDATE delivery SET state = 'cancelled' WHERE reason = 'no "
			     "endpoint'"), 0);
	assert_int_equal(pouch_db_prepare(s.db, "SELECT recipient, state FROM delivery", &st,
					  NULL), 0);
	assert_int_equal(pouch_db_step(st, NULL), POUCH_DB_ROW);
	assert_string_equal(pouch_db_column_text(st, 0), "US-NCMEC");
	assert_string_equal(pouch_db_column_text(st, 1), "cancelled");
	pouch_db_finalize(st);
	assert_int_equal(exec(&s, "UPDATE delivery SET state = 'lost'"), POUCH_E_REFUSED);
	pouch_state_close(&s);
}

static void test_state__a_job_runs_once_per_home(void **state)
{
	struct fixture *f = *state;
	struct pouch_state a, b;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_state_open(&f->h, &a, NULL), 0);
	assert_int_equal(pouch_state_open(&f->h, &b, NULL), 0);
	assert_int_equal(pouch_state_lock(&a, &f->h, "pull", NULL), 0);
	assert_int_equal(mode_of(at(f, "state.pull.lock")), 0600);
	assert_int_equal(pouch_state_lock(&b, &f->h, "pull", &err), POUCH_E_REFUSED);
	assert_non_null(strstr(err.msg, "another 'pouch pull' is running in '"));
	/* Another job is not held up. */
	assert_int_equal(pouch_state_lock(&b, &f->h, "push", NULL), 0);
	pouch_state_close(&a);
	assert_int_equal(pouch_state_lock(&b, &f->h, "pull", NULL), 0);
	pouch_state_close(&b);
}

static void test_state__newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	struct pouch_state s;
	struct pouch_err err = { 0 };

	assert_int_equal(pouch_state_open(&f->h, &s, NULL), 0);
	assert_int_equal(exec(&s, "PRAGMA user_version = 99"), 0);
	pouch_state_close(&s);
	assert_int_equal(pouch_state_open(&f->h, &s, &err), POUCH_E_CORRUPT);
	assert_non_null(strstr(err.msg, "newer"));
	pouch_state_close(&s);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_home, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_state__open_makes_private_directories_and_database),
		T(test_state__old_incoming_rows_migrated),
		T(test_state__schema_enforces_its_rules),
		T(test_state__a_job_runs_once_per_home),
		T(test_state__newer_schema_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
