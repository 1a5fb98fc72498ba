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

/* Open addressing over the FOOTNOTE nodes, wherever they stand, keyed by
 * label; made at edit count `edits`. */
struct numbered {
  const char *label; /* NULL: empty */
  size_t number;
};

struct note_index {
  size_t edits;
  size_t cap; /* a power of two */
  const galley_node **slot;
  /* Numbers by label, made on the first galley_doc_note_number call. */
  size_t numcap; /* a power of two, or 0 before */
  struct numbered *num;
};

void note_index_free(struct note_index *idx) {
  if (!idx)
    return;
  free(idx->slot);
  free(idx->num);
  free(idx);
}

size_t label_hash(const char *s) {
  size_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* The next FOOTNOTE after `c` in document order (the first with `c`
 * NULL), wherever it stands; notes are not looked into for notes. */
static const galley_node *next_note(const galley_doc *doc, galley_citer *it,
                                    const galley_node *c) {
  if (!c)
    galley_citer_init(it, doc->root);
  galley_event ev;
  while ((ev = galley_citer_next(it)) != GALLEY_EVENT_DONE) {
    const galley_node *x = galley_citer_node(it);
    if (ev == GALLEY_EVENT_ENTER && x->kind == GALLEY_NODE_FOOTNOTE) {
      galley_citer_reset(it, x, GALLEY_EVENT_EXIT);
      return x;
    }
  }
  return NULL;
}

static struct note_index *note_index_build(const galley_doc *doc) {
  size_t n = 0;
  galley_citer it;
  for (const galley_node *c = next_note(doc, &it, NULL); c;
       c = next_note(doc, &it, c))
    n += c->str1 != NULL;
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
  for (const galley_node *c = next_note(doc, &it, NULL); c;
       c = next_note(doc, &it, c)) {
    if (!c->str1)
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
    galley_citer it;
    for (const galley_node *c = next_note(d, &it, NULL); c && !found;
         c = next_note(d, &it, c))
      if (c->str1 && strcmp(c->str1, label) == 0)
        found = c;
  }
  pthread_mutex_unlock(&d->notes_lock);
  return found;
}

/* ---- Note numbers in the order of first references ---- */

static struct numbered *number_slot(struct numbered *num, size_t cap,
                                    const char *label) {
  size_t i = label_hash(label) & (cap - 1);
  while (num[i].label && strcmp(num[i].label, label) != 0)
    i = (i + 1) & (cap - 1);
  return &num[i];
}

/* Every label of a reference or a note below the root, numbered: the
 * references' in the order they come, then the notes no reference has. */
static bool number_notes(const galley_doc *doc, struct note_index *idx) {
  size_t n = 0;
  galley_citer it;
  galley_event ev;
  galley_citer_init(&it, doc->root);
  while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
    const galley_node *x = galley_citer_node(&it);
    n += ev == GALLEY_EVENT_ENTER && x->str1 &&
         (x->kind == GALLEY_NODE_FOOTNOTE_REF ||
          x->kind == GALLEY_NODE_FOOTNOTE);
  }
  size_t cap = 8;
  while (cap < 2 * n + 2)
    cap *= 2;
  struct numbered *num = calloc(cap, sizeof *num);
  if (!num)
    return false;
  size_t next = 0;
  for (int pass = 0; pass < 2; pass++) {
    galley_kind want = pass ? GALLEY_NODE_FOOTNOTE : GALLEY_NODE_FOOTNOTE_REF;
    galley_citer_init(&it, doc->root);
    while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
      const galley_node *x = galley_citer_node(&it);
      if (ev != GALLEY_EVENT_ENTER || x->kind != want || !x->str1)
        continue;
      struct numbered *e = number_slot(num, cap, x->str1);
      if (!e->label) {
        e->label = x->str1;
        e->number = ++next;
      }
    }
  }
  idx->num = num;
  idx->numcap = cap;
  return true;
}

GALLEY_API size_t galley_doc_note_number(const galley_doc *doc,
                                         const char *label) {
  if (!doc || !label)
    return 0;
  galley_doc *d = (galley_doc *)doc; /* the index is a cache, not the tree */
  size_t number = 0;
  pthread_mutex_lock(&d->notes_lock);
  if (!d->notes || d->notes->edits != d->edits) {
    note_index_free(d->notes);
    d->notes = note_index_build(d);
  }
  if (d->notes && (d->notes->num || number_notes(d, d->notes))) {
    const struct numbered *e =
        number_slot(d->notes->num, d->notes->numcap, label);
    number = e->label ? e->number : 0;
  }
  pthread_mutex_unlock(&d->notes_lock);
  return number;
}
