/* The markdown reader: cmark-gfm's tree mapped onto galley's, front matter. */
#include "mdtest.h"

static galley_doc *read_ok(const char *md) {
  char *err = NULL;
  int rc;
  galley_doc *doc = md_read_doc(md, NULL, &rc, &err);
  if (!doc)
    print_error("read failed (%d): %s\n", rc, err ? err : "?");
  free(err);
  assert_non_null(doc);
  return doc;
}

static void reads_every_feature_into_the_golden_tree(void **state) {
  (void)state;
  size_t len;
  char *md = tu_read_file(tu_fixture("markdown/features.md"), &len);
  assert_non_null(md);
  if (!galley_registry_find(tu_registry(), "xml")) {
    free(md);
    skip();
  }
  char *err = NULL;
  char *xml = tu_convert("markdown", "xml", md, len, NULL, &err);
  if (!xml)
    print_error("%s\n", err ? err : "?");
  assert_non_null(xml);
  tu_assert_golden(xml, "markdown/features.xml");
  free(xml);
  free(err);
  free(md);
}

/* The first warning of reading `len` bytes of Markdown (malloc'd), or NULL. */
static char *read_warning(const char *md, size_t len) {
  galley_registry *reg = tu_registry();
  const galley_plugin *p = galley_registry_find(reg, "markdown");
  assert_non_null(p);
  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  galley_input in = {(const unsigned char *)md, len, "t.md", NULL};
  assert_int_equal(galley_plugin_read(job, p, &in, doc), GALLEY_OK);
  char *w = NULL;
  for (size_t i = 0; i < galley_job_diag_count(job) && !w; i++) {
    const galley_diag *d = galley_job_diag_at(job, i);
    if (d->level == GALLEY_LEVEL_WARNING)
      w = strdup(d->message);
  }
  galley_doc_free(doc);
  galley_job_free(job);
  return w;
}

/* cmark reads bad bytes and NULs as U+FFFD without a word; the reader says
 * where the first one is (the hostile suite found the silence). */
