/*
 * fuzz_input - the fuzzer's bytes in the shapes affild's entry points take:
 * a file descriptor, a C string, a file on disk.  Shared by the targets in
 * fuzz/; nothing here is part of the daemon.
 */
#ifndef AFFILD_FUZZ_INPUT_H
#define AFFILD_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the targets read from results goes here, so none is optimised out. */
extern volatile size_t fuzz_sink;

/* fuzz_memfd - the bytes as an fd at offset 0 (close it), or -1 */
int fuzz_memfd(const uint8_t *data, size_t size);

/* fuzz_string - a NUL-terminated copy (free it); a NUL inside ends it */
char *fuzz_string(const uint8_t *data, size_t size);

/* fuzz_file - the bytes as NAME in a private folder made once per
 * process and removed at exit (one NAME per process); the path is
 * borrowed until the next call; NULL on error */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

#endif
