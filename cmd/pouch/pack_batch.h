/* pouch pack --batch: one package per line of a JSON Lines file (spec/batch.md), packed by
 * worker processes, resumed after an interruption without packing a line twice. */
#ifndef POUCH_PACK_BATCH_H
#define POUCH_PACK_BATCH_H

#define BATCH_JOBS_MAX 256

/* What the command line gives a batch: everything else comes from its lines. */
struct batch_opts {
	const char *file;       /* the batch file, or "-" for standard input */
	const char *out;        /* -o DIR (an existing directory), or NULL for "." */
	long jobs;              /* worker processes, 1 to BATCH_JOBS_MAX; 0: online cores */
	int all_or_nothing;     /* write nothing unless every line packs */
	long long expires_in;   /* seconds, for every package */
	int no_self;            /* do not encrypt to our own key as well */
	const char *passphrase; /* for our key (cli_passphrase's answer) */
};

/* Runs the batch o describes, once cli_ready has succeeded: prints each line's outcome, then a
 * summary. Returns the exit status: 0 every line packed (now or by an earlier run), 1 a line
 * was refused, 3 an operational failure. */
int pack_batch(const struct batch_opts *o);

#endif
