/* Unit tests of the document tree: kinds, containment, edits, fields,
 * attributes, metadata, resources, queries and iteration. */
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <galley/galley.h>

/* ---- Helpers ---- */

static galley_node *mk(galley_doc *doc, galley_kind kind) {
  galley_node *n = galley_doc_new_node(doc, kind);
  assert_non_null(n);
  return n;
}

static galley_node *mk_text(galley_doc *doc, const char *s) {
  galley_node *n = galley_doc_new_text(doc, s, (size_t)-1);
  assert_non_null(n);
  return n;
}

static galley_node *add(galley_node *parent, galley_node *child) {
  assert_int_equal(galley_node_append_child(parent, child), GALLEY_OK);
  return child;
}

static galley_node *add_kind(galley_node *parent, galley_kind kind) {
  return add(parent, mk(galley_node_doc(parent), kind));
}

/* Checks every link between `parent` and its children, both ways, and that
 * the children are exactly `expected` (n of them) in order. */
static void assert_children(const galley_node *parent,
                            galley_node *const *expected, size_t n) {
  assert_int_equal(galley_node_child_count(parent), n);
  galley_node *c = galley_node_first_child(parent);
  galley_node *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    assert_ptr_equal(c, expected[i]);
    assert_ptr_equal(galley_node_parent(c), parent);
    assert_ptr_equal(galley_node_prev(c), prev);
    if (prev)
      assert_ptr_equal(galley_node_next(prev), c);
    prev = c;
    c = galley_node_next(c);
  }
  assert_null(c);
  assert_ptr_equal(galley_node_last_child(parent), prev);
  if (n == 0)
    assert_null(galley_node_first_child(parent));
}

#define CHILDREN(parent, ...)                                                  \
  do {                                                                         \
    galley_node *const expected_[] = {__VA_ARGS__};                            \
    assert_children((parent), expected_,                                       \
                    sizeof expected_ / sizeof expected_[0]);                   \
  } while (0)

#define NO_CHILDREN(parent) assert_children((parent), NULL, 0)

static void assert_detached(const galley_node *n) {
  assert_null(galley_node_parent(n));
  assert_null(galley_node_prev(n));
  assert_null(galley_node_next(n));
}

/* ---- Kinds ---- */

static void every_kind_name_round_trips_through_kind_from_name(void **state) {
  (void)state;
  size_t kinds = 0;
  for (int k = 0; k <= GALLEY_NODE_LAST_INLINE + 8; k++) {
    galley_kind kind = (galley_kind)k;
    bool valid = galley_kind_is_block(kind) || galley_kind_is_inline(kind);
    const char *name = galley_kind_name(kind);
    assert_non_null(name);
    if (!valid) {
      assert_string_equal(name, "none");
      continue;
    }
    kinds++;
    assert_string_not_equal(name, "none");
    assert_int_equal(galley_kind_from_name(name), kind);
  }
  /* 19 blocks and 14 inlines. */
  assert_int_equal(kinds, 33);
  assert_string_equal(galley_kind_name(GALLEY_NODE_TABLE_CELL), "table_cell");
  assert_string_equal(galley_kind_name(GALLEY_NODE_PARAGRAPH), "paragraph");
  assert_int_equal(galley_kind_from_name("bogus"), GALLEY_NODE_NONE);
  assert_int_equal(galley_kind_from_name(""), GALLEY_NODE_NONE);
  assert_int_equal(galley_kind_from_name(NULL), GALLEY_NODE_NONE);
  assert_int_equal(galley_kind_from_name("none"), GALLEY_NODE_NONE);
  assert_int_equal(galley_kind_from_name("Paragraph"), GALLEY_NODE_NONE);
}

static void blocks_and_inlines_are_range_tests(void **state) {
  (void)state;
  for (int k = GALLEY_NODE_FIRST_BLOCK; k <= GALLEY_NODE_LAST_BLOCK; k++) {
    assert_true(galley_kind_is_block((galley_kind)k));
    assert_false(galley_kind_is_inline((galley_kind)k));
  }
  for (int k = GALLEY_NODE_FIRST_INLINE; k <= GALLEY_NODE_LAST_INLINE; k++) {
    assert_true(galley_kind_is_inline((galley_kind)k));
    assert_false(galley_kind_is_block((galley_kind)k));
  }
  assert_false(galley_kind_is_block(GALLEY_NODE_NONE));
  assert_false(galley_kind_is_inline(GALLEY_NODE_NONE));
}

static void leaf_kinds_are_those_without_children(void **state) {
  (void)state;
  const galley_kind leaves[] = {
      GALLEY_NODE_CODE_BLOCK,     GALLEY_NODE_RAW_BLOCK,
      GALLEY_NODE_THEMATIC_BREAK, GALLEY_NODE_TEXT,
      GALLEY_NODE_SOFT_BREAK,     GALLEY_NODE_LINE_BREAK,
      GALLEY_NODE_CODE,           GALLEY_NODE_FOOTNOTE_REF,
      GALLEY_NODE_RAW_INLINE};
  for (size_t i = 0; i < sizeof leaves / sizeof leaves[0]; i++) {
    assert_true(galley_kind_is_leaf(leaves[i]));
    /* A leaf can hold nothing at all. */
    for (int c = GALLEY_NODE_FIRST_BLOCK; c <= GALLEY_NODE_LAST_INLINE; c++)
      assert_false(galley_kind_can_contain(leaves[i], (galley_kind)c));
  }
  const galley_kind containers[] = {
      GALLEY_NODE_DOCUMENT, GALLEY_NODE_DIV,  GALLEY_NODE_PARAGRAPH,
      GALLEY_NODE_LIST,     GALLEY_NODE_EMPH, GALLEY_NODE_LINK,
      GALLEY_NODE_IMAGE,    GALLEY_NODE_SPAN, GALLEY_NODE_TABLE_CELL};
  for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
    assert_false(galley_kind_is_leaf(containers[i]));
}

/* ---- Documents ---- */

static void a_new_document_has_an_empty_document_root(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_non_null(doc);
  galley_node *root = galley_doc_root(doc);
  assert_non_null(root);
  assert_int_equal(galley_node_kind(root), GALLEY_NODE_DOCUMENT);
  assert_ptr_equal(galley_node_doc(root), doc);
  assert_detached(root);
  NO_CHILDREN(root);
  assert_int_equal(galley_node_depth(root), 0);
  assert_int_equal(galley_doc_meta_size(doc), 0);
  assert_int_equal(galley_doc_resource_count(doc), 0);
  assert_null(galley_doc_get_base(doc));
  galley_doc_free(doc);
}

static void new_node_refuses_unknown_kinds(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_null(galley_doc_new_node(doc, GALLEY_NODE_NONE));
  assert_null(galley_doc_new_node(doc, (galley_kind)25));
  assert_null(galley_doc_new_node(doc, (galley_kind)200));
  galley_doc_free(doc);
}

static void base_and_arena_strings_are_copies(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  char buf[] = "articles/today";
  assert_int_equal(galley_doc_set_base(doc, buf), GALLEY_OK);
  buf[0] = 'X';
  assert_string_equal(galley_doc_get_base(doc), "articles/today");
  char *s = galley_doc_strndup(doc, "hello world", 5);
  assert_string_equal(s, "hello");
  s = galley_doc_strndup(doc, "whole", (size_t)-1);
  assert_string_equal(s, "whole");
  unsigned char *zeros = galley_doc_alloc(doc, 100);
  assert_non_null(zeros);
  for (size_t i = 0; i < 100; i++)
    assert_int_equal(zeros[i], 0);
  assert_int_equal((uintptr_t)zeros % sizeof(void *), 0);
  assert_int_equal(galley_doc_set_base(doc, NULL), GALLEY_OK);
  assert_null(galley_doc_get_base(doc));
  galley_doc_free(doc);
}

/* Builds a document that uses every kind once in a legal place. */
static void documents_of_every_kind_can_be_built(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);

  galley_node *div = add_kind(root, GALLEY_NODE_DIV);
  galley_node *h = add_kind(div, GALLEY_NODE_HEADING);
  add(h, mk_text(doc, "Title"));
  galley_node *p = add_kind(div, GALLEY_NODE_PARAGRAPH);
  add(p, mk_text(doc, "a"));
  add_kind(p, GALLEY_NODE_SOFT_BREAK);
  add_kind(p, GALLEY_NODE_LINE_BREAK);
  add(add_kind(p, GALLEY_NODE_EMPH), mk_text(doc, "e"));
  add(add_kind(p, GALLEY_NODE_STRONG), mk_text(doc, "s"));
  add(add_kind(p, GALLEY_NODE_STRIKE), mk_text(doc, "x"));
  add(add_kind(p, GALLEY_NODE_SUPERSCRIPT), mk_text(doc, "2"));
  add(add_kind(p, GALLEY_NODE_SUBSCRIPT), mk_text(doc, "i"));
  add_kind(p, GALLEY_NODE_CODE);
  galley_node *link = add_kind(p, GALLEY_NODE_LINK);
  add(add_kind(link, GALLEY_NODE_IMAGE), mk_text(doc, "alt"));
  add_kind(p, GALLEY_NODE_FOOTNOTE_REF);
  add_kind(p, GALLEY_NODE_RAW_INLINE);
  add(add_kind(p, GALLEY_NODE_SPAN), mk_text(doc, "span"));

  galley_node *quote = add_kind(root, GALLEY_NODE_BLOCK_QUOTE);
  galley_node *list = add_kind(quote, GALLEY_NODE_LIST);
  galley_node *item = add_kind(list, GALLEY_NODE_ITEM);
  add_kind(item, GALLEY_NODE_CODE_BLOCK);
  add_kind(root, GALLEY_NODE_RAW_BLOCK);
  add_kind(root, GALLEY_NODE_THEMATIC_BREAK);

  galley_node *table = add_kind(root, GALLEY_NODE_TABLE);
  add(add_kind(table, GALLEY_NODE_CAPTION), mk_text(doc, "cap"));
  galley_node *row = add_kind(table, GALLEY_NODE_TABLE_ROW);
  add(add_kind(row, GALLEY_NODE_TABLE_CELL), mk_text(doc, "cell"));

  galley_node *fig = add_kind(root, GALLEY_NODE_FIGURE);
  add_kind(fig, GALLEY_NODE_PARAGRAPH);
  add_kind(fig, GALLEY_NODE_CAPTION);

  galley_node *dl = add_kind(root, GALLEY_NODE_DEFINITION_LIST);
  add(add_kind(dl, GALLEY_NODE_TERM), mk_text(doc, "term"));
  add_kind(add_kind(dl, GALLEY_NODE_DEFINITION), GALLEY_NODE_PARAGRAPH);
  add_kind(add_kind(root, GALLEY_NODE_FOOTNOTE), GALLEY_NODE_PARAGRAPH);

  for (int k = GALLEY_NODE_FIRST_BLOCK; k <= GALLEY_NODE_LAST_INLINE; k++) {
    if (!galley_kind_is_block((galley_kind)k) &&
        !galley_kind_is_inline((galley_kind)k))
      continue;
    galley_node *found = galley_node_find(root, (galley_kind)k);
    if (!found)
      fail_msg("no %s node in the document", galley_kind_name((galley_kind)k));
    assert_int_equal(galley_node_kind(found), k);
    assert_ptr_equal(galley_node_doc(found), doc);
  }
  assert_int_equal(galley_node_depth(galley_node_find(root, GALLEY_NODE_IMAGE)),
                   4);
  galley_doc_free(doc);
}

/* ---- Containment ---- */

