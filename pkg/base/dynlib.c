/* Shared libraries loaded when first needed (dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "base/dynlib.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int pouch_dynlib_load(struct pouch_dynlib *lib, struct pouch_err *err)
{
	void *h;
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&lock);
	if (lib->loaded)
		goto out;
	/* RTLD_LOCAL: the library's symbols serve only the addresses taken here. */
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		ret = pouch_err_set(err, POUCH_E_IO, "cannot load %s: %s", lib->soname, dlerror());
		goto out;
	}
	for (i = 0; i < lib->n; i++) {
		void *p = dlsym(h, lib->names[i]);

		if (!p) {
			ret = pouch_err_set(err, POUCH_E_IO, "cannot load %s: it has no %s",
					    lib->soname, lib->names[i]);
			dlclose(h);
			goto out;
		}
		/* POSIX makes a function's address from dlsym usable as one. */
		memcpy(&lib->fns[i], &p, sizeof(p));
	}
	lib->loaded = 1;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}
