/* The document tree: nodes, attributes, metadata, resources, iteration. */
#ifndef GALLEY_TREE_H
#define GALLEY_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Node kinds. Blocks come first, then inlines, so that "is block" and
 * "is inline" are range tests. New kinds are only ever added at the end of
 * their range's reserved space (the numbers are part of the ABI).
 */
typedef enum galley_kind {
  GALLEY_NODE_NONE = 0,

  /* Blocks */
  GALLEY_NODE_DOCUMENT = 1,
  GALLEY_NODE_DIV, /* generic container; keeps tag, id, classes */
  GALLEY_NODE_PARAGRAPH,
  GALLEY_NODE_HEADING, /* level 1-6 */
  GALLEY_NODE_BLOCK_QUOTE,
  GALLEY_NODE_LIST,       /* ordered, start, tight */
  GALLEY_NODE_ITEM,       /* task state */
  GALLEY_NODE_CODE_BLOCK, /* info string, literal */
  GALLEY_NODE_RAW_BLOCK,  /* format, literal */
  GALLEY_NODE_THEMATIC_BREAK,
  GALLEY_NODE_TABLE,
  GALLEY_NODE_TABLE_ROW,  /* part: head, body, foot */
  GALLEY_NODE_TABLE_CELL, /* header, align, colspan, rowspan */
  GALLEY_NODE_FIGURE,
  GALLEY_NODE_CAPTION, /* of a FIGURE or a TABLE */
  GALLEY_NODE_DEFINITION_LIST,
  GALLEY_NODE_TERM,
  GALLEY_NODE_DEFINITION,
  GALLEY_NODE_FOOTNOTE, /* a footnote's definition; label */

  /* Inlines */
  GALLEY_NODE_TEXT = 32, /* literal */
  GALLEY_NODE_SOFT_BREAK,
  GALLEY_NODE_LINE_BREAK,
  GALLEY_NODE_EMPH,
  GALLEY_NODE_STRONG,
  GALLEY_NODE_STRIKE,
  GALLEY_NODE_SUPERSCRIPT,
  GALLEY_NODE_SUBSCRIPT,
  GALLEY_NODE_CODE,         /* literal */
  GALLEY_NODE_LINK,         /* url, title */
  GALLEY_NODE_IMAGE,        /* url, title; children are the alt text */
  GALLEY_NODE_FOOTNOTE_REF, /* label */
  GALLEY_NODE_RAW_INLINE,   /* format, literal */
  GALLEY_NODE_SPAN,         /* generic inline container; tag, id, classes */
} galley_kind;

#define GALLEY_NODE_FIRST_BLOCK GALLEY_NODE_DOCUMENT
#define GALLEY_NODE_LAST_BLOCK GALLEY_NODE_FOOTNOTE
#define GALLEY_NODE_FIRST_INLINE GALLEY_NODE_TEXT
#define GALLEY_NODE_LAST_INLINE GALLEY_NODE_SPAN

typedef enum galley_align {
  GALLEY_ALIGN_NONE = 0,
  GALLEY_ALIGN_LEFT,
  GALLEY_ALIGN_CENTER,
  GALLEY_ALIGN_RIGHT,
} galley_align;

typedef enum galley_row_part {
  GALLEY_ROW_BODY = 0,
  GALLEY_ROW_HEAD,
  GALLEY_ROW_FOOT,
} galley_row_part;

typedef enum galley_task {
  GALLEY_TASK_NONE = 0, /* not a task item */
  GALLEY_TASK_OPEN,     /* [ ] */
  GALLEY_TASK_DONE,     /* [x] */
} galley_task;

typedef struct galley_doc galley_doc;
typedef struct galley_node galley_node;

/* ---- Kinds ------------------------------------------------------------ */

/** The lower-case name of a kind ("paragraph", "table_cell"); "none" if
 * unknown. */
GALLEY_EXPORT const char *galley_kind_name(galley_kind kind);
/** The kind named by `name` (as galley_kind_name spells it), or
 * GALLEY_NODE_NONE. */
GALLEY_EXPORT galley_kind galley_kind_from_name(const char *name);
GALLEY_EXPORT bool galley_kind_is_block(galley_kind kind);
GALLEY_EXPORT bool galley_kind_is_inline(galley_kind kind);
/** True when a node of kind `child` may be a child of a node of kind `parent`.
 */