static void append_child_rejects_block_in_inline(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *emph = mk(doc, GALLEY_NODE_EMPH);
  galley_node *para = mk(doc, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_append_child(emph, para), GALLEY_EINVALID);
  assert_int_equal(galley_node_prepend_child(emph, para), GALLEY_EINVALID);
  NO_CHILDREN(emph);
  assert_detached(para);
  /* Every inline container refuses every block. */
  for (int p = GALLEY_NODE_FIRST_INLINE; p <= GALLEY_NODE_LAST_INLINE; p++)
    for (int c = GALLEY_NODE_FIRST_BLOCK; c <= GALLEY_NODE_LAST_BLOCK; c++)
      assert_false(galley_kind_can_contain((galley_kind)p, (galley_kind)c));
  galley_doc_free(doc);
}

static void append_child_rejects_inline_in_document_and_div(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *text = mk_text(doc, "loose");
  assert_int_equal(galley_node_append_child(galley_doc_root(doc), text),
                   GALLEY_EINVALID);
  galley_node *div = add_kind(galley_doc_root(doc), GALLEY_NODE_DIV);
  assert_int_equal(galley_node_append_child(div, text), GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(div, mk(doc, GALLEY_NODE_EMPH)),
                   GALLEY_EINVALID);
  NO_CHILDREN(div);
  galley_doc_free(doc);
}

static void a_list_holds_only_items(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *list = add_kind(galley_doc_root(doc), GALLEY_NODE_LIST);
  for (int k = GALLEY_NODE_FIRST_BLOCK; k <= GALLEY_NODE_LAST_INLINE; k++) {
    galley_node *n = galley_doc_new_node(doc, (galley_kind)k);
    if (!n)
      continue;
    int rc = galley_node_append_child(list, n);
    assert_int_equal(rc, k == GALLEY_NODE_ITEM ? GALLEY_OK : GALLEY_EINVALID);
  }
  assert_int_equal(galley_node_child_count(list), 1);
  assert_int_equal(galley_node_kind(galley_node_first_child(list)),
                   GALLEY_NODE_ITEM);
  /* An item is not flow content: it cannot stand outside a list. */
  assert_int_equal(
      galley_node_append_child(galley_doc_root(doc), mk(doc, GALLEY_NODE_ITEM)),
      GALLEY_EINVALID);
  galley_doc_free(doc);
}

static void tables_hold_rows_rows_hold_cells_cells_hold_content(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *table = add_kind(galley_doc_root(doc), GALLEY_NODE_TABLE);
  assert_int_equal(
      galley_node_append_child(table, mk(doc, GALLEY_NODE_TABLE_CELL)),
      GALLEY_EINVALID);
  assert_int_equal(
      galley_node_append_child(table, mk(doc, GALLEY_NODE_PARAGRAPH)),
      GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(table, mk_text(doc, "x")),
                   GALLEY_EINVALID);
  galley_node *row = add_kind(table, GALLEY_NODE_TABLE_ROW);
  add_kind(table, GALLEY_NODE_CAPTION);
  assert_int_equal(
      galley_node_append_child(row, mk(doc, GALLEY_NODE_TABLE_ROW)),
      GALLEY_EINVALID);
  assert_int_equal(
      galley_node_append_child(row, mk(doc, GALLEY_NODE_PARAGRAPH)),
      GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(row, mk_text(doc, "x")),
                   GALLEY_EINVALID);
  galley_node *cell = add_kind(row, GALLEY_NODE_TABLE_CELL);
  /* Cells hold blocks (from HTML) or inlines (from Markdown). */
  add_kind(cell, GALLEY_NODE_PARAGRAPH);
  add(cell, mk_text(doc, "inline"));
  assert_int_equal(
      galley_node_append_child(cell, mk(doc, GALLEY_NODE_TABLE_ROW)),
      GALLEY_EINVALID);
  assert_int_equal(
      galley_node_append_child(cell, mk(doc, GALLEY_NODE_TABLE_CELL)),
      GALLEY_EINVALID);
  /* Rows and cells cannot stand in the flow. */
  assert_int_equal(galley_node_append_child(galley_doc_root(doc),
                                            mk(doc, GALLEY_NODE_TABLE_ROW)),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(galley_doc_root(doc),
                                            mk(doc, GALLEY_NODE_TABLE_CELL)),
                   GALLEY_EINVALID);
  galley_doc_free(doc);
}

static void definition_lists_hold_terms_and_definitions(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *dl = add_kind(galley_doc_root(doc), GALLEY_NODE_DEFINITION_LIST);
  add_kind(dl, GALLEY_NODE_TERM);
  add_kind(dl, GALLEY_NODE_DEFINITION);
  assert_int_equal(galley_node_append_child(dl, mk(doc, GALLEY_NODE_ITEM)),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(dl, mk(doc, GALLEY_NODE_PARAGRAPH)),
                   GALLEY_EINVALID);
  /* A term holds inlines, a definition holds blocks. */
  assert_false(
      galley_kind_can_contain(GALLEY_NODE_TERM, GALLEY_NODE_PARAGRAPH));
  assert_true(galley_kind_can_contain(GALLEY_NODE_TERM, GALLEY_NODE_TEXT));
  assert_true(
      galley_kind_can_contain(GALLEY_NODE_DEFINITION, GALLEY_NODE_PARAGRAPH));
  assert_false(
      galley_kind_can_contain(GALLEY_NODE_DEFINITION, GALLEY_NODE_TEXT));
  galley_doc_free(doc);
}

static void a_document_node_is_never_a_child(void **state) {
  (void)state;
  for (int p = GALLEY_NODE_FIRST_BLOCK; p <= GALLEY_NODE_LAST_INLINE; p++)
    assert_false(galley_kind_can_contain((galley_kind)p, GALLEY_NODE_DOCUMENT));
  galley_doc *doc = galley_doc_new();
  galley_doc *other = galley_doc_new();
  galley_node *div = add_kind(galley_doc_root(doc), GALLEY_NODE_DIV);
  assert_int_equal(galley_node_append_child(div, galley_doc_root(doc)),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(div, mk(doc, GALLEY_NODE_DOCUMENT)),
                   GALLEY_EINVALID);
  galley_doc_free(other);
  galley_doc_free(doc);
}

static void appending_an_ancestor_into_its_descendant_is_refused(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *outer = add_kind(root, GALLEY_NODE_DIV);
  galley_node *middle = add_kind(outer, GALLEY_NODE_BLOCK_QUOTE);
  galley_node *inner = add_kind(middle, GALLEY_NODE_DIV);

  assert_int_equal(galley_node_append_child(inner, outer), GALLEY_EINVALID);
  assert_int_equal(galley_node_prepend_child(inner, outer), GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(middle, outer), GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(outer, outer), GALLEY_EINVALID);
  galley_node *p = add_kind(inner, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_insert_before(p, outer), GALLEY_EINVALID);
  assert_int_equal(galley_node_insert_after(p, middle), GALLEY_EINVALID);
  assert_int_equal(galley_node_replace(p, outer), GALLEY_EINVALID);
  assert_int_equal(galley_node_replace(inner, middle), GALLEY_EINVALID);

  /* A node without children cannot go into itself either. */
  galley_node *empty = mk(doc, GALLEY_NODE_DIV);
  assert_int_equal(galley_node_append_child(empty, empty), GALLEY_EINVALID);
  assert_int_equal(galley_node_prepend_child(empty, empty), GALLEY_EINVALID);
  NO_CHILDREN(empty);
  assert_detached(empty);

  /* The tree is what it was. */
  CHILDREN(root, outer);
  CHILDREN(outer, middle);
  CHILDREN(middle, inner);
  CHILDREN(inner, p);
  assert_int_equal(galley_node_max_depth(root), 4);
  galley_doc_free(doc);
}

static void nodes_from_another_document_are_refused(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc *other = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *alien = mk(other, GALLEY_NODE_PARAGRAPH);
  galley_node *alien_text = mk_text(other, "alien");
  galley_node *alien_div = mk(other, GALLEY_NODE_DIV);

  assert_int_equal(galley_node_append_child(root, alien), GALLEY_EINVALID);
  assert_int_equal(galley_node_prepend_child(root, alien), GALLEY_EINVALID);
  assert_int_equal(galley_node_append_child(p, alien_text), GALLEY_EINVALID);
  assert_int_equal(galley_node_insert_before(p, alien), GALLEY_EINVALID);
  assert_int_equal(galley_node_insert_after(p, alien), GALLEY_EINVALID);
  assert_int_equal(galley_node_replace(p, alien), GALLEY_EINVALID);
  assert_int_equal(galley_node_wrap(p, alien_div), GALLEY_EINVALID);
  /* A node of this document cannot go into the other either. */
  assert_int_equal(galley_node_append_child(galley_doc_root(other), p),
                   GALLEY_EINVALID);

  CHILDREN(root, p);
  NO_CHILDREN(galley_doc_root(other));
  assert_detached(alien);
  assert_detached(alien_div);
  galley_doc_free(other);
  galley_doc_free(doc);
}

static void a_refused_edit_leaves_the_node_where_it_was(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p1 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *p2 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *p3 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *emph = add(p1, mk(doc, GALLEY_NODE_EMPH));
  assert_int_equal(galley_node_append_child(emph, p2), GALLEY_EINVALID);
  galley_node *list = add_kind(root, GALLEY_NODE_LIST);
  assert_int_equal(galley_node_append_child(list, p2), GALLEY_EINVALID);
  CHILDREN(root, p1, p2, p3, list);
  galley_doc_free(doc);
}

/* ---- Edits ---- */