static void bad_utf8_and_nul_bytes_are_read_with_a_warning(void **state) {
  (void)state;
  static const struct {
    const char *md;
    size_t len;
    const char *want;
  } cases[] = {
      {"caf\xE9\n", 5, "not valid UTF-8 at byte 3; such bytes read as U+FFFD"},
      {"a \xC0\xAF\n", 5, "not valid UTF-8 at byte 2; such bytes read as U+FFFD"},
      {"a \xED\xA0\x80\n", 6,
       "not valid UTF-8 at byte 2; such bytes read as U+FFFD"},
      {"a \xE2\x82", 4, "not valid UTF-8 at byte 2; such bytes read as U+FFFD"},
      {"a\0b\n", 4, "a NUL byte at byte 1; NUL bytes read as U+FFFD"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *w = read_warning(cases[i].md, cases[i].len);
    assert_non_null(w);
    assert_string_equal(w, cases[i].want);
    free(w);
  }
  char *none = read_warning("ok \xC3\xA9 \xF0\x9F\x99\x82 \xF4\x8F\xBF\xBF\n", 16);
  assert_null(none);
}

/* cmark-gfm fills every row up to the header's width and costs the square
 * of a row's cells: 52 KB of a 3,000-column header and 20,000 one-word lines
 * aborted cmark for want of memory (found by the hostile suite). Such
 * tables are read as text, with a warning; an ordinary long table is not. */
static void tables_that_cost_far_more_than_their_size_are_read_as_text(
    void **state) {
  (void)state;
  size_t cols = 3000, rows = 20000;
  size_t len = 2 * (2 * cols + 2) + 2 * rows;
  char *md = malloc(len + 1), *w = md;
  assert_non_null(md);
  *w++ = '|';
  for (size_t i = 0; i < cols; i++)
    w += sprintf(w, "a|");
  *w++ = '\n';
  *w++ = '|';
  for (size_t i = 0; i < cols; i++)
    w += sprintf(w, "-|");
  *w++ = '\n';
  for (size_t i = 0; i < rows; i++)
    w += sprintf(w, "x\n");
  *w = 0;
  char *warn = read_warning(md, strlen(md));
  assert_non_null(warn);
  assert_string_equal(warn,
                      "tables too wide or too long for their size; read as text");
  free(warn);
  galley_doc *doc = read_ok(md);
  assert_null(md_find(doc, GALLEY_NODE_TABLE));
  galley_doc_free(doc);
  free(md);

  char *none = read_warning("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |\n", 36);
  assert_null(none);
}

/* The status and the error of reading `md` with option max-parse-memory set
 * to `mib` (NULL: the default). */
static int read_with_budget(const char *md, const char *mib, char **err) {
  galley_registry *reg = tu_registry();
  const galley_plugin *p = galley_registry_find(reg, "markdown");
  galley_job *job = galley_job_new(reg);
  galley_doc *doc = galley_doc_new();
  if (mib)
    galley_job_set_option(job, "max-parse-memory", mib);
  galley_input in = {(const unsigned char *)md, strlen(md), "t.md", NULL};
  int rc = galley_plugin_read(job, p, &in, doc);
  const char *e = galley_job_errmsg(job);
  *err = e ? strdup(e) : NULL;
  galley_doc_free(doc);
  galley_job_free(job);
  return rc;
}

/* cmark-gfm needs hundreds of bytes per list item or emphasis mark and
 * aborts the process when an allocation fails: 20 MB of `*x* ` asked for
 * 6.6 GB (found by the hostile suite). The reader estimates first and
 * refuses, naming the limit. */
static void markdown_over_the_parse_memory_limit_is_refused(void **state) {
  (void)state;
  size_t n = 4000;
  char *md = malloc(4 * n + 1);
  assert_non_null(md);
  for (size_t i = 0; i < n; i++)
    memcpy(md + 4 * i, "- x\n", 4);
  md[4 * n] = 0;
  char *err = NULL;
  assert_int_equal(read_with_budget(md, "1", &err), GALLEY_ELIMIT);
  assert_non_null(err);
  if (!strstr(err, "over the parse memory limit of 1 MiB (-O max-parse-memory)"))
    fail_msg("error: %s", err);
  free(err);
  assert_int_equal(read_with_budget(md, NULL, &err), GALLEY_OK);
  free(err);
  free(md);
}

static void tables_keep_alignment_and_header_cells(void **state) {
  (void)state;
  galley_doc *doc = read_ok("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n");
  galley_node *table = md_find(doc, GALLEY_NODE_TABLE);
  assert_non_null(table);
  galley_node *head = galley_node_first_child(table);
  assert_int_equal(galley_node_get_row_part(head), GALLEY_ROW_HEAD);
  galley_node *cell = galley_node_first_child(head);
  assert_true(galley_node_get_cell_header(cell));
  assert_int_equal(galley_node_get_cell_align(cell), GALLEY_ALIGN_LEFT);
  galley_node *body = galley_node_next(head);
  assert_int_equal(galley_node_get_row_part(body), GALLEY_ROW_BODY);
  galley_node *c3 = galley_node_last_child(body);
  assert_false(galley_node_get_cell_header(c3));
  assert_int_equal(galley_node_get_cell_align(c3), GALLEY_ALIGN_RIGHT);
  assert_int_equal(galley_node_get_cell_align(
                       galley_node_next(galley_node_first_child(body))),
                   GALLEY_ALIGN_CENTER);
  galley_doc_free(doc);
}

static void task_items_keep_their_state(void **state) {
  (void)state;
  galley_doc *doc = read_ok("- [ ] open\n- [x] done\n- plain\n");
  galley_node *item = md_find(doc, GALLEY_NODE_ITEM);
  assert_int_equal(galley_node_get_task(item), GALLEY_TASK_OPEN);
  item = galley_node_next(item);
  assert_int_equal(galley_node_get_task(item), GALLEY_TASK_DONE);
  item = galley_node_next(item);
  assert_int_equal(galley_node_get_task(item), GALLEY_TASK_NONE);
  galley_doc_free(doc);
}

static void lists_keep_start_and_tightness(void **state) {
  (void)state;
  galley_doc *doc = read_ok("7. a\n8. b\n\n- x\n\n- y\n");
  galley_node *list = md_find(doc, GALLEY_NODE_LIST);
  assert_true(galley_node_get_list_ordered(list));
  assert_int_equal(galley_node_get_list_start(list), 7);
  assert_true(galley_node_get_list_tight(list));
  galley_node *loose = galley_node_next(list);
  assert_false(galley_node_get_list_ordered(loose));
  assert_false(galley_node_get_list_tight(loose));
  galley_doc_free(doc);
}

static void code_blocks_keep_the_info_string(void **state) {
  (void)state;
  galley_doc *doc = read_ok("```python linenos\nprint(1)\n```\n");
  galley_node *code = md_find(doc, GALLEY_NODE_CODE_BLOCK);
  assert_string_equal(galley_node_get_info(code), "python linenos");
  assert_string_equal(galley_node_get_literal(code), "print(1)\n");
  galley_doc_free(doc);
}

static void raw_html_is_kept_as_raw_nodes(void **state) {
  (void)state;
  galley_doc *doc =
      read_ok("<div class=\"x\">\nhi\n</div>\n\na <b>bold</b> word\n");
  galley_node *block = md_find(doc, GALLEY_NODE_RAW_BLOCK);
  assert_non_null(block);
  assert_string_equal(galley_node_get_format(block), "html");
  assert_string_equal(galley_node_get_literal(block),
                      "<div class=\"x\">\nhi\n</div>\n");
  galley_node *inl = md_find(doc, GALLEY_NODE_RAW_INLINE);
  assert_non_null(inl);
  assert_string_equal(galley_node_get_format(inl), "html");
  assert_string_equal(galley_node_get_literal(inl), "<b>");
  galley_doc_free(doc);
}

static void footnotes_go_to_the_end_with_their_labels(void **state) {
  (void)state;
  galley_doc *doc =
      read_ok("Text[^n1] more[^Other].\n\n[^n1]: First *note*.\n\n"
              "[^other]: Second.\n\nLast paragraph.\n");
  galley_node *ref = md_find(doc, GALLEY_NODE_FOOTNOTE_REF);
  assert_non_null(ref);
  assert_string_equal(galley_node_get_label(ref), "n1");
  galley_node *root = galley_doc_root(doc);
  galley_node *last = galley_node_last_child(root);
  assert_int_equal(galley_node_kind(last), GALLEY_NODE_FOOTNOTE);
  assert_string_equal(galley_node_get_label(last), "other");
  galley_node *first = galley_node_prev(last);
  assert_int_equal(galley_node_kind(first), GALLEY_NODE_FOOTNOTE);
  assert_string_equal(galley_node_get_label(first), "n1");
  assert_int_equal(galley_node_kind(galley_node_prev(first)),
                   GALLEY_NODE_PARAGRAPH);
  galley_doc_free(doc);
}

/* The reader takes a reference's label from its definition's number and
 * renders each definition without its content: the labels and the content
 * must come out as cmark-gfm has them, whatever the order, case or place. */
static void footnote_labels_and_content_survive_the_shortcut(void **state) {
  (void)state;
  galley_doc *doc = read_ok("A[^b] B[^A] C[^b] D[^nope].\n\n"
                            "> Q[^q]\n>\n> [^q]: In a *quote*.\n\n"
                            "[^a]: Alpha\n\n    second para\n\n"
                            "[^b]: Beta `x`\n");
  static const char *const want_refs[] = {"b", "a", "b", "q"};
  size_t k = 0;
  galley_iter it;
  galley_iter_init(&it, galley_doc_root(doc));
  galley_event ev;
  while ((ev = galley_iter_next(&it)) != GALLEY_EVENT_DONE) {
    galley_node *n = galley_iter_node(&it);
    if (ev != GALLEY_EVENT_ENTER ||
        galley_node_kind(n) != GALLEY_NODE_FOOTNOTE_REF)
      continue;
    assert_true(k < 4);
    assert_string_equal(galley_node_get_label(n), want_refs[k]);
    k++;
  }
  assert_int_equal(k, 4);
  /* The definitions, last, in the order of their first references. */
  galley_node *q = galley_node_last_child(galley_doc_root(doc));
  galley_node *a = galley_node_prev(q), *b = galley_node_prev(a);
  static const struct {
    const char *label, *text;
    size_t blocks;
  } want[] = {{"b", "Beta x", 1}, {"a", "Alphasecond para", 2},
              {"q", "In a quote.", 1}};
  galley_node *defs[] = {b, a, q};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(galley_node_kind(defs[i]), GALLEY_NODE_FOOTNOTE);
    assert_string_equal(galley_node_get_label(defs[i]), want[i].label);
    assert_int_equal(galley_node_child_count(defs[i]), want[i].blocks);
    char *t = galley_node_text(doc, defs[i]);
    assert_string_equal(t, want[i].text);
  }
  galley_doc_free(doc);
}

