/* A package directory pouch open made (pouch.json and attachments/), read back for pouch show:
 * found by its id, loaded, and checked against itself. */
#ifndef POUCH_OPENED_H
#define POUCH_OPENED_H

#include "base/err.h"
#include "base/json.h"
#include "directory/home.h"

struct pouch_opened_dir {
	char *dir;            /* the package directory */
	json_t *manifest;     /* its pouch.json */
	const json_t *report; /* the report in it (borrowed from manifest) */
	const char *id;       /* the package id (borrowed) */
	const char *sender;   /* the sender's agency code (borrowed) */
};

/* Finds the directory of package id as pouch open records it: the home holds a record of id
 * opened (seen/SENDER.ID, or seen/ID made before records were per sender) and ./ID, where
 * open unpacks by default, exists. With sender set, only that sender's record (or one made
 * before records were per sender) counts. *dir is a new string (caller frees). Returns 0,
 * POUCH_E_NOTFOUND (never opened here, or not into ./ID) naming the id, POUCH_E_NOMEM. */
int pouch_opened_find(const struct pouch_home *home, const char *id, const char *sender,
		      char **dir, struct pouch_err *err);

/* Loads the opened package at path (its directory, or the pouch.json in it) into out: pouch.json
 * must be what open writes (its members, a package id, a sender's code), its report valid
 * (spec/report.md) with the markings pouch.json shows, its attachments list the same as
 * pouch.json's, and attachments/ holding exactly the files listed, each with its size and
 * SHA-256 (never through a symbolic link). Returns 0; POUCH_E_NOTFOUND when path does not
 * exist; POUCH_E_REFUSED for a pouch.json that is not an opened package's or a report that is
 * not valid (naming its first error), POUCH_E_VERIFY for an attachment missing, extra or
 * changed; POUCH_E_IO, POUCH_E_NOMEM. Release out with pouch_opened_dir_release. */
int pouch_opened_dir_load(const char *path, struct pouch_opened_dir *out, struct pouch_err *err);

/* Frees what out holds (zeroed or loaded) and zeroes it. */
void pouch_opened_dir_release(struct pouch_opened_dir *out);

#endif