static void append_child_links_siblings_both_ways(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *a = mk(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *b = mk(doc, GALLEY_NODE_HEADING);
  galley_node *c = mk(doc, GALLEY_NODE_DIV);
  assert_int_equal(galley_node_append_child(root, a), GALLEY_OK);
  CHILDREN(root, a);
  assert_int_equal(galley_node_append_child(root, b), GALLEY_OK);
  assert_int_equal(galley_node_append_child(root, c), GALLEY_OK);
  CHILDREN(root, a, b, c);
  assert_int_equal(galley_node_depth(c), 1);
  galley_doc_free(doc);
}

static void prepend_child_puts_the_child_first(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *a = mk_text(doc, "a"), *b = mk_text(doc, "b"),
              *c = mk_text(doc, "c");
  assert_int_equal(galley_node_prepend_child(p, c), GALLEY_OK);
  CHILDREN(p, c);
  assert_int_equal(galley_node_prepend_child(p, b), GALLEY_OK);
  assert_int_equal(galley_node_prepend_child(p, a), GALLEY_OK);
  CHILDREN(p, a, b, c);
  galley_doc_free(doc);
}

static void insert_before_and_after_link_siblings_both_ways(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *b = add(p, mk_text(doc, "b"));
  galley_node *a = mk_text(doc, "a"), *c = mk_text(doc, "c");
  galley_node *ab = mk_text(doc, "ab"), *bc = mk_text(doc, "bc");
  assert_int_equal(galley_node_insert_before(b, a),
                   GALLEY_OK); /* before the first */
  CHILDREN(p, a, b);
  assert_int_equal(galley_node_insert_after(b, c),
                   GALLEY_OK); /* after the last */
  CHILDREN(p, a, b, c);
  assert_int_equal(galley_node_insert_before(b, ab),
                   GALLEY_OK); /* in the middle */
  assert_int_equal(galley_node_insert_after(b, bc), GALLEY_OK);
  CHILDREN(p, a, ab, b, bc, c);
  assert_string_equal(galley_node_text(doc, p), "aabbbcc");
  galley_doc_free(doc);
}

static void insert_moves_a_node_already_in_the_tree(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *a = add(p, mk_text(doc, "a"));
  galley_node *b = add(p, mk_text(doc, "b"));
  galley_node *c = add(p, mk_text(doc, "c"));
  assert_int_equal(galley_node_insert_after(c, a), GALLEY_OK);
  CHILDREN(p, b, c, a);
  assert_int_equal(galley_node_insert_before(b, a), GALLEY_OK);
  CHILDREN(p, a, b, c);
  assert_int_equal(galley_node_insert_after(a, c), GALLEY_OK);
  CHILDREN(p, a, c, b);
  assert_int_equal(galley_node_insert_before(c, b), GALLEY_OK);
  CHILDREN(p, a, b, c);
  /* Inserting a node next to itself changes nothing. */
  (void)galley_node_insert_before(b, b);
  (void)galley_node_insert_after(b, b);
  CHILDREN(p, a, b, c);
  galley_doc_free(doc);
}

static void moving_a_node_to_another_parent_unlinks_it_first(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *from = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *to = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *a = add(from, mk_text(doc, "a"));
  galley_node *b = add(from, mk_text(doc, "b"));
  galley_node *c = add(from, mk_text(doc, "c"));
  galley_node *x = add(to, mk_text(doc, "x"));
  assert_int_equal(galley_node_append_child(to, b), GALLEY_OK);
  CHILDREN(from, a, c);
  CHILDREN(to, x, b);
  assert_int_equal(galley_node_prepend_child(to, a), GALLEY_OK);
  CHILDREN(from, c);
  CHILDREN(to, a, x, b);
  assert_int_equal(galley_node_insert_after(x, c), GALLEY_OK);
  NO_CHILDREN(from);
  CHILDREN(to, a, x, c, b);
  galley_doc_free(doc);
}

static void insert_next_to_a_detached_node_is_refused(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *lone = mk(doc, GALLEY_NODE_PARAGRAPH);
  galley_node *other = mk(doc, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_insert_before(lone, other), GALLEY_EINVALID);
  assert_int_equal(galley_node_insert_after(lone, other), GALLEY_EINVALID);
  assert_int_equal(galley_node_insert_before(galley_doc_root(doc), other),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_replace(galley_doc_root(doc), other),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_wrap(lone, mk(doc, GALLEY_NODE_DIV)),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_unwrap(lone), GALLEY_EINVALID);
  assert_detached(lone);
  assert_detached(other);
  galley_doc_free(doc);
}

static void
replace_puts_the_replacement_in_place_and_unlinks_the_node(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *a = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *b = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *c = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *child = add(b, mk_text(doc, "kept"));
  galley_node *h = mk(doc, GALLEY_NODE_HEADING);
  assert_int_equal(galley_node_replace(b, h), GALLEY_OK);
  CHILDREN(root, a, h, c);
  assert_detached(b);
  CHILDREN(b, child); /* the replaced node keeps its subtree */
  /* First and last positions. */
  galley_node *d = mk(doc, GALLEY_NODE_DIV), *e = mk(doc, GALLEY_NODE_DIV);
  assert_int_equal(galley_node_replace(a, d), GALLEY_OK);
  assert_int_equal(galley_node_replace(c, e), GALLEY_OK);
  CHILDREN(root, d, h, e);
  /* Replacing with a node from elsewhere in the tree moves it. */
  galley_node *inner = add_kind(d, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_replace(e, inner), GALLEY_OK);
  CHILDREN(root, d, h, inner);
  NO_CHILDREN(d);
  /* A replacement the parent cannot hold is refused. */
  assert_int_equal(galley_node_replace(h, mk_text(doc, "inline")),
                   GALLEY_EINVALID);
  CHILDREN(root, d, h, inner);
  galley_doc_free(doc);
}

static void unlink_detaches_first_middle_last_and_only_children(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *a = add(p, mk_text(doc, "a"));
  galley_node *b = add(p, mk_text(doc, "b"));
  galley_node *c = add(p, mk_text(doc, "c"));
  galley_node *d = add(p, mk_text(doc, "d"));
  galley_node_unlink(b);
  assert_detached(b);
  CHILDREN(p, a, c, d);
  galley_node_unlink(a);
  assert_detached(a);
  CHILDREN(p, c, d);
  galley_node_unlink(d);
  assert_detached(d);
  CHILDREN(p, c);
  galley_node_unlink(c);
  assert_detached(c);
  NO_CHILDREN(p);
  /* Unlinking a detached node (or NULL) is harmless. */
  galley_node_unlink(c);
  galley_node_unlink(NULL);
  assert_detached(c);
  /* An unlinked subtree stays whole and can be put back. */
  galley_node *emph = add(p, mk(doc, GALLEY_NODE_EMPH));
  galley_node *t = add(emph, mk_text(doc, "t"));
  galley_node_unlink(emph);
  CHILDREN(emph, t);
  assert_int_equal(galley_node_append_child(p, emph), GALLEY_OK);
  CHILDREN(p, emph);
  galley_doc_free(doc);
}

static void wrap_puts_the_wrapper_in_place_with_the_node_inside(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *a = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *b = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *c = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *quote = mk(doc, GALLEY_NODE_BLOCK_QUOTE);
  assert_int_equal(galley_node_wrap(b, quote), GALLEY_OK);
  CHILDREN(root, a, quote, c);
  CHILDREN(quote, b);
  /* Inline wrapping: text inside emph inside a paragraph. */
  galley_node *t1 = add(a, mk_text(doc, "one"));
  galley_node *t2 = add(a, mk_text(doc, "two"));
  galley_node *emph = mk(doc, GALLEY_NODE_EMPH);
  assert_int_equal(galley_node_wrap(t2, emph), GALLEY_OK);
  CHILDREN(a, t1, emph);
  CHILDREN(emph, t2);
  galley_doc_free(doc);
}

static void wrap_refuses_wrappers_that_break_the_tree(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *t = add(p, mk_text(doc, "t"));
  /* A wrapper that cannot hold the node. */
  assert_int_equal(galley_node_wrap(p, mk(doc, GALLEY_NODE_LIST)),
                   GALLEY_EINVALID);
  /* A wrapper the parent cannot hold. */
  assert_int_equal(galley_node_wrap(p, mk(doc, GALLEY_NODE_EMPH)),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_wrap(t, mk(doc, GALLEY_NODE_DIV)),
                   GALLEY_EINVALID);
  /* A wrapper that is not empty, or not detached. */
  galley_node *full = mk(doc, GALLEY_NODE_DIV);
  add_kind(full, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_wrap(p, full), GALLEY_EINVALID);
  galley_node *linked = add_kind(root, GALLEY_NODE_DIV);
  assert_int_equal(galley_node_wrap(p, linked), GALLEY_EINVALID);
  CHILDREN(root, p, linked);
  CHILDREN(p, t);
  galley_doc_free(doc);
}

static void unwrap_moves_the_children_into_place_in_order(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p1 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *div = add_kind(root, GALLEY_NODE_DIV);
  galley_node *p2 = add_kind(div, GALLEY_NODE_PARAGRAPH);
  galley_node *p3 = add_kind(div, GALLEY_NODE_HEADING);
  galley_node *p4 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_unwrap(div), GALLEY_OK);
  CHILDREN(root, p1, p2, p3, p4);
  assert_detached(div);
  NO_CHILDREN(div);
  /* Unwrapping at the ends and an empty node. */
  galley_node *span = add(p1, mk(doc, GALLEY_NODE_SPAN));
  galley_node *t = add(span, mk_text(doc, "t"));
  assert_int_equal(galley_node_unwrap(span), GALLEY_OK);
  CHILDREN(p1, t);
  galley_node *empty = add_kind(root, GALLEY_NODE_DIV);
  assert_int_equal(galley_node_unwrap(empty), GALLEY_OK);
  CHILDREN(root, p1, p2, p3, p4);
  galley_doc_free(doc);
}

static void
unwrap_refuses_when_the_parent_cannot_hold_the_children(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *list = add_kind(root, GALLEY_NODE_LIST);
  galley_node *i1 = add_kind(list, GALLEY_NODE_ITEM);
  galley_node *i2 = add_kind(list, GALLEY_NODE_ITEM);
  assert_int_equal(galley_node_unwrap(list), GALLEY_EINVALID);
  CHILDREN(root, list);
  CHILDREN(list, i1, i2);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_unwrap(p), GALLEY_OK); /* empty: simply goes */
  CHILDREN(root, list);
  galley_doc_free(doc);
}

/* ---- Fields ---- */

static void fields_have_their_defaults(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *h = mk(doc, GALLEY_NODE_HEADING);
  assert_int_equal(galley_node_get_level(h), 1);
  galley_node *list = mk(doc, GALLEY_NODE_LIST);
  assert_int_equal(galley_node_get_list_start(list), 1);
  assert_true(galley_node_get_list_tight(list));
  assert_false(galley_node_get_list_ordered(list));
  galley_node *cell = mk(doc, GALLEY_NODE_TABLE_CELL);
  assert_int_equal(galley_node_get_colspan(cell), 1);
  assert_int_equal(galley_node_get_rowspan(cell), 1);
  assert_false(galley_node_get_cell_header(cell));
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_NONE);
  assert_int_equal(galley_node_get_row_part(mk(doc, GALLEY_NODE_TABLE_ROW)),
                   GALLEY_ROW_BODY);
  assert_int_equal(galley_node_get_task(mk(doc, GALLEY_NODE_ITEM)),
                   GALLEY_TASK_NONE);
  assert_string_equal(galley_node_get_literal(mk(doc, GALLEY_NODE_CODE_BLOCK)),
                      "");
  assert_null(galley_node_get_info(mk(doc, GALLEY_NODE_CODE_BLOCK)));
  assert_null(galley_node_get_url(mk(doc, GALLEY_NODE_LINK)));
  assert_int_equal(galley_node_get_line(h), 0);
  assert_null(galley_node_get_tag(h));
  assert_null(galley_node_get_id(h));
  assert_null(galley_node_get_classes(h));
  assert_int_equal(galley_node_attr_count(h), 0);
  galley_doc_free(doc);
}

