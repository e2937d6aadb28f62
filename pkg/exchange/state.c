/* The client's state in the home: state.db's schema, the package directories beside it and the
 * per-job lock files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/fs.h"
#include "exchange/state.h"

/* The schema, one step per version (see pouch_db_migrate). Times are Unix seconds.
 *
 * outgoing: a package pouch push took into the outbox (its files: outbox/ID.pouch and, when
 *   payload_size is not NULL, outbox/ID.pouch.pgp). digest and size are the envelope file's.
 * delivery: one per (package, recipient). endpoint is the URL given with --endpoint, or NULL
 *   for the recipient's endpoint as the directory says at each attempt. state: queued (to try;
 *   reason says why the last attempt failed, next_attempt when to try again), delivered (the
 *   endpoint stored it: delivered is when), failed (refused for good; reason is the server's).
 *   The receipt_* columns hold the recipient's signed receipt once it came back and verified:
 *   the file as received, its verdict and reason, the time it states, when we got it.
 * incoming: a package pouch pull fetched, by id, from source (the endpoint's URL). verdict good
 *   (inbox/NAME.pouch) or bad (quarantine/NAME.pouch, reason says why). The header columns are NULL
 *   when the header could not be read. receipt is our signed receipt, made once and sent
 *   verbatim until the endpoint takes it (receipt_sent: when it did); NULL when none can be
 *   made (a header that cannot be read names nobody to answer).
 * cursor: where the last list of each kind ended at each source, saved only after every item
 *   before it is stored.
 * Version 2: an id belongs to its sender, so incoming is keyed by (sender, id), and name is
 *   the base name of its files: the id (inbox/ID.pouch), or SENDER.ID when another sender's
 *   package had the id first.
 * Version 3: a delivery can be cancelled (pouch outbox cancel, pouch partner remove): it is
 *   never tried again, reason says why, and pouch outbox retry queues it again.
 * Besides the numbered versions, tables that only add to a schema are made when missing
 * (extra below), so that they fit any version:
 * packed: the envelope files this home made (pack, pack --batch, forward), by the SHA-256 of
 *   their bytes as written, with the package id and when. push takes a file whose digest is
 *   here as ours without verifying its signature again. */
/* The delivery table, its states given (versions 1 and 3 differ in them only). */
#define DELIVERY_TABLE(states) \
	"CREATE TABLE delivery (" \
	" id TEXT NOT NULL REFERENCES outgoing(id)," \
	" pos INTEGER NOT NULL," \
	" recipient TEXT NOT NULL," \
	" endpoint TEXT," \
	" state TEXT NOT NULL CHECK (state IN (" states "))," \
	" attempts INTEGER NOT NULL DEFAULT 0," \
	" last_attempt INTEGER," \
	" next_attempt INTEGER," \
	" delivered INTEGER," \
	" reason TEXT," \
	" receipt BLOB," \
	" receipt_verdict TEXT CHECK (receipt_verdict IN ('accepted', 'rejected'))," \
	" receipt_reason TEXT," \
	" receipt_time INTEGER," \
	" receipt_received INTEGER," \
	" PRIMARY KEY (id, recipient)," \
	" UNIQUE (id, pos)," \
	" CHECK ((state = 'delivered') = (delivered IS NOT NULL))," \
	" CHECK ((receipt IS NULL) = (receipt_verdict IS NULL))) WITHOUT ROWID;"

