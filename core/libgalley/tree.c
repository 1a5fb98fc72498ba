/* The document tree: kinds, containment rules, nodes, fields and edits. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

enum { F_ORDERED = 1u << 0, F_TIGHT = 1u << 1, F_HEADER = 1u << 2 };

/* ---- Kinds ---- */

static const char *const kind_names[] = {
    [GALLEY_NODE_NONE] = "none",
    [GALLEY_NODE_DOCUMENT] = "document",
    [GALLEY_NODE_DIV] = "div",
    [GALLEY_NODE_PARAGRAPH] = "paragraph",
    [GALLEY_NODE_HEADING] = "heading",
    [GALLEY_NODE_BLOCK_QUOTE] = "block_quote",
    [GALLEY_NODE_LIST] = "list",
    [GALLEY_NODE_ITEM] = "item",
    [GALLEY_NODE_CODE_BLOCK] = "code_block",
    [GALLEY_NODE_RAW_BLOCK] = "raw_block",
    [GALLEY_NODE_THEMATIC_BREAK] = "thematic_break",
    [GALLEY_NODE_TABLE] = "table",
    [GALLEY_NODE_TABLE_ROW] = "table_row",
    [GALLEY_NODE_TABLE_CELL] = "table_cell",
    [GALLEY_NODE_FIGURE] = "figure",
    [GALLEY_NODE_CAPTION] = "caption",
    [GALLEY_NODE_DEFINITION_LIST] = "definition_list",
    [GALLEY_NODE_TERM] = "term",
    [GALLEY_NODE_DEFINITION] = "definition",
    [GALLEY_NODE_FOOTNOTE] = "footnote",
    [GALLEY_NODE_TEXT] = "text",
    [GALLEY_NODE_SOFT_BREAK] = "soft_break",
    [GALLEY_NODE_LINE_BREAK] = "line_break",
    [GALLEY_NODE_EMPH] = "emph",
    [GALLEY_NODE_STRONG] = "strong",
    [GALLEY_NODE_STRIKE] = "strike",
    [GALLEY_NODE_SUPERSCRIPT] = "superscript",
    [GALLEY_NODE_SUBSCRIPT] = "subscript",
    [GALLEY_NODE_CODE] = "code",
    [GALLEY_NODE_LINK] = "link",
    [GALLEY_NODE_IMAGE] = "image",
    [GALLEY_NODE_FOOTNOTE_REF] = "footnote_ref",
    [GALLEY_NODE_RAW_INLINE] = "raw_inline",
    [GALLEY_NODE_SPAN] = "span",
};
#define N_KIND_NAMES (sizeof kind_names / sizeof kind_names[0])

GALLEY_API bool galley_kind_is_block(galley_kind k) {
  return k >= GALLEY_NODE_FIRST_BLOCK && k <= GALLEY_NODE_LAST_BLOCK;
}

GALLEY_API bool galley_kind_is_inline(galley_kind k) {
  return k >= GALLEY_NODE_FIRST_INLINE && k <= GALLEY_NODE_LAST_INLINE;
}

static bool kind_valid(galley_kind k) {
  return galley_kind_is_block(k) || galley_kind_is_inline(k);
}

GALLEY_API const char *galley_kind_name(galley_kind k) {
  if (!kind_valid(k))
    return "none";
  return kind_names[k];
}

GALLEY_API galley_kind galley_kind_from_name(const char *name) {
  if (!name)
    return GALLEY_NODE_NONE;
  for (size_t i = 1; i < N_KIND_NAMES; i++)
    if (kind_names[i] && strcmp(kind_names[i], name) == 0)
      return (galley_kind)i;
  return GALLEY_NODE_NONE;
}

