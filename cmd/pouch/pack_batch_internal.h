/* What the files of pouch pack --batch share: the batch in memory, one line's result as a
 * worker sends it, the state file in the output directory, the workers. */
#ifndef POUCH_PACK_BATCH_INTERNAL_H
#define POUCH_PACK_BATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pack_batch.h"
#include "base/uuid.h"
#include "crypto/digest.h"
#include "package/envelope.h"
#include "base/validate.h"

/* Where a line stands. */
enum batch_status {
	LINE_PENDING,      /* to pack in this run */
	LINE_DONE,      /* packed by an earlier run (the state file says so) */
	LINE_PACKED,    /* packed and in the output directory now */
	LINE_FAILED,    /* refused, or an operational failure (its code says which) */
	LINE_WITHDRAWN, /* packed, then removed: --all-or-nothing and another line failed */
	LINE_STAGED,    /* packed, waiting in the staging directory */
};

#define BATCH_CODES_MAX (POUCH_RECIPIENTS_MAX * (POUCH_CODE_MAX + 1))

/* One line's outcome, as a worker sends it to the parent (one datagram). */
struct batch_msg {
	uint32_t idx;                 /* the line's index in batch.lines */
	int32_t code;                 /* 0, or the POUCH_E_* of a failure */
	char id[POUCH_UUID_LEN];      /* the package made */
	char priority[16];            /* its priority */
	char codes[BATCH_CODES_MAX];  /* the recipients, joined by commas */
	char sha256[POUCH_SHA256_HEX]; /* the envelope's digest, recorded for push */
	char msg[POUCH_ERR_MSG_MAX];  /* a failure's message, one line */
};

struct batch_line {
	size_t no;                   /* line number in the file, from 1 */
	const char *text;            /* its bytes (in batch.buf), without the newline */
	size_t len;
	char sha[POUCH_SHA256_HEX];  /* SHA-256 of those bytes */
	enum batch_status status;
	int code;                    /* LINE_FAILED: POUCH_E_* */
	char id[POUCH_UUID_LEN];     /* DONE, PACKED, STAGED: the package */
	char priority[16];
	char *codes;                 /* STAGED: the recipients, for the audit trail */
	char envelope[POUCH_SHA256_HEX]; /* packed in this run: its envelope's SHA-256, for push */
	char *msg;                   /* FAILED: why; a note for others (a changed line) */
};

struct batch {
	const struct batch_opts *o;
	char *buf;                 /* the batch file */
	size_t len;
	struct batch_line *lines;  /* its lines that are not blank, in order */
	size_t n;
	char *base;                /* relative paths in lines are taken from here */
	char *dir;                 /* the output directory */
	char *state;               /* DIR/.batch-NAME.state */
	char *stage;               /* DIR/.batch-NAME.stage: packages before they are kept */
	int state_fd;              /* open, locked */
	int stop;                  /* an operational failure: dispatch no more lines */
};

/* pack_batch_line.c, in a worker: packs line l of b into b->stage, filling m. */
void batch_line_pack(const struct batch *b, const struct batch_line *l, struct batch_msg *m);

/* pack_batch_state.c. batch_state_open creates or opens and locks the state file and the
 * staging directory, reads the records, marks the lines they cover LINE_DONE (a line whose
 * bytes changed stays LINE_PENDING, with a note), finishes moves a killed run left undone and
 * removes staged packages no record names. Returns an exit status, the error printed. */
int batch_state_open(struct batch *b);
/* Appends the records of lines idx[0..n) ("LINE SHA ID"), in one write, synced. Returns 0 or
 * a POUCH_E_* code with err set. */
int batch_state_commit(struct batch *b, const size_t *idx, size_t n, struct pouch_err *err);
/* Moves package id from the staging directory into the output directory (its payload file
 * first), without replacing anything; the directory is synced when sync is set. */
int batch_move(const struct batch *b, const char *id, int sync, struct pouch_err *err);
/* Removes a staged package's files. */
void batch_unstage(const struct batch *b, const char *id);
void batch_state_close(struct batch *b);

/* pack_batch_work.c: packs the lines idx[0..n) with jobs worker processes, calling done for
 * each result in the parent as it comes; dispatches no more once b->stop is set. A worker
 * that dies fails its line (POUCH_E_IO). Returns 0, or -1 when the workers cannot start. */
int batch_work(struct batch *b, const size_t *idx, size_t n, long jobs,
	       void (*done)(struct batch *b, const struct batch_msg *m, void *arg), void *arg);

#endif
