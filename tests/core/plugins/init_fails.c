/* Test-only plugin: valid, but its init fails (a library it needs is
 * missing, say), so the registry must refuse it. */
#include <galley/galley.h>

static int failing_init(void) { return GALLEY_EUNSUPPORTED; }

static int never_transform(galley_job *job, galley_doc *doc) {
  (void)doc;
  return galley_job_error(job, GALLEY_EINVALID, "ran although init failed");
}

GALLEY_PLUGIN_DEFINE(init_fails_plugin, .name = "init_fails",
                     .summary = "an init that fails", .version = "1.0",
                     .caps = GALLEY_CAN_TRANSFORM, .transform = never_transform,
                     .init = failing_init);