GALLEY_API bool galley_kind_is_leaf(galley_kind k) {
  switch (k) {
  case GALLEY_NODE_CODE_BLOCK:
  case GALLEY_NODE_RAW_BLOCK:
  case GALLEY_NODE_THEMATIC_BREAK:
  case GALLEY_NODE_TEXT:
  case GALLEY_NODE_SOFT_BREAK:
  case GALLEY_NODE_LINE_BREAK:
  case GALLEY_NODE_CODE:
  case GALLEY_NODE_FOOTNOTE_REF:
  case GALLEY_NODE_RAW_INLINE: return true;
  default: return !kind_valid(k);
  }
}

/* Blocks that may stand in the flow of a document, a div, a quote, an item. */
static bool is_flow_block(galley_kind k) {
  switch (k) {
  case GALLEY_NODE_DIV:
  case GALLEY_NODE_PARAGRAPH:
  case GALLEY_NODE_HEADING:
  case GALLEY_NODE_BLOCK_QUOTE:
  case GALLEY_NODE_LIST:
  case GALLEY_NODE_CODE_BLOCK:
  case GALLEY_NODE_RAW_BLOCK:
  case GALLEY_NODE_THEMATIC_BREAK:
  case GALLEY_NODE_TABLE:
  case GALLEY_NODE_FIGURE:
  case GALLEY_NODE_DEFINITION_LIST:
  case GALLEY_NODE_FOOTNOTE: return true;
  default: return false;
  }
}

GALLEY_API bool galley_kind_can_contain(galley_kind parent, galley_kind child) {
  if (!kind_valid(child) || child == GALLEY_NODE_DOCUMENT)
    return false;
  switch (parent) {
  case GALLEY_NODE_DOCUMENT:
  case GALLEY_NODE_DIV:
  case GALLEY_NODE_BLOCK_QUOTE:
  case GALLEY_NODE_ITEM:
  case GALLEY_NODE_DEFINITION:
  case GALLEY_NODE_FOOTNOTE: return is_flow_block(child);
  case GALLEY_NODE_FIGURE:
    return is_flow_block(child) || child == GALLEY_NODE_CAPTION;
  case GALLEY_NODE_TABLE:
    return child == GALLEY_NODE_TABLE_ROW || child == GALLEY_NODE_CAPTION;
  case GALLEY_NODE_TABLE_ROW: return child == GALLEY_NODE_TABLE_CELL;
  case GALLEY_NODE_TABLE_CELL:
  case GALLEY_NODE_CAPTION:
    /* Cells and captions hold either blocks (HTML) or inlines (Markdown). */
    return is_flow_block(child) || galley_kind_is_inline(child);
  case GALLEY_NODE_LIST: return child == GALLEY_NODE_ITEM;
  case GALLEY_NODE_DEFINITION_LIST:
    return child == GALLEY_NODE_TERM || child == GALLEY_NODE_DEFINITION;
  case GALLEY_NODE_PARAGRAPH:
  case GALLEY_NODE_HEADING:
  case GALLEY_NODE_TERM:
  case GALLEY_NODE_EMPH:
  case GALLEY_NODE_STRONG:
  case GALLEY_NODE_STRIKE:
  case GALLEY_NODE_SUPERSCRIPT:
  case GALLEY_NODE_SUBSCRIPT:
  case GALLEY_NODE_LINK:
  case GALLEY_NODE_IMAGE:
  case GALLEY_NODE_SPAN: return galley_kind_is_inline(child);
  default: return false;
  }
}

/* ---- Documents ---- */

GALLEY_API galley_doc *galley_doc_new(void) {
  galley_doc *doc = calloc(1, sizeof *doc);
  if (!doc)
    return NULL;
  arena_init(&doc->arena);
  if (pthread_mutex_init(&doc->notes_lock, NULL) != 0) {
    free(doc);
    return NULL;
  }
  doc->root = galley_doc_new_node(doc, GALLEY_NODE_DOCUMENT);
  if (!doc->root) {
    pthread_mutex_destroy(&doc->notes_lock);
    arena_free(&doc->arena);
    free(doc);
    return NULL;
  }
  return doc;
}

