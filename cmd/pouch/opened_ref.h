/* An opened package as show and forward take it: a directory pouch open made, or the id of a
 * package opened into ./ID, given whole, as the start of an inbox id or as SENDER/ID. */
#ifndef POUCH_OPENED_REF_H
#define POUCH_OPENED_REF_H

#include "base/err.h"

/* The directory arg names into *dir (caller frees): arg itself when it exists, else the
 * directory of the opened package it names by id, which goes to id (POUCH_UUID_LEN bytes;
 * "" when arg was a path). Returns 0 or the error (POUCH_E_NOTFOUND, POUCH_E_USAGE for an
 * ambiguous start, ...). */
int cli_opened_dir(const char *arg, char **dir, char *id, struct pouch_err *err);

#endif