static void field_setters_store_copies(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  char buf[32];

  galley_node *h = mk(doc, GALLEY_NODE_HEADING);
  for (int level = 1; level <= 6; level++) {
    assert_int_equal(galley_node_set_level(h, level), GALLEY_OK);
    assert_int_equal(galley_node_get_level(h), level);
  }
  assert_int_equal(galley_node_set_level(h, 0), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_level(h, 7), GALLEY_EINVALID);
  assert_int_equal(galley_node_get_level(h), 6);

  galley_node *list = mk(doc, GALLEY_NODE_LIST);
  assert_int_equal(galley_node_set_list_ordered(list, true), GALLEY_OK);
  assert_int_equal(galley_node_set_list_start(list, 7), GALLEY_OK);
  assert_int_equal(galley_node_set_list_tight(list, false), GALLEY_OK);
  assert_true(galley_node_get_list_ordered(list));
  assert_int_equal(galley_node_get_list_start(list), 7);
  assert_false(galley_node_get_list_tight(list));
  assert_int_equal(galley_node_set_list_start(list, 0),
                   GALLEY_OK); /* "0." is a valid start */
  assert_int_equal(galley_node_get_list_start(list), 0);

  galley_node *item = mk(doc, GALLEY_NODE_ITEM);
  assert_int_equal(galley_node_set_task(item, GALLEY_TASK_DONE), GALLEY_OK);
  assert_int_equal(galley_node_get_task(item), GALLEY_TASK_DONE);
  assert_int_equal(galley_node_set_task(item, (galley_task)9), GALLEY_EINVALID);

  galley_node *code = mk(doc, GALLEY_NODE_CODE_BLOCK);
  strcpy(buf, "python linenos");
  assert_int_equal(galley_node_set_info(code, buf), GALLEY_OK);
  strcpy(buf, "int main(void);\n");
  assert_int_equal(galley_node_set_literal(code, buf), GALLEY_OK);
  memset(buf, 'X', sizeof buf - 1);
  assert_string_equal(galley_node_get_info(code), "python linenos");
  assert_string_equal(galley_node_get_literal(code), "int main(void);\n");

  galley_node *raw = mk(doc, GALLEY_NODE_RAW_INLINE);
  assert_int_equal(galley_node_set_format(raw, "html"), GALLEY_OK);
  assert_int_equal(galley_node_set_literal(raw, "<br>"), GALLEY_OK);
  assert_string_equal(galley_node_get_format(raw), "html");
  galley_node *rawb = mk(doc, GALLEY_NODE_RAW_BLOCK);
  assert_int_equal(galley_node_set_format(rawb, "latex"), GALLEY_OK);
  assert_string_equal(galley_node_get_format(rawb), "latex");

  galley_node *text = mk(doc, GALLEY_NODE_TEXT);
  assert_int_equal(galley_node_set_literal_n(text, "a\0b c", 3), GALLEY_OK);
  assert_memory_equal(galley_node_get_literal(text), "a\0b", 4);
  galley_node *code_inline = mk(doc, GALLEY_NODE_CODE);
  assert_int_equal(galley_node_set_literal(code_inline, "x()"), GALLEY_OK);
  assert_string_equal(galley_node_get_literal(code_inline), "x()");
  galley_node *t = galley_doc_new_text(doc, "abcdef", 3);
  assert_string_equal(galley_node_get_literal(t), "abc");

  const galley_kind links[] = {GALLEY_NODE_LINK, GALLEY_NODE_IMAGE};
  for (size_t i = 0; i < 2; i++) {
    galley_node *l = mk(doc, links[i]);
    assert_int_equal(galley_node_set_url(l, "https://example.org/a?b=c"),
                     GALLEY_OK);
    assert_int_equal(galley_node_set_title(l, "A \"title\""), GALLEY_OK);
    assert_string_equal(galley_node_get_url(l), "https://example.org/a?b=c");
    assert_string_equal(galley_node_get_title(l), "A \"title\"");
    assert_int_equal(galley_node_set_title(l, NULL), GALLEY_OK);
    assert_null(galley_node_get_title(l));
  }
  const galley_kind notes[] = {GALLEY_NODE_FOOTNOTE, GALLEY_NODE_FOOTNOTE_REF};
  for (size_t i = 0; i < 2; i++) {
    galley_node *n = mk(doc, notes[i]);
    assert_int_equal(galley_node_set_label(n, "fn-1"), GALLEY_OK);
    assert_string_equal(galley_node_get_label(n), "fn-1");
  }

  galley_node *row = mk(doc, GALLEY_NODE_TABLE_ROW);
  assert_int_equal(galley_node_set_row_part(row, GALLEY_ROW_HEAD), GALLEY_OK);
  assert_int_equal(galley_node_get_row_part(row), GALLEY_ROW_HEAD);
  assert_int_equal(galley_node_set_row_part(row, (galley_row_part)5),
                   GALLEY_EINVALID);

  galley_node *cell = mk(doc, GALLEY_NODE_TABLE_CELL);
  assert_int_equal(galley_node_set_cell_header(cell, true), GALLEY_OK);
  assert_int_equal(galley_node_set_cell_align(cell, GALLEY_ALIGN_RIGHT),
                   GALLEY_OK);
  assert_int_equal(galley_node_set_colspan(cell, 3), GALLEY_OK);
  assert_int_equal(galley_node_set_rowspan(cell, 2), GALLEY_OK);
  assert_true(galley_node_get_cell_header(cell));
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_RIGHT);
  assert_int_equal(galley_node_get_colspan(cell), 3);
  assert_int_equal(galley_node_get_rowspan(cell), 2);
  /* Header and alignment share storage: changing one keeps the other. */
  assert_int_equal(galley_node_set_cell_header(cell, false), GALLEY_OK);
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_RIGHT);
  assert_int_equal(galley_node_set_cell_align(cell, GALLEY_ALIGN_CENTER),
                   GALLEY_OK);
  assert_int_equal(galley_node_set_cell_header(cell, true), GALLEY_OK);
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_CENTER);
  assert_true(galley_node_get_cell_header(cell));
  assert_int_equal(galley_node_set_colspan(cell, 0), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_rowspan(cell, -1), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_cell_align(cell, (galley_align)9),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_get_colspan(cell), 3);

  galley_node_set_line(h, 42);
  assert_int_equal(galley_node_get_line(h), 42);
  galley_node_set_line(h, -3);
  assert_int_equal(galley_node_get_line(h), 0);
  galley_doc_free(doc);
}