GALLEY_API void galley_doc_set_long_lived(galley_doc *doc) {
  if (doc)
    doc->arena.pooled = true;
}

GALLEY_API void galley_doc_free(galley_doc *doc) {
  if (!doc)
    return;
  arena_free(&doc->arena);
  free(doc->meta);
  free(doc->res);
  note_index_free(doc->notes);
  pthread_mutex_destroy(&doc->notes_lock);
  free(doc);
}

GALLEY_API galley_node *galley_doc_root(const galley_doc *doc) {
  return doc ? doc->root : NULL;
}

GALLEY_API galley_node *galley_doc_new_node(galley_doc *doc, galley_kind kind) {
  if (!doc || !kind_valid(kind))
    return NULL;
  if (doc->node_limit && doc->n_nodes >= doc->node_limit) {
    /* The reader sees what it sees for no memory; the pipeline then
     * reports the limit by name. */
    doc->over_node_limit = true;
    return NULL;
  }
  doc->n_nodes++;
  galley_node *n = arena_alloc(&doc->arena, sizeof *n);
  if (!n)
    return NULL;
  n->doc = doc;
  n->kind = kind;
  switch (kind) {
  case GALLEY_NODE_HEADING: n->num1 = 1; break;
  case GALLEY_NODE_LIST:
    n->num1 = 1;
    n->flags = F_TIGHT;
    break;
  case GALLEY_NODE_TABLE_CELL:
    n->num1 = 1;
    n->num2 = 1;
    break;
  default: break;
  }
  return n;
}

GALLEY_API galley_node *galley_doc_new_text(galley_doc *doc, const char *text,
                                            size_t len) {
  galley_node *n = galley_doc_new_node(doc, GALLEY_NODE_TEXT);
  if (n && galley_node_set_literal_n(n, text ? text : "", text ? len : 0) !=
               GALLEY_OK)
    return NULL;
  return n;
}

GALLEY_API void *galley_doc_alloc(galley_doc *doc, size_t size) {
  return doc ? arena_alloc(&doc->arena, size) : NULL;
}

GALLEY_API char *galley_doc_strndup(galley_doc *doc, const char *s,
                                    size_t len) {
  if (!doc)
    return NULL;
  return arena_strndup(&doc->arena, s ? s : "", s ? len : 0);
}

GALLEY_API int galley_doc_set_base(galley_doc *doc, const char *base) {
  if (!base) {
    doc->base = NULL;
    return GALLEY_OK;
  }
  const char *copy = arena_strndup(&doc->arena, base, (size_t)-1);
  if (!copy)
    return GALLEY_ENOMEM;
  doc->base = copy;
  return GALLEY_OK;
}

GALLEY_API const char *galley_doc_get_base(const galley_doc *doc) {
  return doc->base;
}

/* ---- Navigation ---- */

GALLEY_API galley_kind galley_node_kind(const galley_node *n) {
  return n ? n->kind : GALLEY_NODE_NONE;
}
GALLEY_API galley_doc *galley_node_doc(const galley_node *n) {
  return n ? n->doc : NULL;
}
GALLEY_API galley_node *galley_node_parent(const galley_node *n) {
  return n ? n->parent : NULL;
}
GALLEY_API galley_node *galley_node_first_child(const galley_node *n) {
  return n ? n->first : NULL;
}
GALLEY_API galley_node *galley_node_last_child(const galley_node *n) {
  return n ? n->last : NULL;
}
GALLEY_API galley_node *galley_node_next(const galley_node *n) {
  return n ? n->next : NULL;
}
GALLEY_API galley_node *galley_node_prev(const galley_node *n) {
  return n ? n->prev : NULL;
}

GALLEY_API size_t galley_node_child_count(const galley_node *n) {
  size_t count = 0;
  for (galley_node *c = n ? n->first : NULL; c; c = c->next)
    count++;
  return count;
}