static const char *const schema[] = {
	"CREATE TABLE outgoing ("
	" id TEXT PRIMARY KEY,"
	" sender TEXT NOT NULL,"
	" digest TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" header_sha256 TEXT NOT NULL,"
	" priority TEXT NOT NULL,"
	" payload_size INTEGER,"
	" created INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" queued INTEGER NOT NULL) WITHOUT ROWID;"
	DELIVERY_TABLE("'queued', 'delivered', 'failed'")
	"CREATE INDEX delivery_by_state ON delivery (state, next_attempt);"
	"CREATE TABLE incoming ("
	" id TEXT PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" digest TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" payload_size INTEGER,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('good', 'bad')),"
	" reason TEXT,"
	" header_sha256 TEXT,"
	" priority TEXT,"
	" created INTEGER,"
	" expires INTEGER,"
	" received INTEGER NOT NULL,"
	" receipt BLOB,"
	" receipt_sent INTEGER,"
	" CHECK ((verdict = 'bad') = (reason IS NOT NULL))) WITHOUT ROWID;"
	"CREATE TABLE cursor ("
	" source TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('packages', 'receipts')),"
	" value TEXT NOT NULL,"
	" PRIMARY KEY (source, kind)) WITHOUT ROWID;",
	"ALTER TABLE incoming RENAME TO v1_incoming;"
	"CREATE TABLE incoming ("
	" id TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" name TEXT NOT NULL UNIQUE,"
	" digest TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" payload_size INTEGER,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('good', 'bad')),"
	" reason TEXT,"
	" header_sha256 TEXT,"
	" priority TEXT,"
	" created INTEGER,"
	" expires INTEGER,"
	" received INTEGER NOT NULL,"
	" receipt BLOB,"
	" receipt_sent INTEGER,"
	" PRIMARY KEY (sender, id),"
	" CHECK ((verdict = 'bad') = (reason IS NOT NULL))) WITHOUT ROWID;"
	"INSERT INTO incoming SELECT id, source, sender, id, digest, size, payload_size, verdict, "
	" reason, header_sha256, priority, created, expires, received, receipt, receipt_sent "
	" FROM v1_incoming;"
	"DROP TABLE v1_incoming;",
	"ALTER TABLE delivery RENAME TO v2_delivery;"
	DELIVERY_TABLE("'queued', 'delivered', 'failed', 'cancelled'")
	"INSERT INTO delivery SELECT * FROM v2_delivery;"
	"DROP TABLE v2_delivery;"
	"CREATE INDEX delivery_by_state ON delivery (state, next_attempt);",
};

static const char extra[] =
	"CREATE TABLE IF NOT EXISTS packed ("
	" digest TEXT PRIMARY KEY,"
	" id TEXT NOT NULL,"
	" made INTEGER NOT NULL) WITHOUT ROWID;";

static int make_dir(const struct pouch_home *h, const char *name, char **out,
		    struct pouch_err *err)
{
	*out = pouch_path_join(h->dir, name);
	if (!*out)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	return pouch_fs_mkdir_private(*out, err);
}

int pouch_state_open(const struct pouch_home *h, struct pouch_state *s, struct pouch_err *err)
{
	char *path = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	if ((ret = make_dir(h, POUCH_OUTBOX_DIR, &s->outbox, err)) < 0 ||
	    (ret = make_dir(h, POUCH_INBOX_DIR, &s->inbox, err)) < 0 ||
	    (ret = make_dir(h, POUCH_QUARANTINE_DIR, &s->quarantine, err)) < 0 ||
	    (ret = make_dir(h, POUCH_INCOMING_DIR, &s->incoming, err)) < 0)
		goto out;
	path = pouch_path_join(h->dir, POUCH_STATE_FILE);
	if (!path) {
		ret = pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if ((ret = pouch_db_open(path, &s->db, err)) < 0)
		goto out;
	ret = pouch_db_migrate(s->db, schema, sizeof(schema) / sizeof(schema[0]), err);
	if (ret == 0)
		ret = pouch_db_exec(s->db, extra, err);
out:
	free(path);
	if (ret < 0)
		pouch_state_close(s);
	return ret;
}

void pouch_state_close(struct pouch_state *s)
{
	if (!s)
		return;
	/* A zeroed s has lock_fd 0 but no directories: it never held a lock. */
	if (s->outbox && s->lock_fd >= 0)
		close(s->lock_fd);
	pouch_db_close(s->db);
	free(s->outbox);
	free(s->inbox);
	free(s->quarantine);
	free(s->incoming);
	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
}

int pouch_state_lock(struct pouch_state *s, const struct pouch_home *h, const char *what,
		     struct pouch_err *err)
{
	char *path = NULL;
	int fd = -1, ret = 0;

	if (asprintf(&path, "%s/state.%s.lock", h->dir, what) < 0)
		return pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot open '%s': %s", path,
				    strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			ret = pouch_err_set(err, POUCH_E_REFUSED,
					    "another 'pouch %s' is running in '%s'", what, h->dir);
		else
			ret = pouch_err_set(err, POUCH_E_IO, "cannot lock '%s': %s", path,
					    strerror(errno));
	}
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
	} else {
		if (s->lock_fd >= 0)
			close(s->lock_fd);
		s->lock_fd = fd;
	}
	free(path);
	return ret;
}
