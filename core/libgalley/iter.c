/* Enter/exit iteration over a subtree, and queries built on it. */
#include <string.h>

#include "private.h"

GALLEY_API void galley_iter_init(galley_iter *it, galley_node *root) {
  it->root = root;
  it->node = NULL;
  it->event = GALLEY_EVENT_NONE;
  it->next_node = root;
  it->next_event = root ? GALLEY_EVENT_ENTER : GALLEY_EVENT_DONE;
}

void iter_step(const galley_node *root, const galley_node *n, galley_event ev,
               const galley_node **next, galley_event *next_ev) {
  if (ev == GALLEY_EVENT_DONE || !n) {
    *next = NULL;
    *next_ev = GALLEY_EVENT_DONE;
  } else if (ev == GALLEY_EVENT_ENTER && !galley_kind_is_leaf(n->kind)) {
    *next = n->first ? n->first : n;
    *next_ev = n->first ? GALLEY_EVENT_ENTER : GALLEY_EVENT_EXIT;
  } else if (n == root) {
    *next = NULL;
    *next_ev = GALLEY_EVENT_DONE;
  } else if (n->next) {
    *next = n->next;
    *next_ev = GALLEY_EVENT_ENTER;
  } else if (n->parent) {
    *next = n->parent;
    *next_ev = GALLEY_EVENT_EXIT;
  } else {
    *next = NULL;
    *next_ev = GALLEY_EVENT_DONE;
  }
}

/* Works out what follows (node, event) before the caller sees it, so the
 * caller may unlink the node it was given. The nodes are the caller's,
 * reached from its mutable root. */
static void roll_forward(galley_iter *it) {
  const galley_node *next;
  iter_step(it->root, it->node, it->event, &next, &it->next_event);
  it->next_node = (galley_node *)next;
}

GALLEY_API galley_event galley_iter_next(galley_iter *it) {
  it->node = it->next_node;
  it->event = it->next_event;
  roll_forward(it);
  return it->event;
}

GALLEY_API galley_node *galley_iter_node(const galley_iter *it) {
  return it->node;
}
GALLEY_API galley_event galley_iter_event(const galley_iter *it) {
  return it->event;
}

GALLEY_API void galley_iter_reset(galley_iter *it, galley_node *node,
                                  galley_event event) {
  it->node = node;
  it->event = event;
  roll_forward(it);
}

GALLEY_API char *galley_node_text(galley_doc *doc, const galley_node *node) {
  if (!doc || !node)
    return NULL;
  /* The arena gets one string of the right size: the first pass copies
   * into `small` as long as the text fits there (a byline, a heading: most
   * texts asked for), else a second pass copies once it is measured. */
  char small[256];
  size_t total = 0;
  char *out = NULL;
  for (int pass = 0; pass < 2; pass++) {
    size_t pos = 0;
    galley_iter it;
    galley_iter_init(&it, (galley_node *)node);
    galley_event ev;
    while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
      if (ev != GALLEY_EVENT_ENTER)
        continue;
      galley_node *n = galley_iter_node(&it);
      const char *s = NULL;
      size_t len = 0;
      switch (n->kind) {
      case GALLEY_NODE_TEXT:
      case GALLEY_NODE_CODE:
      case GALLEY_NODE_CODE_BLOCK:
        s = n->literal ? n->literal : "";
        len = strlen(s);
        break;
      case GALLEY_NODE_SOFT_BREAK:
      case GALLEY_NODE_LINE_BREAK:
        s = " ";
        len = 1;
        break;
      default: break;
      }
      if (pass == 1 && len)
        memcpy(out + pos, s, len);
      else if (len && pos + len <= sizeof small)
        memcpy(small + pos, s, len);
      pos += len;
    }
    if (pass == 0) {
      total = pos;
      out = arena_alloc(&doc->arena, total + 1);
      if (!out)
        return NULL;
      if (total <= sizeof small) {
        memcpy(out, small, total);
        break;
      }
    }
  }
  out[total] = '\0';
  return out;
}

GALLEY_API galley_node *galley_node_find(const galley_node *node,
                                         galley_kind kind) {
  galley_iter it;
  galley_iter_init(&it, (galley_node *)node);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE)
    if (ev == GALLEY_EVENT_ENTER && galley_iter_node(&it)->kind == kind)
      return galley_iter_node(&it);
  return NULL;
}

GALLEY_API size_t galley_node_max_depth(const galley_node *node) {
  size_t depth = 0, max = 0;
  galley_iter it;
  galley_iter_init(&it, (galley_node *)node);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER) {
      if (depth > max)
        max = depth;
      if (!galley_kind_is_leaf(n->kind))
        depth++;
    } else if (ev == GALLEY_EVENT_EXIT) {
      depth--;
    }
  }
  return max;
}

GALLEY_API galley_node *galley_node_copy_shallow(galley_doc *dst,
                                                 const galley_node *s) {
  if (!dst || !s)
    return NULL;
  galley_node *n = galley_doc_new_node(dst, s->kind);
  if (!n)
    return NULL;
  n->line = s->line;
  n->num1 = s->num1;
  n->num2 = s->num2;
  n->flags = s->flags;
  const char **fields[] = {&n->literal, &n->str1, &n->str2,
                           &n->tag,     &n->id,   &n->classes};
  const char *values[] = {s->literal, s->str1, s->str2,
                          s->tag,     s->id,   s->classes};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    if (!values[i])
      continue;
    *fields[i] = arena_strndup(&dst->arena, values[i], (size_t)-1);
    if (!*fields[i])
      return NULL;
  }
  for (size_t i = 0; i < s->n_attrs; i++)
    if (galley_node_set_attr(n, s->attrs[i].key, s->attrs[i].value))
      return NULL;
  return n;
}

GALLEY_API galley_node *galley_node_copy(galley_doc *dst,
                                         const galley_node *src) {
  if (!dst || !src)
    return NULL;
  galley_node *root = NULL, *cur = NULL;
  galley_iter it;
  galley_iter_init(&it, (galley_node *)src);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *s = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_EXIT) {
      if (s != src)
        cur = cur->parent;
      continue;
    }
    galley_node *n = galley_node_copy_shallow(dst, s);
    if (!n)
      return NULL;
    if (!root)
      root = n;
    else if (galley_node_append_child(cur, n) != GALLEY_OK)
      return NULL;
    if (!galley_kind_is_leaf(s->kind))
      cur = n;
  }
  return root;
}
