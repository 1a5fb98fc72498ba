/* The read-only view of a document that writers use: const navigation, a
 * const iterator, text into the caller's buffer and footnotes by label.
 * Nothing here changes the tree or allocates in its arena. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

GALLEY_API const galley_node *galley_doc_root_const(const galley_doc *doc) {
  return doc ? doc->root : NULL;
}
GALLEY_API const galley_node *galley_node_parent_const(const galley_node *n) {
  return n ? n->parent : NULL;
}
GALLEY_API const galley_node *
galley_node_first_child_const(const galley_node *n) {
  return n ? n->first : NULL;
}
GALLEY_API const galley_node *
galley_node_last_child_const(const galley_node *n) {
  return n ? n->last : NULL;
}
GALLEY_API const galley_node *galley_node_next_const(const galley_node *n) {
  return n ? n->next : NULL;
}
GALLEY_API const galley_node *galley_node_prev_const(const galley_node *n) {
  return n ? n->prev : NULL;
}

/* ---- The const iterator: the same walk as galley_iter ---- */

GALLEY_API void galley_citer_init(galley_citer *it, const galley_node *root) {
  it->root = root;
  it->node = NULL;
  it->event = GALLEY_EVENT_NONE;
  it->next_node = root;
  it->next_event = root ? GALLEY_EVENT_ENTER : GALLEY_EVENT_DONE;
}

GALLEY_API galley_event galley_citer_next(galley_citer *it) {
  it->node = it->next_node;
  it->event = it->next_event;
  iter_step(it->root, it->node, it->event, &it->next_node, &it->next_event);
  return it->event;
}

GALLEY_API const galley_node *galley_citer_node(const galley_citer *it) {
  return it->node;
}

GALLEY_API void galley_citer_reset(galley_citer *it, const galley_node *node,
                                   galley_event event) {
  /* As if (node, event) had just been returned: the next call goes on
   * from there. */
  it->next_node = node;
  it->next_event = event;
  galley_citer_next(it);
}

GALLEY_API int galley_node_text_buf(const galley_node *node, galley_buf *out) {
  if (!out)
    return GALLEY_EINVALID;
  if (!node)
    return GALLEY_OK;
  galley_citer it;
  galley_citer_init(&it, node);
  galley_event ev;
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&it);
    if (ev != GALLEY_EVENT_ENTER)
      continue;
    switch (n->kind) {
    case GALLEY_NODE_TEXT:
    case GALLEY_NODE_CODE:
    case GALLEY_NODE_CODE_BLOCK:
      if (n->literal && galley_buf_puts(out, n->literal) != GALLEY_OK)
        return GALLEY_ENOMEM;
      break;
    case GALLEY_NODE_SOFT_BREAK:
    case GALLEY_NODE_LINE_BREAK:
      if (galley_buf_putc(out, ' ') != GALLEY_OK)
        return GALLEY_ENOMEM;
      break;
    default: break;
    }
  }
  /* An empty subtree still leaves a NUL-terminated buffer. */
  return galley_buf_reserve(out, 0);
}

/* ---- Footnotes by label ---- */

/* Open addressing over the FOOTNOTE nodes that are children of the root,
 * keyed by label; made at edit count `edits`. */
struct note_index {
  size_t edits;
  size_t cap; /* a power of two */
  const galley_node **slot;
};

void note_index_free(struct note_index *idx) {
  if (!idx)
    return;
  free(idx->slot);
  free(idx);
}

static size_t label_hash(const char *s) {
  size_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static struct note_index *note_index_build(const galley_doc *doc) {
  size_t n = 0;
  for (const galley_node *c = doc->root->first; c; c = c->next)
    n += c->kind == GALLEY_NODE_FOOTNOTE && c->str1;
  struct note_index *idx = calloc(1, sizeof *idx);
  if (!idx)
    return NULL;
  idx->edits = doc->edits;
  idx->cap = 8;
  while (idx->cap < 2 * n)
    idx->cap *= 2;
  idx->slot = calloc(idx->cap, sizeof *idx->slot);
  if (!idx->slot) {
    free(idx);
    return NULL;
  }
  for (const galley_node *c = doc->root->first; c; c = c->next) {
    if (c->kind != GALLEY_NODE_FOOTNOTE || !c->str1)
      continue;
    size_t i = label_hash(c->str1) & (idx->cap - 1);
    while (idx->slot[i] && strcmp(idx->slot[i]->str1, c->str1) != 0)
      i = (i + 1) & (idx->cap - 1);
    if (!idx->slot[i]) /* the first of a label wins, as in document order */
      idx->slot[i] = c;
  }
  return idx;
}

GALLEY_API const galley_node *galley_doc_footnote(const galley_doc *doc,
                                                  const char *label) {
  if (!doc || !label)
    return NULL;
  galley_doc *d = (galley_doc *)doc; /* the index is a cache, not the tree */
  pthread_mutex_lock(&d->notes_lock);
  if (!d->notes || d->notes->edits != d->edits) {
    note_index_free(d->notes);
    d->notes = note_index_build(d);
  }
  const galley_node *found = NULL;
  if (d->notes) {
    size_t i = label_hash(label) & (d->notes->cap - 1);
    while (d->notes->slot[i]) {
      if (strcmp(d->notes->slot[i]->str1, label) == 0) {
        found = d->notes->slot[i];
        break;
      }
      i = (i + 1) & (d->notes->cap - 1);
    }
  } else {
    /* Out of memory for the index: a scan still answers. */
    for (const galley_node *c = d->root->first; c && !found; c = c->next)
      if (c->kind == GALLEY_NODE_FOOTNOTE && c->str1 &&
          strcmp(c->str1, label) == 0)
        found = c;
  }
  pthread_mutex_unlock(&d->notes_lock);
  return found;
}
