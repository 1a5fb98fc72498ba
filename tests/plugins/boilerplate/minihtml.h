/* A small HTML-to-tree builder for tests when no html reader is built. */
#ifndef BP_MINIHTML_H
#define BP_MINIHTML_H

#include <galley/galley.h>

/** A tree for `len` bytes of HTML, or NULL; the caller frees it. */
galley_doc *minihtml_parse(const char *data, size_t len);

#endif
