/* Test-only plugin: says its descriptor is smaller than the members every
 * descriptor has. */
#include <galley/galley.h>

static int small_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

static const galley_plugin small_struct_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = 16,
    .name = "small_struct",
    .version = "1.0",
    .summary = "descriptor size too small",
    .caps = GALLEY_CAN_TRANSFORM,
    .transform = small_transform,
};

/* Spelled out by hand: GALLEY_PLUGIN_DEFINE would fill in the right
 * numbers. */
GALLEY_EXPORT const galley_plugin *galley_plugin_init(void);
GALLEY_EXPORT const galley_plugin *galley_plugin_init(void) {
  return &small_struct_plugin;
}
