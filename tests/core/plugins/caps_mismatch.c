/* Test-only plugin: declares READ but has no read callback. */
#include <galley/galley.h>

static int caps_write(galley_job *job, const galley_doc *doc,
                      galley_sink *out) {
  (void)job;
  (void)doc;
  (void)out;
  return GALLEY_OK;
}

GALLEY_PLUGIN_DEFINE(caps_mismatch_plugin, .name = "caps_mismatch",
                     .version = "1.0",
                     .summary = "declares read without a read callback",
                     .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE,
                     .write = caps_write);
