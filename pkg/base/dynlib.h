/* Shared libraries loaded when first needed rather than at every start: a library that only
 * some commands use (libcurl, libarchive) and that pulls in dozens of others costs every run
 * of pouch their loading and initialisation, which is most of a short command's time. The
 * module that wraps such a library names its functions in a table and loads them here. */
#ifndef POUCH_DYNLIB_H
#define POUCH_DYNLIB_H

#include <stddef.h>

#include "base/err.h"

/* One library: its soname, the names of the functions wanted, and where each address goes
 * (fns[i] for names[i]); loaded is set once every address is in place. */
struct pouch_dynlib {
	const char *soname;
	const char *const *names;
	void (**fns)(void);
	size_t n;
	int loaded;
};

/* Loads lib once per process (later calls return at once; safe from several threads), with
 * every function of its table, or none: a library or a function that is missing is
 * POUCH_E_IO ("cannot load libcurl.so.4: ...": an installation fault), and lib stays
 * unloaded. */
int pouch_dynlib_load(struct pouch_dynlib *lib, struct pouch_err *err);

#endif
