/* The audit trail (audit.log in the home): append-only JSON lines, each carrying the SHA-256 of
 * the line before, with checkpoints that sign the chain head with our agency key. Entries hold
 * ids, agencies, digests, verdicts and short reasons, never report contents, keys or plaintext. */
#ifndef POUCH_AUDIT_H
#define POUCH_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "directory/home.h"

#define POUCH_AUDIT_LINE_MAX 16384 /* longest line pouch writes or reads, without its newline */
#define POUCH_AUDIT_REASON_MAX 512 /* bytes of a reason, after escaping */
#define POUCH_AUDIT_WORD_MAX 32    /* bytes of an event name or a verdict */

/* One entry to append. event is required: a lower-case word (letters, digits, '-'), such as
 * pack, verify, open, push-attempt, delivery, pull, receipt-sent, receipt-received; checkpoint
 * is reserved for pouch_audit_checkpoint. Every other member may be NULL (left out):
 *   id        a package id;
 *   agency    the other party's agency code, or several separated by commas;
 *   digest    a SHA-256, 64 lower-case hex digits (for a package: of its envelope file);
 *   verdict   a lower-case word: good, bad, opened, refused, failed, accepted, delivered, ...;
 *   reason    one line, such as an error message: control bytes and non-UTF-8 are escaped,
 *             every 'quoted' subject (a file path, an attachment name) becomes '...', and it is
 *             cut to POUCH_AUDIT_REASON_MAX bytes;
 *   endpoint  a URL;
 *   fingerprint  one OpenPGP key fingerprint (40 upper-case hex digits), or several separated
 *             by commas: the keys a change of trust concerns.
 * id, agency and endpoint are escaped and capped as well. The strings are borrowed. */
struct pouch_audit_entry {
	const char *event;
	const char *id;
	const char *agency;
	const char *digest;
	const char *verdict;
	const char *reason;
	const char *endpoint;
	const char *fingerprint;
};

/* Appends e, stamped with now, to the home's audit.log (created mode 0600; never through a
 * symbolic link). Holds an exclusive lock on the log from reading its last line to the end of
 * the write, so concurrent pouch processes append one chain: seq is the last entry's plus 1
 * (1 for the first), prev the SHA-256 of the last line's bytes (64 zeros for the first). The
 * line goes out in one write and is fsync'ed; a failed write is truncated away again.
 * Returns 0; POUCH_E_USAGE for a malformed e (a programming error); POUCH_E_CORRUPT when the
 * log does not end in a complete audit entry; POUCH_E_IO and others when it cannot be written.
 * Every failure message starts "cannot append to the audit trail 'PATH'". */
int pouch_audit_append(const struct pouch_home *h, const struct pouch_audit_entry *e, time_t now,
		       struct pouch_err *err);

/* As pouch_audit_append for the n entries at e, in order, in one write and one fsync under one
 * lock: all of them are appended, or none. */
int pouch_audit_append_n(const struct pouch_home *h, const struct pouch_audit_entry *e, size_t n,
			 time_t now, struct pouch_err *err);

/* As pouch_audit_append, with e's digest (when NULL) taken from the file at path: the SHA-256
 * of its bytes when it is a regular file of at most 16 MiB that can be read; otherwise the
 * entry goes without a digest. The path itself is never recorded. */
int pouch_audit_append_file(const struct pouch_home *h, const struct pouch_audit_entry *e,
			    const char *path, time_t now, struct pouch_err *err);

/* Signs the chain head when the last entry is not a checkpoint already: the current agency key
 * signs the text "pouch-audit-checkpoint/1\nseq: N\nhead: HEX\n" (N the seq of the last entry,
 * HEX the SHA-256 of its line), and a checkpoint entry carrying head_seq, head, signer (the
 * key's fingerprint) and signature (base64 of the binary detached signature) is appended, under
 * the same lock as pouch_audit_append. Then audit.head in the home is rewritten atomically with
 * the seq and line SHA-256 of that checkpoint. Never asks for a passphrase: passphrase (may be
 * NULL; borrowed) is offered through loopback, and a key that needs another one cannot sign.
 * Returns 0 when a checkpoint was appended or none was needed (an empty log, or one that ends
 * in a checkpoint), 1 when our key could not sign without asking (nothing is written: a later
 * signing command covers the entries), or < 0 on another failure. */
int pouch_audit_checkpoint(const struct pouch_home *h, const char *passphrase, time_t now,
			   struct pouch_err *err);

/* What pouch_audit_verify found. */
struct pouch_audit_result {
	unsigned long long entries;         /* entries read, checkpoints included */
	unsigned long long checkpoints;     /* checkpoints whose signature verified */
	unsigned long long last_checkpoint; /* seq of the last verified checkpoint; 0: none */
	unsigned long long uncovered;       /* entries after it, not yet covered by a signature */
	unsigned long long head_seq;        /* the checkpoint audit.head names; 0: no audit.head */
	unsigned long long broken;          /* 0: intact; else the first broken entry (its line
					     * number, which is also the seq it should carry) */
	char reason[POUCH_ERR_MSG_MAX];     /* why it is broken, e.g. "prev hash does not match
					     * entry 16"; empty when intact */
};

/* Checks the whole trail: every line a strict JSON object of known fields, seq 1, 2, ... in
 * order, time and every field well formed, prev the SHA-256 of the line before; each
 * checkpoint's head_seq and head naming the entry before it and its signature verifying, by the
 * rules of ../shared/OPENPGP.md, by one of our own agency keys in agency.json (current or
 * retired); and, when audit.head exists, the log holding the checkpoint it names (a log that
 * ends before it lost entries). A missing log is an empty trail. It checks the log as it stood
 * when it began (a shared lock held for that moment only), so writers never wait for it.
 * Returns 0 when intact, POUCH_E_VERIFY when broken (res says where and why, and err
 * reads "audit trail broken at entry N: WHY"), or another code when it cannot be read. res is
 * filled in every case. */
int pouch_audit_verify(const struct pouch_home *h, struct pouch_audit_result *res,
		       struct pouch_err *err);

/* The result as one line of JSON (caller frees): {"intact":BOOL,"entries":N,"checkpoints":N,
 * "last_checkpoint":SEQ|null,"uncovered":N,"head":SEQ|null,"broken":null|{"entry":N,
 * "reason":WHY}}. NULL when out of memory. */
char *pouch_audit_result_json(const struct pouch_audit_result *res);

/* One entry as read from the log by pouch_audit_read; every pointer is valid during the
 * callback only. Strings absent from the entry are NULL. Values are as stored (escaped when
 * written, but a log edited by hand may hold anything: escape them before printing). */
struct pouch_audit_record {
	unsigned long long seq;
	const char *line; /* the exact line, a strict JSON object, without its newline */
	size_t len;
	const char *time, *event, *prev;
	const char *id, *agency, *digest, *verdict, *reason, *endpoint, *fingerprint;
	unsigned long long head_seq; /* checkpoints only; 0 otherwise */
	const char *head, *signer;   /* checkpoints only */
};

/* Calls fn for each entry of the log in order (the log as it stood when the call began) until
 * fn returns non-zero, which is then returned. It checks each line's form and seq (as
 * pouch_audit_verify does, short of hashes and signatures) and stops with POUCH_E_VERIFY
 * ("audit trail broken at entry N: WHY") at the first malformed one. A missing log has no
 * entries. */
int pouch_audit_read(const struct pouch_home *h,
		     int (*fn)(const struct pouch_audit_record *r, void *arg), void *arg,
		     struct pouch_err *err);

#endif
