/* The error record: formatting, prefixing, and the one mapping from codes to exit statuses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

int pouch_err_set(struct pouch_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void pouch_err_clear(struct pouch_err *err)
{
	if (!err)
		return;
	err->code = POUCH_OK;
	err->msg[0] = '\0';
}

int pouch_err_prefix(struct pouch_err *err, const char *fmt, ...)
{
	char head[POUCH_ERR_MSG_MAX];
	char old[POUCH_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return POUCH_E_IO;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A message cut at the buffer's end still names the subject first. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old) < 0)
		err->msg[0] = '\0';
	return err->code;
}

int pouch_err_exit_status(int code)
{
	switch (code) {
	case POUCH_OK:
		return 0;
	case POUCH_E_REFUSED:
	case POUCH_E_VERIFY:
	case POUCH_E_EXPIRED:
	case POUCH_E_EXISTS:
		return 1;
	case POUCH_E_USAGE:
	case POUCH_E_NOTFOUND:
		return 2;
	default:
		return 3;
	}
}