GALLEY_EXPORT bool galley_kind_can_contain(galley_kind parent,
                                           galley_kind child);

/* ---- Documents -------------------------------------------------------- */

/**
 * A new empty document whose root is a DOCUMENT node. Every node and string
 * of the document lives in its arena and is freed by galley_doc_free.
 * Returns NULL when out of memory.
 */
GALLEY_EXPORT galley_doc *galley_doc_new(void);
/** Frees the document, every node made by it and every string it holds. */
GALLEY_EXPORT void galley_doc_free(galley_doc *doc);
/**
 * Says that `doc` will be kept a while beside many others, as a batch
 * keeps the pages of its first pass for the second: the memory its tree
 * takes from now on comes from a pool shared by such documents, backed by
 * huge pages where the system gives them (one page fault per 2 MiB, not
 * per 4 KiB), and returned to the system when the last of them is freed.
 * Only the speed changes. Since 0.2.0.
 */
GALLEY_EXPORT void galley_doc_set_long_lived(galley_doc *doc);
/**
 * The root DOCUMENT node. Writers receive a const document: they must not
 * change it through this pointer.
 */
GALLEY_EXPORT galley_node *galley_doc_root(const galley_doc *doc);
/** A new detached node of `kind`, owned by `doc`; NULL when out of memory. */
GALLEY_EXPORT galley_node *galley_doc_new_node(galley_doc *doc,
                                               galley_kind kind);
/** A new detached TEXT node holding a copy of `text` (len bytes, or strlen if
 * len is (size_t)-1). */
GALLEY_EXPORT galley_node *galley_doc_new_text(galley_doc *doc,
                                               const char *text, size_t len);
/** `size` bytes from the document's arena (zeroed, aligned); NULL on failure.
 */
GALLEY_EXPORT void *galley_doc_alloc(galley_doc *doc, size_t size);
/** A NUL-terminated copy of `len` bytes of `s` in the arena ((size_t)-1:
 * strlen). */
GALLEY_EXPORT char *galley_doc_strndup(galley_doc *doc, const char *s,
                                       size_t len);
/** Where relative links and images are resolved from (a directory or URL). */
GALLEY_EXPORT int galley_doc_set_base(galley_doc *doc, const char *base);
GALLEY_EXPORT const char *galley_doc_get_base(const galley_doc *doc);

/* ---- Metadata ----------------------------------------------------------
 * Metadata is an ordered list of key/value strings. Keys may repeat (an
 * article has several authors). Well-known keys: */
#define GALLEY_META_TITLE "title"
#define GALLEY_META_SUBTITLE "subtitle"
#define GALLEY_META_AUTHOR "author"       /* repeatable */
#define GALLEY_META_DATE "date"           /* ISO 8601 */
#define GALLEY_META_LANGUAGE "language"   /* BCP 47 */
#define GALLEY_META_PUBLISHER "publisher" /* publisher or site name */
#define GALLEY_META_SOURCE "source"       /* credited source, e.g. an agency */
#define GALLEY_META_URL "url"             /* the article's canonical URL */
#define GALLEY_META_DESCRIPTION "description"
#define GALLEY_META_IDENTIFIER "identifier"
#define GALLEY_META_KEYWORD "keyword" /* repeatable */
#define GALLEY_META_COVER "cover"     /* a resource name */

/** The first value of `key`, or NULL. */
GALLEY_EXPORT const char *galley_doc_get_meta(const galley_doc *doc,
                                              const char *key);
/** How many values `key` has. */
GALLEY_EXPORT size_t galley_doc_meta_count(const galley_doc *doc,
                                           const char *key);
/** The `i`th value of `key` (0-based), or NULL. */
GALLEY_EXPORT const char *galley_doc_meta_value(const galley_doc *doc,
                                                const char *key, size_t i);
/** Replaces every value of `key` with `value` (copied). */
GALLEY_EXPORT int galley_doc_set_meta(galley_doc *doc, const char *key,
                                      const char *value);
/** Appends one more value of `key` (copied). */
GALLEY_EXPORT int galley_doc_add_meta(galley_doc *doc, const char *key,
                                      const char *value);