static void images_keep_title_and_alt_text(void **state) {
  (void)state;
  galley_doc *doc = read_ok("![the *alt*](a.png \"Title\") [l](u 'T')\n");
  galley_node *img = md_find(doc, GALLEY_NODE_IMAGE);
  assert_string_equal(galley_node_get_url(img), "a.png");
  assert_string_equal(galley_node_get_title(img), "Title");
  char *alt = galley_node_text(doc, img);
  assert_string_equal(alt, "the alt");
  galley_node *link = md_find(doc, GALLEY_NODE_LINK);
  assert_string_equal(galley_node_get_title(link), "T");
  galley_doc_free(doc);
}

static void extensions_read_strike_and_autolinks(void **state) {
  (void)state;
  galley_doc *doc = read_ok("~~gone~~ see www.example.com\n");
  assert_non_null(md_find(doc, GALLEY_NODE_STRIKE));
  galley_node *link = md_find(doc, GALLEY_NODE_LINK);
  assert_non_null(link);
  assert_string_equal(galley_node_get_url(link), "http://www.example.com");
  galley_doc_free(doc);
}

static void gfm_false_reads_strict_commonmark(void **state) {
  (void)state;
  const char *opts[] = {"gfm=false", NULL};
  galley_doc *doc =
      md_read_doc("| a |\n|---|\n| 1 |\n\n~~x~~ www.a.com\n", opts, NULL, NULL);
  assert_non_null(doc);
  assert_null(md_find(doc, GALLEY_NODE_TABLE));
  assert_null(md_find(doc, GALLEY_NODE_STRIKE));
  assert_null(md_find(doc, GALLEY_NODE_LINK));
  galley_doc_free(doc);
}