GALLEY_API size_t galley_node_depth(const galley_node *n) {
  size_t depth = 0;
  for (const galley_node *p = n ? n->parent : NULL; p; p = p->parent)
    depth++;
  return depth;
}

/* ---- Edits ---- */

GALLEY_API void galley_node_unlink(galley_node *n) {
  if (!n)
    return;
  if (n->prev)
    n->prev->next = n->next;
  if (n->next)
    n->next->prev = n->prev;
  if (n->parent) {
    if (n->parent->first == n)
      n->parent->first = n->next;
    if (n->parent->last == n)
      n->parent->last = n->prev;
    n->doc->edits++;
  }
  n->parent = n->prev = n->next = NULL;
}

/* Whether `child` may be put under `parent`: same document, allowed kind,
 * and not `parent` itself or one of its ancestors (that would make a cycle). */
static bool can_attach(const galley_node *parent, const galley_node *child) {
  if (!parent || !child || parent->doc != child->doc)
    return false;
  if (!galley_kind_can_contain(parent->kind, child->kind))
    return false;
  if (child == parent)
    return false;
  /* Only a node with children can be an ancestor of `parent`; readers
   * append fresh nodes, so building a deep tree stays linear. */
  if (child->first)
    for (const galley_node *p = parent->parent; p; p = p->parent)
      if (p == child)
        return false;
  return true;
}

/* Links `child`, already unlinked, under `parent` between `prev` and
 * `next`, neighbours there (NULL at either end). */
static void link_between(galley_node *parent, galley_node *child,
                         galley_node *prev, galley_node *next) {
  child->doc->edits++;
  child->parent = parent;
  child->prev = prev;
  child->next = next;
  if (prev)
    prev->next = child;
  else
    parent->first = child;
  if (next)
    next->prev = child;
  else
    parent->last = child;
}

/* Each insertion unlinks first: the node may be a neighbour of where it
 * goes, so the neighbours are read after. */
GALLEY_API int galley_node_append_child(galley_node *parent,
                                        galley_node *child) {
  if (!can_attach(parent, child))
    return GALLEY_EINVALID;
  galley_node_unlink(child);
  link_between(parent, child, parent->last, NULL);
  return GALLEY_OK;
}

GALLEY_API int galley_node_prepend_child(galley_node *parent,
                                         galley_node *child) {
  if (!can_attach(parent, child))
    return GALLEY_EINVALID;
  galley_node_unlink(child);
  link_between(parent, child, NULL, parent->first);
  return GALLEY_OK;
}

GALLEY_API int galley_node_insert_before(galley_node *node,
                                         galley_node *sibling) {
  if (!node || !node->parent || node == sibling ||
      !can_attach(node->parent, sibling))
    return GALLEY_EINVALID;
  galley_node_unlink(sibling);
  link_between(node->parent, sibling, node->prev, node);
  return GALLEY_OK;
}

GALLEY_API int galley_node_insert_after(galley_node *node,
                                        galley_node *sibling) {
  if (!node || !node->parent || node == sibling ||
      !can_attach(node->parent, sibling))
    return GALLEY_EINVALID;
  galley_node_unlink(sibling);
  link_between(node->parent, sibling, node, node->next);
  return GALLEY_OK;
}

GALLEY_API int galley_node_replace(galley_node *node,
                                   galley_node *replacement) {
  if (!node || node == replacement)
    return node ? GALLEY_OK : GALLEY_EINVALID;
  int rc = galley_node_insert_before(node, replacement);
  if (rc != GALLEY_OK)
    return rc;
  galley_node_unlink(node);
  return GALLEY_OK;
}

GALLEY_API int galley_node_wrap(galley_node *node, galley_node *wrapper) {
  if (!node || !wrapper || !node->parent || wrapper->first || wrapper->parent)
    return GALLEY_EINVALID;
  if (!galley_kind_can_contain(wrapper->kind, node->kind))
    return GALLEY_EINVALID;
  int rc = galley_node_insert_before(node, wrapper);
  if (rc != GALLEY_OK)
    return rc;
  return galley_node_append_child(wrapper, node);
}

