/* Test-only plugin: built for a plugin ABI this galley does not know. */
#include <galley/galley.h>

static int wrong_transform(galley_job *job, galley_doc *doc) {
  (void)job;
  (void)doc;
  return GALLEY_OK;
}

static const galley_plugin wrong_abi_plugin = {
    .abi_version = 999,
    .struct_size = sizeof(galley_plugin),
    .name = "wrong_abi",
    .version = "1.0",
    .summary = "claims plugin ABI 999",
    .caps = GALLEY_CAN_TRANSFORM,
    .transform = wrong_transform,
};

/* Spelled out by hand: GALLEY_PLUGIN_DEFINE would fill in the right
 * numbers. */
GALLEY_EXPORT const galley_plugin *galley_plugin_init(void);
GALLEY_EXPORT const galley_plugin *galley_plugin_init(void) {
  return &wrong_abi_plugin;
}