static void front_matter_fills_the_metadata(void **state) {
  (void)state;
  galley_doc *doc = read_ok(
      "---\ntitle: \"A \\\"quoted\\\" title\"\nauthors:\n  - Ann\n  - 'Bo''s'\n"
      "date: 2024-05-06\nlanguage: de\ndescription: >\n  folded\n  text\n"
      "tags: [one, \"two, three\"]\nkeywords: four, five\n"
      "unknown: ignored # comment\n---\n# Body\n");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                      "A \"quoted\" title");
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_AUTHOR), 2);
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 1),
                      "Bo's");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE), "2024-05-06");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_LANGUAGE), "de");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DESCRIPTION),
                      "folded text");
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_KEYWORD), 4);
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_KEYWORD, 1),
                      "two, three");
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_KEYWORD, 3),
                      "five");
  galley_node *h = md_find(doc, GALLEY_NODE_HEADING);
  assert_non_null(h);
  assert_int_equal(galley_node_get_line(h), 15);
  assert_null(md_find(doc, GALLEY_NODE_THEMATIC_BREAK));
  galley_doc_free(doc);
}

static void malformed_front_matter_is_an_error_naming_the_line(void **state) {
  (void)state;
  int rc;
  char *err = NULL;
  galley_doc *doc = md_read_doc(
      "---\ntitle: ok\nthis line is not yaml\n---\nbody\n", NULL, &rc, &err);
  assert_null(doc);
  assert_int_equal(rc, GALLEY_EPARSE);
  assert_non_null(err);
  assert_non_null(strstr(err, "line 3"));
  free(err);
  doc = md_read_doc("---\ntitle: \"open\n---\nbody\n", NULL, &rc, &err);
  assert_null(doc);
  assert_non_null(strstr(err, "line 2"));
  free(err);
}

static void a_leading_thematic_break_is_not_front_matter(void **state) {
  (void)state;
  galley_doc *doc = read_ok("---\nFoo\n---\nBar\n");
  assert_non_null(md_find(doc, GALLEY_NODE_THEMATIC_BREAK));
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  galley_doc_free(doc);
}

/* pandoc's title block: "% title", "% authors", "% date". */
static void a_pandoc_title_block_fills_the_metadata(void **state) {
  (void)state;
  galley_doc *doc = read_ok("% A title\n  that goes on\n% Ann Lee; Bo Park\n"
                            "% March 3, 2026\n\n# Body\n");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_TITLE),
                      "A title that goes on");
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_AUTHOR), 2);
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 0),
                      "Ann Lee");
  assert_string_equal(galley_doc_meta_value(doc, GALLEY_META_AUTHOR, 1),
                      "Bo Park");
  assert_string_equal(galley_doc_get_meta(doc, GALLEY_META_DATE), "2026-03-03");
  galley_node *h = md_find(doc, GALLEY_NODE_HEADING);
  assert_non_null(h);
  assert_int_equal(galley_node_get_line(h), 6);
  assert_null(md_find(doc, GALLEY_NODE_PARAGRAPH));
  galley_doc_free(doc);
  /* An empty field is skipped; authors may stand one a line. */
  doc = read_ok("%\n% Ann Lee\n  Bo Park\n\nText.\n");
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  assert_int_equal(galley_doc_meta_count(doc, GALLEY_META_AUTHOR), 2);
  assert_null(galley_doc_get_meta(doc, GALLEY_META_DATE));
  galley_doc_free(doc);
  /* A paragraph that merely starts with "%" is text. */
  doc = read_ok("%d of people agree.\n");
  assert_null(galley_doc_get_meta(doc, GALLEY_META_TITLE));
  assert_non_null(md_find(doc, GALLEY_NODE_PARAGRAPH));
  galley_doc_free(doc);
}

