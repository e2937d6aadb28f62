/* How a long step says how far it is: a callback the command passes down (pkg/ never prints). */
#ifndef POUCH_BASE_PROGRESS_H
#define POUCH_BASE_PROGRESS_H

#include <stdint.h>

/* fn is called with the bytes done so far of total (0: unknown), as often as the step moves
 * on: the callee throttles what it shows. It may be called from another thread than the one
 * that started the step, but never from two at once. */
struct pouch_progress {
	void (*fn)(void *arg, uint64_t done, uint64_t total);
	void *arg;
};

#endif