static void setters_on_kinds_without_the_field_return_einvalid(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = mk(doc, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_set_literal(p, "x"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_literal_n(p, "x", 1), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_level(p, 2), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_list_ordered(p, true), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_list_start(p, 3), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_list_tight(p, false), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_task(p, GALLEY_TASK_OPEN), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_info(p, "c"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_format(p, "html"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_url(p, "u"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_title(p, "t"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_label(p, "l"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_row_part(p, GALLEY_ROW_HEAD),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_cell_header(p, true), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_cell_align(p, GALLEY_ALIGN_LEFT),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_colspan(p, 2), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_rowspan(p, 2), GALLEY_EINVALID);
  /* Near misses: kinds that have a similar field but not this one. */
  assert_int_equal(galley_node_set_list_start(mk(doc, GALLEY_NODE_ITEM), 2),
                   GALLEY_EINVALID);
  assert_int_equal(
      galley_node_set_task(mk(doc, GALLEY_NODE_LIST), GALLEY_TASK_DONE),
      GALLEY_EINVALID);
  assert_int_equal(galley_node_set_info(mk(doc, GALLEY_NODE_RAW_BLOCK), "c"),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_format(mk(doc, GALLEY_NODE_CODE_BLOCK), "c"),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_url(mk(doc, GALLEY_NODE_TEXT), "u"),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_label(mk(doc, GALLEY_NODE_LINK), "l"),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_colspan(mk(doc, GALLEY_NODE_TABLE_ROW), 2),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_row_part(mk(doc, GALLEY_NODE_TABLE_CELL),
                                            GALLEY_ROW_HEAD),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_literal(mk(doc, GALLEY_NODE_EMPH), "x"),
                   GALLEY_EINVALID);
  assert_int_equal(galley_node_set_level(NULL, 1), GALLEY_EINVALID);

  /* Getters on the wrong kind return NULL or 0. */
  assert_null(galley_node_get_literal(p));
  assert_int_equal(galley_node_get_level(p), 0);
  assert_int_equal(galley_node_get_list_start(p), 0);
  assert_false(galley_node_get_list_tight(p));
  assert_null(galley_node_get_info(p));
  assert_null(galley_node_get_format(p));
  assert_null(galley_node_get_url(p));
  assert_null(galley_node_get_title(p));
  assert_null(galley_node_get_label(p));
  assert_int_equal(galley_node_get_colspan(p), 0);
  assert_int_equal(galley_node_get_rowspan(p), 0);
  galley_doc_free(doc);
}

/* ---- Attributes ---- */

static void
attributes_keep_insertion_order_replace_in_place_and_remove(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *div = mk(doc, GALLEY_NODE_DIV);
  const char *k, *v;
  assert_int_equal(galley_node_set_attr(div, "data-a", "1"), GALLEY_OK);
  assert_int_equal(galley_node_set_attr(div, "data-b", "2"), GALLEY_OK);
  assert_int_equal(galley_node_set_attr(div, "data-c", "3"), GALLEY_OK);
  assert_int_equal(galley_node_attr_count(div), 3);
  assert_true(galley_node_attr_at(div, 1, &k, &v));
  assert_string_equal(k, "data-b");
  assert_string_equal(v, "2");
  assert_false(galley_node_attr_at(div, 3, &k, &v));

  assert_int_equal(galley_node_set_attr(div, "data-b", "two"), GALLEY_OK);
  assert_int_equal(galley_node_attr_count(div), 3);
  assert_true(galley_node_attr_at(div, 1, &k, &v));
  assert_string_equal(k, "data-b");
  assert_string_equal(v, "two");
  assert_string_equal(galley_node_get_attr(div, "data-b"), "two");

  assert_int_equal(galley_node_set_attr(div, "data-a", NULL), GALLEY_OK);
  assert_int_equal(galley_node_attr_count(div), 2);
  assert_null(galley_node_get_attr(div, "data-a"));
  assert_true(galley_node_attr_at(div, 0, &k, &v));
  assert_string_equal(k, "data-b");
  assert_true(galley_node_attr_at(div, 1, &k, &v));
  assert_string_equal(k, "data-c");
  /* Removing what is not there is fine; an empty key is not. */
  assert_int_equal(galley_node_set_attr(div, "nope", NULL), GALLEY_OK);
  assert_int_equal(galley_node_set_attr(div, "", "x"), GALLEY_EINVALID);
  assert_int_equal(galley_node_set_attr(div, NULL, "x"), GALLEY_EINVALID);
  assert_int_equal(galley_node_attr_count(div), 2);

  /* Many attributes, still in order, with copied strings. */
  char key[32], val[32];
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "k%d", i);
    snprintf(val, sizeof val, "v%d", i);
    assert_int_equal(galley_node_set_attr(div, key, val), GALLEY_OK);
  }
  strcpy(key, "garbage");
  assert_int_equal(galley_node_attr_count(div), 102);
  for (int i = 0; i < 100; i++) {
    assert_true(galley_node_attr_at(div, (size_t)i + 2, &k, &v));
    snprintf(key, sizeof key, "k%d", i);
    snprintf(val, sizeof val, "v%d", i);
    assert_string_equal(k, key);
    assert_string_equal(v, val);
  }
  assert_string_equal(galley_node_get_attr(div, "data-c"), "3");
  galley_doc_free(doc);
}

static void tag_id_and_classes_are_kept_on_any_kind(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *t = mk_text(doc, "x");
  assert_int_equal(galley_node_set_tag(t, "nav"), GALLEY_OK);
  assert_int_equal(galley_node_set_id(t, "main"), GALLEY_OK);
  assert_int_equal(galley_node_set_classes(t, "a b"), GALLEY_OK);
  assert_string_equal(galley_node_get_tag(t), "nav");
  assert_string_equal(galley_node_get_id(t), "main");
  assert_string_equal(galley_node_get_classes(t), "a b");
  assert_int_equal(galley_node_set_id(t, NULL), GALLEY_OK);
  assert_null(galley_node_get_id(t));
  galley_doc_free(doc);
}

static void has_class_matches_whole_classes_among_several(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *div = mk(doc, GALLEY_NODE_DIV);
  assert_false(galley_node_has_class(div, "a"));
  assert_int_equal(
      galley_node_set_classes(div, "  sidebar\tad-box  nav\n footer "),
      GALLEY_OK);
  assert_true(galley_node_has_class(div, "sidebar"));
  assert_true(galley_node_has_class(div, "ad-box"));
  assert_true(galley_node_has_class(div, "nav"));
  assert_true(galley_node_has_class(div, "footer"));
  assert_false(galley_node_has_class(div, "ad"));
  assert_false(galley_node_has_class(div, "box"));
  assert_false(galley_node_has_class(div, "side"));
  assert_false(galley_node_has_class(div, "foot"));
  assert_false(galley_node_has_class(div, "sidebar ad-box"));
  assert_false(galley_node_has_class(div, ""));
  assert_false(galley_node_has_class(div, NULL));
  assert_int_equal(galley_node_set_classes(div, "only"), GALLEY_OK);
  assert_true(galley_node_has_class(div, "only"));
  assert_false(galley_node_has_class(div, "sidebar"));
  galley_doc_free(doc);
}

/* ---- Metadata ---- */

static void assert_meta(const galley_doc *doc, const char *const *pairs,
                        size_t n) {
  assert_int_equal(galley_doc_meta_size(doc), n);
  for (size_t i = 0; i < n; i++) {
    const char *k, *v;
    assert_true(galley_doc_meta_entry(doc, i, &k, &v));
    assert_string_equal(k, pairs[2 * i]);
    assert_string_equal(v, pairs[2 * i + 1]);
  }
  assert_false(galley_doc_meta_entry(doc, n, NULL, NULL));
}

#define META(doc, ...)                                                         \
  do {                                                                         \
    const char *const pairs_[] = {__VA_ARGS__};                                \
    assert_meta((doc), pairs_, sizeof pairs_ / sizeof pairs_[0] / 2);          \
  } while (0)

static void metadata_is_ordered_and_keys_repeat(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  assert_int_equal(galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Ann"),
                   GALLEY_OK);
  assert_int_equal(galley_doc_add_meta(doc, GALLEY_META_TITLE, "On Galleys"),
                   GALLEY_OK);
  assert_int_equal(galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Bob"),
                   GALLEY_OK);
  assert_int_equal(galley_doc_add_meta(doc, GALLEY_META_DATE, "2026-11-27"),
                   GALLEY_OK);
  META(doc, "author", "Ann", "title", "On Galleys", "author", "Bob", "date",
       "2026-11-27");
  assert_int_equal(galley_doc_meta_count(doc, "author"), 2);
  assert_int_equal(galley_doc_meta_count(doc, "keyword"), 0);
  assert_string_equal(galley_doc_get_meta(doc, "author"), "Ann");
  assert_string_equal(galley_doc_meta_value(doc, "author", 0), "Ann");
  assert_string_equal(galley_doc_meta_value(doc, "author", 1), "Bob");
  assert_null(galley_doc_meta_value(doc, "author", 2));
  assert_null(galley_doc_meta_value(doc, "nope", 0));
  /* Values are copies. */
  char buf[] = "Cat";
  assert_int_equal(galley_doc_add_meta(doc, "author", buf), GALLEY_OK);
  buf[0] = 'X';
  assert_string_equal(galley_doc_meta_value(doc, "author", 2), "Cat");
  /* No NULL or empty keys, no NULL values. */
  assert_int_equal(galley_doc_add_meta(doc, "", "x"), GALLEY_EINVALID);
  assert_int_equal(galley_doc_add_meta(doc, NULL, "x"), GALLEY_EINVALID);
  assert_int_equal(galley_doc_add_meta(doc, "k", NULL), GALLEY_EINVALID);
  assert_int_equal(galley_doc_set_meta(doc, "k", NULL), GALLEY_EINVALID);
  assert_int_equal(galley_doc_meta_size(doc), 5);
  galley_doc_free(doc);
}

static void
set_meta_replaces_every_value_keeping_the_first_position(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc_add_meta(doc, "author", "Ann");
  galley_doc_add_meta(doc, "title", "T");
  galley_doc_add_meta(doc, "author", "Bob");
  galley_doc_add_meta(doc, "date", "D");
  galley_doc_add_meta(doc, "author", "Cat");
  assert_int_equal(galley_doc_set_meta(doc, "author", "Dee"), GALLEY_OK);
  META(doc, "author", "Dee", "title", "T", "date", "D");
  assert_int_equal(galley_doc_meta_count(doc, "author"), 1);
  assert_int_equal(galley_doc_set_meta(doc, "date", "E"), GALLEY_OK);
  META(doc, "author", "Dee", "title", "T", "date", "E");
  /* A new key goes at the end. */
  assert_int_equal(galley_doc_set_meta(doc, "language", "fr"), GALLEY_OK);
  META(doc, "author", "Dee", "title", "T", "date", "E", "language", "fr");
  galley_doc_free(doc);
}

static void remove_meta_removes_every_value_of_the_key(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_doc_add_meta(doc, "keyword", "a");
  galley_doc_add_meta(doc, "title", "T");
  galley_doc_add_meta(doc, "keyword", "b");
  galley_doc_add_meta(doc, "url", "u");
  galley_doc_remove_meta(doc, "keyword");
  META(doc, "title", "T", "url", "u");
  galley_doc_remove_meta(doc, "missing");
  galley_doc_remove_meta(doc, NULL);
  META(doc, "title", "T", "url", "u");
  galley_doc_remove_meta(doc, "title");
  galley_doc_remove_meta(doc, "url");
  assert_int_equal(galley_doc_meta_size(doc), 0);
  assert_int_equal(galley_doc_add_meta(doc, "title", "again"), GALLEY_OK);
  META(doc, "title", "again");
  galley_doc_free(doc);
}

static void many_metadata_entries_iterate_in_order(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  char v[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(v, sizeof v, "%d", i);
    assert_int_equal(galley_doc_add_meta(doc, i % 2 ? "keyword" : "author", v),
                     GALLEY_OK);
  }
  assert_int_equal(galley_doc_meta_size(doc), 1000);
  assert_int_equal(galley_doc_meta_count(doc, "keyword"), 500);
  for (size_t i = 0; i < 1000; i++) {
    const char *key, *value;
    assert_true(galley_doc_meta_entry(doc, i, &key, &value));
    snprintf(v, sizeof v, "%zu", i);
    assert_string_equal(value, v);
    assert_string_equal(key, i % 2 ? "keyword" : "author");
  }
  assert_string_equal(galley_doc_meta_value(doc, "keyword", 499), "999");
  galley_doc_free(doc);
}

/* ---- Resources ---- */

static void resources_keep_binary_bytes_with_nul(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  unsigned char bytes[256];
  for (int i = 0; i < 256; i++)
    bytes[i] = (unsigned char)(255 - i);
  bytes[3] = 0;
  assert_int_equal(galley_doc_add_resource(doc, "images/a.png", "image/png",
                                           bytes, sizeof bytes),
                   GALLEY_OK);
  memset(bytes, 0xAA, sizeof bytes); /* the document holds a copy */
  const galley_resource *r = galley_doc_find_resource(doc, "images/a.png");
  assert_non_null(r);
  assert_string_equal(r->name, "images/a.png");
  assert_string_equal(r->media_type, "image/png");
  assert_int_equal(r->size, 256);
  for (int i = 0; i < 256; i++)
    assert_int_equal(r->data[i], i == 3 ? 0 : 255 - i);
  assert_ptr_equal(galley_doc_resource_at(doc, 0), r);
  assert_null(galley_doc_resource_at(doc, 1));
  assert_null(galley_doc_find_resource(doc, "images/b.png"));
  /* An empty resource, and one without a media type. */
  assert_int_equal(galley_doc_add_resource(doc, "empty", "text/plain", NULL, 0),
                   GALLEY_OK);
  assert_int_equal(galley_doc_find_resource(doc, "empty")->size, 0);
  assert_int_equal(galley_doc_add_resource(doc, "blob", NULL, "x", 1),
                   GALLEY_OK);
  assert_non_null(galley_doc_find_resource(doc, "blob")->media_type);
  /* No name, or bytes missing, is refused. */
  assert_int_equal(galley_doc_add_resource(doc, "", "x/y", "x", 1),
                   GALLEY_EINVALID);
  assert_int_equal(galley_doc_add_resource(doc, NULL, "x/y", "x", 1),
                   GALLEY_EINVALID);
  assert_int_equal(galley_doc_add_resource(doc, "n", "x/y", NULL, 5),
                   GALLEY_EINVALID);
  assert_int_equal(galley_doc_resource_count(doc), 3);
  galley_doc_free(doc);
}

static void adding_a_resource_of_the_same_name_replaces_it(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_int_equal(
      galley_doc_add_resource(doc, "cover.jpg", "image/jpeg", "old", 3),
      GALLEY_OK);
  assert_int_equal(galley_doc_add_resource(doc, "other", "text/plain", "o", 1),
                   GALLEY_OK);
  assert_int_equal(
      galley_doc_add_resource(doc, "cover.jpg", "image/png", "newer", 5),
      GALLEY_OK);
  assert_int_equal(galley_doc_resource_count(doc), 2);
  const galley_resource *r = galley_doc_resource_at(doc, 0);
  assert_string_equal(r->name, "cover.jpg");
  assert_string_equal(r->media_type, "image/png");
  assert_int_equal(r->size, 5);
  assert_memory_equal(r->data, "newer", 5);
  assert_ptr_equal(galley_doc_find_resource(doc, "cover.jpg"), r);
  galley_doc_free(doc);
}

static void resource_pointers_stay_valid_after_adding_1000_more(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_int_equal(
      galley_doc_add_resource(doc, "first", "image/gif", "GIF89a", 6),
      GALLEY_OK);
  const galley_resource *first = galley_doc_find_resource(doc, "first");
  const char *name = first->name;
  const unsigned char *data = first->data;
  char rn[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(rn, sizeof rn, "r%04d", i);
    assert_int_equal(galley_doc_add_resource(
                         doc, rn, "application/octet-stream", rn, strlen(rn)),
                     GALLEY_OK);
  }
  assert_int_equal(galley_doc_resource_count(doc), 1001);
  assert_ptr_equal(galley_doc_find_resource(doc, "first"), first);
  assert_ptr_equal(first->name, name);
  assert_ptr_equal(first->data, data);
  assert_string_equal(first->name, "first");
  assert_memory_equal(first->data, "GIF89a", 6);
  const galley_resource *r = galley_doc_find_resource(doc, "r0999");
  assert_non_null(r);
  assert_memory_equal(r->data, "r0999", 5);
  galley_doc_free(doc);
}

/* ---- Queries ---- */

static void
node_text_concatenates_text_and_code_with_breaks_as_spaces(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  add(p, mk_text(doc, "Hello"));
  add_kind(p, GALLEY_NODE_SOFT_BREAK);
  add(add_kind(p, GALLEY_NODE_EMPH), mk_text(doc, "big"));
  add_kind(p, GALLEY_NODE_LINE_BREAK);
  galley_node *code = add_kind(p, GALLEY_NODE_CODE);
  galley_node_set_literal(code, "x()");
  assert_string_equal(galley_node_text(doc, p), "Hello big x()");
  galley_node *p2 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  assert_string_equal(galley_node_text(doc, p2), "");
  add(p2, mk_text(doc, "!"));
  assert_string_equal(galley_node_text(doc, root), "Hello big x()!");
  assert_string_equal(galley_node_text(doc, galley_node_first_child(p2)), "!");
  galley_doc_free(doc);
}

static void node_find_returns_the_first_match_in_document_order(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *div = add_kind(root, GALLEY_NODE_DIV);
  galley_node *p1 = add_kind(div, GALLEY_NODE_PARAGRAPH);
  galley_node *deep = add(p1, mk(doc, GALLEY_NODE_LINK));
  galley_node *p2 = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_node *shallow = add(p2, mk(doc, GALLEY_NODE_LINK));
  assert_ptr_equal(galley_node_find(root, GALLEY_NODE_LINK), deep);
  assert_ptr_equal(galley_node_find(p2, GALLEY_NODE_LINK), shallow);
  assert_ptr_equal(galley_node_find(root, GALLEY_NODE_DOCUMENT), root);
  assert_ptr_equal(galley_node_find(p1, GALLEY_NODE_PARAGRAPH), p1);
  assert_null(galley_node_find(root, GALLEY_NODE_TABLE));
  /* The search stays inside the subtree. */
  assert_null(galley_node_find(p1, GALLEY_NODE_DIV));
  assert_ptr_equal(galley_node_find(div, GALLEY_NODE_LINK), deep);
  assert_null(galley_node_find(deep, GALLEY_NODE_PARAGRAPH));
  galley_doc_free(doc);
}

static void
a_chain_of_100000_nested_divs_is_measured_without_recursion(void **state) {
  (void)state;
  enum { DEPTH = 100000 };
  galley_doc *doc = galley_doc_new();
  galley_node *parent = galley_doc_root(doc);
  for (int i = 0; i < DEPTH; i++)
    parent = add_kind(parent, GALLEY_NODE_DIV);
  galley_node *p = add_kind(parent, GALLEY_NODE_PARAGRAPH);
  galley_node *t = add(p, mk_text(doc, "bottom"));
  galley_node *root = galley_doc_root(doc);
  assert_int_equal(galley_node_max_depth(root), DEPTH + 2);
  assert_int_equal(galley_node_max_depth(t), 0);
  assert_int_equal(galley_node_depth(t), DEPTH + 2);
  assert_ptr_equal(galley_node_find(root, GALLEY_NODE_TEXT), t);
  assert_null(galley_node_find(root, GALLEY_NODE_TABLE));
  assert_string_equal(galley_node_text(doc, root), "bottom");
  size_t enters = 0, exits = 0;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    if (ev == GALLEY_EVENT_ENTER)
      enters++;
    else if (ev == GALLEY_EVENT_EXIT)
      exits++;
  }
  assert_int_equal(enters, DEPTH + 3);
  assert_int_equal(exits, DEPTH + 2); /* the text leaf is only entered */
  galley_doc_free(doc);
}

/* A hostile input may nest 100,000 deep before the depth limit is checked
 * (after reading): building such a chain top-down must stay linear. The
 * bound is generous; a linear build takes milliseconds even under ASan. */
static void building_a_100000_deep_chain_takes_linear_time(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *parent = galley_doc_root(doc);
  clock_t start = clock();
  for (int i = 0; i < 100000; i++)
    parent = add_kind(parent, GALLEY_NODE_BLOCK_QUOTE);
  double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
  galley_doc_free(doc);
  if (seconds > 2.0)
    fail_msg(
        "building 100,000 nested nodes took %.1f s: each append is O(depth)",
        seconds);
}

static void max_depth_of_a_leaf_or_an_empty_container_is_zero(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  assert_int_equal(galley_node_max_depth(galley_doc_root(doc)), 0);
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_max_depth(galley_doc_root(doc)), 1);
  add(p, mk_text(doc, "x"));
  assert_int_equal(galley_node_max_depth(galley_doc_root(doc)), 2);
  assert_int_equal(galley_node_max_depth(p), 1);
  galley_doc_free(doc);
}

/* ---- Copies ---- */

static void
node_copy_copies_every_field_and_attribute_into_another_document(void **state) {
  (void)state;
  galley_doc *src = galley_doc_new();
  galley_node *root = galley_doc_root(src);
  galley_node *table = add_kind(root, GALLEY_NODE_TABLE);
  galley_node_set_id(table, "t1");
  galley_node_set_classes(table, "wide data");
  galley_node_set_tag(table, "table");
  galley_node_set_attr(table, "data-x", "1");
  galley_node_set_attr(table, "summary", "numbers");
  galley_node_set_line(table, 12);
  galley_node *row = add_kind(table, GALLEY_NODE_TABLE_ROW);
  galley_node_set_row_part(row, GALLEY_ROW_HEAD);
  galley_node *cell = add_kind(row, GALLEY_NODE_TABLE_CELL);
  galley_node_set_cell_header(cell, true);
  galley_node_set_cell_align(cell, GALLEY_ALIGN_CENTER);
  galley_node_set_colspan(cell, 2);
  galley_node_set_rowspan(cell, 3);
  galley_node *link = add(cell, mk(src, GALLEY_NODE_LINK));
  galley_node_set_url(link, "https://example.org/");
  galley_node_set_title(link, "Example");
  add(link, mk_text(src, "example"));
  galley_node *list = add_kind(root, GALLEY_NODE_LIST);
  galley_node_set_list_ordered(list, true);
  galley_node_set_list_start(list, 4);
  galley_node_set_list_tight(list, false);
  galley_node *item = add_kind(list, GALLEY_NODE_ITEM);
  galley_node_set_task(item, GALLEY_TASK_DONE);
  galley_node *code = add_kind(item, GALLEY_NODE_CODE_BLOCK);
  galley_node_set_info(code, "c");
  galley_node_set_literal(code, "int x;\n");
  galley_node *h = add_kind(root, GALLEY_NODE_HEADING);
  galley_node_set_level(h, 3);
  galley_node *raw = add(h, mk(src, GALLEY_NODE_RAW_INLINE));
  galley_node_set_format(raw, "html");
  galley_node_set_literal(raw, "<wbr>");
  galley_node *note = add(h, mk(src, GALLEY_NODE_FOOTNOTE_REF));
  galley_node_set_label(note, "n1");

  galley_doc *dst = galley_doc_new();
  galley_node *copy = galley_node_copy(dst, root);
  assert_non_null(copy);
  assert_ptr_equal(galley_node_doc(copy), dst);
  assert_detached(copy);
  assert_int_equal(galley_node_kind(copy), GALLEY_NODE_DOCUMENT);

  /* Walk both trees side by side: same shape, kinds and fields. */
  galley_iter a, b;
  galley_iter_init(&a, root);
  galley_iter_init(&b, copy);
  galley_event ea, eb;
  size_t nodes = 0;
  while ((ea = galley_iter_next(&a)) != GALLEY_EVENT_DONE) {
    eb = galley_iter_next(&b);
    assert_int_equal(ea, eb);
    galley_node *x = galley_iter_node(&a), *y = galley_iter_node(&b);
    assert_ptr_not_equal(x, y);
    assert_ptr_equal(galley_node_doc(y), dst);
    assert_int_equal(galley_node_kind(x), galley_node_kind(y));
    if (ea != GALLEY_EVENT_ENTER)
      continue;
    nodes++;
    assert_int_equal(galley_node_get_line(x), galley_node_get_line(y));
    assert_int_equal(galley_node_attr_count(x), galley_node_attr_count(y));
  }
  assert_int_equal(galley_iter_next(&b), GALLEY_EVENT_DONE);
  assert_int_equal(nodes, 12);

  galley_node *t2 = galley_node_find(copy, GALLEY_NODE_TABLE);
  assert_string_equal(galley_node_get_id(t2), "t1");
  assert_string_equal(galley_node_get_classes(t2), "wide data");
  assert_string_equal(galley_node_get_tag(t2), "table");
  assert_string_equal(galley_node_get_attr(t2, "data-x"), "1");
  assert_string_equal(galley_node_get_attr(t2, "summary"), "numbers");
  assert_int_equal(galley_node_get_line(t2), 12);
  assert_int_equal(
      galley_node_get_row_part(galley_node_find(copy, GALLEY_NODE_TABLE_ROW)),
      GALLEY_ROW_HEAD);
  galley_node *c2 = galley_node_find(copy, GALLEY_NODE_TABLE_CELL);
  assert_true(galley_node_get_cell_header(c2));
  assert_int_equal(galley_node_get_cell_align(c2), GALLEY_ALIGN_CENTER);
  assert_int_equal(galley_node_get_colspan(c2), 2);
  assert_int_equal(galley_node_get_rowspan(c2), 3);
  galley_node *l2 = galley_node_find(copy, GALLEY_NODE_LINK);
  assert_string_equal(galley_node_get_url(l2), "https://example.org/");
  assert_string_equal(galley_node_get_title(l2), "Example");
  galley_node *list2 = galley_node_find(copy, GALLEY_NODE_LIST);
  assert_true(galley_node_get_list_ordered(list2));
  assert_int_equal(galley_node_get_list_start(list2), 4);
  assert_false(galley_node_get_list_tight(list2));
  assert_int_equal(
      galley_node_get_task(galley_node_find(copy, GALLEY_NODE_ITEM)),
      GALLEY_TASK_DONE);
  galley_node *code2 = galley_node_find(copy, GALLEY_NODE_CODE_BLOCK);
  assert_string_equal(galley_node_get_info(code2), "c");
  assert_string_equal(galley_node_get_literal(code2), "int x;\n");
  assert_int_equal(
      galley_node_get_level(galley_node_find(copy, GALLEY_NODE_HEADING)), 3);
  galley_node *raw2 = galley_node_find(copy, GALLEY_NODE_RAW_INLINE);
  assert_string_equal(galley_node_get_format(raw2), "html");
  assert_string_equal(galley_node_get_literal(raw2), "<wbr>");
  assert_string_equal(
      galley_node_get_label(galley_node_find(copy, GALLEY_NODE_FOOTNOTE_REF)),
      "n1");

  /* The copy owns its strings: it outlives the source document. */
  galley_doc_free(src);
  assert_string_equal(galley_node_text(dst, copy), "exampleint x;\n");
  assert_string_equal(galley_node_get_attr(t2, "summary"), "numbers");
  /* A copied subtree can go into the destination's tree. */
  galley_node *p = galley_doc_new_node(dst, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_append_child(galley_doc_root(dst), p),
                   GALLEY_OK);
  galley_doc_free(dst);
}

static void node_copy_is_independent_of_its_source(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  galley_node *t = add(p, mk_text(doc, "before"));
  galley_node_set_attr(p, "k", "v");
  galley_node *copy = galley_node_copy(doc, p);
  assert_non_null(copy);
  assert_detached(copy);
  galley_node_set_literal(t, "after");
  galley_node_set_attr(p, "k", "changed");
  add(p, mk_text(doc, "more"));
  assert_string_equal(galley_node_text(doc, copy), "before");
  assert_string_equal(galley_node_get_attr(copy, "k"), "v");
  assert_int_equal(galley_node_child_count(copy), 1);
  /* Copying a leaf gives a leaf. */
  galley_node *leaf = galley_node_copy(doc, t);
  assert_string_equal(galley_node_get_literal(leaf), "after");
  assert_null(galley_node_first_child(leaf));
  assert_int_equal(galley_node_insert_after(p, copy), GALLEY_OK);
  assert_int_equal(galley_node_child_count(galley_doc_root(doc)), 2);
  assert_null(galley_node_copy(NULL, p));
  assert_null(galley_node_copy(doc, NULL));
  galley_doc_free(doc);
}

static void node_copy_of_a_100000_deep_chain_is_iterative(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *parent = galley_doc_root(doc);
  for (int i = 0; i < 100000; i++)
    parent = add_kind(parent, GALLEY_NODE_DIV);
  add(add_kind(parent, GALLEY_NODE_PARAGRAPH), mk_text(doc, "deep"));
  galley_doc *dst = galley_doc_new();
  galley_node *copy = galley_node_copy(dst, galley_doc_root(doc));
  assert_non_null(copy);
  galley_doc_free(doc);
  assert_int_equal(galley_node_max_depth(copy), 100002);
  assert_string_equal(galley_node_text(dst, copy), "deep");
  galley_doc_free(dst);
}

/* ---- Iteration ---- */

typedef struct event_log {
  char text[2048];
} event_log;

/* Runs the iterator from `root` and records "+kind" for ENTER and "-kind"
 * for EXIT, separated by spaces. */
static void log_events(galley_node *root, event_log *log) {
  log->text[0] = '\0';
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    assert_int_equal(galley_iter_event(&it), ev);
    size_t used = strlen(log->text);
    snprintf(log->text + used, sizeof log->text - used, "%s%c%s",
             used ? " " : "",
             ev == GALLEY_EVENT_ENTER  ? '+'
             : ev == GALLEY_EVENT_EXIT ? '-'
                                       : '?',
             galley_kind_name(galley_node_kind(galley_iter_node(&it))));
  }
  /* Once done, the iterator stays done. */
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_DONE);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_DONE);
}