GALLEY_API int galley_node_unwrap(galley_node *node) {
  if (!node || !node->parent)
    return GALLEY_EINVALID;
  for (galley_node *c = node->first; c; c = c->next)
    if (!galley_kind_can_contain(node->parent->kind, c->kind))
      return GALLEY_EINVALID;
  while (node->first) {
    int rc = galley_node_insert_before(node, node->first);
    if (rc != GALLEY_OK)
      return rc;
  }
  galley_node_unlink(node);
  return GALLEY_OK;
}

/* ---- Fields ---- */

static int set_str(galley_node *n, const char **field, const char *s,
                   size_t len) {
  if (!s) {
    *field = NULL;
    return GALLEY_OK;
  }
  char *copy = arena_strndup(&n->doc->arena, s, len);
  if (!copy)
    return GALLEY_ENOMEM;
  *field = copy;
  return GALLEY_OK;
}

static bool has_literal(galley_kind k) {
  return k == GALLEY_NODE_TEXT || k == GALLEY_NODE_CODE ||
         k == GALLEY_NODE_CODE_BLOCK || k == GALLEY_NODE_RAW_BLOCK ||
         k == GALLEY_NODE_RAW_INLINE;
}

GALLEY_API const char *galley_node_get_literal(const galley_node *n) {
  return n && has_literal(n->kind) ? (n->literal ? n->literal : "") : NULL;
}

GALLEY_API int galley_node_set_literal_n(galley_node *n, const char *s,
                                         size_t len) {
  if (!n || !has_literal(n->kind))
    return GALLEY_EINVALID;
  return set_str(n, &n->literal, s ? s : "", s ? len : 0);
}

GALLEY_API int galley_node_set_literal(galley_node *n, const char *s) {
  return galley_node_set_literal_n(n, s, (size_t)-1);
}

#define IS(n, k) ((n) && (n)->kind == (k))

GALLEY_API int galley_node_get_level(const galley_node *n) {
  return IS(n, GALLEY_NODE_HEADING) ? n->num1 : 0;
}

GALLEY_API int galley_node_set_level(galley_node *n, int level) {
  if (!IS(n, GALLEY_NODE_HEADING) || level < 1 || level > 6)
    return GALLEY_EINVALID;
  n->num1 = level;
  return GALLEY_OK;
}

static int set_flag(galley_node *n, galley_kind kind, unsigned flag, bool on) {
  if (!IS(n, kind))
    return GALLEY_EINVALID;
  n->flags = on ? (n->flags | flag) : (n->flags & ~flag);
  return GALLEY_OK;
}

GALLEY_API bool galley_node_get_list_ordered(const galley_node *n) {
  return IS(n, GALLEY_NODE_LIST) && (n->flags & F_ORDERED);
}
GALLEY_API int galley_node_set_list_ordered(galley_node *n, bool v) {
  return set_flag(n, GALLEY_NODE_LIST, F_ORDERED, v);
}
GALLEY_API bool galley_node_get_list_tight(const galley_node *n) {
  return IS(n, GALLEY_NODE_LIST) && (n->flags & F_TIGHT);
}
GALLEY_API int galley_node_set_list_tight(galley_node *n, bool v) {
  return set_flag(n, GALLEY_NODE_LIST, F_TIGHT, v);
}
GALLEY_API int galley_node_get_list_start(const galley_node *n) {
  return IS(n, GALLEY_NODE_LIST) ? n->num1 : 0;
}
GALLEY_API int galley_node_set_list_start(galley_node *n, int start) {
  if (!IS(n, GALLEY_NODE_LIST) || start < 0)
    return GALLEY_EINVALID;
  n->num1 = start;
  return GALLEY_OK;
}

