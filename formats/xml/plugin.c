/* The xml plugin: the tree's own lossless form, read and written. */
#include <string.h>

#include <libxml/parser.h>

#include "xmlform.h"

/* libxml2 must be initialised once, before threads use it: the registry
 * runs init once, before any conversion. */
static int gx_init(void) {
  xmlInitParser();
  return GALLEY_OK;
}

int gx_probe(const unsigned char *head, size_t len) {
  static const char urn[] = GX_NAMESPACE;
  size_t n = sizeof urn - 1;
  for (size_t i = 0; i + n <= len; i++)
    if (head[i] == 'u' && memcmp(head + i, urn, n) == 0)
      return 100;
  return 0;
}

static const char *const extensions[] = {"xml", NULL};

static const galley_option options[] = {
    {"resources", GALLEY_OPT_ENUM, "inline", "inline|reference",
     "inline: resources' bytes in base64 (lossless); reference: name, type, "
     "size and hash only"},
    {0},
};

GALLEY_PLUGIN_DEFINE(
    xml_plugin, .name = "xml",
    .summary = "galley's document tree as lossless XML (for inspection, tests "
               "and filters)",
    .caps = GALLEY_CAN_READ | GALLEY_CAN_WRITE, .extensions = extensions,
    .media_type = "application/x-galley+xml", .options = options,
    .probe = gx_probe, .read = gx_read, .write = gx_write, .init = gx_init);
