/* Shared between the parts of the package store (store.c, store_query.c, store_receipt.c,
 * store_upload.c): the handle, the request directory, and helpers used by more than one. */
#ifndef POUCH_STORE_INTERNAL_H
#define POUCH_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/db.h"
#include "server/store.h"

/* A staged upload's name in uploads/: "CALLER.ID" (neither contains a dot). */
#define STORE_KEY_MAX (POUCH_CODE_MAX + 1 + POUCH_UUID_LEN)

/* What one caller has staged: bytes and uploads, held ones (taken into a request) included. */
struct store_usage {
	char caller[POUCH_CODE_MAX + 1];
	uint64_t bytes;
	unsigned uploads;
};

/* A statement prepared once and kept for the store's life (under its connection's lock). */
#define STORE_STMTS 16
struct store_stmt {
	const char *sql;
	struct pouch_db_stmt *st;
};

/* One connection to the index, used by one thread at a time (under lock), with the statements
 * kept prepared on it. */
struct store_conn {
	pthread_mutex_t lock;
	struct pouch_db *db;
	struct store_stmt stmts[STORE_STMTS];
};

struct pouch_store {
	char *dir, *packages, *uploads, *tmp;
	int lock_fd;
	/* The index has a writer (puts, receipts, tidying at open) and a reader (lists, fetches,
	 * cursors): SQLite's WAL lets the reader read while the writer's commit is syncing, so no
	 * read ever waits for a push being stored. */
	struct store_conn w, r;
	pthread_mutex_t up_lock; /* uploads/, the busy list and the usage table */
	atomic_ullong npackages, nreceipts; /* the rows: counted at open, kept up to date */
	char (*busy)[STORE_KEY_MAX]; /* uploads an append session or a request is using */
	size_t nbusy;
	struct store_usage *usage; /* per caller, counted at open and kept up to date */
	size_t nusage;
	struct pouch_store_limits limits;
	atomic_llong full_at; /* when a write last found the disk full (0: not since a success) */
};

struct pouch_store_req {
	struct pouch_store *s;
	char *dir;
	char held[STORE_KEY_MAX]; /* the staged upload taken into dir, or "" */
	char held_id[POUCH_UUID_LEN];
	uint64_t held_size;
	int stored;  /* a put stored (or found stored) what was taken */
	int dropped; /* the push was refused: what was taken goes, not back to uploads/ */
};

/* Under c->lock: the statement for sql (one of the store's own constant strings) on c,
 * prepared on first use and kept until the store closes, ready to bind; past STORE_STMTS kept
 * ones it is prepared for this use only. Give it back with store_stmt_done, never finalize it. */
int store_stmt(struct store_conn *c, const char *sql, struct pouch_db_stmt **out,
	       struct pouch_err *err);

/* Under c->lock: st (from store_stmt, NULL allowed) is done with: reset, so that it holds no
 * read transaction open, with its bindings cleared; or finalized when it is not a kept one. */
void store_stmt_done(struct store_conn *c, struct pouch_db_stmt *st);

/* Finalizes c's kept statements and closes it (at close). */
void store_conn_close(struct store_conn *c);

/* The queries that answer requests (list pages, fetches, cursors, a push's and a receipt's
 * lookups), in store_query.c: each must find its rows through an index, so that it costs the
 * same however many packages are stored (tests/unit/test_store_plan.c asks SQLite's plan). */
#define STORE_RECORD_COLUMNS                                                                  \
	"p.seq, p.id, p.sender, p.digest, p.size, p.payload_size, p.payload_sha256, "        \
	"p.header_sha256, p.received, p.name"
#define STORE_SQL_LIST                                                                        \
	"SELECT " STORE_RECORD_COLUMNS " FROM recipients r JOIN packages p "                  \
	"ON p.seq = r.package WHERE r.agency = ? AND r.package > ? ORDER BY r.package LIMIT ?"
#define STORE_SQL_RECIPIENTS "SELECT agency FROM recipients WHERE package = ? ORDER BY pos"
#define STORE_SQL_LOAD                                                                        \
	"SELECT " STORE_RECORD_COLUMNS " FROM packages p WHERE sender = ? AND id = ?"
#define STORE_SQL_GET_ANY                                                                     \
	"SELECT " STORE_RECORD_COLUMNS " FROM packages p WHERE p.id = ?1 AND "                \
	"(p.sender = ?2 OR EXISTS (SELECT 1 FROM recipients r WHERE "                         \
	"r.package = p.seq AND r.agency = ?2)) ORDER BY p.seq LIMIT 2"
