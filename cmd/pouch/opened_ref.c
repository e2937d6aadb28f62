/* An opened package named on the command line (see opened_ref.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opened_ref.h"
#include "base/fs.h"
#include "exchange/pull.h"
#include "package/opened.h"

int cli_opened_dir(const char *arg, char **dir, char *id, struct pouch_err *err)
{
	struct pouch_inbox_entry e = { 0 };
	int ret;

	id[0] = '\0';
	if (pouch_fs_exists(arg)) {
		*dir = strdup(arg);
		return *dir ? 0 : pouch_err_set(err, POUCH_E_NOMEM, "out of memory");
	}
	/* An inbox id, its start or SENDER/ID names one package; one opened from a file is
	 * found by its whole id. */
	if (pouch_inbox_ref(arg)) {
		ret = pouch_inbox_find(&cli.home, arg, &e, err);
		if (ret == 0) {
			snprintf(id, POUCH_UUID_LEN, "%s", e.id);
			ret = pouch_opened_find(&cli.home, e.id, e.sender, dir, err);
		}
		pouch_inbox_entry_release(&e);
		if (ret != POUCH_E_NOTFOUND || id[0])
			return ret;
	}
	snprintf(id, POUCH_UUID_LEN, "%s", arg);
	return pouch_opened_find(&cli.home, arg, NULL, dir, err);
}