/** Removes every value of `key`. */
GALLEY_EXPORT void galley_doc_remove_meta(galley_doc *doc, const char *key);
/** Number of metadata entries, all keys together, in insertion order. */
GALLEY_EXPORT size_t galley_doc_meta_size(const galley_doc *doc);
/** Entry `i` of all metadata; returns false when out of range. */
GALLEY_EXPORT bool galley_doc_meta_entry(const galley_doc *doc, size_t i,
                                         const char **key, const char **value);

/* ---- Resources -------------------------------------------------------- */

/** A file the document carries (an image, a font). Owned by the document and
 * handed out by const pointer only; may grow at its end. */
typedef struct galley_resource {
  const char *name;       /* unique within the document, e.g. "images/a.png" */
  const char *media_type; /* "image/png" */
  const unsigned char *data;
  size_t size;
} galley_resource;

/** Adds a copy of `size` bytes as resource `name`; replaces one of the same
 * name. */
GALLEY_EXPORT int galley_doc_add_resource(galley_doc *doc, const char *name,
                                          const char *media_type,
                                          const void *data, size_t size);
GALLEY_EXPORT size_t galley_doc_resource_count(const galley_doc *doc);
/** Resource `i`, or NULL. Valid until the document is freed. */
GALLEY_EXPORT const galley_resource *
galley_doc_resource_at(const galley_doc *doc, size_t i);
/** The resource called `name`, or NULL. */
GALLEY_EXPORT const galley_resource *
galley_doc_find_resource(const galley_doc *doc, const char *name);

/* ---- Nodes: navigation ------------------------------------------------ */

GALLEY_EXPORT galley_kind galley_node_kind(const galley_node *node);
GALLEY_EXPORT galley_doc *galley_node_doc(const galley_node *node);
GALLEY_EXPORT galley_node *galley_node_parent(const galley_node *node);
GALLEY_EXPORT galley_node *galley_node_first_child(const galley_node *node);
GALLEY_EXPORT galley_node *galley_node_last_child(const galley_node *node);
GALLEY_EXPORT galley_node *galley_node_next(const galley_node *node);
GALLEY_EXPORT galley_node *galley_node_prev(const galley_node *node);
GALLEY_EXPORT size_t galley_node_child_count(const galley_node *node);
/** Depth below the root (the root is 0). */
GALLEY_EXPORT size_t galley_node_depth(const galley_node *node);

/* ---- Nodes: edits -------------------------------------------------------
 * Every edit is checked against galley_kind_can_contain and refuses, with
 * GALLEY_EINVALID, to build a broken tree: a node from another document, a
 * node inside its own subtree, a block in an inline. A node that is already
 * in the tree is unlinked first. unlink never frees. */

GALLEY_EXPORT int galley_node_append_child(galley_node *parent,
                                           galley_node *child);
GALLEY_EXPORT int galley_node_prepend_child(galley_node *parent,
                                            galley_node *child);
GALLEY_EXPORT int galley_node_insert_before(galley_node *node,
                                            galley_node *sibling);
GALLEY_EXPORT int galley_node_insert_after(galley_node *node,
                                           galley_node *sibling);
/** Puts `replacement` where `node` is and unlinks `node`. */
GALLEY_EXPORT int galley_node_replace(galley_node *node,
                                      galley_node *replacement);
/** Detaches `node` (and its subtree) from its parent and siblings. */
GALLEY_EXPORT void galley_node_unlink(galley_node *node);
/** Puts detached, empty `wrapper` where `node` is and moves `node` into it. */
GALLEY_EXPORT int galley_node_wrap(galley_node *node, galley_node *wrapper);
/** Moves the children of `node` into its place and unlinks `node`. */
GALLEY_EXPORT int galley_node_unwrap(galley_node *node);

/* ---- Nodes: fields ------------------------------------------------------
 * Setters copy strings into the document's arena; getters borrow (valid until
 * the document is freed) and return NULL or 0 for a field the kind lacks.
 * A setter on a kind without that field returns GALLEY_EINVALID. */

/** TEXT, CODE, CODE_BLOCK, RAW_BLOCK, RAW_INLINE. */
GALLEY_EXPORT const char *galley_node_get_literal(const galley_node *node);
GALLEY_EXPORT int galley_node_set_literal(galley_node *node, const char *text);
GALLEY_EXPORT int galley_node_set_literal_n(galley_node *node, const char *text,
                                            size_t len);