static void deep_nesting_stops_at_the_depth_limit(void **state) {
  (void)state;
  size_t n = 100000;
  char *md = malloc(n + 3);
  memset(md, '>', n);
  memcpy(md + n, " x", 3);
  int rc;
  char *err = NULL;
  galley_doc *doc = md_read_doc(md, NULL, &rc, &err);
  assert_null(doc);
  assert_int_equal(rc, GALLEY_ELIMIT);
  assert_non_null(strstr(err, "depth"));
  free(err);
  /* Deep inline nesting too: cmark-gfm copes, and so must the mapping. */
  for (size_t i = 0; i < n; i += 2)
    md[i] = '*', md[i + 1] = 'a';
  doc = md_read_doc(md, NULL, &rc, &err);
  free(err);
  if (doc)
    galley_doc_free(doc);
  free(md);
}

static void raw_html_parse_hands_blocks_to_the_html_reader(void **state) {
  (void)state;
  const char *opts[] = {"raw-html=parse", NULL};
  galley_doc *doc = md_read_doc("<table><tr><td>cell</td></tr></table>\n\nan "
                                "<img src=\"a.png\" alt=\"x\"> image\n",
                                opts, NULL, NULL);
  assert_non_null(doc);
  const galley_plugin *html = galley_registry_find(tu_registry(), "html");
  if (html && (html->caps & GALLEY_CAN_READ)) {
    assert_null(md_find(doc, GALLEY_NODE_RAW_BLOCK));
    assert_non_null(md_find(doc, GALLEY_NODE_TABLE));
    galley_node *img = md_find(doc, GALLEY_NODE_IMAGE);
    assert_non_null(img);
    assert_string_equal(galley_node_get_url(img), "a.png");
    assert_null(md_find(doc, GALLEY_NODE_RAW_INLINE));
  } else {
    /* Without the html reader the raw HTML stays as it is. */
    assert_non_null(md_find(doc, GALLEY_NODE_RAW_BLOCK));
  }
  galley_doc_free(doc);
}

static void probe_scores_markdown_modestly(void **state) {
  (void)state;
  const galley_plugin *md = galley_registry_find(tu_registry(), "markdown");
  const char *doc = "# Title\n\nSome *text* and a [link](http://x).\n\n- "
                    "item\n\n```c\nx\n```\n";
  int s = md->probe((const unsigned char *)doc, strlen(doc));
  assert_true(s > 30 && s <= 60);
  const char *html = "<!DOCTYPE html><html><body># not</body></html>";
  assert_int_equal(md->probe((const unsigned char *)html, strlen(html)), 0);
  const char *plain = "Just a sentence.";
  assert_true(md->probe((const unsigned char *)plain, strlen(plain)) < 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_every_feature_into_the_golden_tree),
      cmocka_unit_test(tables_keep_alignment_and_header_cells),
      cmocka_unit_test(task_items_keep_their_state),
      cmocka_unit_test(lists_keep_start_and_tightness),
      cmocka_unit_test(code_blocks_keep_the_info_string),
      cmocka_unit_test(raw_html_is_kept_as_raw_nodes),
      cmocka_unit_test(footnotes_go_to_the_end_with_their_labels),
      cmocka_unit_test(footnote_labels_and_content_survive_the_shortcut),
      cmocka_unit_test(images_keep_title_and_alt_text),
      cmocka_unit_test(extensions_read_strike_and_autolinks),
      cmocka_unit_test(gfm_false_reads_strict_commonmark),
      cmocka_unit_test(front_matter_fills_the_metadata),
      cmocka_unit_test(malformed_front_matter_is_an_error_naming_the_line),
      cmocka_unit_test(a_leading_thematic_break_is_not_front_matter),
      cmocka_unit_test(a_pandoc_title_block_fills_the_metadata),
      cmocka_unit_test(deep_nesting_stops_at_the_depth_limit),
      cmocka_unit_test(raw_html_parse_hands_blocks_to_the_html_reader),
      cmocka_unit_test(probe_scores_markdown_modestly),
      cmocka_unit_test(bad_utf8_and_nul_bytes_are_read_with_a_warning),
      cmocka_unit_test(markdown_over_the_parse_memory_limit_is_refused),
      cmocka_unit_test(
          tables_that_cost_far_more_than_their_size_are_read_as_text),
  };
  return cmocka_run_group_tests_name("markdown reader", tests, NULL, NULL);
}
