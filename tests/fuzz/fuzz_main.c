/* A libFuzzer target; FUZZ_TARGET names which (see entry.h). */
#include "entry.h"

#include <stdlib.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"html\" (or another target)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fuzz_entry(FUZZ_TARGET, data, size) < 0)
    abort(); /* the plugin is not loaded: every run would test nothing */
  return 0;
}