static void
iteration_enters_and_exits_containers_and_only_enters_leaves(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  add(p, mk_text(doc, "a"));
  add(add_kind(p, GALLEY_NODE_EMPH), mk_text(doc, "b"));
  add_kind(p, GALLEY_NODE_SOFT_BREAK);
  add_kind(root, GALLEY_NODE_THEMATIC_BREAK);
  add_kind(root, GALLEY_NODE_DIV); /* empty container */
  galley_node *list = add_kind(root, GALLEY_NODE_LIST);
  add_kind(add_kind(list, GALLEY_NODE_ITEM), GALLEY_NODE_CODE_BLOCK);
  add(add_kind(root, GALLEY_NODE_HEADING),
      mk(doc, GALLEY_NODE_LINK)); /* empty inline */
  event_log log;
  log_events(root, &log);
  assert_string_equal(
      log.text,
      "+document +paragraph +text +emph +text -emph +soft_break -paragraph "
      "+thematic_break +div -div +list +item +code_block -item -list "
      "+heading +link -link -heading -document");
  /* A subtree: the walk stays inside it. */
  log_events(p, &log);
  assert_string_equal(
      log.text, "+paragraph +text +emph +text -emph +soft_break -paragraph");
  /* A leaf root is entered once. */
  log_events(galley_node_first_child(p), &log);
  assert_string_equal(log.text, "+text");
  /* An empty document. */
  galley_doc *empty = galley_doc_new();
  log_events(galley_doc_root(empty), &log);
  assert_string_equal(log.text, "+document -document");
  galley_doc_free(empty);
  galley_doc_free(doc);
}

