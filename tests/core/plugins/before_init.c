/* Test-only plugin: built before `init` joined the descriptor, as a plugin
 * of an earlier release of this ABI would be: its struct_size ends at
 * `transform`. Whatever lies beyond (here a failing init, to make it
 * visible) is not its descriptor and must never be read, so the plugin
 * loads. Spelled out by hand, since GALLEY_PLUGIN_DEFINE fills in today's
 * size. */
#include <stddef.h>

#include <galley/galley.h>

static int beyond_init(void) { return GALLEY_EINVALID; }

static int before_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

static const galley_plugin before_init_plugin = {
    .abi_version = GALLEY_ABI_VERSION,
    .struct_size = offsetof(galley_plugin, init),
    .name = "before_init",
    .version = "1.0",
    .summary = "a descriptor that ends before init",
    .caps = GALLEY_CAN_TRANSFORM,
    .transform = before_transform,
    .init = beyond_init,
};

GALLEY_EXPORT const galley_plugin *galley_plugin_init(void);
GALLEY_EXPORT const galley_plugin *galley_plugin_init(void) {
  return &before_init_plugin;
}
