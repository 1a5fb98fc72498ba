/* Helpers shared by the xml tests (see sample.h). */
#include "sample.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

const galley_plugin *xml_plugin(void) {
  const galley_plugin *p = galley_registry_find(tu_registry(), "xml");
  assert_non_null(p);
  return p;
}

static galley_node *add(galley_node *parent, galley_kind kind) {
  galley_node *n = galley_doc_new_node(galley_node_doc(parent), kind);
  assert_non_null(n);
  assert_int_equal(galley_node_append_child(parent, n), GALLEY_OK);
  return n;
}

static galley_node *add_text(galley_node *parent, const char *text) {
  galley_node *n = add(parent, GALLEY_NODE_TEXT);
  assert_int_equal(galley_node_set_literal(n, text), GALLEY_OK);
  return n;
}

static void ok(int rc) { assert_int_equal(rc, GALLEY_OK); }

galley_doc *sample_every_kind(void) {
  galley_doc *doc = galley_doc_new();
  assert_non_null(doc);
  galley_node *root = galley_doc_root(doc);

  ok(galley_doc_set_base(doc, "https://example.org/news/a b?x=1&y=\"2\""));
  ok(galley_node_set_attr(root, "lang", "en"));
  ok(galley_doc_add_meta(doc, GALLEY_META_TITLE, "Tides & <Times>"));
  ok(galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Ada Lovelace"));
  ok(galley_doc_add_meta(doc, GALLEY_META_AUTHOR, "Émile Zola"));
  ok(galley_doc_add_meta(doc, GALLEY_META_DATE, "2026-11-27"));
  ok(galley_doc_add_meta(doc, GALLEY_META_KEYWORD, ""));
  ok(galley_doc_add_meta(doc, GALLEY_META_DESCRIPTION, "  two\nlines\t "));
  ok(galley_doc_add_meta(doc, GALLEY_META_COVER, "images/cover.png"));
  ok(galley_doc_add_meta(doc, "x-custom key", "value with \"quotes\""));

  static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                      '\n', 0,   0,   0,   0x0d, 'I',  'H'};
  ok(galley_doc_add_resource(doc, "images/cover.png", "image/png", png,
                             sizeof png));
  unsigned char blob[300];
  for (size_t i = 0; i < sizeof blob; i++)
    blob[i] = (unsigned char)(i * 7);
  ok(galley_doc_add_resource(doc, "data/blob.bin", "application/octet-stream",
                             blob, sizeof blob));
  ok(galley_doc_add_resource(doc, "empty.txt", "text/plain", "", 0));

  /* Blocks */
  galley_node *div = add(root, GALLEY_NODE_DIV);
  ok(galley_node_set_tag(div, "article"));
  ok(galley_node_set_id(div, "main"));
  ok(galley_node_set_classes(div, "post  featured"));
  ok(galley_node_set_attr(div, "data-x", "1"));
  ok(galley_node_set_attr(div, "aria-label", "tab\there\nnewline\rcr"));
  ok(galley_node_set_attr(div, "empty", ""));
  galley_node_set_line(div, 12);

  galley_node *h = add(div, GALLEY_NODE_HEADING);
  ok(galley_node_set_level(h, 3));
  add_text(h, "A heading");

  galley_node *p = add(div, GALLEY_NODE_PARAGRAPH);
  galley_node_set_line(p, 14);
  add_text(p, "  leading and trailing spaces  ");
  add(p, GALLEY_NODE_SOFT_BREAK);
  galley_node *t = add_text(p, "a\tb\r\nc ]]> & <tag> \"q\" 'a' é 🙂");
  ok(galley_node_set_attr(t, "lang", "fr"));
  add(p, GALLEY_NODE_LINE_BREAK);
  add_text(p, "\n");
  add_text(p, "");
  galley_node *em = add(p, GALLEY_NODE_EMPH);
  add_text(em, "emph");
  galley_node *st = add(em, GALLEY_NODE_STRONG);
  add_text(st, "strong");
  add_text(add(p, GALLEY_NODE_STRIKE), "strike");
  add_text(add(p, GALLEY_NODE_SUPERSCRIPT), "sup");
  add_text(add(p, GALLEY_NODE_SUBSCRIPT), "sub");
  galley_node *code = add(p, GALLEY_NODE_CODE);
  ok(galley_node_set_literal(code, " x < y && z "));
  galley_node *link = add(p, GALLEY_NODE_LINK);
  ok(galley_node_set_url(link, "https://example.org/?a=1&b=2"));
  ok(galley_node_set_title(link, "A \"title\""));
  add_text(link, "link");
  galley_node *bare = add(p, GALLEY_NODE_LINK);
  ok(galley_node_set_url(bare, ""));
  galley_node *img = add(p, GALLEY_NODE_IMAGE);
  ok(galley_node_set_url(img, "images/cover.png"));
  add_text(img, "alt text");
  galley_node *ref = add(p, GALLEY_NODE_FOOTNOTE_REF);
  ok(galley_node_set_label(ref, "1"));
  ok(galley_node_set_attr(ref, "role", "doc-noteref"));
  galley_node *ri = add(p, GALLEY_NODE_RAW_INLINE);
  ok(galley_node_set_format(ri, "html"));
  ok(galley_node_set_literal(ri, "<kbd>Ctrl</kbd>"));
  galley_node *span = add(p, GALLEY_NODE_SPAN);
  ok(galley_node_set_tag(span, "mark"));
  ok(galley_node_set_classes(span, "hl"));
  add_text(span, "span");

  galley_node *bq = add(div, GALLEY_NODE_BLOCK_QUOTE);
  add_text(add(bq, GALLEY_NODE_PARAGRAPH), "quoted");

  galley_node *ol = add(div, GALLEY_NODE_LIST);
  ok(galley_node_set_list_ordered(ol, true));
  ok(galley_node_set_list_start(ol, 0));
  ok(galley_node_set_list_tight(ol, false));
  galley_node *item = add(ol, GALLEY_NODE_ITEM);
  ok(galley_node_set_task(item, GALLEY_TASK_OPEN));
  add_text(add(item, GALLEY_NODE_PARAGRAPH), "open task");
  item = add(ol, GALLEY_NODE_ITEM);
  ok(galley_node_set_task(item, GALLEY_TASK_DONE));
  add_text(add(item, GALLEY_NODE_PARAGRAPH), "done task");
  galley_node *ul = add(div, GALLEY_NODE_LIST);
  add(ul, GALLEY_NODE_ITEM);

  galley_node *cb = add(root, GALLEY_NODE_CODE_BLOCK);
  ok(galley_node_set_info(cb, "c linenos"));
  ok(galley_node_set_literal(cb, "int main(void) {\n\treturn 0;\n}\n\n"));
  ok(galley_node_set_attr(cb, "data-file", "main.c"));
  galley_node *rb = add(root, GALLEY_NODE_RAW_BLOCK);
  ok(galley_node_set_format(rb, "latex"));
  ok(galley_node_set_literal(rb, "\\begin{x}\n  y\n\\end{x}"));
  galley_node *hr = add(root, GALLEY_NODE_THEMATIC_BREAK);
  ok(galley_node_set_attr(hr, "style", "dotted"));
  add(root, GALLEY_NODE_CODE_BLOCK);

  galley_node *table = add(root, GALLEY_NODE_TABLE);
  add_text(add(table, GALLEY_NODE_CAPTION), "Table caption");
  galley_node *row = add(table, GALLEY_NODE_TABLE_ROW);
  ok(galley_node_set_row_part(row, GALLEY_ROW_HEAD));
  galley_node *cell = add(row, GALLEY_NODE_TABLE_CELL);
  ok(galley_node_set_cell_header(cell, true));
  ok(galley_node_set_cell_align(cell, GALLEY_ALIGN_LEFT));
  add_text(cell, "H1");
  cell = add(row, GALLEY_NODE_TABLE_CELL);
  ok(galley_node_set_cell_header(cell, true));
  ok(galley_node_set_cell_align(cell, GALLEY_ALIGN_CENTER));
  ok(galley_node_set_colspan(cell, 2));
  add_text(cell, "H2");
  row = add(table, GALLEY_NODE_TABLE_ROW);
  cell = add(row, GALLEY_NODE_TABLE_CELL);
  ok(galley_node_set_cell_align(cell, GALLEY_ALIGN_RIGHT));
  ok(galley_node_set_rowspan(cell, 3));
  add_text(add(cell, GALLEY_NODE_PARAGRAPH), "block in a cell");
  add(row, GALLEY_NODE_TABLE_CELL);
  row = add(table, GALLEY_NODE_TABLE_ROW);
  ok(galley_node_set_row_part(row, GALLEY_ROW_FOOT));

  galley_node *fig = add(root, GALLEY_NODE_FIGURE);
  galley_node *fp = add(fig, GALLEY_NODE_PARAGRAPH);
  galley_node *fimg = add(fp, GALLEY_NODE_IMAGE);
  ok(galley_node_set_url(fimg, "images/cover.png"));
  ok(galley_node_set_title(fimg, ""));
  galley_node *cap = add(fig, GALLEY_NODE_CAPTION);
  add_text(add(cap, GALLEY_NODE_PARAGRAPH), "Figure caption");

  galley_node *dl = add(root, GALLEY_NODE_DEFINITION_LIST);
  add_text(add(dl, GALLEY_NODE_TERM), "term");
  add_text(add(add(dl, GALLEY_NODE_DEFINITION), GALLEY_NODE_PARAGRAPH),
           "definition");

  galley_node *fn = add(root, GALLEY_NODE_FOOTNOTE);
  ok(galley_node_set_label(fn, "1"));
  add_text(add(fn, GALLEY_NODE_PARAGRAPH), "The note.");
  add(root, GALLEY_NODE_PARAGRAPH);
  return doc;
}