static void iter_reset_to_exit_skips_the_children(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *div = add_kind(root, GALLEY_NODE_DIV);
  add(add_kind(div, GALLEY_NODE_PARAGRAPH), mk_text(doc, "hidden"));
  galley_node *after = add_kind(root, GALLEY_NODE_PARAGRAPH);
  galley_iter it;
  galley_iter_init(&it, root);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_ENTER);
  assert_ptr_equal(galley_iter_node(&it), root);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_ENTER);
  assert_ptr_equal(galley_iter_node(&it), div);
  galley_iter_reset(&it, div, GALLEY_EVENT_EXIT);
  assert_ptr_equal(galley_iter_node(&it), div);
  assert_int_equal(galley_iter_event(&it), GALLEY_EVENT_EXIT);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_ENTER);
  assert_ptr_equal(galley_iter_node(&it), after);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_EXIT);
  assert_ptr_equal(galley_iter_node(&it), after);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_EXIT);
  assert_ptr_equal(galley_iter_node(&it), root);
  assert_int_equal(galley_iter_next(&it), GALLEY_EVENT_DONE);
  /* Reset back to the start walks everything again. */
  galley_iter_reset(&it, root, GALLEY_EVENT_ENTER);
  size_t texts = 0;
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE)
    if (ev == GALLEY_EVENT_ENTER &&
        galley_node_kind(galley_iter_node(&it)) == GALLEY_NODE_TEXT)
      texts++;
  assert_int_equal(texts, 1);
  galley_doc_free(doc);
}

/* Builds: doc > [p(a), div.ad(p(b)), p(c), div.ad(p(d)), p(e, span.ad(x), f)].
 */
static galley_node *build_ads(galley_doc *doc) {
  galley_node *root = galley_doc_root(doc);
  const char *texts[] = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; i++) {
    galley_node *parent = root;
    if (i % 2) {
      parent = add_kind(root, GALLEY_NODE_DIV);
      galley_node_set_classes(parent, "ad");
    }
    add(add_kind(parent, GALLEY_NODE_PARAGRAPH), mk_text(doc, texts[i]));
  }
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  add(p, mk_text(doc, "e"));
  galley_node *span = add(p, mk(doc, GALLEY_NODE_SPAN));
  galley_node_set_classes(span, "ad");
  add(span, mk_text(doc, "x"));
  add(p, mk_text(doc, "f"));
  return root;
}

/* The pattern a transform uses: drop a node at its EXIT, then tell the
 * iterator where to go on from (what came before it, or its parent). */
static void
unlinking_nodes_at_exit_with_a_reset_visits_everything_else(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = build_ads(doc);
  char seen[64] = "";
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER && galley_node_kind(n) == GALLEY_NODE_TEXT)
      strcat(seen, galley_node_get_literal(n));
    if (ev == GALLEY_EVENT_EXIT && galley_node_has_class(n, "ad")) {
      galley_node *prev = galley_node_prev(n), *parent = galley_node_parent(n);
      galley_node_unlink(n);
      if (prev)
        galley_iter_reset(&it, prev,
                          galley_kind_is_leaf(galley_node_kind(prev))
                              ? GALLEY_EVENT_ENTER
                              : GALLEY_EVENT_EXIT);
      else
        galley_iter_reset(&it, parent, GALLEY_EVENT_ENTER);
    }
  }
  assert_string_equal(seen, "abcdexf");
  assert_string_equal(galley_node_text(doc, root), "acef");
  assert_int_equal(galley_node_child_count(root), 3);
  galley_doc_free(doc);
}

/* cmark's iterator works out the next event before returning the current
 * one, so a node may be unlinked after its EXIT (or a leaf after its ENTER)
 * and iteration simply goes on; tree.h promises the same. */
static void
unlinking_the_current_node_after_exit_continues_with_the_rest(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = build_ads(doc);
  char seen[64] = "";
  size_t removed = 0;
  galley_iter it;
  galley_iter_init(&it, root);
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev == GALLEY_EVENT_ENTER && galley_node_kind(n) == GALLEY_NODE_TEXT)
      strcat(seen, galley_node_get_literal(n));
    if (ev == GALLEY_EVENT_EXIT && galley_node_has_class(n, "ad")) {
      galley_node_unlink(n);
      removed++;
    }
  }
  assert_string_equal(seen, "abcdexf");
  assert_int_equal(removed, 3);
  assert_string_equal(galley_node_text(doc, root), "acef");
  galley_doc_free(doc);
}

static void
unlinking_a_leaf_at_its_enter_continues_with_the_rest(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *p = add_kind(galley_doc_root(doc), GALLEY_NODE_PARAGRAPH);
  const char *words[] = {"keep1", "drop", "keep2", "drop", "keep3"};
  for (size_t i = 0; i < 5; i++)
    add(p, mk_text(doc, words[i]));
  size_t seen = 0;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (galley_node_kind(n) != GALLEY_NODE_TEXT)
      continue;
    seen++;
    if (strcmp(galley_node_get_literal(n), "drop") == 0)
      galley_node_unlink(n);
  }
  assert_int_equal(seen, 5);
  assert_string_equal(galley_node_text(doc, p), "keep1keep2keep3");
  galley_doc_free(doc);
}

/* ---- Memory ---- */

static void a_million_nodes_are_freed_with_one_doc_free(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  size_t made = 1;
  for (int i = 0; i < 1000; i++) {
    galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
    made++;
    for (int j = 0; j < 999; j++) {
      galley_node *n = j % 10 ? galley_doc_new_node(doc, GALLEY_NODE_SOFT_BREAK)
                              : galley_doc_new_text(doc, "0123456789", 10);
      assert_non_null(n);
      assert_int_equal(galley_node_append_child(p, n), GALLEY_OK);
      made++;
    }
  }
  assert_true(made >= 1000000);
  assert_int_equal(galley_node_child_count(root), 1000);
  assert_int_equal(galley_node_child_count(galley_node_last_child(root)), 999);
  galley_doc_free(doc); /* ASan's leak check proves nothing is left */
}

/* Long-lived documents share a pool of blocks (galley_doc_set_long_lived):
 * documents made on two threads, freed in between and made again (the
 * freed blocks reused), each keeps exactly its own text; and once every
 * one is freed (the pool given back) new ones work as before. */
#define LL_DOCS 24
static void ll_fill(galley_doc *doc, int id) {
  galley_node *root = galley_doc_root(doc);
  char buf[64];
  /* Up to some 300 KiB: blocks of several sizes. */
  for (int i = 0; i < 300 * (id % 7 + 1); i++) {
    galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
    int n = snprintf(buf, sizeof buf, "document %d, paragraph %d", id, i);
    add(p, galley_doc_new_text(doc, buf, (size_t)n));
  }
}

static bool ll_check(const galley_doc *doc, int id) {
  char buf[64];
  int i = 0;
  for (const galley_node *p = galley_node_first_child(galley_doc_root(doc)); p;
       p = galley_node_next(p), i++) {
    snprintf(buf, sizeof buf, "document %d, paragraph %d", id, i);
    const char *t = galley_node_get_literal(galley_node_first_child(p));
    if (!t || strcmp(t, buf) != 0)
      return false;
  }
  return i == 300 * (id % 7 + 1);
}

static void *ll_round(void *arg) {
  int base = *(int *)arg;
  galley_doc *docs[LL_DOCS];
  int ids[LL_DOCS];
  for (int i = 0; i < LL_DOCS; i++) {
    docs[i] = galley_doc_new();
    galley_doc_set_long_lived(docs[i]);
    ll_fill(docs[i], ids[i] = base + i);
  }
  for (int i = 0; i < LL_DOCS; i += 2) { /* every other one goes, and comes */
    galley_doc_free(docs[i]);
    docs[i] = galley_doc_new();
    galley_doc_set_long_lived(docs[i]);
    ll_fill(docs[i], ids[i] = base + 100 + i);
  }
  long bad = 0;
  for (int i = 0; i < LL_DOCS; i++) {
    if (!ll_check(docs[i], ids[i]))
      bad++;
    galley_doc_free(docs[i]);
  }
  return (void *)bad;
}

static void long_lived_documents_share_a_pool_safely(void **state) {
  (void)state;
  for (int round = 0; round < 2; round++) {
    int bases[2] = {1000 * round, 1000 * round + 500};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, ll_round, &bases[1]), 0);
    void *mine = ll_round(&bases[0]), *theirs = NULL;
    pthread_join(th, &theirs);
    assert_int_equal((long)mine, 0);
    assert_int_equal((long)theirs, 0);
  }
  galley_doc_set_long_lived(NULL); /* no document: nothing happens */
}

/* ---- The read-only view ---- */

/* A small document: a heading, a paragraph with emphasis and a break, a
 * list of two items, and two footnotes at the top level. */
static galley_doc *view_doc(void) {
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *h = add_kind(root, GALLEY_NODE_HEADING);
  add(h, mk_text(doc, "Title"));
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  add(p, mk_text(doc, "one "));
  galley_node *em = add_kind(p, GALLEY_NODE_EMPH);
  add(em, mk_text(doc, "two"));
  add_kind(p, GALLEY_NODE_SOFT_BREAK);
  add(p, mk_text(doc, "three"));
  galley_node *list = add_kind(root, GALLEY_NODE_LIST);
  for (int i = 0; i < 2; i++)
    add(add_kind(add_kind(list, GALLEY_NODE_ITEM), GALLEY_NODE_PARAGRAPH),
        mk_text(doc, i ? "b" : "a"));
  const char *labels[] = {"n1", "n2"};
  for (int i = 0; i < 2; i++) {
    galley_node *fn = add_kind(root, GALLEY_NODE_FOOTNOTE);
    assert_int_equal(galley_node_set_label(fn, labels[i]), GALLEY_OK);
    add(add_kind(fn, GALLEY_NODE_PARAGRAPH), mk_text(doc, labels[i]));
  }
  return doc;
}

