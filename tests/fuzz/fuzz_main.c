/* A libFuzzer target; FUZZ_TARGET names which (see entry.h). */
#include "entry.h"

#include <stdlib.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"html\" (or another target)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads the plugins before fuzzing starts, so libFuzzer sees their coverage
 * counters from the first run. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (fuzz_entry(FUZZ_TARGET, (const uint8_t *)"", 0) < 0)
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fuzz_entry(FUZZ_TARGET, data, size) < 0)
    abort(); /* the plugin is not loaded: every run would test nothing */
  return 0;
}
