/* cmark-gfm's own HTML for a Markdown text (cmarkhtml.h). */
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "cmarkhtml.h"

char *cmark_gfm_html(const char *md, const char *const *extensions) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser *p = cmark_parser_new(CMARK_OPT_FOOTNOTES);
  for (size_t i = 0; extensions[i]; i++) {
    cmark_syntax_extension *e = cmark_find_syntax_extension(extensions[i]);
    if (e)
      cmark_parser_attach_syntax_extension(p, e);
  }
  cmark_parser_feed(p, md, strlen(md));
  cmark_node *doc = cmark_parser_finish(p);
  char *html = cmark_render_html(doc, CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES,
                                 cmark_parser_get_syntax_extensions(p));
  char *copy = html ? strdup(html) : NULL;
  cmark_get_default_mem_allocator()->free(html);
  cmark_node_free(doc);
  cmark_parser_free(p);
  return copy;
}