/** HEADING: 1-6. */
GALLEY_EXPORT int galley_node_get_level(const galley_node *node);
GALLEY_EXPORT int galley_node_set_level(galley_node *node, int level);
/** LIST. */
GALLEY_EXPORT bool galley_node_get_list_ordered(const galley_node *node);
GALLEY_EXPORT int galley_node_set_list_ordered(galley_node *node, bool ordered);
GALLEY_EXPORT int galley_node_get_list_start(const galley_node *node);
GALLEY_EXPORT int galley_node_set_list_start(galley_node *node, int start);
GALLEY_EXPORT bool galley_node_get_list_tight(const galley_node *node);
GALLEY_EXPORT int galley_node_set_list_tight(galley_node *node, bool tight);
/** ITEM. */
GALLEY_EXPORT galley_task galley_node_get_task(const galley_node *node);
GALLEY_EXPORT int galley_node_set_task(galley_node *node, galley_task task);
/** CODE_BLOCK: the info string ("c", "python linenos"). */
GALLEY_EXPORT const char *galley_node_get_info(const galley_node *node);
GALLEY_EXPORT int galley_node_set_info(galley_node *node, const char *info);
/** RAW_BLOCK, RAW_INLINE: the raw content's format ("html", "latex"). */
GALLEY_EXPORT const char *galley_node_get_format(const galley_node *node);
GALLEY_EXPORT int galley_node_set_format(galley_node *node, const char *format);
/** LINK, IMAGE. */
GALLEY_EXPORT const char *galley_node_get_url(const galley_node *node);
GALLEY_EXPORT int galley_node_set_url(galley_node *node, const char *url);
GALLEY_EXPORT const char *galley_node_get_title(const galley_node *node);
GALLEY_EXPORT int galley_node_set_title(galley_node *node, const char *title);
/** FOOTNOTE, FOOTNOTE_REF. */
GALLEY_EXPORT const char *galley_node_get_label(const galley_node *node);
GALLEY_EXPORT int galley_node_set_label(galley_node *node, const char *label);
/** TABLE_ROW. */
GALLEY_EXPORT galley_row_part galley_node_get_row_part(const galley_node *node);
GALLEY_EXPORT int galley_node_set_row_part(galley_node *node,
                                           galley_row_part part);
/** TABLE_CELL. colspan and rowspan are at least 1. */
GALLEY_EXPORT bool galley_node_get_cell_header(const galley_node *node);
GALLEY_EXPORT int galley_node_set_cell_header(galley_node *node, bool header);
GALLEY_EXPORT galley_align galley_node_get_cell_align(const galley_node *node);
GALLEY_EXPORT int galley_node_set_cell_align(galley_node *node,
                                             galley_align align);
GALLEY_EXPORT int galley_node_get_colspan(const galley_node *node);
GALLEY_EXPORT int galley_node_set_colspan(galley_node *node, int span);
GALLEY_EXPORT int galley_node_get_rowspan(const galley_node *node);
GALLEY_EXPORT int galley_node_set_rowspan(galley_node *node, int span);
/** Source line the node started on (1-based), 0 when unknown. Any kind. */
GALLEY_EXPORT int galley_node_get_line(const galley_node *node);
GALLEY_EXPORT void galley_node_set_line(galley_node *node, int line);

/* ---- Nodes: attributes (any kind) ---------------------------------------
 * tag: the source element name ("nav", "aside") that a reader saw;
 * id; classes: space-separated; and any other key/value pairs in order. */

GALLEY_EXPORT const char *galley_node_get_tag(const galley_node *node);
GALLEY_EXPORT int galley_node_set_tag(galley_node *node, const char *tag);
GALLEY_EXPORT const char *galley_node_get_id(const galley_node *node);
GALLEY_EXPORT int galley_node_set_id(galley_node *node, const char *id);
GALLEY_EXPORT const char *galley_node_get_classes(const galley_node *node);
GALLEY_EXPORT int galley_node_set_classes(galley_node *node,
                                          const char *classes);
/** True when `cls` is one of the node's space-separated classes. */
GALLEY_EXPORT bool galley_node_has_class(const galley_node *node,
                                         const char *cls);
/** Value of attribute `key`, or NULL. */
GALLEY_EXPORT const char *galley_node_get_attr(const galley_node *node,
                                               const char *key);
/** Sets (or with value NULL removes) attribute `key`. */
GALLEY_EXPORT int galley_node_set_attr(galley_node *node, const char *key,
                                       const char *value);
