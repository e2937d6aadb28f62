/* Shared inside the audit module only (audit.c appends, audit_verify.c walks). */
#ifndef POUCH_AUDIT_INTERNAL_H
#define POUCH_AUDIT_INTERNAL_H

#include <sys/types.h>

#include "base/json.h"
#include "audit/audit.h"
#include "directory/home.h"

#define LOG_NAME "audit.log"
#define HEAD_NAME "audit.head"
#define HEAD_FORMAT "pouch-audit-head/1"
#define CHECKPOINT_TEXT "pouch-audit-checkpoint/1\nseq: %llu\nhead: %s\n"
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define SIG_MAX 4096

/* The log's path in home h (caller frees), or NULL when out of memory. */
char *pouch_audit_log_path(const struct pouch_home *h);

/* Opens the log at path for reading under a shared lock held only while its size is taken
 * (*size); a missing log gives *fd -1 and size 0. */
int pouch_audit_open_for_read(const char *path, int *fd, off_t *size, struct pouch_err *err);

/* 1 when s is 64 lower-case hex digits, else 0. */
int pouch_audit_is_hex64(const char *s);

/* An unsigned integer member of obj; 0 when it is not a positive integer. */
unsigned long long pouch_audit_positive(const json_t *obj, const char *key);

/* Checks the form of one log line and fills r (pointing into *obj, which the caller
 * releases); the reason goes to why. */
int pouch_audit_check_line(const char *line, size_t len, struct pouch_audit_record *r,
			   json_t **obj, struct pouch_err *why);

#endif