GALLEY_API galley_task galley_node_get_task(const galley_node *n) {
  return IS(n, GALLEY_NODE_ITEM) ? (galley_task)n->num1 : GALLEY_TASK_NONE;
}
GALLEY_API int galley_node_set_task(galley_node *n, galley_task task) {
  if (!IS(n, GALLEY_NODE_ITEM) || task < GALLEY_TASK_NONE ||
      task > GALLEY_TASK_DONE)
    return GALLEY_EINVALID;
  n->num1 = (int)task;
  return GALLEY_OK;
}

GALLEY_API const char *galley_node_get_info(const galley_node *n) {
  return IS(n, GALLEY_NODE_CODE_BLOCK) ? n->str1 : NULL;
}
GALLEY_API int galley_node_set_info(galley_node *n, const char *info) {
  if (!IS(n, GALLEY_NODE_CODE_BLOCK))
    return GALLEY_EINVALID;
  return set_str(n, &n->str1, info, (size_t)-1);
}

static bool is_raw(const galley_node *n) {
  return IS(n, GALLEY_NODE_RAW_BLOCK) || IS(n, GALLEY_NODE_RAW_INLINE);
}
GALLEY_API const char *galley_node_get_format(const galley_node *n) {
  return is_raw(n) ? n->str1 : NULL;
}
GALLEY_API int galley_node_set_format(galley_node *n, const char *format) {
  if (!is_raw(n))
    return GALLEY_EINVALID;
  return set_str(n, &n->str1, format, (size_t)-1);
}

static bool is_link(const galley_node *n) {
  return IS(n, GALLEY_NODE_LINK) || IS(n, GALLEY_NODE_IMAGE);
}
GALLEY_API const char *galley_node_get_url(const galley_node *n) {
  return is_link(n) ? n->str1 : NULL;
}
GALLEY_API int galley_node_set_url(galley_node *n, const char *url) {
  if (!is_link(n))
    return GALLEY_EINVALID;
  return set_str(n, &n->str1, url, (size_t)-1);
}
GALLEY_API const char *galley_node_get_title(const galley_node *n) {
  return is_link(n) ? n->str2 : NULL;
}
GALLEY_API int galley_node_set_title(galley_node *n, const char *title) {
  if (!is_link(n))
    return GALLEY_EINVALID;
  return set_str(n, &n->str2, title, (size_t)-1);
}

static bool is_note(const galley_node *n) {
  return IS(n, GALLEY_NODE_FOOTNOTE) || IS(n, GALLEY_NODE_FOOTNOTE_REF);
}
GALLEY_API const char *galley_node_get_label(const galley_node *n) {
  return is_note(n) ? n->str1 : NULL;
}
GALLEY_API int galley_node_set_label(galley_node *n, const char *label) {
  if (!is_note(n))
    return GALLEY_EINVALID;
  n->doc->edits++;
  return set_str(n, &n->str1, label, (size_t)-1);
}

GALLEY_API galley_row_part galley_node_get_row_part(const galley_node *n) {
  return IS(n, GALLEY_NODE_TABLE_ROW) ? (galley_row_part)n->num1
                                      : GALLEY_ROW_BODY;
}
GALLEY_API int galley_node_set_row_part(galley_node *n, galley_row_part part) {
  if (!IS(n, GALLEY_NODE_TABLE_ROW) || part < GALLEY_ROW_BODY ||
      part > GALLEY_ROW_FOOT)
    return GALLEY_EINVALID;
  n->num1 = (int)part;
  return GALLEY_OK;
}