GALLEY_EXPORT size_t galley_node_attr_count(const galley_node *node);
/** Attribute `i` in insertion order; false when out of range. */
GALLEY_EXPORT bool galley_node_attr_at(const galley_node *node, size_t i,
                                       const char **key, const char **value);

/* ---- Queries ------------------------------------------------------------ */

/**
 * The concatenated text of the node's subtree (TEXT, CODE literals; breaks
 * as one space), allocated in the document's arena. NULL when out of memory.
 */
GALLEY_EXPORT char *galley_node_text(galley_doc *doc, const galley_node *node);
/** The first node of `kind` in the subtree of `node` (itself included) in
 * document order. */
GALLEY_EXPORT galley_node *galley_node_find(const galley_node *node,
                                            galley_kind kind);
/** The deepest nesting below `node` (a leaf gives 0); iterative, never
 * recursive. */
GALLEY_EXPORT size_t galley_node_max_depth(const galley_node *node);
/**
 * A deep copy of `src` and its subtree (every field and attribute) made in
 * `dst`, which may be another document; detached. Iterative. NULL when out
 * of memory.
 */
GALLEY_EXPORT galley_node *galley_node_copy(galley_doc *dst,
                                            const galley_node *src);
/**
 * A copy of `src` alone (every field, the source line and every
 * attribute, but no children) made in `dst`; detached. For a copy that
 * changes nodes on the way. NULL when out of memory.
 */
GALLEY_EXPORT galley_node *galley_node_copy_shallow(galley_doc *dst,
                                                    const galley_node *src);

/* ---- Iteration -----------------------------------------------------------
 * Like cmark's iterator: each container is entered and exited, each leaf is
 * only entered. Modify a node only after its EXIT (or the ENTER of a leaf).
 *
 *   galley_iter it;
 *   galley_iter_init(&it, galley_doc_root(doc));
 *   galley_event ev;
 *   while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
 *     galley_node *n = galley_iter_node(&it);
 *     ...
 *   }
 */
typedef enum galley_event {
  GALLEY_EVENT_NONE = 0,
  GALLEY_EVENT_DONE,
  GALLEY_EVENT_ENTER,
  GALLEY_EVENT_EXIT,
} galley_event;

/** Iterator state; a plain value, no allocation. Fields are private. The
 * successor is computed before the current node is handed out (as cmark
 * does), so unlinking the current node after its EXIT is safe. Frozen:
 * callers allocate it, so its size never changes (plugin.h, "How the ABI
 * changes"). */
typedef struct galley_iter {
  galley_node *root;
  galley_node *node;
  galley_event event;
  galley_node *next_node;
  galley_event next_event;
} galley_iter;

GALLEY_EXPORT void galley_iter_init(galley_iter *it, galley_node *root);
GALLEY_EXPORT galley_event galley_iter_next(galley_iter *it);
GALLEY_EXPORT galley_node *galley_iter_node(const galley_iter *it);
GALLEY_EXPORT galley_event galley_iter_event(const galley_iter *it);
/** Continues from `node` as if `event` had just been returned for it. */
GALLEY_EXPORT void galley_iter_reset(galley_iter *it, galley_node *node,
                                     galley_event event);
/** True for kinds that are only ever entered (no EXIT event). */
GALLEY_EXPORT bool galley_kind_is_leaf(galley_kind kind);

/* ---- The read-only view (writers) ---------------------------------------
 * A writer is handed `const galley_doc *` and must leave it as it is: with
 * these it walks the tree through const nodes only, so that the compiler
 * refuses a change (galley_doc_root and galley_iter hand out mutable nodes,
 * for readers and transforms), and it takes text into a buffer of its own
 * rather than into the document's arena (galley_node_text allocates
 * there). Every accessor of tree.h that takes a const node (kind, fields,
 * attributes, galley_node_find) works in the view too.
 *
 *   galley_citer it;
 *   galley_citer_init(&it, galley_doc_root_const(doc));
 *   galley_event ev;
 *   while ((ev = galley_citer_next(&it)) != GALLEY_EVENT_DONE) {
 *     const galley_node *n = galley_citer_node(&it);
 *     ...
 *   }
 */
