/* Article text for scoring: one block a paragraph, no link references. */
#include "plaintext.h"

#include <stdbool.h>
#include <stdlib.h>

/* The text of a block's inlines; without image alt text when `no_alt`. */
static void inline_text(galley_node *block, bool no_alt, FILE *f) {
  galley_iter it;
  galley_iter_init(&it, block);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (k == GALLEY_NODE_IMAGE && no_alt)
      galley_iter_reset(&it, n, GALLEY_EVENT_EXIT);
    else if (k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE ||
             k == GALLEY_NODE_CODE_BLOCK)
      fputs(galley_node_get_literal(n), f);
    else if (k == GALLEY_NODE_SOFT_BREAK || k == GALLEY_NODE_LINE_BREAK)
      fputc(' ', f);
  }
}

/* Plain text of a tree: one block a paragraph, no link references (what
 * the scorer's ground truth is like). BP_NOCAP=1 leaves out captions and
 * image alt text, to measure what they cost. */
void plaintext_write(galley_doc *doc, FILE *f) {
  bool nocap = getenv("BP_NOCAP") != NULL, noalt = nocap || getenv("BP_NOALT");
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    galley_kind k = galley_node_kind(n);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    if (k == GALLEY_NODE_CAPTION && nocap) {
      galley_iter_reset(&it, n, GALLEY_EVENT_EXIT);
      continue;
    }
    bool inl = false;
    for (galley_node *c = galley_node_first_child(n); c;
         c = galley_node_next(c))
      if (galley_kind_is_inline(galley_node_kind(c)))
        inl = true;
    if (k == GALLEY_NODE_PARAGRAPH || k == GALLEY_NODE_HEADING ||
        k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_TERM || inl) {
      inline_text(n, noalt, f);
      fputs("\n\n", f);
      if (!galley_kind_is_leaf(k))
        galley_iter_reset(&it, n, GALLEY_EVENT_EXIT);
    }
  }
}