GALLEY_API bool galley_node_get_cell_header(const galley_node *n) {
  return IS(n, GALLEY_NODE_TABLE_CELL) && (n->flags & F_HEADER);
}
GALLEY_API int galley_node_set_cell_header(galley_node *n, bool v) {
  return set_flag(n, GALLEY_NODE_TABLE_CELL, F_HEADER, v);
}
GALLEY_API galley_align galley_node_get_cell_align(const galley_node *n) {
  return IS(n, GALLEY_NODE_TABLE_CELL) ? (galley_align)(n->flags >> 8)
                                       : GALLEY_ALIGN_NONE;
}
GALLEY_API int galley_node_set_cell_align(galley_node *n, galley_align align) {
  if (!IS(n, GALLEY_NODE_TABLE_CELL) || align < GALLEY_ALIGN_NONE ||
      align > GALLEY_ALIGN_RIGHT)
    return GALLEY_EINVALID;
  n->flags = (n->flags & 0xffu) | ((unsigned)align << 8);
  return GALLEY_OK;
}
GALLEY_API int galley_node_get_colspan(const galley_node *n) {
  return IS(n, GALLEY_NODE_TABLE_CELL) ? n->num1 : 0;
}
GALLEY_API int galley_node_set_colspan(galley_node *n, int span) {
  if (!IS(n, GALLEY_NODE_TABLE_CELL) || span < 1)
    return GALLEY_EINVALID;
  n->num1 = span;
  return GALLEY_OK;
}
GALLEY_API int galley_node_get_rowspan(const galley_node *n) {
  return IS(n, GALLEY_NODE_TABLE_CELL) ? n->num2 : 0;
}
GALLEY_API int galley_node_set_rowspan(galley_node *n, int span) {
  if (!IS(n, GALLEY_NODE_TABLE_CELL) || span < 1)
    return GALLEY_EINVALID;
  n->num2 = span;
  return GALLEY_OK;
}

GALLEY_API int galley_node_get_line(const galley_node *n) {
  return n ? n->line : 0;
}
GALLEY_API void galley_node_set_line(galley_node *n, int line) {
  if (n)
    n->line = line > 0 ? line : 0;
}

/* ---- Attributes ---- */

GALLEY_API const char *galley_node_get_tag(const galley_node *n) {
  return n ? n->tag : NULL;
}
GALLEY_API int galley_node_set_tag(galley_node *n, const char *tag) {
  return n ? set_str(n, &n->tag, tag, (size_t)-1) : GALLEY_EINVALID;
}
GALLEY_API const char *galley_node_get_id(const galley_node *n) {
  return n ? n->id : NULL;
}
GALLEY_API int galley_node_set_id(galley_node *n, const char *id) {
  return n ? set_str(n, &n->id, id, (size_t)-1) : GALLEY_EINVALID;
}
GALLEY_API const char *galley_node_get_classes(const galley_node *n) {
  return n ? n->classes : NULL;
}
GALLEY_API int galley_node_set_classes(galley_node *n, const char *classes) {
  return n ? set_str(n, &n->classes, classes, (size_t)-1) : GALLEY_EINVALID;
}

GALLEY_API bool galley_node_has_class(const galley_node *n, const char *cls) {
  if (!n || !n->classes || !cls || !*cls)
    return false;
  size_t len = strlen(cls);
  const char *p = n->classes;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
      p++;
    const char *start = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
           *p != '\f')
      p++;
    if ((size_t)(p - start) == len && memcmp(start, cls, len) == 0)
      return true;
  }
  return false;
}

/* Nodes with more attributes than this get a hash of them. */
#define ATTR_INDEX_MIN 16

static size_t attr_hash(const char *key) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 1099511628211ULL;
  return (size_t)(h ^ (h >> 29));
}

/* The index of attribute `key` of `n`, or n->n_attrs when it has none. */
static size_t attr_find(const galley_node *n, const char *key) {
  if (n->attr_index) {
    size_t mask = n->attr_slots - 1;
    for (size_t s = attr_hash(key) & mask;; s = (s + 1) & mask) {
      uint32_t v = n->attr_index[s];
      if (!v)
        return n->n_attrs;
      if (strcmp(n->attrs[v - 1].key, key) == 0)
        return v - 1;
    }
  }
  for (size_t i = 0; i < n->n_attrs; i++)
    if (strcmp(n->attrs[i].key, key) == 0)
      return i;
  return n->n_attrs;
}

