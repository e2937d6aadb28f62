/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): each defines
 * LLVMFuzzerTestOneInput and is linked either with libFuzzer (make fuzz) or with driver.c, which
 * replays the committed corpus and regressions once (make check). */
#ifndef POUCH_FUZZ_H
#define POUCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The n bytes at d as a new NUL-terminated string (an embedded NUL ends it early, as it would
 * for a C string from outside). Aborts when out of memory. */
char *fuzz_str(const uint8_t *d, size_t n);

/* A private scratch directory for this process (made on first use, removed at exit). */
const char *fuzz_dir(void);

/* Writes the n bytes at d to path, replacing its content in place. Aborts on failure. */
void fuzz_write(const char *path, const uint8_t *d, size_t n);

/* Writes the n bytes at d to the open descriptor fd. Aborts on failure. */
void fuzz_write_fd(int fd, const uint8_t *d, size_t n);

/* Removes every entry of the directory dir (not recursive; dir stays). */
void fuzz_empty_dir(const char *dir);

/* Aborts with a message: an invariant the harness checks does not hold. */
void fuzz_fail(const char *what) __attribute__((noreturn));

#endif
