/* A forwarded package's provenance (spec/forward.md section 3), checked hop by hop. */
#ifndef POUCH_PROVENANCE_H
#define POUCH_PROVENANCE_H

#include <time.h>

#include "base/err.h"
#include "base/json.h"
#include "base/uuid.h"
#include "base/validate.h"
#include "directory/home.h"

struct pouch_provenance {
	int forwarded;                      /* the package carries a provenance */
	char sender[POUCH_CODE_MAX + 1];    /* the package it was forwarded from: its sender */
	char id[POUCH_UUID_LEN];            /* and its id */
	char origin[POUCH_CODE_MAX + 1];    /* the originator (the first sender) */
	char origin_fpr[POUCH_FPR_LEN + 1]; /* its signing key */
	char origin_id[POUCH_UUID_LEN];     /* its package */
};

/* Checks the provenance of the pouch.json m, each hop back to the originator: its header's
 * signature by the key the directory pins now for the sender it names, its pouch.json binding
 * that header and holding the report m holds, its origin the same. A package without one is
 * fine (info->forwarded 0). POUCH_E_VERIFY says why not ("signed by key F, which no partner in
 * the directory pins" when we cannot check it); info is filled on success. */
int pouch_provenance_check(const struct pouch_home *home, const json_t *m, time_t now,
			   struct pouch_provenance *info, struct pouch_err *err);

/* pouch_provenance_check on DIR/pouch.json, an opened package's directory. */
int pouch_provenance_check_dir(const struct pouch_home *home, const char *dir, time_t now,
			       struct pouch_provenance *info, struct pouch_err *err);

#endif