static void the_const_iterator_walks_as_the_iterator_does(void **state) {
  (void)state;
  galley_doc *doc = view_doc();
  galley_iter it;
  galley_citer cit;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_citer_init(&cit, galley_doc_root_const(doc));
  size_t events = 0;
  for (;;) {
    galley_event a = galley_iter_next(&it), b = galley_citer_next(&cit);
    assert_int_equal(a, b);
    if (a == GALLEY_EVENT_DONE)
      break;
    assert_ptr_equal(galley_iter_node(&it), galley_citer_node(&cit));
    events++;
  }
  assert_true(events > 20);
  /* A subtree alone, and an empty start. */
  galley_citer_init(&cit, galley_node_find(galley_doc_root(doc),
                                           GALLEY_NODE_EMPH));
  assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_ENTER);
  assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_ENTER);
  assert_int_equal(galley_node_kind(galley_citer_node(&cit)), GALLEY_NODE_TEXT);
  assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_EXIT);
  assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_DONE);
  galley_citer_init(&cit, NULL);
  assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_DONE);
  /* A reset to a list's EXIT skips its children. */
  galley_citer_init(&cit, galley_doc_root_const(doc));
  galley_event ev;
  size_t texts = 0;
  while ((ev = galley_citer_next(&cit)) != GALLEY_EVENT_DONE) {
    const galley_node *n = galley_citer_node(&cit);
    if (ev == GALLEY_EVENT_ENTER && galley_node_kind(n) == GALLEY_NODE_LIST) {
      galley_citer_reset(&cit, n, GALLEY_EVENT_EXIT);
      assert_int_equal(galley_citer_next(&cit), GALLEY_EVENT_ENTER);
      assert_int_equal(galley_node_kind(galley_citer_node(&cit)),
                       GALLEY_NODE_FOOTNOTE);
      continue;
    }
    texts += ev == GALLEY_EVENT_ENTER && galley_node_kind(n) == GALLEY_NODE_TEXT;
  }
  assert_int_equal(texts, 6); /* Title, one, two, three, n1, n2: no a, b */
  /* Const navigation. */
  const galley_node *root = galley_doc_root_const(doc);
  const galley_node *first = galley_node_first_child_const(root);
  assert_int_equal(galley_node_kind(first), GALLEY_NODE_HEADING);
  assert_ptr_equal(galley_node_parent_const(first), root);
  assert_ptr_equal(galley_node_prev_const(galley_node_next_const(first)),
                   first);
  assert_int_equal(galley_node_kind(galley_node_last_child_const(root)),
                   GALLEY_NODE_FOOTNOTE);
  galley_doc_free(doc);
}

static void text_goes_into_the_callers_buffer(void **state) {
  (void)state;
  galley_doc *doc = view_doc();
  const galley_node *p = galley_node_next_const(
      galley_node_first_child_const(galley_doc_root_const(doc)));
  galley_buf b = GALLEY_BUF_INIT;
  assert_int_equal(galley_node_text_buf(p, &b), GALLEY_OK);
  assert_string_equal(b.data, "one two three");
  /* It appends, and agrees with galley_node_text. */
  assert_int_equal(galley_node_text_buf(p, &b), GALLEY_OK);
  assert_string_equal(b.data, "one two threeone two three");
  galley_buf_free(&b);
  assert_string_equal(galley_node_text(doc, p), "one two three");
  /* An empty paragraph leaves an empty string, not NULL. */
  galley_node *empty = mk(doc, GALLEY_NODE_PARAGRAPH);
  assert_int_equal(galley_node_text_buf(empty, &b), GALLEY_OK);
  assert_non_null(b.data);
  assert_string_equal(b.data, "");
  galley_buf_free(&b);
  galley_doc_free(doc);
}

static void footnotes_are_found_by_label_and_follow_edits(void **state) {
  (void)state;
  galley_doc *doc = view_doc();
  const galley_node *n1 = galley_doc_footnote(doc, "n1");
  const galley_node *n2 = galley_doc_footnote(doc, "n2");
  assert_non_null(n1);
  assert_non_null(n2);
  assert_string_equal(galley_node_get_label(n1), "n1");
  assert_string_equal(galley_node_get_label(n2), "n2");
  assert_null(galley_doc_footnote(doc, "n3"));
  assert_null(galley_doc_footnote(doc, NULL));
  /* A note added later, a relabelled one, a removed one: each seen. */
  galley_node *root = galley_doc_root(doc);
  galley_node *n3 = add_kind(root, GALLEY_NODE_FOOTNOTE);
  galley_node_set_label(n3, "n3");
  assert_ptr_equal(galley_doc_footnote(doc, "n3"), n3);
  galley_node_set_label((galley_node *)n1, "first");
  assert_null(galley_doc_footnote(doc, "n1"));
  assert_ptr_equal(galley_doc_footnote(doc, "first"), n1);
  galley_node_unlink((galley_node *)n2);
  assert_null(galley_doc_footnote(doc, "n2"));
  /* Two with one label: the first in document order. */
  galley_node *again = add_kind(root, GALLEY_NODE_FOOTNOTE);
  galley_node_set_label(again, "n3");
  assert_ptr_equal(galley_doc_footnote(doc, "n3"), n3);
  /* Many notes: every one found (the index grows past its first size). */
  char label[32];
  for (int i = 0; i < 5000; i++) {
    galley_node *fn = add_kind(root, GALLEY_NODE_FOOTNOTE);
    snprintf(label, sizeof label, "many-%d", i);
    galley_node_set_label(fn, label);
  }
  for (int i = 0; i < 5000; i += 7) {
    snprintf(label, sizeof label, "many-%d", i);
    const galley_node *fn = galley_doc_footnote(doc, label);
    assert_non_null(fn);
    assert_string_equal(galley_node_get_label(fn), label);
  }
  /* A FOOTNOTE below the top level (a page's box of notes) is found where
   * it stands. */
  galley_node *div = add_kind(root, GALLEY_NODE_DIV);
  galley_node *inner = add_kind(div, GALLEY_NODE_FOOTNOTE);
  galley_node_set_label(inner, "inner");
  assert_ptr_equal(galley_doc_footnote(doc, "inner"), inner);
  galley_doc_free(doc);
}

/* Numbers in the order of first references, then the notes nothing refers
 * to in the order they stand; they follow edits. */
static void notes_are_numbered_by_first_reference(void **state) {
  (void)state;
  galley_doc *doc = galley_doc_new();
  galley_node *root = galley_doc_root(doc);
  galley_node *p = add_kind(root, GALLEY_NODE_PARAGRAPH);
  const char *order[] = {"b", "a", "b"};
  for (size_t i = 0; i < 3; i++) {
    galley_node *r = add_kind(p, GALLEY_NODE_FOOTNOTE_REF);
    galley_node_set_label(r, order[i]);
  }
  const char *notes[] = {"a", "lonely", "b"};
  galley_node *box = add_kind(root, GALLEY_NODE_DIV);
  for (size_t i = 0; i < 3; i++) {
    galley_node *f = add_kind(box, GALLEY_NODE_FOOTNOTE);
    galley_node_set_label(f, notes[i]);
  }
  assert_int_equal(galley_doc_note_number(doc, "b"), 1);
  assert_int_equal(galley_doc_note_number(doc, "a"), 2);
  assert_int_equal(galley_doc_note_number(doc, "lonely"), 3);
  assert_int_equal(galley_doc_note_number(doc, "missing"), 0);
  assert_int_equal(galley_doc_note_number(doc, NULL), 0);
  /* The first reference gone: "a" comes first now. */
  galley_node_unlink(galley_node_first_child(p));
  assert_int_equal(galley_doc_note_number(doc, "a"), 1);
  assert_int_equal(galley_doc_note_number(doc, "b"), 2);
  galley_doc_free(doc);
}

int main(int argc, char **argv) {
  if (argc > 1)
    cmocka_set_test_filter(argv[1]); /* run one test: test_tree NAME */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_kind_name_round_trips_through_kind_from_name),
      cmocka_unit_test(the_const_iterator_walks_as_the_iterator_does),
      cmocka_unit_test(text_goes_into_the_callers_buffer),
      cmocka_unit_test(footnotes_are_found_by_label_and_follow_edits),
      cmocka_unit_test(notes_are_numbered_by_first_reference),
      cmocka_unit_test(blocks_and_inlines_are_range_tests),
      cmocka_unit_test(leaf_kinds_are_those_without_children),
      cmocka_unit_test(a_new_document_has_an_empty_document_root),
      cmocka_unit_test(new_node_refuses_unknown_kinds),
      cmocka_unit_test(base_and_arena_strings_are_copies),
      cmocka_unit_test(documents_of_every_kind_can_be_built),
      cmocka_unit_test(append_child_rejects_block_in_inline),
      cmocka_unit_test(append_child_rejects_inline_in_document_and_div),
      cmocka_unit_test(a_list_holds_only_items),
      cmocka_unit_test(tables_hold_rows_rows_hold_cells_cells_hold_content),
      cmocka_unit_test(definition_lists_hold_terms_and_definitions),
      cmocka_unit_test(a_document_node_is_never_a_child),
      cmocka_unit_test(appending_an_ancestor_into_its_descendant_is_refused),
      cmocka_unit_test(nodes_from_another_document_are_refused),
      cmocka_unit_test(a_refused_edit_leaves_the_node_where_it_was),
      cmocka_unit_test(append_child_links_siblings_both_ways),
      cmocka_unit_test(prepend_child_puts_the_child_first),
      cmocka_unit_test(insert_before_and_after_link_siblings_both_ways),
      cmocka_unit_test(insert_moves_a_node_already_in_the_tree),
      cmocka_unit_test(moving_a_node_to_another_parent_unlinks_it_first),
      cmocka_unit_test(insert_next_to_a_detached_node_is_refused),
      cmocka_unit_test(
          replace_puts_the_replacement_in_place_and_unlinks_the_node),
      cmocka_unit_test(unlink_detaches_first_middle_last_and_only_children),
      cmocka_unit_test(wrap_puts_the_wrapper_in_place_with_the_node_inside),
      cmocka_unit_test(wrap_refuses_wrappers_that_break_the_tree),
      cmocka_unit_test(unwrap_moves_the_children_into_place_in_order),
      cmocka_unit_test(unwrap_refuses_when_the_parent_cannot_hold_the_children),
      cmocka_unit_test(fields_have_their_defaults),
      cmocka_unit_test(field_setters_store_copies),
      cmocka_unit_test(setters_on_kinds_without_the_field_return_einvalid),
      cmocka_unit_test(
          attributes_keep_insertion_order_replace_in_place_and_remove),
      cmocka_unit_test(tag_id_and_classes_are_kept_on_any_kind),
      cmocka_unit_test(has_class_matches_whole_classes_among_several),
      cmocka_unit_test(metadata_is_ordered_and_keys_repeat),
      cmocka_unit_test(
          set_meta_replaces_every_value_keeping_the_first_position),
      cmocka_unit_test(remove_meta_removes_every_value_of_the_key),
      cmocka_unit_test(many_metadata_entries_iterate_in_order),
      cmocka_unit_test(resources_keep_binary_bytes_with_nul),
      cmocka_unit_test(adding_a_resource_of_the_same_name_replaces_it),
      cmocka_unit_test(resource_pointers_stay_valid_after_adding_1000_more),
      cmocka_unit_test(
          node_text_concatenates_text_and_code_with_breaks_as_spaces),
      cmocka_unit_test(node_find_returns_the_first_match_in_document_order),
      cmocka_unit_test(
          a_chain_of_100000_nested_divs_is_measured_without_recursion),
      cmocka_unit_test(building_a_100000_deep_chain_takes_linear_time),
      cmocka_unit_test(max_depth_of_a_leaf_or_an_empty_container_is_zero),
      cmocka_unit_test(
          node_copy_copies_every_field_and_attribute_into_another_document),
      cmocka_unit_test(node_copy_is_independent_of_its_source),
      cmocka_unit_test(node_copy_of_a_100000_deep_chain_is_iterative),
      cmocka_unit_test(
          iteration_enters_and_exits_containers_and_only_enters_leaves),
      cmocka_unit_test(iter_reset_to_exit_skips_the_children),
      cmocka_unit_test(
          unlinking_nodes_at_exit_with_a_reset_visits_everything_else),
      cmocka_unit_test(
          unlinking_the_current_node_after_exit_continues_with_the_rest),
      cmocka_unit_test(unlinking_a_leaf_at_its_enter_continues_with_the_rest),
      cmocka_unit_test(a_million_nodes_are_freed_with_one_doc_free),
      cmocka_unit_test(long_lived_documents_share_a_pool_safely),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