/* Makes the hash cover attrs[0 .. n_attrs) with room to add to it (at most
 * half full); arena storage, the old table is left. */
static int attr_index_rebuild(galley_node *n) {
  n->attr_index = NULL; /* without a table, lookups scan: never stale */
  size_t slots = 64;
  while (slots < 2 * (n->n_attrs + 1))
    slots *= 2;
  if (n->n_attrs >= UINT32_MAX - 1 || slots > SIZE_MAX / sizeof(uint32_t))
    return GALLEY_ENOMEM;
  uint32_t *t = arena_alloc(&n->doc->arena, slots * sizeof *t); /* zeroed */
  if (!t)
    return GALLEY_ENOMEM;
  size_t mask = slots - 1;
  for (size_t i = 0; i < n->n_attrs; i++) {
    size_t s = attr_hash(n->attrs[i].key) & mask;
    while (t[s])
      s = (s + 1) & mask;
    t[s] = (uint32_t)(i + 1);
  }
  n->attr_index = t;
  n->attr_slots = slots;
  return GALLEY_OK;
}

GALLEY_API const char *galley_node_get_attr(const galley_node *n,
                                            const char *key) {
  if (!n || !key)
    return NULL;
  size_t i = attr_find(n, key);
  return i < n->n_attrs ? n->attrs[i].value : NULL;
}

GALLEY_API int galley_node_set_attr(galley_node *n, const char *key,
                                    const char *value) {
  if (!n || !key || !*key)
    return GALLEY_EINVALID;
  size_t i = attr_find(n, key);
  if (i < n->n_attrs) {
    if (!value) {
      memmove(&n->attrs[i], &n->attrs[i + 1],
              (n->n_attrs - i - 1) * sizeof *n->attrs);
      n->n_attrs--;
      n->attr_index = NULL; /* indexes moved: rebuilt by the next addition */
      return GALLEY_OK;
    }
    return set_str(n, &n->attrs[i].value, value, (size_t)-1);
  }
  if (!value)
    return GALLEY_OK;
  if (n->n_attrs == n->cap_attrs) {
    /* Attribute arrays live in the arena too; the old one is simply left. */
    size_t ncap = n->cap_attrs ? n->cap_attrs * 2 : 4;
    node_attr *na = arena_alloc(&n->doc->arena, ncap * sizeof *na);
    if (!na)
      return GALLEY_ENOMEM;
    if (n->n_attrs)
      memcpy(na, n->attrs, n->n_attrs * sizeof *na);
    n->attrs = na;
    n->cap_attrs = ncap;
  }
  const char *k = arena_strndup(&n->doc->arena, key, (size_t)-1);
  const char *v = arena_strndup(&n->doc->arena, value, (size_t)-1);
  if (!k || !v)
    return GALLEY_ENOMEM;
  n->attrs[n->n_attrs].key = k;
  n->attrs[n->n_attrs].value = v;
  n->n_attrs++;
  if (n->n_attrs >= ATTR_INDEX_MIN) {
    if (!n->attr_index || 2 * (n->n_attrs + 1) > n->attr_slots)
      return attr_index_rebuild(n);
    size_t mask = n->attr_slots - 1;
    size_t s = attr_hash(k) & mask;
    while (n->attr_index[s])
      s = (s + 1) & mask;
    n->attr_index[s] = (uint32_t)n->n_attrs;
  }
  return GALLEY_OK;
}

GALLEY_API size_t galley_node_attr_count(const galley_node *n) {
  return n ? n->n_attrs : 0;
}

GALLEY_API bool galley_node_attr_at(const galley_node *n, size_t i,
                                    const char **key, const char **value) {
  if (!n || i >= n->n_attrs)
    return false;
  if (key)
    *key = n->attrs[i].key;
  if (value)
    *value = n->attrs[i].value;
  return true;
}