char *xml_write(const galley_doc *doc, const char *const *opts,
                galley_job **job_out) {
  galley_job *job = galley_job_new(tu_registry());
  galley_sink *sink = galley_sink_new_memory();
  assert_non_null(job);
  assert_non_null(sink);
  for (size_t i = 0; opts && opts[i]; i++) {
    const char *eq = strchr(opts[i], '=');
    assert_non_null(eq);
    char key[64];
    size_t klen = (size_t)(eq - opts[i]);
    assert_true(klen < sizeof key);
    memcpy(key, opts[i], klen);
    key[klen] = '\0';
    assert_int_equal(galley_job_set_option(job, key, eq + 1), GALLEY_OK);
  }
  int rc = galley_plugin_write(job, xml_plugin(), doc, sink);
  if (rc != GALLEY_OK)
    fail_msg("xml writer failed: %s", galley_job_errmsg(job));
  size_t len;
  const char *data = galley_sink_data(sink, &len);
  char *copy = malloc(len + 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  copy[len] = '\0';
  galley_sink_free(sink);
  if (job_out)
    *job_out = job;
  else
    galley_job_free(job);
  return copy;
}

int xml_read(const char *xml, size_t len, const galley_limits *limits,
             galley_doc **out, char **err) {
  galley_job *job = galley_job_new(tu_registry());
  galley_doc *doc = galley_doc_new();
  assert_non_null(job);
  assert_non_null(doc);
  if (limits)
    galley_job_set_limits(job, limits);
  galley_input in = {(const unsigned char *)xml, len, "test.xml", NULL};
  int rc = galley_plugin_read(job, xml_plugin(), &in, doc);
  if (err) {
    const char *msg = galley_job_errmsg(job);
    *err = rc != GALLEY_OK && msg ? strdup(msg) : NULL;
  }
  galley_job_free(job);
  if (rc != GALLEY_OK || !out)
    galley_doc_free(doc);
  else
    *out = doc;
  return rc;
}

/* Equal strings, where NULL equals only NULL. */
static void same_str(const char *what, const char *a, const char *b) {
  if (!a || !b) {
    if (a != b)
      fail_msg("%s: \"%s\" vs \"%s\"", what, a ? a : "(null)",
               b ? b : "(null)");
    return;
  }
  if (strcmp(a, b) != 0)
    fail_msg("%s: \"%s\" vs \"%s\"", what, a, b);
}

static void same_node(const galley_node *a, const galley_node *b) {
  assert_int_equal(galley_node_kind(a), galley_node_kind(b));
  same_str("literal", galley_node_get_literal(a), galley_node_get_literal(b));
  assert_int_equal(galley_node_get_level(a), galley_node_get_level(b));
  assert_int_equal(galley_node_get_list_ordered(a),
                   galley_node_get_list_ordered(b));
  assert_int_equal(galley_node_get_list_start(a),
                   galley_node_get_list_start(b));
  assert_int_equal(galley_node_get_list_tight(a),
                   galley_node_get_list_tight(b));
  assert_int_equal(galley_node_get_task(a), galley_node_get_task(b));
  same_str("info", galley_node_get_info(a), galley_node_get_info(b));
  same_str("format", galley_node_get_format(a), galley_node_get_format(b));
  same_str("url", galley_node_get_url(a), galley_node_get_url(b));
  same_str("title", galley_node_get_title(a), galley_node_get_title(b));
  same_str("label", galley_node_get_label(a), galley_node_get_label(b));
  assert_int_equal(galley_node_get_row_part(a), galley_node_get_row_part(b));
  assert_int_equal(galley_node_get_cell_header(a),
                   galley_node_get_cell_header(b));
  assert_int_equal(galley_node_get_cell_align(a),
                   galley_node_get_cell_align(b));
  assert_int_equal(galley_node_get_colspan(a), galley_node_get_colspan(b));
  assert_int_equal(galley_node_get_rowspan(a), galley_node_get_rowspan(b));
  assert_int_equal(galley_node_get_line(a), galley_node_get_line(b));
  same_str("tag", galley_node_get_tag(a), galley_node_get_tag(b));
  same_str("id", galley_node_get_id(a), galley_node_get_id(b));
  same_str("classes", galley_node_get_classes(a), galley_node_get_classes(b));
  assert_int_equal(galley_node_attr_count(a), galley_node_attr_count(b));
  for (size_t i = 0; i < galley_node_attr_count(a); i++) {
    const char *ka, *va, *kb, *vb;
    assert_true(galley_node_attr_at(a, i, &ka, &va));
    assert_true(galley_node_attr_at(b, i, &kb, &vb));
    same_str("attribute key", ka, kb);
    same_str("attribute value", va, vb);
  }
}

void assert_same_doc(const galley_doc *a, const galley_doc *b) {
  same_str("base", galley_doc_get_base(a), galley_doc_get_base(b));
  assert_int_equal(galley_doc_meta_size(a), galley_doc_meta_size(b));
  for (size_t i = 0; i < galley_doc_meta_size(a); i++) {
    const char *ka, *va, *kb, *vb;
    assert_true(galley_doc_meta_entry(a, i, &ka, &va));
    assert_true(galley_doc_meta_entry(b, i, &kb, &vb));
    same_str("meta key", ka, kb);
    same_str("meta value", va, vb);
  }
  assert_int_equal(galley_doc_resource_count(a), galley_doc_resource_count(b));
  for (size_t i = 0; i < galley_doc_resource_count(a); i++) {
    const galley_resource *ra = galley_doc_resource_at(a, i);
    const galley_resource *rb = galley_doc_resource_at(b, i);
    same_str("resource name", ra->name, rb->name);
    same_str("media type", ra->media_type, rb->media_type);
    assert_int_equal(ra->size, rb->size);
    if (ra->size)
      assert_memory_equal(ra->data, rb->data, ra->size);
  }
  /* Walk both trees in step. */
  galley_iter ia, ib;
  galley_iter_init(&ia, galley_doc_root(a));
  galley_iter_init(&ib, galley_doc_root(b));
  galley_event ea, eb;
  do {
    ea = galley_iter_next(&ia);
    eb = galley_iter_next(&ib);
    assert_int_equal(ea, eb);
    if (ea == GALLEY_EVENT_ENTER)
      same_node(galley_iter_node(&ia), galley_iter_node(&ib));
  } while (ea != GALLEY_EVENT_DONE);
}
