/* Error codes and the error record every fallible pkg/ function fills in.
 * Functions return 0 on success or a negative POUCH_E_* code; detail goes to an optional
 * caller-allocated struct pouch_err, like jansson's json_error_t. */
#ifndef POUCH_ERR_H
#define POUCH_ERR_H

enum pouch_errcode {
	POUCH_OK = 0,
	POUCH_E_USAGE = -1,     /* a malformed argument: bad code, URL, duration, fingerprint */
	POUCH_E_REFUSED = -2,   /* input understood and refused by policy (not allowed) */
	POUCH_E_VERIFY = -3,    /* not genuine or not trusted: bad key, mismatch, revoked, expired */
	POUCH_E_EXISTS = -4,    /* would replace something that exists without --force */
	POUCH_E_NOTFOUND = -5,  /* a named partner, key or file does not exist */
	POUCH_E_IO = -6,        /* the file system failed */
	POUCH_E_GPG = -7,       /* GnuPG failed for a reason other than the input */
	POUCH_E_CORRUPT = -8,   /* a file pouch wrote is unreadable or invalid */
	POUCH_E_NOTINIT = -9,   /* the home holds no agency identity */
	POUCH_E_NOMEM = -10,
	POUCH_E_NET = -11,      /* the network or the peer failed: worth retrying later */
	POUCH_E_NOSPACE = -12,  /* the disk or a quota is full: nothing was stored; retry later */
	POUCH_E_EXPIRED = -13,  /* a package past its sender's expiry, from outside the inbox */
};

#define POUCH_ERR_MSG_MAX 1024

struct pouch_err {
	int code;
	char msg[POUCH_ERR_MSG_MAX];
};

/* Records code and the formatted message in err (which may be NULL) and returns code, so a
 * failure is one line: return pouch_err_set(err, POUCH_E_IO, "cannot open '%s': %s", ...). */
int pouch_err_set(struct pouch_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Resets err (which may be NULL) to "no error". */
void pouch_err_clear(struct pouch_err *err);

/* Prefixes err's message with the formatted context ("context: old message"); returns err's
 * code (POUCH_E_IO when err is NULL). */
int pouch_err_prefix(struct pouch_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The process exit status for a code: 0 ok, 1 refusal or verification failure, 2 usage error,
 * 3 operational error. The same mapping serves every command. */
int pouch_err_exit_status(int code);

#endif
