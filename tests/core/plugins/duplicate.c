/* Test-only plugin: valid, but also named "good" (the loader keeps the first).
 */
#include <galley/galley.h>

static int dup_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

GALLEY_PLUGIN_DEFINE(duplicate_plugin, .name = "good", .version = "2.0",
                     .summary = "a second plugin named good",
                     .caps = GALLEY_CAN_TRANSFORM, .transform = dup_transform);