GALLEY_EXPORT const galley_node *galley_doc_root_const(const galley_doc *doc);
GALLEY_EXPORT const galley_node *galley_node_parent_const(const galley_node *node);
GALLEY_EXPORT const galley_node *
galley_node_first_child_const(const galley_node *node);
GALLEY_EXPORT const galley_node *
galley_node_last_child_const(const galley_node *node);
GALLEY_EXPORT const galley_node *galley_node_next_const(const galley_node *node);
GALLEY_EXPORT const galley_node *galley_node_prev_const(const galley_node *node);

/** The const iterator: galley_iter's walk over const nodes. A plain value,
 *  no allocation; fields private; frozen like galley_iter. */
typedef struct galley_citer {
  const galley_node *root;
  const galley_node *node;
  galley_event event;
  const galley_node *next_node;
  galley_event next_event;
} galley_citer;

GALLEY_EXPORT void galley_citer_init(galley_citer *it, const galley_node *root);
GALLEY_EXPORT galley_event galley_citer_next(galley_citer *it);
GALLEY_EXPORT const galley_node *galley_citer_node(const galley_citer *it);
/** Continues from `node` as if `event` had just been returned for it:
 *  (n, GALLEY_EVENT_EXIT) after the ENTER of n skips n's children. */
GALLEY_EXPORT void galley_citer_reset(galley_citer *it,
                                      const galley_node *node,
                                      galley_event event);

/**
 * Appends the text of `node`'s subtree to `out`, the caller's buffer, as
 * galley_node_text gives it (TEXT, CODE and CODE_BLOCK literals; a break
 * as one space); `out` is NUL-terminated after. GALLEY_OK or
 * GALLEY_ENOMEM.
 */
GALLEY_EXPORT int galley_node_text_buf(const galley_node *node,
                                       galley_buf *out);

/**
 * The footnote labelled `label`, or NULL. A FOOTNOTE node (its label, its
 * blocks as children) stands where its source put it: the markdown reader
 * appends them to the root, after the blocks; the html and epub readers
 * leave a page's notes where the page had them (a box of references, the
 * end of a chapter). This finds one wherever it is; the first of two with
 * one label wins. A writer finds a reference's note with this (an index
 * made on the first call and again after the tree changed: constant time
 * a lookup). Safe from several threads while nothing changes the
 * document.
 */
GALLEY_EXPORT const galley_node *galley_doc_footnote(const galley_doc *doc,
                                                     const char *label);

/**
 * Finds the notes below `root` by their shape and makes them footnotes, for
 * a reader whose source marks notes in its own way (a web page, a book's
 * chapters). Each note becomes a FOOTNOTE where it stands (labelled with
 * its id; an ITEM's note follows its list) and each link to it a
 * FOOTNOTE_REF (with the <sup> around it when it holds nothing else).
 *
 * A note is a paragraph, list item or box with an id that is marked as one
 * (class footnote, endnote or rearnote, role doc-footnote or doc-endnote,
 * or inside a box of class footnotes or endnotes or role doc-endnotes), or
 * that a link showing a note's mark ("1", "[2]", "(a)", "*", a dagger)
 * points to, where the link says it is a reference (role doc-noteref, class
 * noteref), or the block links back to the link (its id or its <sup>'s),
 * or the block's id names a note ("note-1", "fn2", "footnote_3",
 * "endnote-4", "en5"). A box straight under `root` is not a note (a book's
 * chapter). A link with a note's mark to a FOOTNOTE already in the tree
 * becomes a reference to it. In each note the link back to its reference
 * goes ("↩", "↑", "^" at its end; a leading "3." that links back), and so
 * does a rule in a box of notes.
 *
 * GALLEY_OK, GALLEY_EINVALID (no document or root) or GALLEY_ENOMEM (the
 * tree may then be part done, and still well formed).
 */
GALLEY_EXPORT int galley_doc_find_notes(galley_doc *doc, galley_node *root);

/**
 * The number a note is shown with: 1 for the first note referred to, in
 * the order the references come, then the notes nothing refers to, in the
 * order they stand (wherever they are in the tree). 0 for a label that no
 * reference or note has, or when out of memory. Made on the first call and
 * again after the tree changed, as galley_doc_footnote's index; the same
 * threads rule.
 */
GALLEY_EXPORT size_t galley_doc_note_number(const galley_doc *doc,
                                            const char *label);

#ifdef __cplusplus
}
#endif
#endif
