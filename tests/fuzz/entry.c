/* The fuzz entry: one input through a reader, or through the whole pipeline.
 *
 * The registry is loaded once per process from the build tree (the program
 * lives under the build root, so galley_registry_load_default finds this
 * build's plugins) and kept for the process's life: libFuzzer calls the
 * entry millions of times and loading is the slow part. */
#include "entry.h"

#include <galley/galley.h>
#include <string.h>

const char *const fuzz_targets[] = {"html", "markdown", "text", "epub",
                                    "xml",  "pipeline", NULL};

static galley_registry *registry(void) {
  static galley_registry *reg;
  if (!reg) {
    reg = galley_registry_new();
    if (reg)
      galley_registry_load_default(reg, NULL, 0);
  }
  return reg;
}

/* The defaults, except that a container may unpack and a document may hold
 * 64 MiB rather than 1 GiB and 512 MiB: libFuzzer's memory limit is 2 GiB and
 * a zip bomb that stops at the default limit is not a finding. */
static galley_limits fuzz_limits(void) {
  galley_limits l = galley_limits_default();
  l.max_decompressed = (size_t)64 << 20;
  l.max_resource_bytes = (size_t)64 << 20;
  l.max_image_size = (size_t)16 << 20;
  return l;
}

static int write_with(galley_job *job, const galley_plugin *writer,
                      const galley_doc *doc) {
  galley_sink *out = galley_sink_new_memory();
  if (!out)
    return -1;
  (void)galley_plugin_write(job, writer, doc, out);
  galley_sink_free(out);
  return 0;
}

int fuzz_entry(const char *target, const uint8_t *data, size_t size) {
  galley_registry *reg = registry();
  if (!reg)
    return -1;
  bool pipeline = strcmp(target, "pipeline") == 0;
  const galley_plugin *reader =
      pipeline ? galley_registry_probe(reg, data, size, GALLEY_CAN_READ)
               : galley_registry_find(reg, target);
  if (pipeline && !reader)
    reader = galley_registry_find(reg, "text");
  if (!reader || !(reader->caps & GALLEY_CAN_READ))
    return -1;

  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  if (!job || !doc) {
    galley_job_free(job);
    galley_doc_free(doc);
    return -1;
  }
  galley_limits limits = fuzz_limits();
  galley_job_set_limits(job, &limits);
  galley_job_set_location(job, "fuzz-input");

  /* No base folder: a fuzzed document may name any path, and nothing may be
   * read from the disk for it. */
  galley_input in = {data, size, "fuzz-input", NULL};
  const galley_plugin *transforms[1];
  size_t n_transforms = 0;
  /* Odd-sized inputs to the pipeline also go through the boilerplate
   * transform, so the fuzzer reaches it without a format of its own. */
  if (pipeline && (size & 1)) {
    transforms[0] = galley_registry_find(reg, "boilerplate");
    if (transforms[0])
      n_transforms = 1;
  }
  int rc = galley_job_build(job, &in, reader, transforms, n_transforms, doc);
  if (rc == GALLEY_OK && pipeline) {
    for (size_t i = 0; i < galley_registry_count(reg); i++) {
      const galley_plugin *w = galley_registry_at(reg, i);
      if (w->caps & GALLEY_CAN_WRITE)
        write_with(job, w, doc);
    }
  }
  galley_doc_free(doc);
  galley_job_free(job);
  return 0;
}
