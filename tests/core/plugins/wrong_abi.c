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

GALLEY_PLUGIN_DEFINE(wrong_abi_plugin)