#define STORE_SQL_NAME_TAKEN "SELECT 1 FROM packages WHERE name = ?"
#define STORE_SQL_CURSOR_PACKAGES "SELECT 1 FROM recipients WHERE agency = ? AND package = ?"
#define STORE_SQL_CURSOR_RECEIPTS "SELECT 1 FROM receipts WHERE sender = ? AND seq = ?"
#define STORE_SQL_RECEIPT_PACKAGE                                                             \
	"SELECT p.seq FROM packages p JOIN recipients r ON r.package = p.seq "                \
	"WHERE p.sender = ? AND p.id = ? AND r.agency = ?"
#define STORE_SQL_RECEIPT_FIND                                                                \
	"SELECT seq, sha256, received FROM receipts WHERE package = ? AND agency = ?"
#define STORE_SQL_RECEIPT_LIST                                                                \
	"SELECT r.seq, p.id, r.agency, r.verdict, r.sha256, r.received, r.body, r.sender "    \
	"FROM receipts r JOIN packages p ON p.seq = r.package "                               \
	"WHERE r.sender = ? AND r.seq > ? ORDER BY r.seq LIMIT ?"
extern const char *const store_sql_indexed[];
extern const size_t store_nsql_indexed;

/* Counts the packages' and the receipts' rows into s (at open, before any thread). */
int store_count_rows(struct pouch_store *s, struct pouch_err *err);

/* Checks caller (an agency code) and id (a package id) and writes "CALLER.ID" into key.
 * Returns 0 or POUCH_E_USAGE. */
int store_upload_key(const char *caller, const char *id, char *key, struct pouch_err *err);

/* Removes expired uploads as pouch_store_expire_uploads does; with count (at open), what stays
 * makes the usage table. */
int store_expire(struct pouch_store *s, time_t now, int count, struct pouch_err *err);

/* Gives r's held upload back to uploads/ unless a put stored it, and releases it. */
void store_upload_settle(struct pouch_store_req *r);

/* Notes the outcome of a write to the store for pouch_store_writable: POUCH_E_NOSPACE marks
 * the disk full, success clears it. Returns ret. */
int store_note(struct pouch_store *s, int ret);

/* Under up_lock: the usage entry of the caller of key "CALLER.ID", added when missing (NULL
 * when out of memory). */
struct store_usage *store_usage_of(struct pouch_store *s, const char *key);

/* Under up_lock: counts one more staged upload for key's caller: POUCH_UPLOAD_QUOTA (nothing
 * counted) when it has as many as it may. */
int store_usage_new(struct pouch_store *s, const char *key, struct pouch_err *err);

/* Under up_lock: counts len more staged bytes for key's caller: POUCH_UPLOAD_QUOTA (nothing
 * counted) when they would pass its quota. */
int store_usage_add(struct pouch_store *s, const char *key, uint64_t len, struct pouch_err *err);

/* Under up_lock: takes len staged bytes off key's caller. */
void store_usage_sub(struct pouch_store *s, const char *key, uint64_t len);

/* Under up_lock: takes one staged upload of size bytes off key's caller. */
void store_usage_drop(struct pouch_store *s, const char *key, uint64_t size);

/* Whether s is a SHA-256 in lower-case hex (64 digits). */
int store_is_digest(const char *s);

/* One page of a list: sql takes (caller, after, limit + 1) and read fills one item from a row. */
struct store_pager {
	struct pouch_store *s;
	const char *sql;
	int (*read)(struct store_pager *pg, struct pouch_db_stmt *st, void *item,
		    struct pouch_err *err);
	struct pouch_db_stmt *aux; /* a statement read may prepare; given back under the lock */
	void *items;               /* the page's items pointer (an array of size-byte items) */
	size_t size;
	size_t *n;
	int *has_more;
};

/* The store_pager members that point into a page (struct pouch_store_page or _receipt_page). */
#define STORE_PAGER_OF(page)                                                                  \
	.items = &(page)->items, .size = sizeof(*(page)->items), .n = &(page)->n,            \
	.has_more = &(page)->has_more

/* Checks caller and the page's bounds, allocates limit items into *pg->items and reads the rows
 * after after through the reader, counting them in *pg->n and setting *pg->has_more. On failure the
 * caller releases the page (items read so far, partly read one included). */
int store_page(struct store_pager *pg, const char *caller, int64_t after, size_t limit,
	       struct pouch_err *err);

/* Copies text column i of st into out (outmax bytes); a NULL or longer value is POUCH_E_CORRUPT
 * naming the index. */
int store_column(const struct pouch_store *s, struct pouch_db_stmt *st, int i, char *out,
		 size_t outmax, struct pouch_err *err);

/* Loads the record of package id from sender through c (its lock held): POUCH_E_NOTFOUND when
 * it is not stored. */
int store_load(struct pouch_store *s, struct store_conn *c, const char *sender, const char *id,
	       struct pouch_store_record *rec, struct pouch_err *err);

#endif
